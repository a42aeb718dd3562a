// The stream processor: consumes ticks, runs each symbol's pipeline (the pure core), and publishes
// indicators, signals and a state snapshot per input partition, all in one transaction with the
// consumed offset. Restarted at any point, it restores the snapshot that matches its committed offset
// and produces exactly the same signals as an uninterrupted run.
import type { Bus, BatchContext, BusMessage, Subscription } from '../../platform/bus/bus.js';
import type { Logger } from '../../platform/log.js';
import type { HealthStatus } from '../../platform/ops/ops-server.js';
import { checkTick } from '../../core/tick.js';
import { signalRecord, type PipelineFactory, type SymbolPipeline } from '../../core/pipeline.js';
import type { ProcessorMetrics } from './metrics.js';

export interface ProcessorTopics {
  readonly ticks: string;
  readonly indicators: string;
  readonly signals: string;
  readonly dlq: string;
  /** Compacted changelog of per-partition state snapshots. */
  readonly state: string;
}

export interface ProcessorOptions {
  readonly bus: Bus;
  readonly logger: Logger;
  readonly topics: ProcessorTopics;
  readonly group: string;
  readonly pipelines: PipelineFactory;
  readonly metrics?: ProcessorMetrics;
  /** Ticks later than now + this are refused as from the future. */
  readonly maxClockSkewMs?: number;
  readonly now?: () => number;
  /** How long a restore may look for the snapshot matching the committed offset. */
  readonly restoreTimeoutMs?: number;
}

/** What the state changelog holds for one input partition. */
export interface PartitionSnapshot {
  readonly version: 1;
  readonly topic: string;
  readonly partition: number;
  /** The input offset this state has consumed up to (the next one to read). */
  readonly nextOffset: string;
  readonly symbols: Record<string, unknown>;
}

interface PartitionState {
  nextOffset: string;
  readonly symbols: Map<string, SymbolPipeline>;
}

const MAX_DLQ_VALUE_CHARS = 10_000;

export class Processor {
  private readonly partitions = new Map<number, PartitionState>();
  private subscription: Subscription | undefined;
  private lastError: string | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ProcessorOptions) {
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    const { bus, topics } = this.options;
    await bus.ensureTopics([{ name: topics.ticks }, { name: topics.indicators }, { name: topics.signals }, { name: topics.dlq }]);
    const inputPartitions = (await bus.partitionCount(topics.ticks)) ?? 1;
    await bus.ensureTopics([{ name: topics.state, partitions: inputPartitions, compact: true }]);
    const statePartitions = (await bus.partitionCount(topics.state)) ?? 0;
    if (statePartitions < inputPartitions) {
      throw new Error(`${topics.state} has ${statePartitions} partitions but ${topics.ticks} has ${inputPartitions}; it needs at least as many`);
    }
    this.subscription = await bus.consume({
      topics: [topics.ticks],
      group: this.options.group,
      from: 'committed',
      transactional: true,
      handler: (batch, context) => this.handle(batch, context),
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  health(): HealthStatus {
    if (this.lastError) return { ok: false, detail: this.lastError };
    return { ok: this.subscription !== undefined, detail: this.subscription ? `${this.partitions.size} partition(s) in hand` : 'not started' };
  }

  private async handle(batch: readonly BusMessage[], context: BatchContext): Promise<void> {
    const first = batch[0]!;
    const started = performance.now();
    try {
      let state = this.partitions.get(first.partition);
      if (!state || state.nextOffset !== first.offset) {
        state = await this.restore(first.partition, first.offset);
        this.partitions.set(first.partition, state);
      }
      // The state is worked on in place. If this handler throws, the catch below drops it; if the
      // bus then fails to commit, the batch comes again from an offset this state is past, and the
      // check above restores it from the changelog.
      this.process(batch, state, context);
      const next = (BigInt(batch[batch.length - 1]!.offset) + 1n).toString();
      state.nextOffset = next;
      const snapshot: PartitionSnapshot = {
        version: 1,
        topic: first.topic,
        partition: first.partition,
        nextOffset: next,
        symbols: Object.fromEntries([...state.symbols].map(([symbol, pipeline]) => [symbol, pipeline.snapshot()])),
      };
      context.publish(this.options.topics.state, [{ key: `p${first.partition}`, partition: first.partition, value: JSON.stringify(snapshot) }]);
      this.lastError = undefined;
    } catch (error) {
      this.partitions.delete(first.partition);
      this.lastError = `partition ${first.partition}: ${(error as Error).message}`;
      throw error;
    } finally {
      this.options.metrics?.batchSeconds.observe((performance.now() - started) / 1000);
    }
  }

  private process(batch: readonly BusMessage[], state: PartitionState, context: BatchContext): void {
    const { topics, metrics } = this.options;
    const latestTs = this.now() + (this.options.maxClockSkewMs ?? 60_000);
    const indicators: Array<{ key: string; value: string }> = [];
    const signals: Array<{ key: string; value: string }> = [];
    const rejected: Array<{ key: string | null; value: string }> = [];
    for (const message of batch) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.value);
      } catch {
        parsed = undefined;
      }
      const check = parsed === undefined ? { ok: false as const, reason: 'not JSON' } : checkTick(parsed, latestTs);
      if (!check.ok || (message.key !== null && message.key !== check.tick.symbol)) {
        const reason = check.ok ? `key ${message.key} does not match symbol ${check.tick.symbol}` : check.reason;
        rejected.push({ key: message.key, value: JSON.stringify(deadLetter(message, reason)) });
        metrics?.ticks.inc({ result: 'rejected' });
        continue;
      }
      const tick = check.tick;
      let pipeline = state.symbols.get(tick.symbol);
      if (!pipeline) {
        pipeline = this.options.pipelines.create(tick.symbol);
        state.symbols.set(tick.symbol, pipeline);
      }
      const emitted = pipeline.step(tick);
      if (emitted === undefined) {
        // Not newer than the symbol's last tick: indicators are a sequence, a replayed or late price
        // would corrupt them. The aggregator still counts it from the ticks topic.
        metrics?.ticks.inc({ result: 'stale' });
        continue;
      }
      metrics?.ticks.inc({ result: 'processed' });
      indicators.push({ key: tick.symbol, value: JSON.stringify(pipeline.record(tick)) });
      for (const signal of emitted) {
        signals.push({ key: tick.symbol, value: JSON.stringify(signalRecord(signal)) });
        metrics?.signals.inc({ side: signal.side, rule: signal.rule });
      }
    }
    if (rejected.length > 0) context.publish(topics.dlq, rejected);
    if (indicators.length > 0) context.publish(topics.indicators, indicators);
    if (signals.length > 0) context.publish(topics.signals, signals);
  }

  /** The state at `offset`: fresh when the group never committed, else the matching snapshot. */
  private async restore(partition: number, offset: string): Promise<PartitionState> {
    const { bus, topics, group, logger } = this.options;
    const committed = (await bus.committedOffsets(group, topics.ticks)).get(partition);
    if (committed === undefined) {
      logger.info({ partition, offset }, 'no committed offset: starting this partition with fresh state');
      return { nextOffset: offset, symbols: new Map() };
    }
    const snapshot = await this.findSnapshot(partition, offset);
    logger.info({ partition, offset, symbols: Object.keys(snapshot.symbols) }, 'restored partition state from the changelog');
    const symbols = new Map<string, SymbolPipeline>();
    for (const [symbol, saved] of Object.entries(snapshot.symbols)) symbols.set(symbol, this.options.pipelines.restore(symbol, saved));
    return { nextOffset: offset, symbols };
  }

  private async findSnapshot(partition: number, offset: string): Promise<PartitionSnapshot> {
    const { bus, topics, group } = this.options;
    const timeoutMs = this.options.restoreTimeoutMs ?? 30_000;
    let found: PartitionSnapshot | undefined;
    let resolveFound: () => void = () => {};
    const done = new Promise<void>((resolve) => (resolveFound = resolve));
    const reader = await bus.consume({
      topics: [topics.state],
      from: 'earliest',
      handler: async (batch) => {
        for (const message of batch) {
          if (message.partition !== partition || message.key !== `p${partition}`) continue;
          const snapshot = JSON.parse(message.value) as PartitionSnapshot;
          if (snapshot.version === 1 && snapshot.topic === topics.ticks && snapshot.nextOffset === offset) {
            found = snapshot;
            resolveFound();
          }
        }
      },
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    } finally {
      clearTimeout(timer);
      await reader.stop();
    }
    if (!found) {
      throw new Error(
        `no state snapshot in ${topics.state} for ${topics.ticks} partition ${partition} at offset ${offset}; ` +
          `the changelog was lost: delete consumer group ${group} to rebuild from the earliest tick (its signals are then published again)`,
      );
    }
    return found;
  }
}

function deadLetter(message: BusMessage, reason: string) {
  return {
    reason,
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key,
    value: message.value.length > MAX_DLQ_VALUE_CHARS ? `${message.value.slice(0, MAX_DLQ_VALUE_CHARS)}…` : message.value,
  };
}
