// The hook through which notifications reach the dashboard (the 'notification' SSE event) and the
// dashboard's own controls (mute, test notification). Issue 9's cluster/notify/dashboard-feed.ts is
// meant to plug in here as a DashboardFeed; until it exists only the test notification uses it.

/** One notification as the dashboard shows it; every field is shown as text. */
export interface DashboardNotification {
  readonly id: string;
  readonly ts: number;
  readonly level: 'info' | 'buy' | 'sell' | 'warning';
  readonly title: string;
  readonly body: string;
}

/** What the notify role offers the web role in one process: a stream of notifications. */
export interface DashboardFeed {
  /** Returns the unsubscribe function. */
  subscribe(listener: (notification: DashboardNotification) => void): () => void;
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
