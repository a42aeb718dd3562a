// The single-node bus: a durable, append-only log in SQLite (WAL) with Kafka's semantics of
// partitions, offsets and consumer groups, so one process needs no broker.
import { EventEmitter } from 'node:events';
import { dirname, isAbsolute, join } from 'node:path';
import type Database from 'better-sqlite3';
import { backoffDelay, sleep } from '../retry.js';
import {
  BusError,
  type Bus,
  type BusHealth,
  type BusMessage,
  type ConsumeOptions,
  type OutgoingMessage,
  type Subscription,
  type TopicSpec,
} from './bus.js';
import { checkConsumeOptions, checkMessageSizes, collectingContext } from './limits.js';
import { partitionForKey } from './partitioner.js';
import { GroupCommit, openSqlite, tryExclusiveLock, type ExclusiveLock } from '../sqlite.js';

export interface EmbeddedLogOptions {
  /** The SQLite file; ':memory:' for a private, non-durable log. */
  readonly file: string;
  /** Partitions given to a topic created implicitly. */
  readonly defaultPartitions?: number;
  readonly retentionMs?: number;
  /** How often a consumer looks for messages written by another process. */
  readonly pollIntervalMs?: number;
  readonly batchSize?: number;
  readonly now?: () => number;
  /** Told about a failing handler before its batch is delivered again. */
  readonly onHandlerError?: (error: unknown, topic: string, partition: number) => void;
  /**
   * 0 (default): every publish and every consumed batch is committed on its own. N: they are grouped
   * into one commit at most every N ms (see GroupCommit): for the one process that owns the log
   * (`stock-stream run`), to spare an SD card. Other processes see the log's news when it commits.
   */
  readonly commitIntervalMs?: number;
  /** Told when a grouped commit fails: its writes are lost and the log refuses further writes. */
  readonly onCommitError?: (error: Error) => void;
}

interface Row {
  partition: number;
  offset: number;
  key: string | null;
  value: string;
  ts: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS topics (name TEXT PRIMARY KEY, partitions INTEGER NOT NULL, compact INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE IF NOT EXISTS partition_heads (
    topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
    PRIMARY KEY (topic, partition)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY,
    topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL,
    key TEXT, value TEXT NOT NULL, ts INTEGER NOT NULL);
  CREATE UNIQUE INDEX IF NOT EXISTS messages_by_offset ON messages (topic, partition, offset);
  DROP INDEX IF EXISTS messages_by_time;
  CREATE TABLE IF NOT EXISTS group_offsets (
    grp TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
    PRIMARY KEY (grp, topic, partition)) WITHOUT ROWID;
`;

export class EmbeddedLog implements Bus {
  readonly kind = 'embedded' as const;
  private readonly db: Database.Database;
  private readonly group: GroupCommit;
  private readonly ownerLock: ExclusiveLock | undefined;
  private readonly file: string;
  private readonly appended = new EventEmitter();
  private readonly activeGroups = new Set<string>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly defaultPartitions: number;
  private readonly retentionMs: number;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly now: () => number;
  private readonly onHandlerError: EmbeddedLogOptions['onHandlerError'];
  private readonly retentionTimer: NodeJS.Timeout;
  private roundRobin = 0;
  private closed = false;
  private readonly statements;

  constructor(options: EmbeddedLogOptions) {
    const commitIntervalMs = options.commitIntervalMs ?? 0;
    // The owner holds the write lock for a whole commit group: a second owner (another `run` on the
    // same directory) would wait on it, so it is refused at once instead, before touching the file.
    this.ownerLock = commitIntervalMs > 0 ? lockOn(options.file, 'owner') : undefined;
    // Every committed publish survives a process crash; only a power cut can lose the last commits.
    // 1 KiB pages: a commit touches a page of each of several small tables (offsets, heads, the
    // store's latest and daily rows), and with 4 KiB pages wrote four times the bytes to the SD card.
    this.db = openSqlite(options.file, { synchronous: 'NORMAL', schema: SCHEMA, pageSize: 1024 });
    migrateMessages(this.db);
    this.group = new GroupCommit(this.db, commitIntervalMs, options.onCommitError);
    // Another process writing to this file waits for the group that holds the write lock to commit
    // (embeddedLog.commitIntervalSeconds is at most 10).
    this.db.pragma('busy_timeout = 30000');
    // The WAL is copied into the file every 4 MiB (SQLite's default, 1000 pages, counts 4 KiB ones):
    // a page rewritten many times between two checkpoints is copied once.
    this.db.pragma('wal_autocheckpoint = 4096');
    this.file = options.file;
    this.defaultPartitions = options.defaultPartitions ?? 1;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.batchSize = options.batchSize ?? 500;
    this.now = options.now ?? Date.now;
    this.onHandlerError = options.onHandlerError;
    this.appended.setMaxListeners(0);
    this.statements = {
      topics: this.db.prepare<[], { name: string }>('SELECT name FROM topics ORDER BY name'),
      topic: this.db.prepare<[string], { partitions: number; compact: number }>('SELECT partitions, compact FROM topics WHERE name = ?'),
      createTopic: this.db.prepare('INSERT OR IGNORE INTO topics (name, partitions, compact) VALUES (?, ?, ?)'),
      replaceKey: this.db.prepare('UPDATE messages SET offset = ?, value = ?, ts = ? WHERE topic = ? AND partition = ? AND key = ?'),
      createHead: this.db.prepare('INSERT OR IGNORE INTO partition_heads (topic, partition, next_offset) VALUES (?, ?, 0)'),
      head: this.db.prepare<[string, number], { next_offset: number }>(
        'SELECT next_offset FROM partition_heads WHERE topic = ? AND partition = ?',
      ),
      setHead: this.db.prepare('UPDATE partition_heads SET next_offset = ? WHERE topic = ? AND partition = ?'),
      insert: this.db.prepare('INSERT INTO messages (topic, partition, offset, key, value, ts) VALUES (?, ?, ?, ?, ?, ?)'),
      earliest: this.db.prepare<[string, number], { first: number | null }>(
        'SELECT MIN(offset) AS first FROM messages WHERE topic = ? AND partition = ?',
      ),
      read: this.db.prepare<[string, number, number, number], Row>(
        'SELECT partition, offset, key, value, ts FROM messages WHERE topic = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT ?',
      ),
      committed: this.db.prepare<[string, string, number], { next_offset: number }>(
        'SELECT next_offset FROM group_offsets WHERE grp = ? AND topic = ? AND partition = ?',
      ),
      commit: this.db.prepare(
        `INSERT INTO group_offsets (grp, topic, partition, next_offset) VALUES (?, ?, ?, ?)
         ON CONFLICT (grp, topic, partition) DO UPDATE SET next_offset = excluded.next_offset`,
      ),
      // Retention takes a partition's prefix up to its first message that is recent enough, as
      // Kafka drops whole old segments: a consumer never finds a hole in the middle of a partition.
      // The search walks only what expired since the last pass (no index on time to keep up to date).
      firstRecent: this.db.prepare<[string, number, number], { offset: number }>(
        'SELECT offset FROM messages WHERE topic = ? AND partition = ? AND ts >= ? ORDER BY offset LIMIT 1',
      ),
      expirePrefix: this.db.prepare('DELETE FROM messages WHERE topic = ? AND partition = ? AND offset < ?'),
      // A compacted topic is a changelog (the processor's state): its latest record per key is the
      // state itself and must outlive any quiet spell, so retention takes only what compaction would.
      expireCompacted: this.db.prepare(
        `DELETE FROM messages WHERE topic = @topic AND partition = @partition AND offset < @before AND NOT (
           key IS NOT NULL AND offset = (SELECT MAX(latest.offset) FROM messages AS latest
                                         WHERE latest.topic = @topic AND latest.partition = @partition AND latest.key = messages.key))`,
      ),
      partitions: this.db.prepare<[], { topic: string; partition: number; next_offset: number; compact: number }>(
        `SELECT heads.topic, heads.partition, heads.next_offset, topics.compact
         FROM partition_heads AS heads JOIN topics ON topics.name = heads.topic`,
      ),
      groupOffsets: this.db.prepare<[string, string], { partition: number; next_offset: number }>(
        'SELECT partition, next_offset FROM group_offsets WHERE grp = ? AND topic = ?',
      ),
    };
    this.applyRetention();
    this.retentionTimer = setInterval(() => this.applyRetention(), Math.min(this.retentionMs, 3600_000));
    this.retentionTimer.unref();
  }

  async listTopics(): Promise<string[]> {
    this.assertOpen();
    return this.statements.topics.all().map((row) => row.name);
  }

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    this.assertOpen();
    this.group.write(() => {
      for (const topic of topics) this.partitionsOf(topic.name, topic.partitions, topic.compact);
    });
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.assertOpen();
    checkMessageSizes(topic, messages);
    this.group.write(() => this.append(topic, messages));
    this.appended.emit('append', topic);
  }

  async partitionCount(topic: string): Promise<number | undefined> {
    this.assertOpen();
    return this.statements.topic.get(topic)?.partitions;
  }

  async committedOffsets(group: string, topic: string): Promise<Map<number, string>> {
    this.assertOpen();
    const rows = this.statements.groupOffsets.all(group, topic);
    return new Map(rows.map((row) => [row.partition, String(row.next_offset)]));
  }

  /** Appends inside the caller's transaction. */
  private append(topic: string, messages: readonly OutgoingMessage[]): void {
    const now = this.now();
    const partitions = this.partitionsOf(topic);
    // Compaction happens as the newer message is written, so a changelog holds one message per key.
    const compact = this.statements.topic.get(topic)?.compact === 1;
    for (const message of messages) {
      const partition =
        message.partition ?? (message.key === null ? this.roundRobin++ % partitions : partitionForKey(message.key, partitions));
      if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
        throw new BusError('ERR_BUS_USAGE', `${topic} has no partition ${partition}`);
      }
      const offset = this.statements.head.get(topic, partition)!.next_offset;
      const ts = message.timestamp ?? now;
      // On a compacted topic the key's one message is rewritten where it lies (new offset, value and
      // time), so a changelog written every batch reuses its pages instead of freeing and taking some.
      const replaced =
        compact &&
        message.key !== null &&
        this.statements.replaceKey.run(offset, message.value, ts, topic, partition, message.key).changes > 0;
      if (!replaced) this.statements.insert.run(topic, partition, offset, message.key, message.value, ts);
      this.statements.setHead.run(offset + 1, topic, partition);
    }
  }

  async consume(options: ConsumeOptions): Promise<Subscription> {
    this.assertOpen();
    const from = options.from ?? 'committed';
    const group = options.group;
    checkConsumeOptions(options);
    if (group !== undefined && this.activeGroups.has(group)) {
      throw new BusError(
        'ERR_BUS_USAGE',
        `group ${group} already has a consumer in this process (the embedded log gives a group one member)`,
      );
    }
    const lock = group === undefined ? undefined : this.lockGroup(group);
    let positions: Array<{ topic: string; partition: number; next: number; committedLast?: boolean }>;
    try {
      positions = this.startingPositions(options.topics, group, from);
    } catch (error) {
      lock?.release();
      throw error;
    }

    if (group !== undefined) this.activeGroups.add(group);
    let stopping = false;
    let wake: () => void = () => {};
    const onAppend = () => wake();
    this.appended.on('append', onAppend);

    const loop = async () => {
      let failures = 0;
      while (!stopping) {
        let delivered = false;
        for (const position of positions) {
          if (stopping) break;
          // A consumer that fell behind retention skips to what still exists, as Kafka's reset does.
          position.next = Math.max(position.next, this.earliestOf(position.topic, position.partition));
          const rows = this.statements.read.all(position.topic, position.partition, position.next, this.batchSize);
          if (rows.length === 0) continue;
          const batch: BusMessage[] = rows.map((row) => ({
            topic: position.topic,
            partition: row.partition,
            offset: String(row.offset),
            key: row.key,
            value: row.value,
            timestamp: row.ts,
          }));
          const { context, outputs } = collectingContext(position.committedLast === true);
          position.committedLast = false;
          const next = rows[rows.length - 1]!.offset + 1;
          try {
            await options.handler(batch, context);
            if (this.closed) break;
            // One SQLite transaction: what the handler published and the group's commit land together,
            // so the embedded log is always exactly-once, transactional or not.
            this.group.write(() => {
              for (const output of outputs) this.append(output.topic, output.messages);
              if (group !== undefined) this.statements.commit.run(group, position.topic, position.partition, next);
            });
          } catch (error) {
            this.onHandlerError?.(error, position.topic, position.partition);
            await sleep(backoffDelay(failures++, { initialMs: 100, maxMs: 5000 }));
            delivered = true;
            break;
          }
          failures = 0;
          position.committedLast = true;
          if (outputs.length > 0) this.appended.emit('append');
          position.next = next;
          delivered = true;
        }
        if (!delivered && !stopping) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, this.pollIntervalMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = () => {};
        }
      }
    };
    const running = loop();
    const subscription: Subscription = {
      stop: async () => {
        if (stopping) return running;
        stopping = true;
        wake();
        this.appended.off('append', onAppend);
        await running;
        lock?.release();
        if (group !== undefined) this.activeGroups.delete(group);
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * Makes everything written so far durable now: for a role about to act outside this log on what it
   * read (the store of the same file needs not: it writes in the same groups, see `connection`).
   */
  sync(): void {
    if (!this.closed) this.group.commit();
  }

  /** The log's connection and its commit groups, for a store kept in the same file whose writes must be atomic with the log's. */
  get connection(): GroupCommit {
    return this.group;
  }

  health(): BusHealth {
    const failed = this.group.failed;
    if (failed) return { kind: 'embedded', ok: false, detail: `a commit failed, writes refused: ${failed.message}` };
    return { kind: 'embedded', ok: !this.closed, detail: this.closed ? 'closed' : `embedded log ${this.db.name}` };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    this.group.commit();
    this.closed = true;
    clearInterval(this.retentionTimer);
    this.db.close();
    this.ownerLock?.release();
  }

  /** Deletes messages past retention, except the latest of each key on a compacted topic; returns how many went. */
  applyRetention(): number {
    if (this.closed) return 0;
    const cutoff = this.now() - this.retentionMs;
    // Found by reading first: a process that only reads (`stock-stream tail`) never waits for the
    // write lock that another process's open commit group holds, unless there is something to delete.
    const expired = this.statements.partitions
      .all()
      .map(({ topic, partition, next_offset: head, compact }) => ({
        topic,
        partition,
        compact,
        before: this.statements.firstRecent.get(topic, partition, cutoff)?.offset ?? head,
      }))
      .filter(({ topic, partition, before }) => this.earliestOf(topic, partition) < before);
    if (expired.length === 0) return 0;
    return this.group.write(() => {
      let deleted = 0;
      for (const { topic, partition, compact, before } of expired) {
        deleted +=
          compact === 1
            ? this.statements.expireCompacted.run({ topic, partition, before }).changes
            : this.statements.expirePrefix.run(topic, partition, before).changes;
      }
      return deleted;
    });
  }

  private startingPositions(topics: readonly string[], group: string | undefined, from: 'committed' | 'earliest' | 'latest') {
    // Without a group only a topic not there yet is written: a reader takes no write lock otherwise.
    const transaction =
      group === undefined ? <T>(work: () => T) => this.db.transaction(work).deferred() : this.group.write.bind(this.group);
    return transaction(() => {
      const result: Array<{ topic: string; partition: number; next: number }> = [];
      for (const topic of topics) {
        for (let partition = 0; partition < this.partitionsOf(topic); partition++) {
          const committed = group === undefined ? undefined : this.statements.committed.get(group, topic, partition);
          const next =
            from === 'latest'
              ? this.headOf(topic, partition)
              : from === 'committed' && committed !== undefined
                ? committed.next_offset
                : this.earliestOf(topic, partition);
          if (group !== undefined && from !== 'committed') this.statements.commit.run(group, topic, partition, next);
          result.push({ topic, partition, next });
        }
      }
      return result;
    });
  }

  /**
   * A group is consumed by one process at a time on a data directory, across processes as within
   * one: a second `run` (or a second processor) on the same directory would process every tick
   * twice. The lock is SQLite's, so a process that dies (even by SIGKILL) lets go of it.
   */
  private lockGroup(group: string): ExclusiveLock | undefined {
    return lockOn(this.file, `group-${encodeURIComponent(group)}`);
  }

  private partitionsOf(topic: string, wanted?: number, compact = false): number {
    const existing = this.statements.topic.get(topic);
    if (existing) return existing.partitions;
    const partitions = wanted ?? this.defaultPartitions;
    this.statements.createTopic.run(topic, partitions, compact ? 1 : 0);
    for (let partition = 0; partition < partitions; partition++) this.statements.createHead.run(topic, partition);
    return partitions;
  }

  private headOf(topic: string, partition: number): number {
    return this.statements.head.get(topic, partition)?.next_offset ?? 0;
  }

  private earliestOf(topic: string, partition: number): number {
    return this.statements.earliest.get(topic, partition)?.first ?? this.headOf(topic, partition);
  }

  private assertOpen(): void {
    if (this.closed) throw new BusError('ERR_BUS_CLOSED', 'the embedded log is closed');
  }
}

/**
 * Until 0.1.0 messages were a WITHOUT ROWID table keyed by (topic, partition, offset): its cells
 * hold at most a quarter page, so with small pages every indicator record took an overflow page of
 * its own. Now a rowid table (a record up to nearly a page in its cell) with that key as an index.
 * A file of the old shape is converted once, in one transaction, offsets unchanged.
 */
function migrateMessages(db: Database.Database): void {
  const table = db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'messages'").get();
  if (!table || !/WITHOUT ROWID/i.test(table.sql)) return;
  db.transaction(() => {
    db.exec('ALTER TABLE messages RENAME TO messages_v1; DROP INDEX IF EXISTS messages_by_offset;');
    db.exec(SCHEMA);
    db.exec(
      `INSERT INTO messages (topic, partition, offset, key, value, ts)
       SELECT topic, partition, offset, key, value, ts FROM messages_v1 ORDER BY topic, partition, offset`,
    );
    db.exec('DROP TABLE messages_v1');
  }).immediate();
}

/** Takes the lock `name` of the log `file`'s data directory, or says which process holds it. */
function lockOn(file: string, name: string): ExclusiveLock | undefined {
  if (file === ':memory:') return undefined;
  const taken = tryExclusiveLock(join(`${file}.locks`, `${name}.lock`));
  if ('lock' in taken) return taken.lock;
  const dir = dirname(file);
  const shown = isAbsolute(dir) || dir.startsWith('.') ? dir : `./${dir}`;
  throw new BusError('ERR_BUS_USAGE', `data directory ${shown} is in use by another stock-stream (pid ${taken.heldBy ?? 'unknown'})`);
}
