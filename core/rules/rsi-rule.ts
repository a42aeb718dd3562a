// RSI leaving the oversold zone (buy) or the overbought zone (sell).
import { RAW_INDEX } from '../indicators/indicator-set.js';
import { CrossingDetector } from './crossing.js';
import { fixed } from './format.js';
import type { RsiRuleConfig } from './rule-config.js';

const RSI = { from: RAW_INDEX.rsi, less: -1, perPrice: false };

export function rsiRule(config: RsiRuleConfig): CrossingDetector {
  const { oversold, overbought, hysteresis } = config;
  return new CrossingDetector([
    {
      side: 'buy',
      direction: 'up',
      level: oversold,
      hysteresis,
      value: RSI,
      reason: (_, rsi, low) => `RSI rose back above ${oversold} after falling to ${fixed(low)} (now ${fixed(rsi)})`,
    },
    {
      side: 'sell',
      direction: 'down',
      level: overbought,
      hysteresis,
      value: RSI,
      reason: (_, rsi, high) => `RSI fell back below ${overbought} after rising to ${fixed(high)} (now ${fixed(rsi)})`,
    },
  ]);
}
