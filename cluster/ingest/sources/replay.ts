// CSV replay (`replay:<file.csv>`): rows of ts,price[,volume] (platform/replay/tick-csv.ts reads
// them) handed over in real time, N times faster, or as fast as the sink takes them (speed 0).
// The file has no symbol column: its rows are ticks of the first configured symbol.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { TickCsvParser } from '../../../platform/replay/tick-csv.js';
import { sleep } from '../../../platform/retry.js';
import type { PriceSource, SourceDeps, SourceSink, SourceStatus } from '../source.js';

export interface ReplaySourceOptions {
  readonly file: string;
  /** 1 = real time, N = N times faster, 0 = as fast as possible. */
  readonly speed: number;
}

type Item =
  | { readonly line: number; readonly ts: number; readonly price: number; readonly volume: number | undefined }
  | { readonly line: number; readonly problem: string };

export class ReplaySource implements PriceSource {
  readonly name = 'replay';
  rows = 0;
  rejected = 0;
  private lastMessageAt = 0;
  private finished = false;
  private readonly symbol: string;

  constructor(
    private readonly options: ReplaySourceOptions,
    private readonly deps: SourceDeps,
  ) {
    const [symbol] = deps.symbols;
    if (symbol === undefined) throw new Error('replay: no symbol configured');
    this.symbol = symbol;
    if (!(options.speed >= 0) || !Number.isFinite(options.speed)) throw new Error('replay: speed must be 0 or more');
  }

  async run(sink: SourceSink, signal: AbortSignal): Promise<void> {
    const { file, speed } = this.options;
    const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`replay: cannot read ${file} (${error.code ?? error.message})`, { cause: error });
    });
    if (!info.isFile()) throw new Error(`replay: ${file} is not a file`);
    if (this.deps.symbols.length > 1) {
      this.deps.logger.warn({ file, symbol: this.symbol }, `replay: the file has no symbol column; its rows are ticks of ${this.symbol}`);
    }
    const now = this.deps.now ?? Date.now;
    let pending: Item[] = [];
    const parser = new TickCsvParser({
      row: (row) => void pending.push({ line: row.line, ts: row.ts, price: row.price, volume: row.volume }),
      problem: (line, reason) => void pending.push({ line, problem: reason }),
      note: (message) => this.deps.logger.info({ file }, `replay: ${message}`),
    });
    // Wall time and file time of the first row: later rows are due at the same offset / speed.
    let origin: { wall: number; ts: number } | undefined;
    const handOver = async (): Promise<void> => {
      const items = pending;
      pending = [];
      for (const item of items) {
        if (signal.aborted) return;
        this.lastMessageAt = now();
        if ('problem' in item) {
          this.rejected++;
          await sink.reject(`${file}:${item.line}`, 'malformed', `line ${item.line}: ${item.problem}`);
          continue;
        }
        if (speed > 0) {
          origin ??= { wall: now(), ts: item.ts };
          const wait = origin.wall + (item.ts - origin.ts) / speed - now();
          if (wait > 0) await sleep(wait, signal);
          if (signal.aborted) return;
        }
        const candidate = {
          symbol: this.symbol,
          price: item.price,
          ts: item.ts,
          source: this.name,
          ...(item.volume === undefined ? {} : { volume: item.volume }),
        };
        this.rows++;
        await sink.observe(candidate, `${item.ts},${item.price}${item.volume === undefined ? '' : `,${item.volume}`}`);
      }
    };
    const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
    try {
      for await (const chunk of stream) {
        parser.push(chunk as Buffer);
        await handOver();
        if (signal.aborted) return;
      }
      parser.end();
      await handOver();
    } finally {
      stream.destroy();
    }
    this.finished = true;
    this.deps.logger.info({ file, rows: this.rows, rejected: this.rejected }, 'replay: end of file');
  }

  status(): SourceStatus {
    const detail = `${this.finished ? 'finished' : 'replaying'} ${this.options.file}: ${this.rows} rows, ${this.rejected} rejected`;
    return { ok: true, detail, lastMessageAt: this.lastMessageAt, simulated: false };
  }
}
