// The dispatcher: takes waiting ledger entries, one lane (subscriber, channel) at a time, and sends
// each lane's due entries as one message (a digest when there are several), within quiet hours,
// minimum interval, coalescing window and the channel's rate limit. Every lane sends on its own, so
// a failing or slow channel never delays another. The ledger records each step:
//   pending/retry --claim--> sending --outcome--> sent | retry | failed | in-doubt
// A message's entries are claimed in one atomic ledger write, and its send starts right after it.
// The crash window is between the claim and the outcome. A sending entry older than the send
// timeout plus a grace period has lost its sender; its channel's inDoubt policy then resends it
// (at least once, same Message-ID / Idempotency-Key) or leaves it in-doubt (at most once).
import { createHash } from 'node:crypto';
import { laneReadyAt, takeToken, type Bucket } from '../../core/notify/flood.js';
import { composeMessage } from '../../core/notify/message.js';
import { isQuiet } from '../../core/notify/quiet-hours.js';
import type { SubscriberFilter } from '../../core/notify/routing.js';
import type { Logger } from '../../platform/log.js';
import type { HealthStatus } from '../../platform/health.js';
import { backoffDelay } from '../../platform/retry.js';
import { DeliveryError, type Recipient } from './channels/channel.js';
import type { ConfiguredChannel } from './channels/index.js';
import { laneOf, WAITING, type Delivery, type Ledger } from './ledger.js';
import type { NotifierMetrics } from './metrics.js';

/** A subscriber as configured: what it takes (the routing filter) and how it is told. */
export interface SubscriberSettings extends SubscriberFilter {
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
  readonly timeZone: string;
  readonly quietHours?: { readonly start: string; readonly end: string; readonly action: 'hold' | 'drop' } | undefined;
  readonly minIntervalSeconds: number;
  readonly coalesceSeconds: number;
  readonly vars: Readonly<Record<string, string>>;
}

export interface DispatchSettings {
  readonly timeoutMs: number;
  readonly retry: { readonly initialMs: number; readonly maxMs: number; readonly maxAttempts: number };
  readonly maxDigest: number;
  /** A sending entry claimed longer ago than this has lost its sender (default: timeout + 5 s). */
  readonly staleAfterMs?: number;
}

export interface DispatcherOptions {
  readonly ledger: Ledger;
  readonly channels: ReadonlyMap<string, ConfiguredChannel>;
  readonly subscribers: readonly SubscriberSettings[];
  readonly settings: DispatchSettings;
  readonly logger: Logger;
  readonly metrics?: NotifierMetrics;
  readonly now?: () => number;
  readonly random?: () => number;
  /** How often the queue is looked at when nothing wakes the dispatcher. */
  readonly pollMs?: number;
}

const DUE_LIMIT = 5000;
const STOP_WAIT_MS = 3000;

export class Dispatcher {
  private readonly busy = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly pausedUntil = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly subscribers: Map<string, SubscriberSettings>;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private rounding: Promise<void> | undefined;
  private again = false;
  private lastError: string | undefined;
  private lastRecovery = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: DispatcherOptions) {
    this.now = options.now ?? Date.now;
    this.subscribers = new Map(options.subscribers.map((sub) => [sub.name, sub]));
  }

  start(): void {
    this.running = true;
    this.schedule(0);
  }

  /** Stops taking entries and waits (a bounded time) for the sends in flight to settle. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.rounding;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inflight]), new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
  }

  /** New entries arrived: look at the queue now rather than at the next poll. */
  wake(): void {
    if (this.running) this.schedule(0);
  }

  health(): HealthStatus {
    if (this.lastError) return { ok: false, detail: `ledger: ${this.lastError} (retrying)` };
    const paused = [...this.pausedUntil].filter(([, until]) => until > this.now()).map(([channel]) => channel);
    return {
      ok: true,
      detail: `${this.inflight.size} send(s) in flight${paused.length > 0 ? `; paused by Retry-After: ${paused.join(', ')}` : ''}`,
    };
  }

  /** Sends in flight (tests wait for them). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }

  private schedule(ms: number): void {
    if (this.rounding) {
      if (ms === 0) this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.rounding = this.round()
        .catch(() => {})
        .finally(() => {
          this.rounding = undefined;
          if (this.running) this.schedule(this.again ? 0 : (this.options.pollMs ?? 250));
          this.again = false;
        });
    }, ms);
  }

  /** One look at the queue: recovers lost claims, then starts every lane that may send. */
  async round(): Promise<void> {
    const { ledger, logger } = this.options;
    try {
      const now = this.now();
      if (now - this.lastRecovery >= 1000) {
        this.lastRecovery = now;
        await this.recover(now);
      }
      const due = await ledger.due(now, DUE_LIMIT);
      const lanes = new Map<string, Delivery[]>();
      for (const entry of due) {
        const lane = laneOf(entry);
        const list = lanes.get(lane);
        if (list) list.push(entry);
        else lanes.set(lane, [entry]);
      }
      for (const [lane, entries] of lanes) {
        if (this.busy.has(lane)) continue;
        await this.consider(lane, entries, now);
      }
      if (this.lastError) logger.info('ledger back: dispatching again');
      this.lastError = undefined;
    } catch (error) {
      if (!this.lastError) logger.warn({ err: error }, 'notification ledger failed; retrying');
      this.lastError = (error as Error).message;
    }
  }

  /** Claims lost by a sender that died (kill -9, power loss) or hung, per the channel's inDoubt policy. */
  private async recover(now: number): Promise<void> {
    const { ledger, channels, settings, logger, metrics } = this.options;
    const staleAfter = settings.staleAfterMs ?? settings.timeoutMs + 5000;
    for (const entry of await ledger.stale(now - staleAfter)) {
      const policy = channels.get(entry.channel)?.policy.inDoubt ?? 'skip';
      const next: Delivery =
        policy === 'resend'
          ? {
              ...entry,
              state: 'retry',
              nextAttemptAt: now,
              updatedAt: now,
              error: 'outcome unknown (the sender stopped mid-send): sending again',
            }
          : {
              ...entry,
              state: 'in-doubt',
              updatedAt: now,
              error: 'outcome unknown (the sender stopped mid-send); not sent again (inDoubt: skip)',
            };
      if (await ledger.transition(next, ['sending'])) {
        metrics?.recovered.inc({ channel: entry.channel, policy });
        logger.warn({ key: entry.key, channel: entry.channel, policy }, 'a send was cut short before its outcome was recorded');
      }
    }
  }

  private async consider(lane: string, entries: Delivery[], now: number): Promise<void> {
    const { ledger, channels, settings, metrics } = this.options;
    const first = entries[0]!;
    const configured = channels.get(first.channel);
    const sub = this.subscribers.get(first.subscriber);
    if (!configured || !sub || !sub.channels.includes(first.channel)) {
      // The configuration changed since it was queued: nobody to send it to any more.
      for (const entry of entries) {
        await ledger.transition(
          { ...entry, state: 'failed', updatedAt: now, error: `${!sub ? 'subscriber' : 'channel'} no longer configured` },
          WAITING,
        );
      }
      return;
    }
    const { channel, policy } = configured;
    if ((this.pausedUntil.get(channel.id) ?? 0) > now) return;
    if (policy.held && isQuiet(now, sub.timeZone, sub.quietHours)) {
      if (sub.quietHours?.action === 'drop') {
        for (const entry of entries) {
          if (await ledger.transition({ ...entry, state: 'skipped', updatedAt: now, error: 'quiet hours' }, WAITING))
            metrics?.deliveries.inc({ channel: channel.id, result: 'skipped' });
        }
      }
      return;
    }
    // A resend goes out as the same message it was (same id, same signals); new entries together.
    const batch = (
      first.messageId !== undefined
        ? entries.filter((e) => e.messageId === first.messageId)
        : entries.filter((e) => e.messageId === undefined)
    ).slice(0, policy.held ? settings.maxDigest : 1);
    if (policy.held) {
      const readyAt = laneReadyAt({
        lastSentAt: await ledger.lastSent(lane),
        oldestEnqueuedAt: first.createdAt,
        retrying: first.state === 'retry',
        minIntervalMs: sub.minIntervalSeconds * 1000,
        coalesceMs: sub.coalesceSeconds * 1000,
      });
      if (now < readyAt) return;
    }
    if (policy.ratePerMinute > 0) {
      const taken = takeToken(this.buckets.get(channel.id), policy.ratePerMinute, now);
      this.buckets.set(channel.id, taken.bucket);
      if (!taken.ok) return;
    }
    const messageId =
      first.messageId ??
      `ss-${createHash('sha256')
        .update(batch.map((e) => e.key).join('\n'))
        .digest('hex')
        .slice(0, 32)}`;
    const claimed = await ledger.claim(
      batch.map((entry): Delivery => ({
        ...entry,
        state: 'sending',
        attempts: entry.attempts + 1,
        claimedAt: now,
        updatedAt: now,
        messageId,
      })),
    );
    if (claimed.length === 0) return;
    this.busy.add(lane);
    const sending = this.send(lane, claimed, configured, sub)
      .catch((error: unknown) => {
        // The outcome could not be recorded (the ledger went away): the entries stay claimed and are
        // recovered as in doubt once stale.
        this.options.logger.warn({ err: error, lane }, 'could not record a send outcome');
      })
      .finally(() => {
        this.busy.delete(lane);
        this.inflight.delete(sending);
        this.wake();
      });
    this.inflight.add(sending);
  }

  private async send(lane: string, claimed: readonly Delivery[], configured: ConfiguredChannel, sub: SubscriberSettings): Promise<void> {
    const { ledger, settings, logger, metrics } = this.options;
    const { channel, policy } = configured;
    const started = this.now();
    const notices = claimed.map((e) => e.notice).sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
    const recipient: Recipient = { subscriber: sub.name, email: sub.email, phone: sub.phone, vars: sub.vars };
    const messageId = claimed[0]!.messageId!;
    try {
      const message = composeMessage(notices, { subscriber: sub.name, timeZone: sub.timeZone, vars: sub.vars });
      const receipt = await withTimeout(settings.timeoutMs, (signal) => channel.send({ message, recipient, notices, messageId }, signal));
      const now = this.now();
      for (const entry of claimed) {
        const { error: _error, ...rest } = entry;
        await ledger.transition({ ...rest, state: 'sent', updatedAt: now, receipt }, ['sending']);
      }
      await ledger.setLastSent(lane, started);
      metrics?.deliveries.inc({ channel: channel.id, result: 'sent' }, claimed.length);
      metrics?.messages.inc({ channel: channel.id, kind: claimed.length > 1 ? 'digest' : 'single' });
      logger.info(
        { channel: channel.id, subscriber: sub.name, signals: claimed.length, messageId },
        claimed.length > 1 ? 'digest sent' : 'notification sent',
      );
    } catch (raw) {
      const error = raw instanceof DeliveryError ? raw : new DeliveryError('ambiguous', (raw as Error).message);
      const now = this.now();
      if (error.retryAfterMs !== undefined) this.pausedUntil.set(channel.id, now + error.retryAfterMs);
      let result: Delivery['state'] = 'retry';
      for (const entry of claimed) {
        let next: Delivery;
        if (error.kind === 'permanent') next = { ...entry, state: 'failed', updatedAt: now, error: error.message };
        else if (error.kind === 'ambiguous' && policy.inDoubt === 'skip')
          next = { ...entry, state: 'in-doubt', updatedAt: now, error: `${error.message}; not sent again (inDoubt: skip)` };
        else if (entry.attempts >= settings.retry.maxAttempts)
          next = { ...entry, state: 'failed', updatedAt: now, error: `${error.message} (gave up after ${entry.attempts} attempts)` };
        else {
          const wait = Math.max(
            backoffDelay(entry.attempts - 1, { ...settings.retry, random: this.options.random ?? Math.random }),
            error.retryAfterMs ?? 0,
          );
          next = { ...entry, state: 'retry', nextAttemptAt: now + wait, updatedAt: now, error: error.message };
        }
        result = next.state;
        await ledger.transition(next, ['sending']);
      }
      metrics?.deliveries.inc({ channel: channel.id, result }, claimed.length);
      logger.warn(
        { channel: channel.id, subscriber: sub.name, signals: claimed.length, kind: error.kind, result, error: error.message },
        'notification not delivered',
      );
    }
  }
}

/** Runs the send with an abort signal and gives up (in doubt: it may still complete) after `ms`. */
async function withTimeout<T>(ms: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      run(controller.signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new DeliveryError('ambiguous', `no answer within ${ms} ms`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
