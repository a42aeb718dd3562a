// Hand-made tick paths for the rule tests: set only the indicator values a rule reads.
import type { RuleTick } from '../../../core/rules/rule-engine.js';
import { emptyIndicatorValues, type IndicatorValues } from '../../../core/indicators/indicator-set.js';

export const EMPTY: IndicatorValues = emptyIndicatorValues();

export const START_TS = Date.UTC(2025, 0, 1);

/** One tick per second from START_TS; `each(i)` gives the price and the indicator values set. */
export function path(length: number, each: (i: number) => { price?: number } & Partial<IndicatorValues>): RuleTick[] {
  return Array.from({ length }, (_, i) => {
    const { price = 80_000, ...indicators } = each(i);
    return { symbol: 'BTC-USD', ts: START_TS + i * 1000, price, indicators: { ...EMPTY, ...indicators } };
  });
}

/** A path where only the RSI is set, from a list of values. */
export function rsiPath(values: readonly (number | null)[]): RuleTick[] {
  return path(values.length, (i) => ({ rsi: values[i] ?? null }));
}
