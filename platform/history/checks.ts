// Checks shared by every candle source: a request it can serve, and a candle that makes sense.
import { SYMBOL_PATTERN } from '../../core/contracts/index.js';
import type { CandleRequest, HistoricalCandle } from './history.js';

/** Throws a one-line RangeError when the request is not one `granularities` can answer. */
export function checkRequest(source: string, granularities: readonly number[], request: CandleRequest): void {
  if (!SYMBOL_PATTERN.test(request.symbol)) throw new RangeError(`${source}: symbol must look like BTC-USD, got "${request.symbol}"`);
  if (!granularities.includes(request.granularityMs)) {
    throw new RangeError(
      `${source}: no ${request.granularityMs / 1000} s candles; it serves ${granularities.map((g) => `${g / 1000} s`).join(', ')}`,
    );
  }
  if (!Number.isSafeInteger(request.fromMs) || !Number.isSafeInteger(request.toMs) || request.fromMs >= request.toMs) {
    throw new RangeError(`${source}: the range must be whole milliseconds with from before to, got ${request.fromMs} to ${request.toMs}`);
  }
}

/** What is wrong with a candle read from an exchange, or undefined when nothing is. */
export function candleProblem(candle: HistoricalCandle, granularityMs: number): string | undefined {
  if (!Number.isSafeInteger(candle.start) || candle.start % granularityMs !== 0) {
    return `time ${candle.start / 1000} is not on a ${granularityMs / 1000} s boundary`;
  }
  for (const field of ['open', 'high', 'low', 'close'] as const) {
    const value = candle[field];
    if (!Number.isFinite(value) || value <= 0) return `${field} ${String(value)} is not a price above 0`;
  }
  if (!Number.isFinite(candle.volume) || candle.volume < 0) return `volume ${String(candle.volume)} is not 0 or more`;
  if (candle.low > Math.min(candle.open, candle.close) || candle.high < Math.max(candle.open, candle.close)) {
    return `low ${candle.low} and high ${candle.high} do not hold open ${candle.open} and close ${candle.close}`;
  }
  return undefined;
}

/** The first ms of the first candle of `granularityMs` starting at or after `ts`. */
export function alignUp(ts: number, granularityMs: number): number {
  return Math.ceil(ts / granularityMs) * granularityMs;
}
