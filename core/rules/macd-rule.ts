// The MACD line crossing its signal line: buy on a cross above, sell on a cross below.
import type { RuleTick } from '../contracts.js';
import { CrossingDetector } from './crossing.js';
import { fixed } from './format.js';
import type { MacdRuleConfig } from './rule-config.js';

export function macdRule(config: MacdRuleConfig): CrossingDetector {
  const { hysteresis } = config;
  // The histogram (line − signal) as a fraction of the price.
  const histogram = (tick: RuleTick): number | null =>
    tick.indicators.macdHist === null ? null : tick.indicators.macdHist / tick.price;
  const describe = (tick: RuleTick, direction: string): string =>
    `MACD line crossed ${direction} its signal line (MACD ${fixed(tick.indicators.macd!)}, signal ${fixed(tick.indicators.macdSignal!)})`;
  return new CrossingDetector([
    { side: 'buy', direction: 'up', level: 0, hysteresis, value: histogram, reason: (tick) => describe(tick, 'above') },
    { side: 'sell', direction: 'down', level: 0, hysteresis, value: histogram, reason: (tick) => describe(tick, 'below') },
  ]);
}
