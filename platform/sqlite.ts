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
}

export function openSqlite(file: string, options: SqliteOptions): Database.Database {
  if (file !== ':memory:') ownerOnly(file);
  const db = new Database(file);
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
