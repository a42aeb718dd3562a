// The messages the core shares with the shells: a signal, and the tick the rules read.
import type { IndicatorValues } from './indicators/indicator-set.js';

export type Side = 'buy' | 'sell';

/** One tick as the rule engine sees it: the price and the indicator-set output for that tick. */
export interface RuleTick {
  symbol: string;
  /** Epoch ms UTC, the tick's own time: cooldowns count in it, never in wall-clock time. */
  ts: number;
  price: number;
  indicators: Readonly<IndicatorValues>;
}

export interface Signal {
  /** Derived from (symbol, ts, rule), so a replay produces the same id and consumers can dedupe. */
  id: string;
  symbol: string;
  ts: number;
  side: Side;
  rule: string;
  price: number;
  reason: string;
  indicators: IndicatorValues;
}
