// The notifier's front half: consumes the signals topic as its own consumer group, checks each
// message, routes it to the subscribers that want it, and records one ledger entry per (signal id,
// subscriber, channel) before the batch is committed. The entry's key is the dedupe record: a
// replayed or redelivered signal finds its entries there and queues nothing. The dispatcher sends.
import { checkNotice, type Notice } from '../../core/notify/notice.js';
import { route } from '../../core/notify/routing.js';
import type { Bus, BusMessage, Subscription } from '../../platform/bus/bus.js';
import type { Logger } from '../../platform/log.js';
import type { HealthStatus } from '../../platform/ops/ops-server.js';
import { backoffDelay, sleep } from '../../platform/retry.js';
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

const LOGGED_PER_BATCH = 5;
const SNIPPET_CHARS = 200;

export class Notifier {
  private subscription: Subscription | undefined;
  private outage: string | undefined;
  private readonly stopping = new AbortController();
  private readonly now: () => number;

  constructor(private readonly options: NotifierOptions) {
    this.now = options.now ?? Date.now;
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
    if (this.outage) return { ok: false, detail: `not committing: ${this.outage} (retrying)` };
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
        entries.push({ key: deliveryKey(notice.id, subscriber, channel), subscriber, channel, notice, state: 'pending', attempts: 0, createdAt: now, updatedAt: now, nextAttemptAt: now });
      }
    }
    if (entries.length === 0) return;
    const result = await this.enqueue(entries, now);
    if (result.added < entries.length) metrics?.deliveries.inc({ channel: 'any', result: 'duplicate' }, entries.length - result.added);
    if (result.dropped > 0) {
      metrics?.deliveries.inc({ channel: 'any', result: 'dropped' }, result.dropped);
      this.options.logger.warn({ dropped: result.dropped, maxQueued: this.options.maxQueued }, 'notification queue full: dropped the oldest waiting');
    }
    if (result.added > 0) this.options.onQueued?.();
  }

  private parse(batch: readonly BusMessage[], now: number): Notice[] {
    const { logger, metrics } = this.options;
    const latestTs = now + (this.options.maxClockSkewMs ?? 60_000);
    const notices: Notice[] = [];
    let malformed = 0;
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
        notices.push(check.value);
        continue;
      }
      malformed++;
      metrics?.signals.inc({ result: 'malformed' });
      if (malformed <= LOGGED_PER_BATCH) {
        logger.warn(
          { topic: message.topic, partition: message.partition, offset: message.offset, reason: check.reason, value: message.value.slice(0, SNIPPET_CHARS) },
          'malformed signal message: not notified',
        );
      }
    }
    if (malformed > LOGGED_PER_BATCH) logger.warn({ topic: batch[0]!.topic, count: malformed - LOGGED_PER_BATCH }, 'more malformed signal messages');
    return notices;
  }

  private async enqueue(entries: readonly Delivery[], now: number) {
    const { ledger, logger, maxQueued } = this.options;
    const { initialMs, maxMs, windowMs } = this.options.retry ?? { initialMs: 100, maxMs: 2000, windowMs: 5000 };
    const began = this.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await ledger.enqueue(entries, maxQueued, now);
        if (this.outage) logger.info('ledger back: queueing notifications again');
        this.outage = undefined;
        return result;
      } catch (error) {
        if (!this.outage) logger.warn({ err: error }, 'ledger write failed: not committing, retrying with backoff');
        this.outage = (error as Error).message;
        if (this.stopping.signal.aborted || this.now() - began >= windowMs) throw error;
        await sleep(backoffDelay(attempt, { initialMs, maxMs }), this.stopping.signal);
      }
    }
  }
}
