// A local HTTP server that answers like the exchanges' public candle endpoints, over candles a test
// gives it: Coinbase Exchange's GET /products/{id}/candles (granularity in seconds, start and end
// inclusive, more than 300 buckets rejected with HTTP 400, rows [time, low, high, open, close, volume]
// newest first) and Kraken's GET /0/public/OHLC (interval in minutes, the entries after `since` but
// only the most recent 720, the still-forming one last, prices as strings, keyed XXBTZUSD beside
// `last`, errors in an `error` list with HTTP 200). A script of raw answers (429, 5xx, garbage,
// silence) can be served first, one per request.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HistoricalCandle } from '../../../platform/history/history.js';

export interface RawAnswer {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Never answer (a timeout test). */
  readonly silent?: boolean;
  /** Without a Content-Length: this chunk every 2 ms until the client goes (an endless body). */
  readonly endless?: string;
}

export interface CandleServerOptions {
  readonly exchange: 'coinbase' | 'kraken';
  /** Every candle the exchange has, oldest first, for each granularity (ms) it is asked; the one holding `now` is still forming. */
  readonly candles: (granularityMs: number) => readonly HistoricalCandle[];
  /** The exchange's clock (epoch ms): Kraken's most recent 720 end here. */
  readonly now: number;
}

const COINBASE_GRANULARITIES = [60, 300, 900, 3600, 21600, 86400];
const KRAKEN_INTERVALS = [1, 5, 15, 30, 60, 240, 1440, 10080, 21600];

export class CandleServer {
  /** Each request's URL and when it arrived (performance.now()), in order. */
  readonly requests: Array<{ url: URL; at: number }> = [];
  /** Raw answers served before the normal ones, one per request. */
  readonly script: RawAnswer[] = [];
  /** Called as each request arrives, with its 0-based number, before it is answered; awaited. */
  beforeAnswer: ((index: number) => Promise<void> | void) | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: CandleServerOptions,
  ) {}

  static async start(options: CandleServerOptions): Promise<CandleServer> {
    const holder: { instance?: CandleServer } = {};
    const server = createServer((request, response) => void holder.instance!.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.instance = new CandleServer(server, `http://127.0.0.1:${port}`, options);
    return holder.instance;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const index = this.requests.push({ url, at: performance.now() }) - 1;
    await this.beforeAnswer?.(index);
    if (response.destroyed) return;
    const raw = this.script.shift();
    if (raw !== undefined) return answerRaw(raw, response);
    const { status, body } = this.options.exchange === 'coinbase' ? this.coinbase(url) : this.kraken(url);
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }

  private coinbase(url: URL): { status: number; body: unknown } {
    const match = /^\/products\/([^/]+)\/candles$/.exec(url.pathname);
    if (match === null) return { status: 404, body: { message: 'route not found' } };
    if (decodeURIComponent(match[1]!) !== 'BTC-USD') return { status: 404, body: { message: 'NotFound' } };
    const seconds = Number(url.searchParams.get('granularity'));
    if (!COINBASE_GRANULARITIES.includes(seconds)) return { status: 400, body: { message: 'Unsupported granularity' } };
    const g = seconds * 1000;
    const start = time(url.searchParams.get('start'));
    const end = time(url.searchParams.get('end'));
    if (Number.isNaN(start) || Number.isNaN(end) || end < start) return { status: 400, body: { message: 'Invalid start or end' } };
    if (Math.floor((end - start) / g) + 1 > 300) {
      return {
        status: 400,
        body: { message: 'granularity too small for the requested time range. Count of aggregations requested exceeds 300' },
      };
    }
    const rows = this.options
      .candles(g)
      .filter((c) => c.start >= start && c.start <= end && c.start <= this.options.now)
      .reverse()
      .map((c) => [c.start / 1000, c.low, c.high, c.open, c.close, c.volume]);
    return { status: 200, body: rows };
  }

  private kraken(url: URL): { status: number; body: unknown } {
    if (url.pathname !== '/0/public/OHLC') return { status: 404, body: { error: ['EGeneral:Unknown method'] } };
    if (url.searchParams.get('pair') !== 'XBTUSD') return { status: 200, body: { error: ['EQuery:Unknown asset pair'] } };
    const minutes = Number(url.searchParams.get('interval') ?? '1');
    if (!KRAKEN_INTERVALS.includes(minutes)) return { status: 200, body: { error: ['EGeneral:Invalid arguments'] } };
    const g = minutes * 60_000;
    const since = Number(url.searchParams.get('since') ?? '0') * 1000;
    const available = this.options
      .candles(g)
      .filter((c) => c.start <= this.options.now)
      .slice(-720);
    const rows = available
      .filter((c) => c.start > since)
      .map((c) => [c.start / 1000, str(c.open), str(c.high), str(c.low), str(c.close), str((c.high + c.low) / 2), str(c.volume), 7]);
    const committed = available.at(-2);
    return { status: 200, body: { error: [], result: { XXBTZUSD: rows, last: committed === undefined ? 0 : committed.start / 1000 } } };
  }
}

function answerRaw(raw: RawAnswer, response: ServerResponse): void {
  if (raw.silent === true) return;
  if (raw.endless !== undefined) {
    response.writeHead(raw.status ?? 200, { 'content-type': 'application/json', ...raw.headers });
    const timer = setInterval(() => (response.destroyed ? clearInterval(timer) : response.write(raw.endless)), 2);
    response.on('close', () => clearInterval(timer));
    return;
  }
  response.writeHead(raw.status ?? 200, { 'content-type': 'application/json', ...raw.headers });
  response.end(raw.body ?? '');
}

function time(text: string | null): number {
  if (text === null) return Number.NaN;
  return /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
}

function str(value: number): string {
  return value.toFixed(5);
}

/**
 * A deterministic path of `count` candles of `granularityMs` from `startMs`, without the candles at
 * the indexes in `gaps` (periods without trades).
 */
export function candlePath(startMs: number, granularityMs: number, count: number, gaps: readonly number[] = []): HistoricalCandle[] {
  const candles: HistoricalCandle[] = [];
  for (let i = 0; i < count; i++) {
    if (gaps.includes(i)) continue;
    const open = round(90_000 + 800 * Math.sin(i / 9) + 3 * i, 2);
    const close = round(90_000 + 800 * Math.sin((i + 1) / 9) + 3 * (i + 1), 2);
    const high = round(Math.max(open, close) + 5 + (i % 7), 2);
    const low = round(Math.min(open, close) - 4 - (i % 5), 2);
    candles.push({ start: startMs + i * granularityMs, open, high, low, close, volume: round(1 + ((i * 37) % 101) / 7, 4) });
  }
  return candles;
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
