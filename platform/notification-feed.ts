// The dashboard's notification feed: an in-process EventEmitter plus the last few notifications,
// which the dashboard subscribes to and pushes to open browsers over server-sent events. The
// composition root makes one and hands it to the notifier and the dashboard of the same process.
import { EventEmitter } from 'node:events';
import type { DashboardNotification } from '../core/contracts/index.js';

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
