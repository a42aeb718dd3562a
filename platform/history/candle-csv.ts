// The candle file `stock-stream download` writes and `replay` reads: a header `ts,open,high,low,close,volume`,
// then one candle a line, oldest first, ts its start in ISO 8601 UTC. Also the check that lets a
// download resume one: its last candle, and whether it holds candles of the timeframe asked for.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { HistoricalCandle } from './history.js';

export const CANDLE_CSV_HEADER = 'ts,open,high,low,close,volume';
const CHUNK_BYTES = 1 << 20;
const ROW = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?Z)(?:,-?\d+(?:\.\d+)?(?:e[-+]?\d+)?){5}$/;

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

export function candleCsvLines(candles: readonly HistoricalCandle[]): string {
  let text = '';
  for (const c of candles) text += `${isoSeconds(c.start)},${c.open},${c.high},${c.low},${c.close},${c.volume}\n`;
  return text;
}

export interface CandleCsvState {
  /** Candles in the file. */
  readonly rows: number;
  readonly firstStart: number | undefined;
  readonly lastStart: number | undefined;
  /** Bytes up to the end of the last complete line: a torn last line (a crash mid-write) lies beyond. */
  readonly completeBytes: number;
  readonly size: number;
}

/**
 * Reads a candle file through and checks it: the header, every row, starts increasing and on the
 * timeframe's boundaries, the smallest step between two the timeframe itself. Throws one line naming
 * the file (and the line) otherwise.
 */
export function inspectCandleCsv(file: string, granularityMs: number, timeframe: string): CandleCsvState {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let rest = '';
    let offset = 0;
    let completeBytes = 0;
    let line = 0;
    let rows = 0;
    let firstStart: number | undefined;
    let lastStart: number | undefined;
    let smallestStep = Number.POSITIVE_INFINITY;
    const fail = (reason: string, where = `line ${line}: `): never => {
      throw new Error(`${file}: ${where}${reason}; not a ${timeframe} candle file from download (move it or choose another --output)`);
    };
    const handle = (text: string) => {
      line++;
      if (line === 1) {
        if (text.replace(/^\uFEFF/, '').trim() !== CANDLE_CSV_HEADER)
          fail(`expected the header ${CANDLE_CSV_HEADER}, found "${clip(text)}"`);
        return;
      }
      if (text.trim() === '') return;
      // The rows download writes match ROW; anything else is taken apart to say what is wrong.
      const row = ROW.exec(text);
      const ts = row !== null ? row[1]! : text.split(',')[0]!;
      const start = Date.parse(ts);
      if (row === null) {
        const fields = text.split(',');
        if (fields.length !== 6) fail(`expected 6 fields, found ${fields.length}`);
        if (!/Z$/.test(ts) || Number.isNaN(start)) fail(`ts "${clip(ts)}" is not an ISO 8601 UTC time`);
        if (!fields.slice(1).every((f) => f !== '' && Number.isFinite(Number(f)))) fail('a price or the volume is not a number');
      } else if (Number.isNaN(start)) {
        fail(`ts "${clip(ts)}" is not a real time`);
      }
      if (start % granularityMs !== 0) fail(`${ts} is not on a ${timeframe} boundary`);
      if (lastStart !== undefined) {
        if (start <= lastStart) fail(`${ts} is not later than the row before`);
        smallestStep = Math.min(smallestStep, start - lastStart);
      }
      firstStart ??= start;
      lastStart = start;
      rows++;
    };
    for (;;) {
      const read = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (read === 0) break;
      const text = rest + buffer.toString('utf8', 0, read);
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        handle(text.slice(start, end).replace(/\r$/, ''));
        start = end + 1;
      }
      rest = text.slice(start);
      offset += read;
      completeBytes = offset - Buffer.byteLength(rest);
    }
    if (line === 0) {
      line = 1;
      fail(rest === '' ? 'the file is empty' : `expected the header ${CANDLE_CSV_HEADER}, found "${clip(rest)}"`);
    }
    if (rows >= 2 && smallestStep !== granularityMs) {
      fail(`its candles are at least ${smallestStep / 1000} s apart`, '');
    }
    return { rows, firstStart, lastStart, completeBytes, size };
  } finally {
    closeSync(fd);
  }
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
