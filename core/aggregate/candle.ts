// An OHLCV candle: the price summary of one timeframe bucket of one symbol.
import type { Timeframe } from './calendar.js';
import type { PriceSummary } from './price-summary.js';

export interface Candle extends PriceSummary {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** Epoch ms at which the bucket starts. */
  readonly start: number;
}

/** The public shape of a candle, for charts. */
export interface CandleView {
  readonly start: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly ticks: number;
}

export function candleView(candle: Candle): CandleView {
  return {
    start: candle.start,
    open: candle.open,
    high: candle.high,
    low: candle.low,
    close: candle.close,
    volume: candle.volume,
    ticks: candle.ticks,
  };
}
