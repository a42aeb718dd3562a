// The notifier's notification as the dashboard receives it: what was delivered, to whom, about
// which signals. The notifier produces it; the dashboard checks it before showing it to browsers.
import type { Side } from './signal.js';
import { fail, ok, type RecordCheck } from './check.js';

export interface DashboardNotification {
  /** Stable across resends: the dashboard drops an id it has shown. */
  readonly id: string;
  readonly subscriber: string;
  readonly title: string;
  readonly text: string;
  /** When it was delivered, epoch ms. */
  readonly ts: number;
  readonly signals: ReadonlyArray<{
    readonly id: string;
    readonly symbol: string;
    readonly side: Side;
    readonly price: number;
    readonly ts: number;
    readonly rule: string;
    readonly reason: string;
  }>;
}

const MAX_SIGNALS = 100;

/** A notification from elsewhere with its texts clipped to sane sizes, or the first reason it is not one. */
export function checkNotification(value: unknown): RecordCheck<DashboardNotification> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not an object');
  const raw = value as Record<string, unknown>;
  const { id, subscriber, title, text, ts, signals } = raw;
  if (typeof id !== 'string' || id.length === 0 || id.length > 256) return fail('id: must be 1-256 characters');
  if (typeof title !== 'string' || typeof text !== 'string') return fail('title, text: must be text');
  if (typeof ts !== 'number' || !Number.isFinite(ts)) return fail('ts: must be epoch milliseconds');
  if (!Array.isArray(signals)) return fail('signals: must be a list');
  const kept: Array<DashboardNotification['signals'][number]> = [];
  for (const signal of signals.slice(0, MAX_SIGNALS) as unknown[]) {
    if (typeof signal !== 'object' || signal === null) return fail('signals: must hold objects');
    const s = signal as Record<string, unknown>;
    if (s.side !== 'buy' && s.side !== 'sell') return fail('signals: side must be "buy" or "sell"');
    kept.push({
      id: String(s.id).slice(0, 128),
      symbol: String(s.symbol).slice(0, 32),
      side: s.side,
      price: Number(s.price),
      ts: Number(s.ts),
      rule: String(s.rule).slice(0, 200),
      reason: String(s.reason).slice(0, 1000),
    });
  }
  return ok({
    id,
    subscriber: typeof subscriber === 'string' ? subscriber.slice(0, 64) : '',
    title: title.slice(0, 200),
    text: text.slice(0, 1000),
    ts,
    signals: kept,
  });
}
