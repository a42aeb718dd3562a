// The ingestor's durable outbox: every accepted tick (and every dead letter) is written to SQLite
// first, and a drainer publishes the oldest to the bus, in order, deleting what the bus acknowledged.
// While the bus is away the outbox keeps accepting; at its bound it drops the oldest, loudly.
import type Database from 'better-sqlite3';
import type { Bus, OutgoingMessage } from '../../platform/bus/bus.js';
import { MAX_MESSAGE_BYTES } from '../../platform/bus/limits.js';
import type { Logger } from '../../platform/log.js';
import type { HealthStatus } from '../../platform/health.js';
import { backoffDelay, sleep } from '../../platform/retry.js';
import { openSqlite } from '../../platform/sqlite.js';

export interface OutboxOptions {
  /** The SQLite file (WAL); ':memory:' only in tests. */
  readonly file: string;
  /** Entries kept at most; past it the oldest not being published are deleted. */
  readonly maxTicks: number;
  readonly logger: Logger;
  /** Accepted entries wait in memory at most this long before one transaction writes them (default 100 ms). */
  readonly flushIntervalMs?: number;
  /** ... or until this many are waiting (default 500). */
  readonly flushBatch?: number;
  readonly now?: () => number;
  /** Told how many entries were dropped to keep the bound. */
  readonly onDrop?: (count: number) => void;
}

export interface OutboxEntry {
  readonly seq: number;
  readonly topic: string;
  readonly key: string | null;
  readonly value: string;
  /** Epoch ms at which the ingestor accepted it; becomes the message's timestamp on the bus. */
  readonly at: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL, key TEXT, value TEXT NOT NULL, at INTEGER NOT NULL);
`;

/** How often, at most, the drop-oldest error is logged again while drops continue. */
const DROP_LOG_INTERVAL_MS = 10_000;

export class Outbox {
  private readonly db: Database.Database;
  private readonly pending: Array<Omit<OutboxEntry, 'seq'>> = [];
  private readonly timer: NodeJS.Timeout;
  private readonly flushBatch: number;
  private readonly now: () => number;
  private readonly statements;
  private readonly listeners = new Set<() => void>();
  private stored: number;
  /** Entries up to this seq are being published: dropping them would not stop them arriving. */
  private protectedThrough = 0;
  private droppedTotal = 0;
  private droppedSinceLog = 0;
  private lastDropLog = Number.NEGATIVE_INFINITY;
  private lastWriteErrorLog = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(private readonly options: OutboxOptions) {
    // A committed batch survives a process crash; a power cut may lose the last few. One
    // transaction per flush keeps writes to an SD card few and large.
    this.db = openSqlite(options.file, { synchronous: 'NORMAL', schema: SCHEMA });
    this.now = options.now ?? Date.now;
    this.flushBatch = Math.max(1, options.flushBatch ?? 500);
    this.statements = {
      insert: this.db.prepare('INSERT INTO outbox (topic, key, value, at) VALUES (?, ?, ?, ?)'),
      count: this.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox'),
      oldest: this.db.prepare<[], { at: number }>('SELECT at FROM outbox ORDER BY seq LIMIT 1'),
      peek: this.db.prepare<[number], OutboxEntry>('SELECT seq, topic, key, value, at FROM outbox ORDER BY seq LIMIT ?'),
      removeThrough: this.db.prepare('DELETE FROM outbox WHERE seq <= ?'),
      dropOldest: this.db.prepare('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?)'),
    };
    this.stored = this.statements.count.get()!.n;
    if (this.stored > 0) options.logger.info({ waiting: this.stored }, 'outbox holds messages from a previous run: draining them first');
    this.timer = setInterval(() => this.flush(), options.flushIntervalMs ?? 100);
    this.timer.unref();
  }

  /** Accepts one message. It is on disk within flushIntervalMs, or at once when a batch is full. */
  add(topic: string, key: string | null, value: string, at = this.now()): void {
    if (this.closed) throw new Error('the outbox is closed');
    this.pending.push({ topic, key, value, at });
    if (this.pending.length >= this.flushBatch) this.flush();
  }

  /**
   * Writes what is waiting in memory in one transaction, then enforces the bound. Never throws: when
   * the disk refuses (full, read-only), the messages stay in memory, bounded like the disk, and the
   * next flush tries again.
   */
  flush(): void {
    if (this.closed || this.pending.length === 0) return;
    const entries = this.pending.slice();
    const excess = Math.max(0, this.stored + entries.length - this.options.maxTicks);
    let dropped = 0;
    try {
      this.db.transaction(() => {
        for (const entry of entries) this.statements.insert.run(entry.topic, entry.key, entry.value, entry.at);
        if (excess > 0) dropped = this.statements.dropOldest.run(this.protectedThrough, excess).changes;
      })();
    } catch (error) {
      const over = this.pending.length - this.options.maxTicks;
      if (over > 0) this.pending.splice(0, over);
      if (this.now() - this.lastWriteErrorLog >= DROP_LOG_INTERVAL_MS) {
        this.options.logger.error(
          { err: error, inMemory: this.pending.length },
          'cannot write the outbox; holding messages in memory and retrying',
        );
        this.lastWriteErrorLog = this.now();
      }
      if (over > 0) this.reportDrop(over);
      return;
    }
    this.pending.splice(0, entries.length);
    this.stored += entries.length - dropped;
    if (dropped > 0) this.reportDrop(dropped);
    for (const listener of this.listeners) listener();
  }

  /** Messages waiting: on disk and in memory. */
  size(): number {
    return this.stored + this.pending.length;
  }

  /** When the oldest waiting message was accepted, or undefined when none waits. */
  oldestAt(): number | undefined {
    if (this.stored > 0) return this.statements.oldest.get()?.at;
    return this.pending[0]?.at;
  }

  /** The bound: ingest.outbox.maxTicks. */
  get maxTicks(): number {
    return this.options.maxTicks;
  }

  dropped(): number {
    return this.droppedTotal;
  }

  /** The oldest entries on disk, which the caller is about to publish (protected from the drop). */
  take(limit: number): OutboxEntry[] {
    if (this.closed) return [];
    const entries = this.statements.peek.all(limit);
    this.protectedThrough = entries.at(-1)?.seq ?? 0;
    return entries;
  }

  /** Deletes every entry up to and including `seq`: the bus has them. */
  remove(seq: number): void {
    if (this.closed) return;
    this.stored -= this.statements.removeThrough.run(seq).changes;
    if (seq >= this.protectedThrough) this.protectedThrough = 0;
  }

  /** Called after each flush (the drainer waits on it). */
  onFlush(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    clearInterval(this.timer);
    this.closed = true;
    this.listeners.clear();
    this.db.close();
  }

  private reportDrop(count: number): void {
    this.droppedTotal += count;
    this.droppedSinceLog += count;
    this.options.onDrop?.(count);
    const now = this.now();
    if (now - this.lastDropLog < DROP_LOG_INTERVAL_MS) return;
    this.options.logger.error(
      { dropped: this.droppedSinceLog, droppedTotal: this.droppedTotal, waiting: this.stored, maxTicks: this.options.maxTicks },
      `outbox full (ingest.outbox.maxTicks = ${this.options.maxTicks}): the bus has not taken messages; dropped the ${this.droppedSinceLog} oldest`,
    );
    this.lastDropLog = now;
    this.droppedSinceLog = 0;
  }
}

export interface DrainerOptions {
  readonly outbox: Outbox;
  readonly bus: Bus;
  readonly logger: Logger;
  /** Entries published per round (default 500, at most half the outbox's bound). */
  readonly batchSize?: number;
  readonly now?: () => number;
  /** A backlog whose oldest message has waited longer than this makes health() fail (default 30 s). */
  readonly stalledAfterMs?: number;
  /** So does a publish the bus has not acknowledged for this long (default 5 s): Kafka is away. */
  readonly publishTimeoutMs?: number;
  /** Told what the bus acknowledged. */
  readonly onPublished?: (topic: string, count: number) => void;
}

/**
 * Publishes the outbox in order, one round at a time, and deletes each run of one topic as soon as the
 * bus acknowledges it. A publish that hangs (Kafka's producer retries until the cluster is back)
 * holds up only this loop: the outbox goes on accepting.
 */
export class OutboxDrainer {
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private wake: (() => void) | undefined;
  private lastError: string | undefined;
  private publishingSince: number | undefined;
  private readonly now: () => number;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: DrainerOptions) {
    this.now = options.now ?? Date.now;
    this.unsubscribe = options.outbox.onFlush(() => this.wake?.());
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops after the round in hand, waiting at most `graceMs` for a publish that hangs. */
  async stop(graceMs = 3000): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    this.unsubscribe();
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = await Promise.race([
      this.running.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (gaveUp)
      this.options.logger.warn('a publish still waits for the bus; its messages stay in the outbox and are sent again on the next start');
  }

  /** Resolves once nothing waits, on disk or in memory (a replay's end). */
  async drained(signal?: AbortSignal): Promise<void> {
    const { outbox } = this.options;
    while (!signal?.aborted && !this.stopping.signal.aborted) {
      outbox.flush();
      if (outbox.size() === 0) return;
      await sleep(20, signal);
    }
  }

  health(): HealthStatus {
    const { outbox } = this.options;
    const waiting = outbox.size();
    const oldest = outbox.oldestAt();
    const ageMs = oldest === undefined ? 0 : Math.max(0, this.now() - oldest);
    const dropped = outbox.dropped();
    const parts = [`${waiting} waiting`];
    if (waiting > 0) parts.push(`oldest ${Math.round(ageMs / 1000)} s`);
    if (dropped > 0) parts.push(`${dropped} dropped at the bound`);
    if (this.lastError) parts.push(`last publish error: ${this.lastError}`);
    const publishMs = this.publishingSince === undefined ? 0 : this.now() - this.publishingSince;
    if (publishMs > (this.options.publishTimeoutMs ?? 5000)) {
      return { ok: false, detail: `the bus has not acknowledged a publish for ${Math.round(publishMs / 1000)} s: ${parts.join(', ')}` };
    }
    const stalled = waiting > 0 && ageMs > (this.options.stalledAfterMs ?? 30_000);
    return { ok: !stalled, detail: (stalled ? 'not draining: ' : '') + parts.join(', ') };
  }

  /** The ingestor never writes one (ticks are small, dead letters cut), but one must not block the rest. */
  private dropOversized(entry: OutboxEntry): boolean {
    const bytes = Buffer.byteLength(entry.value) + (entry.key === null ? 0 : Buffer.byteLength(entry.key));
    if (bytes <= MAX_MESSAGE_BYTES) return false;
    this.options.logger.error({ seq: entry.seq, topic: entry.topic, bytes }, 'an outbox message larger than the bus accepts: dropped');
    return true;
  }

  private async loop(): Promise<void> {
    const { outbox, bus, logger } = this.options;
    // At most half the bound, so that the drop always has entries outside the round in hand.
    const batchSize = Math.max(1, Math.min(this.options.batchSize ?? 500, Math.floor(outbox.maxTicks / 2)));
    let attempt = 0;
    while (!this.stopping.signal.aborted) {
      try {
        const entries = outbox.take(batchSize);
        if (entries.length === 0) {
          await this.idle();
          continue;
        }
        for (const run of runsByTopic(entries, (entry) => this.dropOversized(entry))) {
          if (run.messages.length > 0) {
            this.publishingSince = this.now();
            await bus.publish(run.topic, run.messages).finally(() => (this.publishingSince = undefined));
          }
          outbox.remove(run.lastSeq);
          if (run.messages.length > 0) this.options.onPublished?.(run.topic, run.messages.length);
        }
        if (this.lastError) logger.info('the bus takes messages again; draining the outbox');
        this.lastError = undefined;
        attempt = 0;
      } catch (error) {
        this.lastError = (error as Error).message;
        logger.warn({ err: error, waiting: outbox.size() }, 'publishing the outbox failed; retrying');
        await sleep(backoffDelay(attempt++, { initialMs: 200, maxMs: 10_000 }), this.stopping.signal);
      }
    }
  }

  /** Waits for a flush; the timer only covers a wake lost between take() and here. */
  private async idle(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      timer = setTimeout(resolve, 1000);
    });
    clearTimeout(timer);
    this.wake = undefined;
  }
}

interface TopicRun {
  readonly topic: string;
  readonly messages: OutgoingMessage[];
  lastSeq: number;
}

/** Consecutive entries of one topic, in order: each run is one publish. */
function runsByTopic(entries: readonly OutboxEntry[], skip: (entry: OutboxEntry) => boolean): TopicRun[] {
  const runs: TopicRun[] = [];
  let current: TopicRun | undefined;
  for (const entry of entries) {
    if (current?.topic !== entry.topic) runs.push((current = { topic: entry.topic, messages: [], lastSeq: entry.seq }));
    if (!skip(entry)) current.messages.push({ key: entry.key, value: entry.value, timestamp: entry.at });
    current.lastSeq = entry.seq;
  }
  return runs;
}
