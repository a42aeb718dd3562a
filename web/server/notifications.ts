// How notifications reach the dashboard (the 'notification' SSE event): the notifier's notifications
// from the bus (core/contracts/notification.ts) turned into the dashboard's shape, once per id, and
// the controls' state.
import type { DashboardNotification as NotifierNotification } from '../../core/contracts/index.js';

/** One notification as the dashboard shows it; every field is shown as text. */
export interface DashboardNotification {
  readonly id: string;
  readonly ts: number;
  readonly level: 'info' | 'buy' | 'sell' | 'warning';
  readonly title: string;
  readonly body: string;
}

/** A notifier's notification as the dashboard shows it: buy or sell when all its signals agree. */
export function fromNotifier(notification: NotifierNotification): DashboardNotification {
  const sides = new Set(notification.signals.map((signal) => signal.side));
  const level = sides.size === 1 ? (sides.has('buy') ? 'buy' : 'sell') : 'info';
  return { id: notification.id, ts: notification.ts, level, title: notification.title, body: notification.text };
}

/** The last `keep` ids seen, oldest forgotten first: a notification published twice is shown once. */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly keep: number) {}

  /** Whether the id is new (and now remembered). */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    // A Set iterates in insertion order: the first is the oldest.
    if (this.ids.size > this.keep) this.ids.delete(this.ids.values().next().value!);
    return true;
  }
}

/** State the dashboard's token holders may change. Kept in memory: a restart unmutes. */
export interface DashboardControls {
  /** Epoch ms until which notifications are muted; null when not muted. */
  mutedUntil: number | null;
}

/** Clips a notification from elsewhere to sane sizes and types before it goes to browsers. */
export function cleanNotification(value: DashboardNotification): DashboardNotification | undefined {
  const levels = ['info', 'buy', 'sell', 'warning'];
  if (typeof value !== 'object' || value === null) return undefined;
  if (typeof value.title !== 'string' || typeof value.body !== 'string' || !Number.isFinite(value.ts)) return undefined;
  return {
    id: String(value.id).slice(0, 128),
    ts: value.ts,
    level: levels.includes(value.level) ? value.level : 'info',
    title: value.title.slice(0, 200),
    body: value.body.slice(0, 1000),
  };
}
