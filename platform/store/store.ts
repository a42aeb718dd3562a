// The aggregate store contract shared by Redis (cluster) and SQLite (single node): applies consumed
// batches exactly once and answers the queries of the CLI and the dashboard.
import type { AggregateItem } from '../../core/aggregate/apply-batch.js';
import type { Timeframe } from '../../core/aggregate/calendar.js';
import type { CandleView } from '../../core/aggregate/candle.js';
import type { DailyStats } from '../../core/aggregate/daily.js';
import type { IndicatorSnapshot, SignalSummary, Tick } from '../../core/contracts/index.js';
import type { HealthStatus } from '../health.js';

/** One consumed batch of one partition, its well-formed messages turned into items. */
export interface StoreBatch {
  readonly topic: string;
  readonly partition: number;
  /** The offset after the batch's last message (malformed messages included). */
  readonly nextOffset: string;
  /** In offset order. */
  readonly items: ReadonlyArray<{ readonly offset: string; readonly item: AggregateItem }>;
}

export interface ApplyResult {
  /** Items applied now. */
  readonly applied: number;
  /** Items at offsets an earlier apply already covered (a redelivery), left out. */
  readonly skipped: number;
  /** Signals already counted under their id, left out. */
  readonly duplicateSignals: number;
  /** Ticks not later than the last tick counted for their symbol (a restarted source), left out. */
  readonly duplicateTicks: number;
}

export interface LatestSnapshot {
  readonly symbol: string;
  readonly tick: Tick | null;
  readonly indicators: IndicatorSnapshot | null;
  /** Newest first. */
  readonly recentSignals: readonly SignalSummary[];
  /** The figures of the latest tick's day. */
  readonly today: DailyStats | null;
}

export interface AggregateStore {
  readonly kind: 'redis' | 'sqlite';
  /**
   * Applies the batch's items whose offsets were not applied before, and records the batch's next
   * offset for (topic, partition), in one atomic step: a redelivered batch never counts twice.
   */
  applyBatch(batch: StoreBatch): Promise<ApplyResult>;
  /** The next offset to apply per `topic:partition`. */
  appliedOffsets(): Promise<Map<string, string>>;
  /** Days from `fromDay` to `toDay` (yyyy-mm-dd, both included) that have figures, oldest first. */
  dailyStats(symbol: string, fromDay: string, toDay: string): Promise<DailyStats[]>;
  /** Candles whose start lies in [fromTs, toTs], oldest first. */
  candles(symbol: string, timeframe: Timeframe, fromTs: number, toTs: number): Promise<CandleView[]>;
  latest(symbol: string): Promise<LatestSnapshot | undefined>;
  symbols(): Promise<string[]>;
  health(): HealthStatus;
  close(): Promise<void>;
}

export interface StoreSettings {
  /** Candle retention per timeframe, counted back from the symbol's newest tick. */
  readonly candleRetentionMs: Readonly<Record<Timeframe, number>>;
  /** Signals kept in each symbol's recent list. */
  readonly recentSignals: number;
}

export class StoreError extends Error {
  constructor(
    readonly code: 'ERR_STORE_UNAVAILABLE' | 'ERR_STORE_CONFLICT' | 'ERR_STORE_CLOSED',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** The items of `batch` not yet applied, given the stored next offset of its partition. */
export function unappliedItems(batch: StoreBatch, storedNext: string | undefined): StoreBatch['items'] {
  if (storedNext === undefined) return batch.items;
  const next = BigInt(storedNext);
  return batch.items.filter((entry) => BigInt(entry.offset) >= next);
}

/** The later of two next offsets. */
export function laterOffset(stored: string | undefined, next: string): string {
  return stored !== undefined && BigInt(stored) > BigInt(next) ? stored : next;
}

export function offsetKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}
