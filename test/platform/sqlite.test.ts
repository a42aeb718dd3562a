// How the project opens SQLite files: owner-only permissions on what it creates, the -wal and -shm
// files included, whatever the umask lets through.
import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openSqlite } from '../../platform/sqlite.js';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

test('a new data directory is 0700; the database, its -wal and -shm are 0600', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'sqlite-')), 'data', 'nested');
  const file = join(dir, 'bus.sqlite');
  const previous = process.umask(0o022);
  try {
    const db = openSqlite(file, { synchronous: 'NORMAL', schema: 'CREATE TABLE IF NOT EXISTS t (x INTEGER)' });
    db.prepare('INSERT INTO t (x) VALUES (1)').run();
    assert.ok(existsSync(`${file}-wal`) && existsSync(`${file}-shm`), 'WAL mode made both');
    assert.equal([dir, join(dir, '..'), file, `${file}-wal`, `${file}-shm`].map(mode), ['700', '700', '600', '600', '600']);
    db.close();
  } finally {
    process.umask(previous);
  }
});

test('an existing database file readable by others is made owner-only when opened', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-'));
  const file = join(dir, 'aggregates.sqlite');
  writeFileSync(file, '');
  chmodSync(file, 0o644);
  const db = openSqlite(file, { synchronous: 'FULL', schema: 'CREATE TABLE IF NOT EXISTS t (x INTEGER)' });
  db.prepare('INSERT INTO t (x) VALUES (1)').run();
  assert.equal([file, `${file}-wal`, `${file}-shm`].map(mode), ['600', '600', '600']);
  db.close();
});

test.run();
