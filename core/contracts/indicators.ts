// The `stock.indicators` message: its shape as the processor publishes it and the check every
// reader applies (untrusted parsed JSON in, a clean record with only the known fields out).
import { fail, ok, type RecordCheck } from './check.js';
import { RAW_FIELDS, type IndicatorValues } from '../indicators/indicator-set.js';
import { SYMBOL_PATTERN, priceProblem, tsProblem } from './tick.js';

/** The latest indicators of a symbol, as the processor published them. */
export interface IndicatorSnapshot extends IndicatorValues {
  readonly symbol: string;
  readonly ts: number;
  readonly price: number;
}

/** The `stock.indicators` message (and replay's output line) for one tick. */
export interface IndicatorRecord extends IndicatorValues {
  readonly type: 'indicators';
  readonly ts: number;
  readonly symbol: string;
  readonly price: number;
}

export function checkIndicatorRecord(value: unknown, latestTs: number = Number.POSITIVE_INFINITY): RecordCheck<IndicatorSnapshot> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not an object');
  const raw = value as Record<string, unknown>;
  const { symbol, ts, price } = raw;
  if (raw.type !== undefined && raw.type !== 'indicators') return fail('type: must be "indicators"');
  if (typeof symbol !== 'string' || !SYMBOL_PATTERN.test(symbol)) return fail('symbol: must look like BTC-USD');
  const badTs = tsProblem(ts, latestTs);
  if (badTs !== undefined) return fail(badTs);
  const badPrice = priceProblem(price);
  if (badPrice !== undefined) return fail(badPrice);
  const snapshot: Record<string, unknown> = { symbol, ts, price };
  for (const field of RAW_FIELDS) {
    const v = raw[field];
    if (v === undefined || v === null) snapshot[field] = null;
    else if (typeof v === 'number' && Number.isFinite(v)) snapshot[field] = v;
    else return fail(`${field}: must be a finite number or null`);
  }
  return ok(snapshot as unknown as IndicatorSnapshot);
}
