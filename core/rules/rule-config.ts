// Rule configuration: the types, the defaults (plain data a zod schema can mirror) and validation.

/** Settings every rule has. */
export interface RuleCommon {
  /** Names the rule in signals and in signal ids; unique within a configuration. */
  name: string;
  /** Ticks the crossing must hold, counting the crossing tick; 1 emits at once. */
  confirmTicks: number;
  /** After a signal, this rule stays quiet until tick time has moved on this far (either side). */
  cooldownMs: number;
}

/**
 * Buy when RSI comes back up above `oversold` after being below `oversold − hysteresis`;
 * sell when it comes back down below `overbought` after being above `overbought + hysteresis`.
 * Entering the zone is not the signal (RSI can stay oversold through a long fall); leaving it is.
 */
export interface RsiRuleConfig extends RuleCommon {
  type: 'rsi';
  oversold: number;
  overbought: number;
  /** In RSI points. */
  hysteresis: number;
}

export type SeriesName = 'price' | 'sma' | 'ema' | 'bbMiddle';

/** Buy when `fast` crosses above `slow`, sell when below. Periods come from the indicator set. */
export interface MaCrossoverRuleConfig extends RuleCommon {
  type: 'ma-crossover';
  fast: SeriesName;
  slow: SeriesName;
  /** Fraction of the price the gap must have had on the other side before the cross counts. */
  hysteresis: number;
}

/** Buy when the MACD line crosses above its signal line, sell when below. */
export interface MacdRuleConfig extends RuleCommon {
  type: 'macd-cross';
  /** Fraction of the price. */
  hysteresis: number;
}

/**
 * 'reversion': buy when the price comes back above the lower band from below, sell when it comes
 * back below the upper band from above. 'breakout': buy on a cross up through the upper band,
 * sell on a cross down through the lower band.
 */
export interface BollingerRuleConfig extends RuleCommon {
  type: 'bollinger';
  mode: 'reversion' | 'breakout';
  /** Fraction of the price. */
  hysteresis: number;
}

/**
 * Fires when all (or any) of its rules have fired the same side within the last `window` ticks,
 * on the tick that condition becomes true. Its rules emit no signals of their own.
 */
export interface CombinationRuleConfig extends RuleCommon {
  type: 'all-of' | 'any-of';
  window: number;
  rules: RuleConfig[];
}

export type RuleConfig = RsiRuleConfig | MaCrossoverRuleConfig | MacdRuleConfig | BollingerRuleConfig | CombinationRuleConfig;

const FIVE_MINUTES = 5 * 60_000;

/** One default per rule type. */
export const RULE_DEFAULTS = {
  rsi: { type: 'rsi', name: 'rsi-30-70', oversold: 30, overbought: 70, hysteresis: 2, confirmTicks: 1, cooldownMs: FIVE_MINUTES },
  'ma-crossover': {
    type: 'ma-crossover',
    name: 'ema-sma-crossover',
    fast: 'ema',
    slow: 'sma',
    hysteresis: 0.0005,
    confirmTicks: 3,
    cooldownMs: FIVE_MINUTES,
  },
  'macd-cross': { type: 'macd-cross', name: 'macd-signal-cross', hysteresis: 0.0001, confirmTicks: 3, cooldownMs: FIVE_MINUTES },
  bollinger: {
    type: 'bollinger',
    name: 'bollinger-reversion',
    mode: 'reversion',
    hysteresis: 0.0002,
    confirmTicks: 1,
    cooldownMs: FIVE_MINUTES,
  },
} as const satisfies Record<string, RuleConfig>;

/** Throws one clear error naming the offending key, e.g. "rules[0].oversold: must be ...". */
export function validateRules(rules: readonly RuleConfig[], path = 'rules'): void {
  const names = new Set<string>();
  rules.forEach((rule, i) => validateRule(rule, `${path}[${i}]`, names));
}

function validateRule(rule: RuleConfig, at: string, names: Set<string>): void {
  const fail = (key: string, message: string): never => {
    throw new RangeError(`${at}.${key}: ${message}`);
  };
  if (typeof rule.name !== 'string' || rule.name.length === 0) fail('name', 'must be a non-empty string');
  if (names.has(rule.name)) fail('name', `"${rule.name}" is used by another rule`);
  names.add(rule.name);
  if (!Number.isInteger(rule.confirmTicks) || rule.confirmTicks < 1) fail('confirmTicks', 'must be an integer >= 1');
  if (!Number.isFinite(rule.cooldownMs) || rule.cooldownMs < 0) fail('cooldownMs', 'must be a number >= 0');
  const fraction = (value: number, key: string): void => {
    if (!Number.isFinite(value) || value < 0 || value >= 1) fail(key, 'must be a fraction of the price, >= 0 and < 1');
  };
  switch (rule.type) {
    case 'rsi':
      for (const key of ['oversold', 'overbought'] as const) {
        if (!Number.isFinite(rule[key]) || rule[key] <= 0 || rule[key] >= 100) fail(key, 'must be between 0 and 100');
      }
      if (rule.oversold >= rule.overbought) fail('oversold', 'must be below overbought');
      if (!Number.isFinite(rule.hysteresis) || rule.hysteresis < 0) fail('hysteresis', 'must be RSI points >= 0');
      break;
    case 'ma-crossover': {
      const series = ['price', 'sma', 'ema', 'bbMiddle'];
      if (!series.includes(rule.fast)) fail('fast', `must be one of ${series.join(', ')}`);
      if (!series.includes(rule.slow)) fail('slow', `must be one of ${series.join(', ')}`);
      if (rule.fast === rule.slow) fail('slow', 'must differ from fast');
      fraction(rule.hysteresis, 'hysteresis');
      break;
    }
    case 'macd-cross':
      fraction(rule.hysteresis, 'hysteresis');
      break;
    case 'bollinger':
      if (rule.mode !== 'reversion' && rule.mode !== 'breakout') fail('mode', 'must be "reversion" or "breakout"');
      fraction(rule.hysteresis, 'hysteresis');
      break;
    case 'all-of':
    case 'any-of':
      if (!Number.isInteger(rule.window) || rule.window < 1) fail('window', 'must be an integer >= 1 (ticks)');
      if (!Array.isArray(rule.rules) || rule.rules.length === 0) fail('rules', 'must list at least one rule');
      rule.rules.forEach((child, i) => validateRule(child, `${at}.rules[${i}]`, names));
      break;
    default:
      fail('type', `unknown rule type ${JSON.stringify((rule as { type: unknown }).type)}`);
  }
}
