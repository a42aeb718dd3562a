// A fast series crossing a slow one (by default EMA over SMA): buy on a cross above, sell below.
import type { RuleTick } from '../contracts.js';
import { CrossingDetector } from './crossing.js';
import { fixed } from './format.js';
import type { MaCrossoverRuleConfig, SeriesName } from './rule-config.js';

const LABELS: Record<SeriesName, string> = { price: 'price', sma: 'SMA', ema: 'EMA', bbMiddle: 'Bollinger middle band' };

function series(tick: RuleTick, name: SeriesName): number | null {
  return name === 'price' ? tick.price : tick.indicators[name];
}

export function maCrossoverRule(config: MaCrossoverRuleConfig): CrossingDetector {
  const { fast, slow, hysteresis } = config;
  // The gap as a fraction of the price, so one hysteresis setting fits any price level.
  const gap = (tick: RuleTick): number | null => {
    const f = series(tick, fast);
    const s = series(tick, slow);
    return f === null || s === null ? null : (f - s) / tick.price;
  };
  const describe = (tick: RuleTick, direction: string): string =>
    `${LABELS[fast]} crossed ${direction} ${LABELS[slow]} (${LABELS[fast]} ${fixed(series(tick, fast)!)}, ` +
    `${LABELS[slow]} ${fixed(series(tick, slow)!)})`;
  return new CrossingDetector([
    { side: 'buy', direction: 'up', level: 0, hysteresis, value: gap, reason: (tick) => describe(tick, 'above') },
    { side: 'sell', direction: 'down', level: 0, hysteresis, value: gap, reason: (tick) => describe(tick, 'below') },
  ]);
}
