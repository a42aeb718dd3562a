// Coinbase Exchange's public candles, GET /products/{id}/candles (docs.cdp.coinbase.com, "Get product
// candles"): granularity in seconds, at most 300 candles a request, rows [time, low, high, open, close,
// volume] newest first, nothing for a bucket without trades, and maybe rows from before `start`.
import { alignUp, candleProblem } from './checks.js';
import { CandleHistoryError } from './errors.js';
import { ExchangeCandleHistory, type ExchangeHistoryOptions } from './exchange-history.js';
import type { CandleRequest, HistoricalCandle } from './history.js';

export type { ExchangeHistoryOptions } from './exchange-history.js';

export const COINBASE_REST_URL = 'https://api.exchange.coinbase.com';
const GRANULARITIES_S = [60, 300, 900, 3600, 21600, 86400];
const MAX_CANDLES = 300;
/** Public endpoints allow 10 requests a second per IP (bursts of 15); history is not urgent: 3 a second. */
export const COINBASE_MIN_INTERVAL_MS = 334;

export class CoinbaseCandleHistory extends ExchangeCandleHistory {
  readonly granularities: readonly number[] = GRANULARITIES_S.map((s) => s * 1000);

  constructor(options: ExchangeHistoryOptions = {}) {
    super('coinbase', { baseUrl: COINBASE_REST_URL, minIntervalMs: COINBASE_MIN_INTERVAL_MS }, options);
  }

  async *candles(request: CandleRequest): AsyncIterable<readonly HistoricalCandle[]> {
    const end = this.closedEnd(request);
    const g = request.granularityMs;
    // 299 buckets a page: whether `end` is inclusive or not, a request never spans more than 300.
    const step = (MAX_CANDLES - 1) * g;
    for (let pageStart = alignUp(request.fromMs, g); pageStart < end; pageStart += step) {
      const pageEnd = Math.min(end, pageStart + step);
      const url = new URL(`products/${encodeURIComponent(request.symbol)}/candles`, this.base);
      url.searchParams.set('granularity', String(g / 1000));
      url.searchParams.set('start', new Date(pageStart).toISOString());
      url.searchParams.set('end', new Date(pageEnd).toISOString());
      const rows = await this.client.get(url, (body) => parseCoinbaseCandles(body, g), request.signal);
      const page = rows.filter((c) => c.start >= pageStart && c.start < pageEnd).sort((a, b) => a.start - b.start);
      const unique = page.filter((c, i) => i === 0 || c.start !== page[i - 1]!.start);
      if (unique.length > 0) yield unique;
    }
  }
}

/** Coinbase's candle rows as candles, in the order given; throws one line naming the first bad row. */
export function parseCoinbaseCandles(body: unknown, granularityMs: number): HistoricalCandle[] {
  if (!Array.isArray(body)) {
    const message = (body as { message?: unknown } | null)?.message;
    throw new CandleHistoryError(
      'coinbase',
      typeof message === 'string' ? `the exchange answered "${message}"` : 'malformed candles: expected an array of rows',
    );
  }
  return body.map((row: unknown, i) => {
    if (!Array.isArray(row) || row.length < 6 || !row.slice(0, 6).every((v) => typeof v === 'number')) {
      throw new CandleHistoryError('coinbase', `malformed candles: row ${i} is not [time, low, high, open, close, volume] numbers`);
    }
    const [time, low, high, open, close, volume] = row as number[];
    const candle: HistoricalCandle = { start: time! * 1000, open: open!, high: high!, low: low!, close: close!, volume: volume! };
    const problem = candleProblem(candle, granularityMs);
    if (problem !== undefined) throw new CandleHistoryError('coinbase', `malformed candles: row ${i}: ${problem}`);
    return candle;
  });
}
