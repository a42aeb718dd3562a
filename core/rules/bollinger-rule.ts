// The price crossing a Bollinger band, read as mean reversion (default) or as a breakout.
import type { RuleTick } from '../contracts.js';
import { CrossingDetector } from './crossing.js';
import { fixed } from './format.js';
import type { BollingerRuleConfig } from './rule-config.js';

// Distance of the price from a band as a fraction of the price: one hysteresis fits any level.
const fromLower = (tick: RuleTick): number | null =>
  tick.indicators.bbLower === null ? null : (tick.price - tick.indicators.bbLower) / tick.price;
const fromUpper = (tick: RuleTick): number | null =>
  tick.indicators.bbUpper === null ? null : (tick.price - tick.indicators.bbUpper) / tick.price;

export function bollingerRule(config: BollingerRuleConfig): CrossingDetector {
  const { hysteresis } = config;
  const lower = (tick: RuleTick): string => `price ${fixed(tick.price)}, lower band ${fixed(tick.indicators.bbLower!)}`;
  const upper = (tick: RuleTick): string => `price ${fixed(tick.price)}, upper band ${fixed(tick.indicators.bbUpper!)}`;
  if (config.mode === 'breakout') {
    return new CrossingDetector([
      { side: 'buy', direction: 'up', level: 0, hysteresis, value: fromUpper, reason: (t) => `price broke out above the upper band (${upper(t)})` },
      { side: 'sell', direction: 'down', level: 0, hysteresis, value: fromLower, reason: (t) => `price broke down below the lower band (${lower(t)})` },
    ]);
  }
  return new CrossingDetector([
    { side: 'buy', direction: 'up', level: 0, hysteresis, value: fromLower, reason: (t) => `price came back above the lower band (${lower(t)})` },
    { side: 'sell', direction: 'down', level: 0, hysteresis, value: fromUpper, reason: (t) => `price came back below the upper band (${upper(t)})` },
  ]);
}
