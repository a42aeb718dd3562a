// Who gets a signal, on which channels: each subscriber whose symbols, sides, kinds and alerts match,
// once per channel.
import type { Side, SignalKind } from '../contracts/index.js';
import type { Notice } from './notice.js';

/** The kinds of signal that reach people (crossings do not: see isNotified). */
export type NotifiedKind = Exclude<SignalKind, 'crossing'>;
export const NOTIFIED_KINDS: readonly NotifiedKind[] = ['recommendation', 'alert'];

export interface SubscriberFilter {
  readonly name: string;
  readonly channels: readonly string[];
  /** Empty: every symbol. */
  readonly symbols: readonly string[];
  readonly sides: readonly Side[];
  /** Recommendations, alerts or both. */
  readonly kinds: readonly NotifiedKind[];
  /** Which alerts, by name, when `kinds` holds alert. */
  readonly alerts: 'all' | readonly string[];
}

export function route(notice: Notice, subscribers: readonly SubscriberFilter[]): Array<{ subscriber: string; channel: string }> {
  const out: Array<{ subscriber: string; channel: string }> = [];
  for (const sub of subscribers) {
    if (sub.symbols.length > 0 && !sub.symbols.includes(notice.symbol)) continue;
    if (!sub.sides.includes(notice.side)) continue;
    if (!(sub.kinds as readonly SignalKind[]).includes(notice.kind)) continue;
    // An alert's signal carries the alert's name as its rule.
    if (notice.kind === 'alert' && sub.alerts !== 'all' && !sub.alerts.includes(notice.rule)) continue;
    for (const channel of new Set(sub.channels)) out.push({ subscriber: sub.name, channel });
  }
  return out;
}
