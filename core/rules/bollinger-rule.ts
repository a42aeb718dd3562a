// The price crossing a Bollinger band, read as mean reversion (default) or as a breakout.
import { RAW_INDEX } from '../indicators/indicator-set.js';
import { CrossingDetector } from './crossing.js';
import { fixed } from './format.js';
import { PRICE_SLOT, type RuleInput } from './rule.js';
import type { BollingerRuleConfig } from './rule-config.js';

// Distance of the price from a band as a fraction of the price: one hysteresis fits any level.
const FROM_LOWER = { from: PRICE_SLOT, less: RAW_INDEX.bbLower, perPrice: true };
const FROM_UPPER = { from: PRICE_SLOT, less: RAW_INDEX.bbUpper, perPrice: true };

export function bollingerRule(config: BollingerRuleConfig): CrossingDetector {
  const { hysteresis } = config;
  const lower = ({ price, slots }: RuleInput): string => `price ${fixed(price)}, lower band ${fixed(slots[RAW_INDEX.bbLower]!)}`;
  const upper = ({ price, slots }: RuleInput): string => `price ${fixed(price)}, upper band ${fixed(slots[RAW_INDEX.bbUpper]!)}`;
  if (config.mode === 'breakout') {
    return new CrossingDetector([
      {
        side: 'buy',
        direction: 'up',
        level: 0,
        hysteresis,
        value: FROM_UPPER,
        reason: (t) => `price broke out above the upper band (${upper(t)})`,
      },
      {
        side: 'sell',
        direction: 'down',
        level: 0,
        hysteresis,
        value: FROM_LOWER,
        reason: (t) => `price broke down below the lower band (${lower(t)})`,
      },
    ]);
  }
  return new CrossingDetector([
    {
      side: 'buy',
      direction: 'up',
      level: 0,
      hysteresis,
      value: FROM_LOWER,
      reason: (t) => `price came back above the lower band (${lower(t)})`,
    },
    {
      side: 'sell',
      direction: 'down',
      level: 0,
      hysteresis,
      value: FROM_UPPER,
      reason: (t) => `price came back below the upper band (${upper(t)})`,
    },
  ]);
}
