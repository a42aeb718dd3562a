// Grouped commits (platform/sqlite.ts GroupCommit, the embedded log's commitIntervalMs): what this
// process reads at once, what another process and the disk see when a group commits, and what a
// SIGKILL or a failed commit leaves: whole writes only, outputs and offsets together.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BusMessage } from '../../platform/bus/bus.js';
import { EmbeddedLog } from '../../platform/bus/embedded-log.js';
import { GroupCommit } from '../../platform/sqlite.js';
import { SqliteStore } from '../../platform/store/sqlite-store.js';
import { eventually } from '../support/wait.js';

const freshFile = () => join(mkdtempSync(join(tmpdir(), 'group-commit-')), 'bus.sqlite');
const HOUR = 3600_000;

async function readAll(log: EmbeddedLog, topic: string): Promise<string[]> {
  const received: BusMessage[] = [];
  const subscription = await log.consume({ topics: [topic], from: 'earliest', handler: async (batch) => void received.push(...batch) });
  // A consumer reads what exists in its first pass; give it that pass, then stop.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await subscription.stop();
  return received.map((message) => message.value);
}

test('a grouped write is read at once in this process, by another process only once the group commits', async () => {
  const file = freshFile();
  // An interval no test run reaches: only sync() commits here.
  const owner = new EmbeddedLog({ file, commitIntervalMs: 3_600_000 });
  await owner.ensureTopics([{ name: 'prices' }]);
  owner.sync();
  const seen: string[] = [];
  const own = await owner.consume({
    topics: ['prices'],
    from: 'earliest',
    handler: async (batch) => void seen.push(...batch.map((m) => m.value)),
  });
  await owner.publish('prices', [{ key: 'BTC-USD', value: '97000' }]);
  await eventually(() => assert.equal(seen, ['97000'], 'this process reads it at once'));

  const other = new EmbeddedLog({ file, pollIntervalMs: 20 });
  assert.equal(await readAll(other, 'prices'), [], 'another connection sees nothing before the commit');
  owner.sync();
  assert.equal(await readAll(other, 'prices'), ['97000'], 'and everything after it');
  await own.stop();
  await Promise.all([other.close(), owner.close()]);
});

test('close() commits the open group', async () => {
  const file = freshFile();
  const owner = new EmbeddedLog({ file, commitIntervalMs: 3_600_000 });
  await owner.publish('prices', [{ key: 'BTC-USD', value: '1' }]);
  await owner.close();
  const reopened = new EmbeddedLog({ file });
  assert.equal(await readAll(reopened, 'prices'), ['1']);
  await reopened.close();
});

test('SIGKILL loses at most the open group, whole: messages in whole publishes, outputs exactly up to the committed offset', async () => {
  const file = freshFile();
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'fixtures', 'grouped-writer.ts'), file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let published = -1;
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited with ${code}`))));
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = chunk.toString().trim().split('\n');
      published = Number(lines.at(-1));
      if (published >= 3_000) child.kill('SIGKILL');
    });
  });
  const log = new EmbeddedLog({ file });
  const input = await readAll(log, 'in');
  const output = await readAll(log, 'out');
  assert.ok(input.length > 0, 'groups were committed while it ran');
  assert.ok(input.length <= published + 1, `${input.length} on disk, ${published + 1} published`);
  assert.is(input.length % 3, 0, 'every publish whole or absent');
  assert.equal(
    input,
    Array.from({ length: input.length }, (_, i) => String(i)),
    'a prefix, in order',
  );
  const committed = Number((await log.committedOffsets('copy', 'in')).get(0) ?? 0);
  assert.equal(output, input.slice(0, committed), 'the copy has exactly what its committed offset says it consumed');
  await log.close();
});

test('a store on the log connection writes in the log groups: nothing of it reaches the disk before the group commits', async () => {
  const file = freshFile();
  const owner = new EmbeddedLog({ file, commitIntervalMs: 3_600_000 });
  const store = new SqliteStore({
    connection: owner.connection,
    candleRetentionMs: { '1m': HOUR, '5m': HOUR, '1h': HOUR },
    recentSignals: 5,
  });
  const tick = { symbol: 'BTC-USD', ts: Date.UTC(2026, 0, 5, 12), price: 97_000, volume: 0.5, source: 'test' };
  await store.applyBatch({ topic: 'stock.ticks', partition: 0, nextOffset: '1', items: [{ offset: '0', item: { kind: 'tick', tick } }] });
  assert.is((await store.dailyStats('BTC-USD', '2026-01-05', '2026-01-05'))[0]?.ticks, 1, 'read at once on the connection');
  const disk = () => new Database(file, { readonly: true }).prepare('SELECT COUNT(*) AS n FROM daily').get() as { n: number };
  assert.is(disk().n, 0, 'not on disk yet');
  owner.sync();
  assert.is(disk().n, 1, 'on disk with the group');
  await store.close();
  assert.equal(await owner.listTopics(), [], 'closing the store leaves the log open');
  await owner.close();
});

test('a commit that fails is reported, loses its group whole, and refuses writes after it', async () => {
  const db = new Database(':memory:');
  db.exec(`PRAGMA foreign_keys = ON;
    CREATE TABLE parent (id INTEGER PRIMARY KEY);
    CREATE TABLE child (parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);`);
  const errors: Error[] = [];
  const group = new GroupCommit(db, 3_600_000, (error) => errors.push(error));
  group.write(() => db.prepare('INSERT INTO parent (id) VALUES (1)').run());
  // Checked only at COMMIT: a commit that fails, as a full disk would make it.
  group.write(() => db.prepare('INSERT INTO child (parent) VALUES (2)').run());
  group.commit();
  assert.is(errors.length, 1);
  assert.match(errors[0]!.message, /FOREIGN KEY/);
  assert.is(db.inTransaction, false);
  assert.is((db.prepare('SELECT COUNT(*) AS n FROM parent').get() as { n: number }).n, 0, 'the whole group is gone');
  assert.throws(() => group.write(() => 1), /writes are refused since a commit failed: FOREIGN KEY/);
  db.close();
});

test('a write that throws inside an open group undoes itself only', async () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (x INTEGER)');
  const group = new GroupCommit(db, 3_600_000);
  group.write(() => db.prepare('INSERT INTO t VALUES (1)').run());
  assert.throws(() =>
    group.write(() => {
      db.prepare('INSERT INTO t VALUES (2)').run();
      throw new Error('handler failed');
    }),
  );
  group.commit();
  assert.equal(db.prepare('SELECT x FROM t').all(), [{ x: 1 }]);
  db.close();
});

test.run();
