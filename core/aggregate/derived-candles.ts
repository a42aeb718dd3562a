// Candles of the timeframes the store does not keep (15m, 4h, 1d), rolled up from a finer stored one.
import { CANDLE_MS, candleStart, type CandleTimeframe } from '../candles/timeframe.js';
import { isTimeframe, type Timeframe } from './calendar.js';
import type { CandleView } from './candle.js';

/** Stored timeframes, longest first: a derived timeframe reads the longest one that divides it. */
const STORED_LONGEST_FIRST: readonly Timeframe[] = ['1h', '5m', '1m'];

/** The stored timeframe whose candles make up `timeframe`'s: itself when stored (15m from 5m, 4h and 1d from 1h). */
export function sourceTimeframe(timeframe: CandleTimeframe): Timeframe {
  if (isTimeframe(timeframe)) return timeframe;
  return STORED_LONGEST_FIRST.find((stored) => CANDLE_MS[timeframe] % CANDLE_MS[stored] === 0) ?? '1m';
}

/**
 * Rolls candles (ascending by start, of a size dividing `sizeMs`) up into UTC-aligned buckets of
 * `sizeMs`: open of the first, close of the last, extremes, summed volume and ticks. A bucket with no
 * finer candle has none (a gap stays a gap); a bucket still forming holds what it has so far.
 */
export function rollUpCandles(candles: readonly CandleView[], sizeMs: number): CandleView[] {
  const out: CandleView[] = [];
  let current: { -readonly [K in keyof CandleView]: CandleView[K] } | undefined;
  for (const candle of candles) {
    const start = candleStart(candle.start, sizeMs);
    if (current !== undefined && current.start === start) {
      if (candle.high > current.high) current.high = candle.high;
      if (candle.low < current.low) current.low = candle.low;
      current.close = candle.close;
      current.volume += candle.volume;
      current.ticks += candle.ticks;
      continue;
    }
    if (current !== undefined) out.push(current);
    current = { ...candle, start };
  }
  if (current !== undefined) out.push(current);
  return out;
}
