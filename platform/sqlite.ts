// How the project's adapters open a SQLite file: its directory made, owner-only permissions, WAL
// (readers, such as another process running `tail`, never block the writer), a busy timeout for a
// second process, the durability the caller chooses, and its schema. Also an exclusive lock
// between processes.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export interface SqliteOptions {
  /**
   * NORMAL: a commit survives a process crash, a power cut may lose the last ones (one fsync per
   * checkpoint, which spares an SD card). FULL: a commit survives a power cut too.
   */
  readonly synchronous: 'NORMAL' | 'FULL';
  /** Statements run on open, idempotent (CREATE TABLE IF NOT EXISTS ...). */
  readonly schema: string;
  /**
   * Bytes per page of a new file (SQLite's default is 4096). A commit writes every page it touched
   * whole, so a file whose commits touch a few rows of many small tables writes less with small pages.
   */
  readonly pageSize?: 512 | 1024 | 2048 | 4096;
}

export function openSqlite(file: string, options: SqliteOptions): Database.Database {
  if (file !== ':memory:') ownerOnly(file);
  const db = new Database(file);
  // Takes effect only as the file is created: a file made by an earlier version keeps its pages.
  if (options.pageSize !== undefined) db.pragma(`page_size = ${options.pageSize}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous}`);
  db.pragma('busy_timeout = 5000');
  db.exec(options.schema);
  return db;
}

export interface ExclusiveLock {
  release(): void;
}

/**
 * Takes the lock `file` for this connection, or says which process holds it. The lock is SQLite's
 * own (an OS lock on the file, held by a connection in exclusive locking mode), so the OS releases
 * it when the process dies, even by SIGKILL; a pid file beside it names the holder.
 */
export function tryExclusiveLock(file: string): { lock: ExclusiveLock } | { heldBy: number | undefined } {
  ownerOnly(file);
  const pidFile = `${file}.pid`;
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('journal_mode = DELETE');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (pid INTEGER); DELETE FROM holder;');
    db.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
    db.exec('COMMIT');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    // Written just after the holder took the lock: absent only in that instant.
    const pid = Number.parseInt(readText(pidFile) ?? '', 10);
    return { heldBy: Number.isInteger(pid) ? pid : undefined };
  }
  writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 });
  chmodSync(pidFile, 0o600);
  return {
    lock: {
      release: () => {
        if (!db.open) return;
        rmSync(pidFile, { force: true });
        db.close();
      },
    },
  };
}

/**
 * Prices, positions and notification addresses are nobody else's business: directories made here
 * are 0700, and the database file 0600 before SQLite opens it, since SQLite gives its -wal, -shm
 * and journal files the database file's permissions. Files left readable by an earlier version are
 * tightened; a directory that already existed is the user's and left as it is.
 */
function ownerOnly(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) if (existsSync(path)) chmodSync(path, 0o600);
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * One connection's writes, each atomic, made durable together: at most every `intervalMs` (0: each
 * write is its own commit). A Raspberry Pi's SD card wears out from writes, and SQLite writes every
 * page a commit touched, so a write a second committed one by one rewrites the same few hot pages
 * all day; grouped, it writes them once per interval. Readers on this connection see a write at
 * once (the dashboard and the OLED stay within a second of the tick); other processes, and the disk,
 * see a group when it commits. A crash therefore loses the writes of the last interval at most, all
 * of them together: every write is whole or absent, never half-applied.
 */
export class GroupCommit {
  private timer: NodeJS.Timeout | undefined;
  private failure: Error | undefined;

  constructor(
    readonly db: Database.Database,
    private readonly intervalMs: number,
    /** Told when a group cannot be committed (its writes are lost); the connection refuses writes afterwards. */
    private readonly onCommitError: (error: Error) => void = () => {},
  ) {}

  /** Runs `work` as one atomic write: its own immediate transaction, or a savepoint in the open group. */
  write<T>(work: () => T): T {
    if (this.failure) throw new Error(`writes are refused since a commit failed: ${this.failure.message}`);
    if (this.intervalMs <= 0) return this.db.transaction(work).immediate();
    if (!this.db.inTransaction) {
      this.db.exec('BEGIN IMMEDIATE');
      this.timer = setTimeout(() => this.commit(), this.intervalMs);
    }
    return this.db.transaction(work)();
  }

  /** Commits the open group now (before a side effect outside this database, and at close). */
  commit(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.db.open || !this.db.inTransaction) return;
    try {
      this.db.exec('COMMIT');
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.onCommitError(this.failure);
    }
  }

  /** Undefined, or why writes are refused. */
  get failed(): Error | undefined {
    return this.failure;
  }
}
