// How the project's adapters open a SQLite file: its directory made, WAL (readers, such as another
// process running `tail`, never block the writer), a busy timeout for a second process, the
// durability the caller chooses, and its schema.
import { mkdirSync } from 'node:fs';
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
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous}`);
  db.pragma('busy_timeout = 5000');
  db.exec(options.schema);
  return db;
}
