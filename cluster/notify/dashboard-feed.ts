// The dashboard's notification feed: an in-process EventEmitter plus the last few notifications,
// which the dashboard subscribes to and pushes to open browsers over server-sent events. One per
// process (sharedDashboardFeed), so `stock-stream run` wires the notifier and the dashboard through it.
import { EventEmitter } from 'node:events';
import type { Side } from '../../core/contracts.js';

export interface DashboardNotification {
  /** Stable across resends: the dashboard drops an id it has shown. */
  readonly id: string;
  readonly subscriber: string;
  readonly title: string;
  readonly text: string;
  /** When it was delivered, epoch ms. */
  readonly ts: number;
  readonly signals: ReadonlyArray<{ readonly id: string; readonly symbol: string; readonly side: Side; readonly price: number; readonly ts: number; readonly rule: string; readonly reason: string }>;
}

export interface DashboardFeed {
  /** The kept notifications, oldest first (for a browser that connects now). */
  recent(): readonly DashboardNotification[];
  /** Calls the listener with every new notification; returns the unsubscribe function. */
  subscribe(listener: (notification: DashboardNotification) => void): () => void;
}

export class InProcessDashboardFeed implements DashboardFeed {
  private readonly emitter = new EventEmitter();
  private readonly kept: DashboardNotification[] = [];

  constructor(private keep = 100) {
    this.emitter.setMaxListeners(0);
  }

  setKeep(keep: number): void {
    this.keep = keep;
    this.kept.splice(0, Math.max(0, this.kept.length - keep));
  }

  /** Adds a notification; one with an id already kept is ignored. Returns whether it was new. */
  publish(notification: DashboardNotification): boolean {
    if (this.kept.some((kept) => kept.id === notification.id)) return false;
    this.kept.push(notification);
    if (this.kept.length > this.keep) this.kept.shift();
    // A listener that throws must not fail the delivery or the other listeners.
    for (const listener of this.emitter.listeners('notification') as Array<(n: DashboardNotification) => void>) {
      try {
        listener(notification);
      } catch {
        // the dashboard's problem; the notification stays in recent()
      }
    }
    return true;
  }

  recent(): readonly DashboardNotification[] {
    return [...this.kept];
  }

  subscribe(listener: (notification: DashboardNotification) => void): () => void {
    this.emitter.on('notification', listener);
    return () => this.emitter.off('notification', listener);
  }
}

const holder = globalThis as { __stockStreamDashboardFeed?: InProcessDashboardFeed };

/** The process's feed: the notifier publishes to it, the dashboard subscribes to it. */
export function sharedDashboardFeed(): InProcessDashboardFeed {
  holder.__stockStreamDashboardFeed ??= new InProcessDashboardFeed();
  return holder.__stockStreamDashboardFeed;
}
