// The notification ledger: one entry per (signal id, subscriber, channel), created once and never
// again (the dedupe record), moved through its states by compare-and-set transitions so that two
// notifiers sharing Redis never both claim it. It is also the durable retry queue and the delivery
// log. SQLite on one node (sqlite-ledger.ts), Redis in the cluster (redis-ledger.ts).
import type { Notice } from '../../core/notify/notice.js';
import type { HealthStatus } from '../../platform/health.js';

/**
 * pending: waiting to be sent (new, held by quiet hours, coalescing or a rate limit).
 * sending: claimed by a sender; the outcome is not recorded yet.
 * retry: a send failed; it waits until nextAttemptAt.
 * sent: the channel accepted it.
 * failed: refused for good, or out of attempts.
 * in-doubt: sending began and its outcome is unknown (a crash, a timeout), and the channel's policy
 *   is not to send again (`inDoubt: skip`): it may or may not have arrived.
 * dropped: the queue was full and it was the oldest waiting; skipped: quiet hours with action drop.
 */
export type DeliveryState = 'pending' | 'sending' | 'retry' | 'sent' | 'failed' | 'in-doubt' | 'dropped' | 'skipped';

export const WAITING: readonly DeliveryState[] = ['pending', 'retry'];
export const FINAL: readonly DeliveryState[] = ['sent', 'failed', 'in-doubt', 'dropped', 'skipped'];

export interface Delivery {
  /** `<signal id>|<subscriber>|<channel>`. */
  readonly key: string;
  readonly subscriber: string;
  readonly channel: string;
  readonly notice: Notice;
  readonly state: DeliveryState;
  /** Sends begun so far. */
  readonly attempts: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly nextAttemptAt: number;
  /** When the latest send began (state sending). */
  readonly claimedAt?: number;
  /** The message it went (or goes) out in; a digest's entries share it; a resend reuses it. */
  readonly messageId?: string;
  readonly error?: string;
  /** What the channel answered when it accepted the message (a provider message id, an SMTP reply). */
  readonly receipt?: string;
}

export function deliveryKey(signalId: string, subscriber: string, channel: string): string {
  return `${signalId}|${subscriber}|${channel}`;
}

export function laneOf(delivery: Pick<Delivery, 'subscriber' | 'channel'>): string {
  return `${delivery.subscriber}|${delivery.channel}`;
}

export interface EnqueueResult {
  /** Entries new to the ledger (the rest were there already: a replay or a redelivery). */
  readonly added: number;
  /** Oldest waiting entries dropped because the queue passed its bound. */
  readonly dropped: number;
}

export interface Ledger {
  readonly kind: 'sqlite' | 'redis';
  /** Adds the entries whose key is new, atomically per entry; then bounds the waiting queue. */
  enqueue(entries: readonly Delivery[], maxQueued: number, now: number): Promise<EnqueueResult>;
  /** Waiting entries (pending, retry) whose time has come, oldest first. */
  due(now: number, limit: number): Promise<Delivery[]>;
  /**
   * Claims the entries of one message in one atomic write: stores each entry (in state sending) whose
   * stored state is waiting, and returns those; an entry someone else moved is left out. A failure
   * part-way claims nothing, so an entry is sending only once its send is about to begin.
   */
  claim(entries: readonly Delivery[]): Promise<Delivery[]>;
  /** Replaces the entry when its stored state is one of `from`; false when it was not (someone else moved it). */
  transition(next: Delivery, from: readonly DeliveryState[]): Promise<boolean>;
  /** Entries in state sending claimed before `before`: their sender died or hung. */
  stale(before: number): Promise<Delivery[]>;
  lastSent(lane: string): Promise<number | undefined>;
  setLastSent(lane: string, at: number): Promise<void>;
  /** The delivery log: most recently updated first. */
  recent(limit: number): Promise<Delivery[]>;
  counts(): Promise<Partial<Record<DeliveryState, number>>>;
  /** Forgets final entries last updated before `before`; returns how many. */
  prune(before: number): Promise<number>;
  health(): HealthStatus | Promise<HealthStatus>;
  close(): Promise<void>;
}
