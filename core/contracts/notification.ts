// The `stock.notifications` message: a notification the notifier's dashboard channel delivered, to
// whom and about which signals, and the check every dashboard (the web role, wherever it runs)
// applies before it shows one. The id is stable across resends, so a reader drops one it has shown.
import { fail, ok, type RecordCheck } from './check.js';
import { checkSignal, type Side } from './signal.js';
import { tsProblem } from './tick.js';

export interface DashboardNotification {
  /** Stable across resends: the dashboard drops an id it has shown. */
  readonly id: string;
  readonly subscriber: string;
  readonly title: string;
  readonly text: string;
  /** When it was delivered, epoch ms. */
  readonly ts: number;
  readonly signals: ReadonlyArray<NotifiedSignal>;
}

export interface NotifiedSignal {
  readonly id: string;
  readonly symbol: string;
  readonly side: Side;
  readonly price: number;
  readonly ts: number;
  readonly rule: string;
  readonly reason: string;
}

/** The `stock.notifications` message for one notification. */
export function notificationRecord(notification: DashboardNotification): DashboardNotification & { readonly type: 'notification' } {
  return { type: 'notification', ...notification };
}

const ID_PATTERN = /^[A-Za-z0-9:._-]{1,128}$/;
const MAX_TITLE = 200;
const MAX_TEXT = 4000;
/** notify.maxDigest is at most 1000: a digest never names more signals. */
export const MAX_NOTIFIED_SIGNALS = 1000;

/** A notification from the bus, checked; the title and text are clipped, never trusted for markup. */
export function checkNotification(value: unknown, latestTs: number = Number.POSITIVE_INFINITY): RecordCheck<DashboardNotification> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not an object');
  const raw = value as Record<string, unknown>;
  const { id, subscriber, title, text, ts, signals } = raw;
  if (raw.type !== undefined && raw.type !== 'notification') return fail('type: must be "notification"');
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) return fail('id: must be 1-128 letters, digits or ":._-"');
  if (typeof subscriber !== 'string' || subscriber.length === 0 || subscriber.length > 200)
    return fail('subscriber: must be a name of 1-200 characters');
  if (typeof title !== 'string') return fail('title: must be text');
  if (typeof text !== 'string') return fail('text: must be text');
  const badTs = tsProblem(ts, latestTs);
  if (badTs !== undefined) return fail(badTs);
  if (!Array.isArray(signals) || signals.length > MAX_NOTIFIED_SIGNALS)
    return fail(`signals: must be a list of at most ${MAX_NOTIFIED_SIGNALS} signals`);
  const checked: NotifiedSignal[] = [];
  for (const [index, signal] of signals.entries()) {
    // A notified signal was checked when the notifier read it; its own ts may be anything the signal had.
    const result = checkSignal(signal);
    if (!result.ok) return fail(`signals[${index}]: ${result.reason}`);
    const { id: signalId, symbol, side, price, ts: signalTs, rule, reason } = result.value;
    checked.push({ id: signalId, symbol, side, price, ts: signalTs, rule, reason });
  }
  return ok({ id, subscriber, title: title.slice(0, MAX_TITLE), text: text.slice(0, MAX_TEXT), ts: ts as number, signals: checked });
}
