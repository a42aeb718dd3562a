// Parses a price CSV (header `ts,price` or an OHLC `ts,open,high,low,close`, optionally `volume`; ts
// as epoch seconds, milliseconds or microseconds or ISO 8601) from chunks of bytes, fast enough for
// millions of rows a second, reporting bad rows by line number. Exchange exports are read as they
// come: lines before the header (a banner) are reported and passed over, a file without a header is
// read by position, and a file listed newest first is handed over oldest first.

export interface CsvTickRow {
  ts: number;
  price: number;
  volume: number | undefined;
  line: number;
}

export interface CsvHandlers {
  /** The row object is reused: copy what you keep. Rows come oldest first (see TickCsvParser). */
  row(row: Readonly<CsvTickRow>): void;
  problem(line: number, reason: string): void;
  /** How the file was read, when that is not the plain case (no header, newest first). */
  note?(message: string): void;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/;
const MAX_LINE_CHARS = 4096;
/** The UTF-8 byte-order mark (Excel's "CSV UTF-8") as the bytes EF BB BF read one per character. */
const UTF8_BOM = '\u00EF\u00BB\u00BF';
/** A numeric ts below this is epoch seconds (1e11 s is the year 5138; 1e11 ms is March 1973). */
const SECONDS_BELOW = 1e11;
/** A numeric ts from this on is epoch microseconds (Binance's exports since 2025; 1e14 ms is the year 5138). */
const MICROSECONDS_FROM = 1e14;
const TS_NAMES = ['ts', 'timestamp', 'time', 'date', 'unix', 'datetime', 'open_time', 'open time'];
const EXPECTED = 'ts,price[,volume] or ts,open,high,low,close[,volume]';
/** Lines before the header kept to be passed over (an export's banner is one or two). */
const MAX_PREAMBLE_LINES = 10;
/** How many first rows decide whether a file is oldest or newest first. */
const ORDER_EVIDENCE_ROWS = 16;
const NO_NEWLINE = -1;
const FALLBACK = -2;

/**
 * Rows are handed over in the file's order when it is oldest first (streamed, after the first few
 * that decide it). When the first rows mostly go back in time the file is taken as newest first, as
 * many exports list it: its rows are kept and handed over, last to first, by end().
 */
export class TickCsvParser {
  private rest = '';
  private overlong = false;
  private line = 0;
  private columns: { ts: number; price: number; volume: number } | undefined;
  /** A line before the header was not one: a row that follows cannot be read by position. */
  private sawNonHeader = false;
  /** Lines before the header (an export's banner): passed over once a header follows, else problems. */
  private preamble: Array<{ line: number; text: string }> = [];
  private readonly current: CsvTickRow = { ts: 0, price: 0, volume: undefined, line: 0 };
  private order: 'unknown' | 'oldest first' | 'newest first' = 'unknown';
  /** The rows kept while the order is unknown (the first few) or the file is newest first (all). */
  private kept = new KeptRows();

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
    this.emit(epochMs(ts), price, volume);
    return i;
  }

  /** Hands one row to the caller in the reused row object, or keeps it until the order is known. */
  private emit(ts: number, price: number, volume: number | undefined, line = this.line): void {
    if (this.order !== 'oldest first') {
      this.kept.push(ts, price, volume, line);
      if (this.order === 'unknown' && this.kept.length === ORDER_EVIDENCE_ROWS) this.decideOrder();
      return;
    }
    const row = this.current;
    row.ts = ts;
    row.price = price;
    row.volume = volume;
    row.line = line;
    this.handlers.row(row);
  }

  /**
   * Newest first when more of the first rows go back in time than forward (a row out of place in
   * either kind of file does not decide it); the rows kept so far are handed over when oldest first.
   */
  private decideOrder(): void {
    const { ts, length } = this.kept;
    let back = 0;
    let forward = 0;
    for (let i = 1; i < length; i++) {
      if (ts[i]! < ts[i - 1]!) back++;
      else if (ts[i]! > ts[i - 1]!) forward++;
    }
    if (back > forward) {
      this.order = 'newest first';
      this.handlers.note?.('the rows go back in time (newest first): read last to first');
      return;
    }
    this.order = 'oldest first';
    const kept = this.kept;
    this.kept = new KeptRows();
    for (let i = 0; i < kept.length; i++) this.emit(kept.ts[i]!, kept.price[i]!, volumeOf(kept.volume[i]!), kept.line[i]!);
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
    if (this.columns === undefined) {
      this.preambleWasNoHeader();
      this.handlers.problem(this.line, `no header line (expected ${EXPECTED})`);
    }
    if (this.order === 'unknown') this.decideOrder();
    if (this.order === 'newest first') {
      const kept = this.kept;
      this.kept = new KeptRows();
      this.order = 'oldest first';
      for (let i = kept.length - 1; i >= 0; i--) this.emit(kept.ts[i]!, kept.price[i]!, volumeOf(kept.volume[i]!), kept.line[i]!);
    }
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
    if (this.columns === undefined && !this.findColumns(text.slice(start, end))) return;
    const { ts: tsColumn, price: priceColumn, volume: volumeColumn } = this.columns!;
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
        else tsNumber = epochMs(tsNumber);
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

  /**
   * Before the columns are known: a header names them; a first line that is already a row (an
   * export without a header) names them by position; anything else (a banner, a header without ts
   * and price) is reported and the next line is tried. True when the line is a row to read.
   */
  private findColumns(line: string): boolean {
    // The bytes are read as latin1, so a byte-order mark is three characters, not U+FEFF.
    const header = line.startsWith(UTF8_BOM) ? line.slice(UTF8_BOM.length) : line;
    const names = header.split(',').map((name) => name.trim().toLowerCase().replace(/^"|"$/g, ''));
    const ts = names.findIndex((name) => TS_NAMES.includes(name));
    // An OHLC file is read as its closes; a file with both columns, by its price.
    const price = names.includes('price') ? names.indexOf('price') : names.indexOf('close');
    if (ts !== -1 && price !== -1) {
      this.columns = { ts, price, volume: names.indexOf('volume') };
      for (const { line, text } of this.preamble) this.handlers.note?.(`line ${line}, before the header, passed over: "${text}"`);
      this.preamble = [];
      return false;
    }
    const byPosition = positionalColumns(header.split(',').map((field) => field.trim()));
    if (byPosition !== undefined && !this.sawNonHeader) {
      this.columns = byPosition;
      const named = byPosition.price === 1 ? 'ts,price' : 'ts,open,high,low,close';
      this.handlers.note?.(`no header: columns read by position as ${named}${byPosition.volume === -1 ? '' : ',volume'}`);
      return true;
    }
    this.sawNonHeader = true;
    if (byPosition !== undefined) {
      // A row, and no header before it: what came before was not one.
      this.preambleWasNoHeader();
      this.handlers.problem(this.line, 'a row before any header line');
    } else {
      // Too long for a banner: no header is coming (what was kept is reported, in line order).
      if (this.preamble.length === MAX_PREAMBLE_LINES) this.preambleWasNoHeader();
      this.preamble.push({ line: this.line, text: clip(header) });
    }
    return false;
  }

  /** The lines kept before a header that never came are problems after all. */
  private preambleWasNoHeader(): void {
    for (const { line, text } of this.preamble) this.handlers.problem(line, notAHeader(text));
    this.preamble = [];
  }
}

const notAHeader = (text: string) => `not a header (it must name ts and price or close columns: ${EXPECTED}), found "${text}"`;

/** A header-less row's columns by their count: ts,price[,volume], or ts,open,high,low,close[,volume,...]. */
function positionalColumns(fields: readonly string[]): { ts: number; price: number; volume: number } | undefined {
  const count = fields.length;
  const columns =
    count === 2 || count === 3
      ? { ts: 0, price: 1, volume: count === 3 ? 2 : -1 }
      : count >= 5
        ? { ts: 0, price: 4, volume: count >= 6 ? 5 : -1 }
        : undefined;
  if (columns === undefined) return undefined;
  const ts = fields[0]!;
  const number = (text: string) => text !== '' && Number.isFinite(Number(text));
  return (number(ts) || ISO_8601.test(ts)) && number(fields[columns.price]!) ? columns : undefined;
}

/** A numeric ts as epoch milliseconds: seconds below 1e11, microseconds from 1e14. */
function epochMs(ts: number): number {
  return ts < SECONDS_BELOW ? Math.round(ts * 1000) : ts >= MICROSECONDS_FROM ? Math.round(ts / 1000) : ts;
}

/** Rows kept in growing typed arrays: a million take 32 MB. Volume NaN stands for none. */
class KeptRows {
  length = 0;
  ts = new Float64Array(1024);
  price = new Float64Array(1024);
  volume = new Float64Array(1024);
  line = new Float64Array(1024);

  push(ts: number, price: number, volume: number | undefined, line: number): void {
    if (this.length === this.ts.length) {
      const grow = (from: Float64Array) => {
        const to = new Float64Array(from.length * 2);
        to.set(from);
        return to;
      };
      [this.ts, this.price, this.volume, this.line] = [grow(this.ts), grow(this.price), grow(this.volume), grow(this.line)];
    }
    const i = this.length++;
    this.ts[i] = ts;
    this.price[i] = price;
    this.volume[i] = volume ?? Number.NaN;
    this.line[i] = line;
  }
}

const volumeOf = (kept: number): number | undefined => (Number.isNaN(kept) ? undefined : kept);

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
