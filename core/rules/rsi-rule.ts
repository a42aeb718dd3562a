// RSI leaving the oversold zone (buy) or the overbought zone (sell).
import { CrossingDetector } from './crossing.js';
import { fixed } from './format.js';
import type { RsiRuleConfig } from './rule-config.js';

export function rsiRule(config: RsiRuleConfig): CrossingDetector {
  const { oversold, overbought, hysteresis } = config;
  return new CrossingDetector([
    {
      side: 'buy',
      direction: 'up',
      level: oversold,
      hysteresis,
      value: (tick) => tick.indicators.rsi,
      reason: (_, rsi, low) => `RSI rose back above ${oversold} after falling to ${fixed(low)} (now ${fixed(rsi)})`,
    },
    {
      side: 'sell',
      direction: 'down',
      level: overbought,
      hysteresis,
      value: (tick) => tick.indicators.rsi,
      reason: (_, rsi, high) => `RSI fell back below ${overbought} after rising to ${fixed(high)} (now ${fixed(rsi)})`,
    },
  ]);
}
