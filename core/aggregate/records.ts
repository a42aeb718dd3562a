// Checks the signal and indicator messages the aggregator reads, as core/tick.ts checks ticks:
// untrusted parsed JSON in, a clean record with only the known fields out, or the first reason not.
import type { Side } from '../contracts.js';
import { RAW_FIELDS, type IndicatorValues } from '../indicators/indicator-set.js';
import { SYMBOL_PATTERN, priceProblem, tsProblem } from '../tick.js';

/** What the aggregator keeps of a signal: enough for the recent list and the day's counts. */
export interface SignalSummary {
  readonly id: string;
  readonly symbol: string;
  readonly ts: number;
  readonly side: Side;
  readonly rule: string;
  readonly price: number;
  readonly reason: string;
}

/** The latest indicators of a symbol, as the processor published them. */
export interface IndicatorSnapshot extends IndicatorValues {
  readonly symbol: string;
  readonly ts: number;
  readonly price: number;
}

export type RecordCheck<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const ID_PATTERN = /^[A-Za-z0-9:._-]{1,128}$/;
const MAX_TEXT = 1000;

export function checkSignal(value: unknown, latestTs: number = Number.POSITIVE_INFINITY): RecordCheck<SignalSummary> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not an object');
  const raw = value as Record<string, unknown>;
  const { id, symbol, ts, side, rule, price, reason } = raw;
  if (raw.type !== undefined && raw.type !== 'signal') return fail('type: must be "signal"');
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) return fail('id: must be 1-128 letters, digits or ":._-"');
  if (typeof symbol !== 'string' || !SYMBOL_PATTERN.test(symbol)) return fail('symbol: must look like BTC-USD');
  const badTs = tsProblem(ts, latestTs);
  if (badTs !== undefined) return fail(badTs);
  if (side !== 'buy' && side !== 'sell') return fail('side: must be "buy" or "sell"');
  if (typeof rule !== 'string' || rule.length === 0 || rule.length > 200) return fail('rule: must be a name of 1-200 characters');
  const badPrice = priceProblem(price);
  if (badPrice !== undefined) return fail(badPrice);
  if (reason !== undefined && typeof reason !== 'string') return fail('reason: must be text');
  return ok({ id, symbol, ts: ts as number, side, rule, price: price as number, reason: ((reason as string | undefined) ?? '').slice(0, MAX_TEXT) });
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

function ok<T>(value: T): RecordCheck<T> {
  return { ok: true, value };
}

function fail(reason: string): RecordCheck<never> {
  return { ok: false, reason };
}
