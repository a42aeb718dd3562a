// Kraken's public OHLC, GET /0/public/OHLC (docs.kraken.com, "Get OHLC Data"): interval in minutes,
// rows [time, open, high, low, close, vwap, volume, count] with prices as strings, keyed by the pair's
// canonical name (XXBTZUSD for XBTUSD) beside `last`. Only the most recent 720 entries of an interval
// are served, whatever `since` says, and the last entry is the current, not yet committed one.
import { alignUp, candleProblem } from './checks.js';
import { CandleHistoryError, CandleRangeError, RetryableAnswer } from './errors.js';
import { ExchangeCandleHistory, type ExchangeHistoryOptions } from './exchange-history.js';
import type { CandleRequest, HistoricalCandle } from './history.js';

export const KRAKEN_REST_URL = 'https://api.kraken.com';
const INTERVALS_MIN = [1, 5, 15, 30, 60, 240, 1440, 10080, 21600];
export const KRAKEN_MAX_ROWS = 720;
/** Kraken's public endpoints stay within their limits at one call a second (its support article on rate limits). */
export const KRAKEN_MIN_INTERVAL_MS = 1000;
/** Errors that mean "not now": retried with backoff like an HTTP 429. */
const RETRYABLE = /^(EAPI:Rate limit exceeded|EGeneral:Too many requests|EService:Unavailable|EService:Busy)/;
/** Kraken's canonical names of the pairs whose REST result is not keyed by the name asked for. */
const RESULT_KEYS: Readonly<Record<string, string>> = {
  XBTUSD: 'XXBTZUSD',
  XBTEUR: 'XXBTZEUR',
  XBTGBP: 'XXBTZGBP',
  XBTCAD: 'XXBTZCAD',
  XBTJPY: 'XXBTZJPY',
  ETHUSD: 'XETHZUSD',
  ETHEUR: 'XETHZEUR',
  ETHXBT: 'XETHXXBT',
};

/** BTC-USD -> XBTUSD: Kraken's REST API names Bitcoin XBT. */
export function krakenPair(symbol: string): string {
  return symbol
    .split('-')
    .map((asset) => (asset === 'BTC' ? 'XBT' : asset))
    .join('');
}

export class KrakenCandleHistory extends ExchangeCandleHistory {
  readonly granularities: readonly number[] = INTERVALS_MIN.map((m) => m * 60_000);

  constructor(options: ExchangeHistoryOptions = {}) {
    super('kraken', { baseUrl: KRAKEN_REST_URL, minIntervalMs: KRAKEN_MIN_INTERVAL_MS }, options);
  }

  async *candles(request: CandleRequest): AsyncIterable<readonly HistoricalCandle[]> {
    const end = this.closedEnd(request);
    const g = request.granularityMs;
    const from = alignUp(request.fromMs, g);
    if (from >= end) return;
    const pair = krakenPair(request.symbol);
    const url = new URL('0/public/OHLC', this.base);
    url.searchParams.set('pair', pair);
    url.searchParams.set('interval', String(g / 60_000));
    // Entries after `since`: one interval earlier, so the candle starting at `from` is among them.
    url.searchParams.set('since', String((from - g) / 1000));
    // One request is all there is: Kraken answers with every entry from `since` up to now, at most 720.
    const rows = await this.client.get(url, (body) => parseKrakenOhlc(body, pair, g), request.signal);
    const committed = rows.slice(0, -1);
    const oldest = committed[0]?.start;
    if (rows.length >= KRAKEN_MAX_ROWS && oldest !== undefined && oldest > from) {
      const minutes = g / 60_000;
      throw new CandleRangeError(
        this.name,
        `only the most recent ${KRAKEN_MAX_ROWS} candles of ${minutes} min are served (the oldest now ${iso(oldest)}); ` +
          `${iso(from)} is older: start later, or use coinbase, which serves older candles`,
        oldest,
      );
    }
    const page = committed.filter((c) => c.start >= from && c.start < end);
    if (page.length > 0) yield page;
  }
}

/** Kraken's OHLC answer as candles, oldest first as sent; throws one line for an error or a bad row. */
export function parseKrakenOhlc(body: unknown, pair: string, granularityMs: number): HistoricalCandle[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new CandleHistoryError('kraken', 'malformed OHLC answer: expected an object with error and result');
  }
  const { error, result } = body as { error?: unknown; result?: unknown };
  if (!Array.isArray(error) || !error.every((e) => typeof e === 'string')) {
    throw new CandleHistoryError('kraken', 'malformed OHLC answer: error is not a list of strings');
  }
  if (error.length > 0) {
    const text = (error as string[]).join(', ');
    if (error.some((e) => RETRYABLE.test(e as string))) throw new RetryableAnswer(text);
    throw new CandleHistoryError('kraken', `${text} (pair ${pair})`);
  }
  if (typeof result !== 'object' || result === null) throw new CandleHistoryError('kraken', 'malformed OHLC answer: no result');
  const entries = result as Record<string, unknown>;
  const keys = Object.keys(entries).filter((key) => key !== 'last');
  const key = [pair, RESULT_KEYS[pair]].find((k) => k !== undefined && k in entries) ?? (keys.length === 1 ? keys[0] : undefined);
  const rows = key === undefined ? undefined : entries[key];
  if (!Array.isArray(rows)) {
    throw new CandleHistoryError('kraken', `malformed OHLC answer: no list of rows for ${pair} (keys: ${keys.join(', ') || 'none'})`);
  }
  let previous = Number.NEGATIVE_INFINITY;
  return rows.map((row: unknown, i) => {
    const candle = krakenRow(row);
    if (candle === undefined) {
      throw new CandleHistoryError(
        'kraken',
        `malformed OHLC answer: row ${i} is not [time, "open", "high", "low", "close", "vwap", "volume", count]`,
      );
    }
    const problem = candleProblem(candle, granularityMs) ?? (candle.start <= previous ? 'not later than the row before' : undefined);
    if (problem !== undefined) throw new CandleHistoryError('kraken', `malformed OHLC answer: row ${i}: ${problem}`);
    previous = candle.start;
    return candle;
  });
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

function krakenRow(row: unknown): HistoricalCandle | undefined {
  if (!Array.isArray(row) || row.length < 7 || typeof row[0] !== 'number') return undefined;
  const fields = row.slice(1, 7) as unknown[];
  if (!fields.every((f) => typeof f === 'string' && DECIMAL.test(f))) return undefined;
  const [open, high, low, close, , volume] = fields.map(Number) as number[];
  return { start: row[0] * 1000, open: open!, high: high!, low: low!, close: close!, volume: volume! };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
