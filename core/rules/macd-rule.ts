// The MACD line crossing its signal line: buy on a cross above, sell on a cross below.
import { RAW_INDEX } from '../indicators/indicator-set.js';
import { CrossingDetector } from './crossing.js';
import { fixed } from './format.js';
import type { RuleInput } from './rule.js';
import type { MacdRuleConfig } from './rule-config.js';

// The histogram (line − signal) as a fraction of the price.
const HISTOGRAM = { from: RAW_INDEX.macdHist, less: -1, perPrice: true };

export function macdRule(config: MacdRuleConfig): CrossingDetector {
  const { hysteresis } = config;
  const describe = ({ slots }: RuleInput, direction: string): string =>
    `MACD line crossed ${direction} its signal line (MACD ${fixed(slots[RAW_INDEX.macd]!)}, signal ${fixed(slots[RAW_INDEX.macdSignal]!)})`;
  return new CrossingDetector([
    { side: 'buy', direction: 'up', level: 0, hysteresis, value: HISTOGRAM, reason: (input) => describe(input, 'above') },
    { side: 'sell', direction: 'down', level: 0, hysteresis, value: HISTOGRAM, reason: (input) => describe(input, 'below') },
  ]);
}
