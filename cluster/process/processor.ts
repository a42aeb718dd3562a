// The stream processor: consumes ticks, runs each symbol's pipeline (the pure core), and publishes
// indicators, signals and a state snapshot per input partition, all in one transaction. The snapshot
// holds the next input offset, so the snapshot is the truth about what has been consumed: the group's
// position is committed after it, lazily (two round trips fewer per batch on Kafka). Restarted at any
// point, it restores the latest snapshot, skips input that snapshot has consumed, and produces
// exactly the same signals as an uninterrupted run.
import type { Role } from '../../platform/role.js';
import { randomUUID } from 'node:crypto';
import type { Bus, BatchContext, BusMessage, Subscription } from '../../platform/bus/bus.js';
import type { Logger } from '../../platform/log.js';
import type { HealthStatus } from '../../platform/health.js';
import { checkTick, clippedValue, signalRecord, type ProcessDeadLetter } from '../../core/contracts/index.js';
import type { PipelineFactory, SymbolPipeline } from '../../core/pipeline.js';
import type { ProcessorMetrics } from './metrics.js';
import type { WarmStart } from './warm-start.js';

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
  /**
   * Fills each configured symbol from history before live ticks are read: start() runs it, then
   * subscribes. A symbol the restored state holds is not warmed.
   */
  readonly warmStart?: WarmStart;
  /**
   * The configured symbols: a tick of any other goes to the DLQ, since the state-size check at config
   * load counts only these. Unset (tests of the processor alone): every valid symbol is processed.
   */
  readonly symbols?: readonly string[];
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

export class Processor implements Role {
  private readonly partitions = new Map<number, PartitionState>();
  private subscription: Subscription | undefined;
  private lastError: string | undefined;
  private readonly now: () => number;
  private readonly stopping = new AbortController();
  private starting: Promise<void> = Promise.resolve();

  constructor(private readonly options: ProcessorOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Resolves when the processor consumes (after the warm start, if any): when start() has. */
  get ready(): Promise<void> {
    return this.starting;
  }

  async start(): Promise<void> {
    this.starting = this.startInOrder();
    await this.starting;
  }

  // Topics, then the warm start, then the subscription: a failure of any (the embedded log's data
  // directory in use, say) fails start() itself, as it did before the warm start.
  private async startInOrder(): Promise<void> {
    await this.prepareTopics();
    const warmStart = this.options.warmStart;
    if (warmStart) {
      await warmStart.run(this.stopping.signal);
      if (this.stopping.signal.aborted) return;
    }
    await this.subscribe();
  }

  private async prepareTopics(): Promise<void> {
    const { bus, topics } = this.options;
    await bus.ensureTopics([{ name: topics.ticks }, { name: topics.indicators }, { name: topics.signals }, { name: topics.dlq }]);
    const inputPartitions = (await bus.partitionCount(topics.ticks)) ?? 1;
    await bus.ensureTopics([{ name: topics.state, partitions: inputPartitions, compact: true }]);
    const statePartitions = (await bus.partitionCount(topics.state)) ?? 0;
    if (statePartitions < inputPartitions) {
      throw new Error(
        `${topics.state} has ${statePartitions} partitions but ${topics.ticks} has ${inputPartitions}; it needs at least as many`,
      );
    }
  }

  private async subscribe(): Promise<void> {
    const { bus, topics } = this.options;
    this.subscription = await bus.consume({
      topics: [topics.ticks],
      group: this.options.group,
      from: 'committed',
      transactional: true,
      commitPosition: 'after-outputs',
      handler: (batch, context) => this.handle(batch, context),
    });
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.starting.catch(() => {});
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  health(): HealthStatus {
    if (this.lastError) return { ok: false, detail: this.lastError };
    const warm = this.options.warmStart?.health().detail;
    if (this.subscription === undefined && warm !== undefined && !this.stopping.signal.aborted) return { ok: true, detail: warm };
    return {
      ok: this.subscription !== undefined,
      detail: this.subscription ? `${this.partitions.size} partition(s) in hand${warm ? `; ${warm}` : ''}` : 'not started',
    };
  }

  private async handle(batch: readonly BusMessage[], context: BatchContext): Promise<void> {
    const first = batch[0]!;
    const started = performance.now();
    try {
      let state = this.partitions.get(first.partition);
      // State in memory is trusted only while the bus vouches that the previous batch was committed
      // and the partition stayed here since: after a rebalance (another member may have moved the
      // partition on, though the group's position happens to be where this state stopped) or a
      // failed attempt (the state ran ahead of what was committed), it comes from the changelog.
      if (!state || !context.followsCommitted || state.nextOffset !== first.offset) {
        state = await this.restore(first.partition, first.offset);
        this.partitions.set(first.partition, state);
      }
      // Input the state has already consumed (its outputs are committed) comes again after a crash
      // or a rebalance, because the group's position is committed after the outputs: skip it.
      const from = BigInt(state.nextOffset);
      const fresh = BigInt(first.offset) >= from ? batch : batch.filter((message) => BigInt(message.offset) >= from);
      // The state is worked on in place. If this handler throws, the catch below drops it; if the
      // bus then fails to commit, the next batch is not `followsCommitted` and the state is restored.
      this.process(fresh, state, context);
      const next = BigInt(batch[batch.length - 1]!.offset) + 1n;
      if (next > from) state.nextOffset = next.toString();
      const snapshot: PartitionSnapshot = {
        version: 1,
        topic: first.topic,
        partition: first.partition,
        nextOffset: state.nextOffset,
        symbols: Object.fromEntries([...state.symbols].map(([symbol, pipeline]) => [symbol, pipeline.snapshot()])),
      };
      context.publish(this.options.topics.state, [
        { key: snapshotKey(first.partition), partition: first.partition, value: JSON.stringify(snapshot) },
      ]);
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
      const listed = this.options.symbols;
      if (listed !== undefined && !listed.includes(tick.symbol)) {
        const reason = `symbol ${tick.symbol} is not configured (symbols: ${listed.join(', ')})`;
        rejected.push({ key: message.key, value: JSON.stringify(deadLetter(message, reason)) });
        metrics?.ticks.inc({ result: 'rejected' });
        continue;
      }
      let pipeline = state.symbols.get(tick.symbol);
      if (!pipeline) {
        // A symbol the restored state does not hold: warmed from history if it was, fresh if not.
        pipeline = this.options.warmStart?.pipeline(tick.symbol) ?? this.options.pipelines.create(tick.symbol);
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

  /**
   * The partition's state before the batch at `offset`: the latest snapshot in the changelog, or
   * fresh state when the group has never committed. The bus has fenced any earlier owner before
   * this runs, so no snapshot can be committed after the one found.
   */
  private async restore(partition: number, offset: string): Promise<PartitionState> {
    const { bus, topics, group, logger } = this.options;
    const committed = (await bus.committedOffsets(group, topics.ticks)).get(partition);
    const snapshot = await this.latestSnapshot(partition);
    if (!snapshot) {
      if (committed !== undefined) {
        throw new Error(
          `no state snapshot in ${topics.state} for ${topics.ticks} partition ${partition}, though group ${group} has consumed it; ` +
            `the changelog was lost: delete consumer group ${group} to rebuild from the earliest tick (its signals are then published again)`,
        );
      }
      logger.info({ partition, offset }, 'no snapshot and no committed offset: starting this partition with fresh state');
      return { nextOffset: offset, symbols: new Map() };
    }
    let nextOffset = snapshot.nextOffset;
    if (BigInt(offset) > BigInt(nextOffset)) {
      // Retention deleted input before it was processed, or the group's offsets were moved on purpose.
      logger.warn(
        { partition, from: nextOffset, to: offset },
        'input between the snapshot and the first available tick is gone: continuing without it',
      );
      nextOffset = offset;
    }
    logger.info({ partition, offset, nextOffset, symbols: Object.keys(snapshot.symbols) }, 'restored partition state from the changelog');
    const symbols = new Map<string, SymbolPipeline>();
    for (const [symbol, saved] of Object.entries(snapshot.symbols)) symbols.set(symbol, this.options.pipelines.restore(symbol, saved));
    return { nextOffset, symbols };
  }

  /**
   * Reads the partition's changelog to its end: writes a barrier with a fresh nonce, then reads from
   * the earliest record until the barrier. The last snapshot before it is the latest committed one.
   */
  private async latestSnapshot(partition: number): Promise<PartitionSnapshot | undefined> {
    const { bus, topics } = this.options;
    const timeoutMs = this.options.restoreTimeoutMs ?? 30_000;
    const nonce = randomUUID();
    await bus.publish(topics.state, [{ key: barrierKey(partition), partition, value: JSON.stringify({ barrier: nonce }) }]);
    let latest: PartitionSnapshot | undefined;
    let problem: Error | undefined;
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const reader = await bus.consume({
      topics: [topics.state],
      from: 'earliest',
      handler: async (batch) => {
        for (const message of batch) {
          if (message.partition !== partition) continue;
          if (message.key === barrierKey(partition) && message.value.includes(nonce)) {
            resolveDone();
            return;
          }
          if (message.key !== snapshotKey(partition)) continue;
          try {
            const snapshot = JSON.parse(message.value) as PartitionSnapshot;
            if (snapshot.version === 1 && snapshot.topic === topics.ticks) latest = snapshot;
          } catch (error) {
            problem = new Error(
              `${topics.state} partition ${partition} offset ${message.offset} is not a snapshot: ${(error as Error).message}`,
            );
            resolveDone();
            return;
          }
        }
      },
    });
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    try {
      await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(() => ((timedOut = true), resolve()), timeoutMs)))]);
    } finally {
      clearTimeout(timer);
      await reader.stop();
    }
    if (problem) throw problem;
    if (timedOut) throw new Error(`could not read ${topics.state} partition ${partition} to its end within ${timeoutMs} ms`);
    return latest;
  }
}

const snapshotKey = (partition: number) => `p${partition}`;
const barrierKey = (partition: number) => `barrier-p${partition}`;

function deadLetter(message: BusMessage, reason: string): ProcessDeadLetter {
  return {
    reason,
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key,
    ...clippedValue(message.value),
  };
}
