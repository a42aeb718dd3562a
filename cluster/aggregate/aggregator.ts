// The aggregator: consumes ticks, signals and indicator records and keeps each symbol's daily figures,
// candles and latest snapshot in the store. Every batch is applied with its offsets in one atomic
// store write, so a redelivered batch (a restart, a lost commit) is skipped, never counted twice.
// While the store is unreachable it retries with backoff and commits nothing; /healthz says so.
import type { Role } from '../../platform/role.js';
import type { AggregateItem } from '../../core/aggregate/apply-batch.js';
import { checkIndicatorRecord, checkSignal, type RecordCheck, checkTick } from '../../core/contracts/index.js';
import type { Bus, BusMessage, Subscription } from '../../platform/bus/bus.js';
import type { Logger } from '../../platform/log.js';
import type { HealthStatus } from '../../platform/health.js';
import { logMalformed } from '../../platform/bus/malformed.js';
import { DEFAULT_RETRY_WINDOW, RetryingWrites } from '../../platform/retry.js';
import type { AggregateStore, StoreBatch } from '../../platform/store/store.js';
import type { AggregatorMetrics } from './metrics.js';

export interface AggregatorTopics {
  readonly ticks: string;
  readonly signals: string;
  readonly indicators: string;
}

export interface AggregatorOptions {
  readonly bus: Bus;
  readonly store: AggregateStore;
  readonly logger: Logger;
  readonly topics: AggregatorTopics;
  readonly group: string;
  readonly metrics?: AggregatorMetrics;
  /** Records later than now + this are refused as from the future (they would push retention forward). */
  readonly maxClockSkewMs?: number;
  readonly now?: () => number;
  /** Backoff between store retries, and how long one delivery of a batch keeps retrying before handing it back to the bus. */
  readonly retry?: { readonly initialMs: number; readonly maxMs: number; readonly windowMs: number };
}

export class Aggregator implements Role {
  private subscription: Subscription | undefined;
  private readonly stopping = new AbortController();
  private readonly now: () => number;
  private readonly writes: RetryingWrites;

  constructor(private readonly options: AggregatorOptions) {
    this.now = options.now ?? Date.now;
    this.writes = new RetryingWrites(options.retry ?? DEFAULT_RETRY_WINDOW, this.stopping.signal, this.now);
  }

  async start(): Promise<void> {
    const { bus, topics } = this.options;
    await bus.ensureTopics([{ name: topics.ticks }, { name: topics.signals }, { name: topics.indicators }]);
    this.subscription = await bus.consume({
      topics: [topics.ticks, topics.signals, topics.indicators],
      group: this.options.group,
      from: 'committed',
      handler: (batch) => this.handle(batch),
    });
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  health(): HealthStatus {
    if (this.writes.outage !== undefined) return { ok: false, detail: `not committing: ${this.writes.outage} (retrying)` };
    return { ok: this.subscription !== undefined, detail: this.subscription ? 'consuming' : 'not started' };
  }

  private async handle(batch: readonly BusMessage[]): Promise<void> {
    const first = batch[0]!;
    const started = performance.now();
    const storeBatch: StoreBatch = {
      topic: first.topic,
      partition: first.partition,
      nextOffset: (BigInt(batch[batch.length - 1]!.offset) + 1n).toString(),
      items: this.parse(batch),
    };
    const result = await this.write(storeBatch);
    const { metrics } = this.options;
    if (metrics) {
      const labels = { topic: first.topic };
      const duplicates = result.duplicateSignals + result.duplicateTicks;
      if (result.applied - duplicates > 0) metrics.messages.inc({ ...labels, result: 'applied' }, result.applied - duplicates);
      if (duplicates > 0) metrics.messages.inc({ ...labels, result: 'duplicate' }, duplicates);
      if (result.skipped > 0) metrics.messages.inc({ ...labels, result: 'redelivered' }, result.skipped);
      metrics.batchSeconds.observe((performance.now() - started) / 1000);
    }
  }

  /** The batch's well-formed messages as items; the others are counted and logged, and left out. */
  private parse(batch: readonly BusMessage[]): StoreBatch['items'] {
    const { topics, logger, metrics } = this.options;
    const latestTs = this.now() + (this.options.maxClockSkewMs ?? 60_000);
    const items: Array<{ offset: string; item: AggregateItem }> = [];
    const rejected: Array<{ message: BusMessage; reason: string }> = [];
    for (const message of batch) {
      const item = toItem(message, topics, latestTs);
      if (item.ok) {
        items.push({ offset: message.offset, item: item.value });
        continue;
      }
      rejected.push({ message, reason: item.reason });
      metrics?.messages.inc({ topic: message.topic, result: 'malformed' });
    }
    logMalformed(logger, rejected, 'left out of the aggregates');
    return items;
  }

  /** Applies the batch, retrying with backoff while the store fails; after the window the bus gets it back. */
  private async write(batch: StoreBatch) {
    const { store, logger, metrics } = this.options;
    const where = { topic: batch.topic, partition: batch.partition };
    return this.writes.run(() => store.applyBatch(batch), {
      failed(error, first) {
        metrics?.storeFailures.inc();
        if (first) logger.warn({ err: error, ...where }, 'store write failed: not committing, retrying with backoff');
      },
      recovered: () => logger.info(where, 'store back: applying batches again'),
    });
  }
}

function toItem(message: BusMessage, topics: AggregatorTopics, latestTs: number): RecordCheck<AggregateItem> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.value);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (message.topic === topics.ticks) {
    const check = checkTick(parsed, latestTs);
    if (!check.ok) return check;
    if (message.key !== null && message.key !== check.tick.symbol)
      return { ok: false, reason: `key ${message.key} does not match symbol ${check.tick.symbol}` };
    return { ok: true, value: { kind: 'tick', tick: check.tick } };
  }
  if (message.topic === topics.signals) {
    const check = checkSignal(parsed, latestTs);
    return check.ok ? { ok: true, value: { kind: 'signal', signal: check.value } } : check;
  }
  const check = checkIndicatorRecord(parsed, latestTs);
  return check.ok ? { ok: true, value: { kind: 'indicators', indicators: check.value } } : check;
}
