// A strategy's configuration: conditions (the signal rules) that enter and leave a long position on
// candles of a timeframe, with optional stop-loss, take-profit and minimum holding time. Plain data
// a zod schema mirrors; the defaults were chosen by the evaluation in docs/signals.md.
import { isCandleTimeframe, type CandleTimeframe } from '../candles/timeframe.js';
import { validateRules, type RuleConfig } from '../rules/rule-config.js';

/** A rule as a condition: read on the closed candle (the default) or on the forming one, of its timeframe. */
export type ConditionConfig = RuleConfig & {
  /** Default: the strategy's timeframe. */
  readonly timeframe?: CandleTimeframe;
  /** 'close': once per bar close (the default); 'forming': on every tick, at most once per candle. */
  readonly on?: 'close' | 'forming';
};

export interface StrategyConfig {
  /** Names the strategy in recommendations and their ids. */
  readonly name: string;
  readonly timeframe: CandleTimeframe;
  /** Buy (when flat) when one of these fires buy. */
  readonly entry: readonly ConditionConfig[];
  /** Sell (when long) when one of these fires sell. */
  readonly exit: readonly ConditionConfig[];
  /** Sell when the price falls this many percent below the entry price; checked on every tick. */
  readonly stopLossPercent: number | null;
  /** Sell when the price rises this many percent above the entry price; checked on every tick. */
  readonly takeProfitPercent: number | null;
  /** An exit condition is not acted on before the position is this old (stop-loss and take-profit are). */
  readonly minHoldMinutes: number;
}

const HOUR = 3_600_000;

/**
 * Bollinger reversion on 1-hour closes: buy when a close comes back above the lower band, sell when
 * one comes back below the upper band, and a 5 % stop-loss because reversion is run over by a trend.
 * Chosen by the evaluation in docs/signals.md (bench/strategy-evaluation.ts): about one
 * recommendation every one or two days on a one-second feed, and the smallest drawdowns of the
 * candidates that trade at least every few days. Not a promise of profit.
 */
export const DEFAULT_STRATEGY: StrategyConfig = {
  name: 'bollinger-1h',
  timeframe: '1h',
  entry: [{ type: 'bollinger', name: 'back-above-lower-band', mode: 'reversion', hysteresis: 0.0002, confirmTicks: 1, cooldownMs: HOUR }],
  exit: [{ type: 'bollinger', name: 'back-below-upper-band', mode: 'reversion', hysteresis: 0.0002, confirmTicks: 1, cooldownMs: HOUR }],
  stopLossPercent: 5,
  takeProfitPercent: null,
  minHoldMinutes: 0,
};

/** Throws one clear error naming the offending key, e.g. "strategy.entry[0].timeframe: must be ...". */
export function validateStrategy(strategy: StrategyConfig, path = 'strategy'): void {
  const fail = (key: string, message: string): never => {
    throw new RangeError(`${path}.${key}: ${message}`);
  };
  if (typeof strategy.name !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(strategy.name))
    fail('name', 'must be 1-64 letters, digits or "._-"');
  if (!isCandleTimeframe(strategy.timeframe)) fail('timeframe', 'must be 1m, 5m, 15m, 1h, 4h or 1d');
  if (!Array.isArray(strategy.entry) || strategy.entry.length === 0) fail('entry', 'must list at least one condition');
  if (!Array.isArray(strategy.exit)) fail('exit', 'must be a list of conditions');
  for (const key of ['stopLossPercent', 'takeProfitPercent'] as const) {
    const value = strategy[key];
    if (value !== null && (!Number.isFinite(value) || value <= 0 || value >= 100))
      fail(key, 'must be a percentage above 0 and below 100, or null');
  }
  if (!Number.isFinite(strategy.minHoldMinutes) || strategy.minHoldMinutes < 0) fail('minHoldMinutes', 'must be 0 or more');
  // Names are unique across entry and exit: a condition's name names its crossings and their ids.
  validateRules(strategy.entry, `${path}.entry`);
  validateRules(strategy.exit, `${path}.exit`);
  const entryNames = new Set(strategy.entry.map((condition) => condition.name));
  strategy.exit.forEach((condition, i) => {
    if (entryNames.has(condition.name)) fail(`exit[${i}].name`, `"${condition.name}" is used by an entry condition`);
  });
  const check = (conditions: readonly ConditionConfig[], list: string) =>
    conditions.forEach((condition, i) => {
      if (condition.timeframe !== undefined && !isCandleTimeframe(condition.timeframe))
        fail(`${list}[${i}].timeframe`, 'must be 1m, 5m, 15m, 1h, 4h or 1d');
      if (condition.on !== undefined && condition.on !== 'close' && condition.on !== 'forming')
        fail(`${list}[${i}].on`, 'must be "close" or "forming"');
    });
  check(strategy.entry, 'entry');
  check(strategy.exit, 'exit');
}

/** Every timeframe the strategy reads. */
export function strategyTimeframes(strategy: StrategyConfig): CandleTimeframe[] {
  return [...new Set([strategy.timeframe, ...[...strategy.entry, ...strategy.exit].map((c) => c.timeframe ?? strategy.timeframe)])];
}
