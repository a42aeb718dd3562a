// The `stock.signals` message: a buy or sell signal, the record the processor publishes, and the
// check every reader applies (the aggregator, the notifier, the dashboard, the edge).
import type { IndicatorValues } from '../indicators/indicator-set.js';
import { fail, ok, type RecordCheck } from './check.js';
import { SYMBOL_PATTERN, priceProblem, tsProblem } from './tick.js';

export type Side = 'buy' | 'sell';

/**
 * 'recommendation': the strategy's stance changed (what people are told); 'crossing': a condition
 * fired without changing the stance (shown quietly, never notified); 'alert': a price alert.
 */
export type SignalKind = 'recommendation' | 'crossing' | 'alert';
export const SIGNAL_KINDS: readonly SignalKind[] = ['recommendation', 'crossing', 'alert'];

export interface Signal {
  /** Derived from (symbol, ts, rule, kind), so a replay produces the same id and consumers can dedupe. */
  id: string;
  symbol: string;
  ts: number;
  side: Side;
  /** The condition's name (a crossing), the strategy's (a recommendation) or the alert's. */
  rule: string;
  price: number;
  reason: string;
  kind: SignalKind;
  /** The candle timeframe its indicators belong to (1m ... 1d). */
  timeframe: string;
  indicators: IndicatorValues;
}

/** The `stock.signals` message (and replay's signal line) for one signal. */
export function signalRecord(signal: Signal): Signal & { readonly type: 'signal' } {
  return { type: 'signal', ...signal };
}

/** What the aggregator keeps of a signal: enough for the recent list and the day's counts. */
export interface SignalSummary {
  readonly id: string;
  readonly symbol: string;
  readonly ts: number;
  readonly side: Side;
  readonly rule: string;
  readonly price: number;
  readonly reason: string;
  readonly kind: SignalKind;
  readonly timeframe: string;
}

// A candle timeframe (1m ... 1d), an alert's window (24h, 30d) or a price alert's 'tick'.
const TIMEFRAME_PATTERN = /^(\d{1,3}[mhd]|tick)$/;
const ID_PATTERN = /^[A-Za-z0-9:._-]{1,128}$/;
const MAX_TEXT = 1000;

export function checkSignal(value: unknown, latestTs: number = Number.POSITIVE_INFINITY): RecordCheck<SignalSummary> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not an object');
  const raw = value as Record<string, unknown>;
  const { id, symbol, ts, side, rule, price, reason, kind, timeframe } = raw;
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
  // Records from before kinds existed were all told to people: they read as recommendations.
  if (kind !== undefined && !SIGNAL_KINDS.includes(kind as SignalKind))
    return fail('kind: must be "recommendation", "crossing" or "alert"');
  if (timeframe !== undefined && (typeof timeframe !== 'string' || !TIMEFRAME_PATTERN.test(timeframe)))
    return fail('timeframe: must look like 1m, 1h or 1d');
  return ok({
    id,
    symbol,
    ts: ts as number,
    side,
    rule,
    price: price as number,
    reason: ((reason as string | undefined) ?? '').slice(0, MAX_TEXT),
    kind: (kind as SignalKind | undefined) ?? 'recommendation',
    timeframe: (timeframe as string | undefined) ?? 'tick',
  });
}
