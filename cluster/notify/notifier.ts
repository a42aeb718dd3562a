// The notifier's front half: consumes the signals topic as its own consumer group, checks each
// message, routes it to the subscribers that want it, and records one ledger entry per (signal id,
// subscriber, channel) before the batch is committed. The entry's key is the dedupe record: a
// replayed or redelivered signal finds its entries there and queues nothing. The dispatcher sends.
import type { Role } from '../../platform/role.js';
import { checkNotice, isNotified, type Notice } from '../../core/notify/notice.js';
import { route } from '../../core/notify/routing.js';
import type { Bus, BusMessage, Subscription } from '../../platform/bus/bus.js';
import type { Logger } from '../../platform/log.js';
import type { HealthStatus } from '../../platform/health.js';
import { logMalformed } from '../../platform/bus/malformed.js';
import { DEFAULT_RETRY_WINDOW, RetryingWrites } from '../../platform/retry.js';
import type { SubscriberSettings } from './dispatcher.js';
import { deliveryKey, type Delivery, type Ledger } from './ledger.js';
import type { NotifierMetrics } from './metrics.js';

export interface NotifierOptions {
  readonly bus: Bus;
  readonly ledger: Ledger;
  readonly logger: Logger;
  readonly topic: string;
  readonly group: string;
  readonly subscribers: readonly SubscriberSettings[];
  readonly maxQueued: number;
  /** Called after new entries are queued (the dispatcher's wake). */
  readonly onQueued?: () => void;
  readonly metrics?: NotifierMetrics;
  readonly now?: () => number;
  /** Signals later than now + this are refused as from the future. */
  readonly maxClockSkewMs?: number;
  /** How long one batch keeps retrying a failing ledger before the bus gets it back. */
  readonly retry?: { readonly initialMs: number; readonly maxMs: number; readonly windowMs: number };
}

export class Notifier implements Role {
  private subscription: Subscription | undefined;
  private readonly stopping = new AbortController();
  private readonly now: () => number;
  private readonly writes: RetryingWrites;

  constructor(private readonly options: NotifierOptions) {
    this.now = options.now ?? Date.now;
    this.writes = new RetryingWrites(options.retry ?? DEFAULT_RETRY_WINDOW, this.stopping.signal, this.now);
  }

  async start(): Promise<void> {
    const { bus, topic, group } = this.options;
    await bus.ensureTopics([{ name: topic }]);
    this.subscription = await bus.consume({ topics: [topic], group, from: 'committed', handler: (batch) => this.handle(batch) });
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  health(): HealthStatus {
    if (this.writes.outage !== undefined) return { ok: false, detail: `not committing: ${this.writes.outage} (retrying)` };
    return { ok: this.subscription !== undefined, detail: this.subscription ? 'consuming signals' : 'not started' };
  }

  private async handle(batch: readonly BusMessage[]): Promise<void> {
    const { metrics, subscribers } = this.options;
    const now = this.now();
    const entries: Delivery[] = [];
    for (const notice of this.parse(batch, now)) {
      const targets = route(notice, subscribers);
      if (targets.length === 0) {
        metrics?.signals.inc({ result: 'unrouted' });
        continue;
      }
      metrics?.signals.inc({ result: 'routed' });
      for (const { subscriber, channel } of targets) {
        entries.push({
          key: deliveryKey(notice.id, subscriber, channel),
          subscriber,
          channel,
          notice,
          state: 'pending',
          attempts: 0,
          createdAt: now,
          updatedAt: now,
          nextAttemptAt: now,
        });
      }
    }
    if (entries.length === 0) return;
    const result = await this.enqueue(entries, now);
    if (result.added < entries.length) metrics?.deliveries.inc({ channel: 'any', result: 'duplicate' }, entries.length - result.added);
    if (result.dropped > 0) {
      metrics?.deliveries.inc({ channel: 'any', result: 'dropped' }, result.dropped);
      this.options.logger.warn(
        { dropped: result.dropped, maxQueued: this.options.maxQueued },
        'notification queue full: dropped the oldest waiting',
      );
    }
    if (result.added > 0) this.options.onQueued?.();
  }

  private parse(batch: readonly BusMessage[], now: number): Notice[] {
    const { logger, metrics } = this.options;
    const latestTs = now + (this.options.maxClockSkewMs ?? 60_000);
    const notices: Notice[] = [];
    const rejected: Array<{ message: BusMessage; reason: string }> = [];
    for (const message of batch) {
      let parsed: unknown;
      let check: ReturnType<typeof checkNotice>;
      try {
        parsed = JSON.parse(message.value);
        check = checkNotice(parsed, latestTs);
      } catch {
        check = { ok: false, reason: 'not JSON' };
      }
      if (check.ok) {
        // A crossing changed no stance: it stays a quiet marker on the chart, people are not told.
        if (isNotified(check.value)) notices.push(check.value);
        else metrics?.signals.inc({ result: 'not-notified' });
        continue;
      }
      rejected.push({ message, reason: check.reason });
      metrics?.signals.inc({ result: 'malformed' });
    }
    logMalformed(logger, rejected, 'on the signals topic: not notified');
    return notices;
  }

  private async enqueue(entries: readonly Delivery[], now: number) {
    const { ledger, logger, maxQueued } = this.options;
    return this.writes.run(() => ledger.enqueue(entries, maxQueued, now), {
      failed(error, first) {
        if (first) logger.warn({ err: error }, 'ledger write failed: not committing, retrying with backoff');
      },
      recovered: () => logger.info('ledger back: queueing notifications again'),
    });
  }
}
