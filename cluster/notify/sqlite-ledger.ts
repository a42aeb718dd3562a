// The single-node ledger: SQLite (better-sqlite3, WAL) in the data directory. Every change is one
// statement or one immediate transaction, so a kill -9 leaves each entry in exactly one state.
import type Database from 'better-sqlite3';
import type { HealthStatus } from '../../platform/health.js';
import { FINAL, WAITING, laneOf, type Delivery, type DeliveryState, type EnqueueResult, type Ledger } from './ledger.js';
import { openSqlite } from '../../platform/sqlite.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS deliveries (
    key TEXT PRIMARY KEY, lane TEXT NOT NULL, state TEXT NOT NULL,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL,
    claimed_at INTEGER, record TEXT NOT NULL) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_attempt_at);
  CREATE INDEX IF NOT EXISTS deliveries_updated ON deliveries (updated_at);
  CREATE TABLE IF NOT EXISTS lanes (lane TEXT PRIMARY KEY, last_sent_at INTEGER NOT NULL) WITHOUT ROWID;
`;

interface Row {
  record: string;
}

export class SqliteLedger implements Ledger {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;

  constructor(readonly file: string) {
    // FULL: a delivery recorded as sent must stay recorded through a power cut, or it is sent again.
    this.db = openSqlite(file, { synchronous: 'FULL', schema: SCHEMA });
  }

  async enqueue(entries: readonly Delivery[], maxQueued: number, now: number): Promise<EnqueueResult> {
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO deliveries (key, lane, state, created_at, updated_at, next_attempt_at, claimed_at, record) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)',
    );
    const run = this.db.transaction(() => {
      let added = 0;
      for (const entry of entries) {
        added += insert.run(
          entry.key,
          laneOf(entry),
          entry.state,
          entry.createdAt,
          entry.updatedAt,
          entry.nextAttemptAt,
          JSON.stringify(entry),
        ).changes;
      }
      const waiting = (this.db.prepare("SELECT count(*) AS n FROM deliveries WHERE state IN ('pending','retry')").get() as { n: number }).n;
      let dropped = 0;
      if (waiting > maxQueued) {
        const oldest = this.db
          .prepare("SELECT record FROM deliveries WHERE state IN ('pending','retry') ORDER BY created_at, key LIMIT ?")
          .all(waiting - maxQueued) as Row[];
        for (const row of oldest) {
          const entry = JSON.parse(row.record) as Delivery;
          this.write({ ...entry, state: 'dropped', updatedAt: now, error: `queue full (${maxQueued} waiting)` });
          dropped++;
        }
      }
      return { added, dropped };
    });
    return run.immediate();
  }

  async due(now: number, limit: number): Promise<Delivery[]> {
    const rows = this.db
      .prepare("SELECT record FROM deliveries WHERE state IN ('pending','retry') AND next_attempt_at <= ? ORDER BY created_at, key LIMIT ?")
      .all(now, limit) as Row[];
    return rows.map((row) => JSON.parse(row.record) as Delivery);
  }

  async claim(entries: readonly Delivery[]): Promise<Delivery[]> {
    // One transaction: a crash or an error part-way leaves every entry as it was, never some claimed
    // for a send that will not begin.
    return this.db.transaction(() => entries.filter((entry) => this.compareAndSet(entry, WAITING))).immediate();
  }

  async transition(next: Delivery, from: readonly DeliveryState[]): Promise<boolean> {
    return this.compareAndSet(next, from);
  }

  private compareAndSet(next: Delivery, from: readonly DeliveryState[]): boolean {
    const placeholders = from.map(() => '?').join(',');
    const result = this.db
      .prepare(
        `UPDATE deliveries SET state = ?, updated_at = ?, next_attempt_at = ?, claimed_at = ?, record = ? WHERE key = ? AND state IN (${placeholders})`,
      )
      .run(next.state, next.updatedAt, next.nextAttemptAt, next.claimedAt ?? null, JSON.stringify(next), next.key, ...from);
    return result.changes === 1;
  }

  private write(entry: Delivery): void {
    this.db
      .prepare('UPDATE deliveries SET state = ?, updated_at = ?, next_attempt_at = ?, claimed_at = ?, record = ? WHERE key = ?')
      .run(entry.state, entry.updatedAt, entry.nextAttemptAt, entry.claimedAt ?? null, JSON.stringify(entry), entry.key);
  }

  async stale(before: number): Promise<Delivery[]> {
    const rows = this.db.prepare("SELECT record FROM deliveries WHERE state = 'sending' AND claimed_at < ?").all(before) as Row[];
    return rows.map((row) => JSON.parse(row.record) as Delivery);
  }

  async lastSent(lane: string): Promise<number | undefined> {
    const row = this.db.prepare('SELECT last_sent_at FROM lanes WHERE lane = ?').get(lane) as { last_sent_at: number } | undefined;
    return row?.last_sent_at;
  }

  async setLastSent(lane: string, at: number): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO lanes (lane, last_sent_at) VALUES (?, ?) ON CONFLICT (lane) DO UPDATE SET last_sent_at = max(last_sent_at, excluded.last_sent_at)',
      )
      .run(lane, at);
  }

  async recent(limit: number): Promise<Delivery[]> {
    const rows = this.db.prepare('SELECT record FROM deliveries ORDER BY updated_at DESC, key LIMIT ?').all(limit) as Row[];
    return rows.map((row) => JSON.parse(row.record) as Delivery);
  }

  async counts(): Promise<Partial<Record<DeliveryState, number>>> {
    const rows = this.db.prepare('SELECT state, count(*) AS n FROM deliveries GROUP BY state').all() as Array<{
      state: DeliveryState;
      n: number;
    }>;
    return Object.fromEntries(rows.map((row) => [row.state, row.n]));
  }

  async prune(before: number): Promise<number> {
    const placeholders = FINAL.map(() => '?').join(',');
    return this.db.prepare(`DELETE FROM deliveries WHERE state IN (${placeholders}) AND updated_at < ?`).run(...FINAL, before).changes;
  }

  health(): HealthStatus {
    try {
      this.db.prepare('SELECT 1').get();
      return { ok: true, detail: this.file };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
