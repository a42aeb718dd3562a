// Parses a price CSV (header `ts,price` or an OHLC `ts,open,high,low,close`, optionally `volume`; ts
// as epoch seconds, epoch ms or ISO 8601) from chunks of bytes, fast enough for millions of rows a
// second, reporting bad rows by line number.

export interface CsvTickRow {
  ts: number;
  price: number;
  volume: number | undefined;
  line: number;
}

export interface CsvHandlers {
  /** The row object is reused: copy what you keep. */
  row(row: Readonly<CsvTickRow>): void;
  problem(line: number, reason: string): void;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/;
const MAX_LINE_CHARS = 4096;
/** The UTF-8 byte-order mark (Excel's "CSV UTF-8") as the bytes EF BB BF read one per character. */
const UTF8_BOM = '\u00EF\u00BB\u00BF';
/** A numeric ts below this is epoch seconds (1e11 s is the year 5138; 1e11 ms is March 1973). */
const SECONDS_BELOW = 1e11;
const TS_NAMES = ['ts', 'timestamp', 'time', 'date'];
const NO_NEWLINE = -1;
const FALLBACK = -2;

export class TickCsvParser {
  private rest = '';
  private overlong = false;
  private line = 0;
  private columns: { ts: number; price: number; volume: number } | undefined;
  private readonly current: CsvTickRow = { ts: 0, price: 0, volume: undefined, line: 0 };

  constructor(private readonly handlers: CsvHandlers) {}

  push(chunk: Uint8Array): void {
    // A flat string straight from the bytes: indexing a concatenation (a V8 cons string) is slower.
    const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    let start = 0;
    if (this.rest.length > 0 || this.overlong) {
      const end = text.indexOf('\n');
      if (end === -1) return this.keep(this.rest + text);
      const joined = this.rest + text.slice(0, end);
      this.rest = '';
      this.handleLine(joined, 0, joined.length);
      start = end + 1;
    }
    for (;;) {
      // Most rows are plain numbers: one pass finds the fields and reads them. Anything else
      // (ISO times, spaces, a malformed row) goes through handleLine, which explains itself.
      const fast = this.columns === undefined ? FALLBACK : this.fastLine(text, start);
      if (fast >= 0) {
        start = fast + 1;
        continue;
      }
      const end = fast === NO_NEWLINE ? -1 : text.indexOf('\n', start);
      if (end === -1) break;
      this.handleLine(text, start, end);
      start = end + 1;
    }
    this.keep(text.slice(start));
  }

  /**
   * Reads one line of plain decimals starting at `start` and returns the index of its newline,
   * NO_NEWLINE when the text ends first, or FALLBACK when the line needs handleLine.
   */
  private fastLine(text: string, start: number): number {
    const { ts: tsColumn, price: priceColumn, volume: volumeColumn } = this.columns!;
    const length = text.length;
    let ts = Number.NaN;
    let price = Number.NaN;
    let volume: number | undefined;
    let column = 0;
    let i = start;
    for (;;) {
      // One field: [-]digits[.digits], then ',' or the end of the line.
      const wanted = column === tsColumn || column === priceColumn || column === volumeColumn;
      let negative = false;
      let whole = 0;
      let fraction = 0;
      let scale = 1;
      let digits = 0;
      let code = i < length ? text.charCodeAt(i) : -1;
      if (!wanted) {
        while (code !== 44 && code !== 10 && code !== 13 && code !== -1) code = ++i < length ? text.charCodeAt(i) : -1;
      } else {
        const fieldStart = i;
        if (code === 45) {
          negative = true;
          code = ++i < length ? text.charCodeAt(i) : -1;
        }
        while (code >= 48 && code <= 57) {
          whole = whole * 10 + (code - 48);
          digits++;
          code = ++i < length ? text.charCodeAt(i) : -1;
        }
        if (code === 46) {
          code = ++i < length ? text.charCodeAt(i) : -1;
          while (code >= 48 && code <= 57) {
            fraction = fraction * 10 + (code - 48);
            scale *= 10;
            digits++;
            code = ++i < length ? text.charCodeAt(i) : -1;
          }
        }
        if (code !== 44 && code !== 10 && code !== 13 && code !== -1) return FALLBACK;
        if (digits > 15) return FALLBACK;
        if (i === fieldStart) {
          // An empty field: only an empty volume is fine.
          if (column !== volumeColumn) return FALLBACK;
        } else {
          if (digits === 0) return FALLBACK;
          // One division of two exact integers rounds once, so this equals Number(text) exactly.
          const magnitude = scale === 1 ? whole : (whole * scale + fraction) / scale;
          const value = negative ? -magnitude : magnitude;
          if (column === tsColumn) ts = value;
          else if (column === priceColumn) price = value;
          else volume = value;
        }
      }
      column++;
      if (code === 44) {
        i++;
        continue;
      }
      if (code === -1) return NO_NEWLINE;
      if (code === 13) {
        if (i + 1 >= length) return NO_NEWLINE;
        if (text.charCodeAt(i + 1) !== 10) return FALLBACK;
        i++;
      }
      break;
    }
    // i is at the newline.
    if (i === start) {
      this.line++;
      return i;
    }
    if (column <= tsColumn || column <= priceColumn || Number.isNaN(ts) || Number.isNaN(price)) return FALLBACK;
    this.line++;
    this.emit(ts < SECONDS_BELOW ? Math.round(ts * 1000) : ts, price, volume);
    return i;
  }

  /** Hands one row to the caller in the reused row object. */
  private emit(ts: number, price: number, volume: number | undefined): void {
    const row = this.current;
    row.ts = ts;
    row.price = price;
    row.volume = volume;
    row.line = this.line;
    this.handlers.row(row);
  }

  /** Holds the unfinished last line until the next chunk. */
  private keep(rest: string): void {
    this.rest = rest;
    if (this.rest.length > MAX_LINE_CHARS) {
      // Hostile or broken input: drop what we have of the line, report it when it ends.
      this.overlong = true;
      this.rest = '';
    }
  }

  end(): void {
    if (this.rest.length > 0 || this.overlong) this.handleLine(this.rest, 0, this.rest.length);
    this.rest = '';
    if (this.columns === undefined) this.handlers.problem(this.line, 'no header line (expected ts,price[,volume])');
  }

  private handleLine(text: string, start: number, endAt: number): void {
    this.line++;
    if (this.overlong) {
      this.overlong = false;
      return this.handlers.problem(this.line, `line longer than ${MAX_LINE_CHARS} characters`);
    }
    let end = endAt;
    if (end > start && text.charCodeAt(end - 1) === 13) end--; // CRLF
    if (end === start) return;
    if (this.columns === undefined) return this.readHeader(text.slice(start, end));
    const { ts: tsColumn, price: priceColumn, volume: volumeColumn } = this.columns;
    let column = 0;
    let fieldStart = start;
    let tsText: string | undefined;
    let tsNumber = Number.NaN;
    let price = Number.NaN;
    let volume: number | undefined;
    while (fieldStart <= end) {
      let fieldEnd = text.indexOf(',', fieldStart);
      if (fieldEnd === -1 || fieldEnd > end) fieldEnd = end;
      if (column === tsColumn) {
        tsNumber = parseDecimal(text, fieldStart, fieldEnd);
        if (Number.isNaN(tsNumber)) tsText = text.slice(fieldStart, fieldEnd).trim();
        else if (tsNumber < SECONDS_BELOW) tsNumber = Math.round(tsNumber * 1000);
      } else if (column === priceColumn) {
        price = parseDecimal(text, fieldStart, fieldEnd);
        if (Number.isNaN(price)) price = Number(text.slice(fieldStart, fieldEnd).trim() || 'x');
      } else if (column === volumeColumn && fieldEnd > fieldStart) {
        volume = parseDecimal(text, fieldStart, fieldEnd);
        if (Number.isNaN(volume)) volume = Number(text.slice(fieldStart, fieldEnd).trim() || 'x');
      }
      column++;
      fieldStart = fieldEnd + 1;
    }
    const needed = Math.max(tsColumn, priceColumn) + 1;
    if (column < needed) return this.handlers.problem(this.line, `expected at least ${needed} columns, found ${column}`);
    if (tsText !== undefined) {
      if (!ISO_8601.test(tsText))
        return this.handlers.problem(this.line, `ts: "${clip(tsText)}" is neither epoch seconds, epoch milliseconds nor ISO 8601`);
      tsNumber = Date.parse(HAS_ZONE.test(tsText) || tsText.length === 10 ? tsText : `${tsText}Z`);
      if (Number.isNaN(tsNumber)) return this.handlers.problem(this.line, `ts: "${clip(tsText)}" is not a real date`);
    }
    if (!Number.isFinite(price)) return this.handlers.problem(this.line, 'price: not a number');
    if (volume !== undefined && !Number.isFinite(volume)) return this.handlers.problem(this.line, 'volume: not a number');
    this.emit(tsNumber, price, volume);
  }

  private readHeader(line: string): void {
    // The bytes are read as latin1, so a byte-order mark is three characters, not U+FEFF.
    const header = line.startsWith(UTF8_BOM) ? line.slice(UTF8_BOM.length) : line;
    const names = header.split(',').map((name) => name.trim().toLowerCase().replace(/^"|"$/g, ''));
    const ts = names.findIndex((name) => TS_NAMES.includes(name));
    // An OHLC file is read as its closes; a file with both columns, by its price.
    const price = names.includes('price') ? names.indexOf('price') : names.indexOf('close');
    if (ts === -1 || price === -1) {
      this.handlers.problem(this.line, `the header must name ts and price columns, found "${clip(header)}"`);
      // Without a usable header no row can be read; keep reporting rather than guessing columns.
      this.columns = { ts: Number.MAX_SAFE_INTEGER, price: Number.MAX_SAFE_INTEGER, volume: -1 };
      return;
    }
    this.columns = { ts, price, volume: names.indexOf('volume') };
  }
}

/** Plain decimals ("97000.25", "-3", "1764200000000") without allocating; NaN for anything else. */
function parseDecimal(text: string, start: number, end: number): number {
  while (start < end && text.charCodeAt(start) === 32) start++;
  while (end > start && text.charCodeAt(end - 1) === 32) end--;
  if (start === end) return Number.NaN;
  let i = start;
  let negative = false;
  if (text.charCodeAt(i) === 45) {
    negative = true;
    i++;
  }
  let whole = 0;
  let digits = 0;
  for (; i < end; i++) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) break;
    whole = whole * 10 + code;
    digits++;
  }
  let value = whole;
  if (i < end && text.charCodeAt(i) === 46) {
    i++;
    let fraction = 0;
    let scale = 1;
    const fractionStart = i;
    for (; i < end; i++) {
      const code = text.charCodeAt(i) - 48;
      if (code < 0 || code > 9) break;
      fraction = fraction * 10 + code;
      scale *= 10;
    }
    // Beyond 15 significant digits the shortcut would round differently from Number(): let it decide.
    if (i - fractionStart + digits > 15) return Number(text.slice(start, end));
    digits += i - fractionStart;
    // One division of two exact integers rounds once, so this equals Number(text) exactly.
    value = (whole * scale + fraction) / scale;
  }
  if (i !== end || digits === 0 || digits > 15) return digits > 15 && i === end ? Number(text.slice(start, end)) : Number.NaN;
  return negative ? -value : value;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
