// The notifier's notification as the dashboard receives it: what was delivered, to whom, about
// which signals. The notifier produces it; the dashboard clips it before showing it to browsers
// (web/server/notifications.ts), in the same process today (a topic of its own is issue 17).
import type { Side } from './signal.js';

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
