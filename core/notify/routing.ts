// Who gets a signal, on which channels: each subscriber whose symbols and sides match, once per channel.
import type { Side } from '../contracts/index.js';
import type { Notice } from './notice.js';

export interface SubscriberFilter {
  readonly name: string;
  readonly channels: readonly string[];
  /** Empty: every symbol. */
  readonly symbols: readonly string[];
  readonly sides: readonly Side[];
}

export function route(notice: Notice, subscribers: readonly SubscriberFilter[]): Array<{ subscriber: string; channel: string }> {
  const out: Array<{ subscriber: string; channel: string }> = [];
  for (const sub of subscribers) {
    if (sub.symbols.length > 0 && !sub.symbols.includes(notice.symbol)) continue;
    if (!sub.sides.includes(notice.side)) continue;
    for (const channel of new Set(sub.channels)) out.push({ subscriber: sub.name, channel });
  }
  return out;
}
