// A fast series crossing a slow one (by default EMA over SMA): buy on a cross above, sell below.
import { RAW_INDEX } from '../indicators/indicator-set.js';
import { CrossingDetector } from './crossing.js';
import { fixed } from './format.js';
import { PRICE_SLOT } from './rule.js';
import type { MaCrossoverRuleConfig, SeriesName } from './rule-config.js';

const LABELS: Record<SeriesName, string> = { price: 'price', sma: 'SMA', ema: 'EMA', bbMiddle: 'Bollinger middle band' };
const SLOTS: Record<SeriesName, number> = { price: PRICE_SLOT, sma: RAW_INDEX.sma, ema: RAW_INDEX.ema, bbMiddle: RAW_INDEX.bbMiddle };

export function maCrossoverRule(config: MaCrossoverRuleConfig): CrossingDetector {
  const { fast, slow, hysteresis } = config;
  // The gap as a fraction of the price, so one hysteresis setting fits any price level.
  const gap = { from: SLOTS[fast], less: SLOTS[slow], perPrice: true };
  const describe = (slots: Float64Array, direction: string): string =>
    `${LABELS[fast]} crossed ${direction} ${LABELS[slow]} (${LABELS[fast]} ${fixed(slots[SLOTS[fast]]!)}, ` +
    `${LABELS[slow]} ${fixed(slots[SLOTS[slow]]!)})`;
  return new CrossingDetector([
    { side: 'buy', direction: 'up', level: 0, hysteresis, value: gap, reason: (input) => describe(input.slots, 'above') },
    { side: 'sell', direction: 'down', level: 0, hysteresis, value: gap, reason: (input) => describe(input.slots, 'below') },
  ]);
}
