// What only the embedded log has to prove: durability across kill -9, sharing with another process,
// retention, and its one-member-per-group rule.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BusMessage } from '../../platform/bus/bus.js';
import { EmbeddedLog } from '../../platform/bus/embedded-log.js';
import { eventually } from '../support/wait.js';

const freshFile = () => join(mkdtempSync(join(tmpdir(), 'embedded-')), 'bus.sqlite');

async function readAll(log: EmbeddedLog, topic: string, expected: number): Promise<BusMessage[]> {
  const received: BusMessage[] = [];
  const subscription = await log.consume({ topics: [topic], from: 'earliest', handler: async (batch) => void received.push(...batch) });
  await eventually(() => assert.ok(received.length >= expected, `${received.length} of ${expected}`));
  await subscription.stop();
  return received;
}

test('nothing is lost when the writer is killed with SIGKILL after publish returned', async () => {
  const file = freshFile();
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'fixtures', 'embedded-writer.ts'), file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let confirmed = -1;
  let buffer = '';
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited with ${code}`))));
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) confirmed = Number(line);
      if (confirmed >= 300) child.kill('SIGKILL');
    });
  });
  const log = new EmbeddedLog({ file });
  const received = await readAll(log, 'durable', confirmed + 1);
  const numbers = received.map((message) => (JSON.parse(message.value) as { i: number }).i);
  assert.equal(
    numbers.slice(0, confirmed + 1),
    Array.from({ length: confirmed + 1 }, (_, i) => i),
    'every confirmed message, in order',
  );
  await log.close();
});

test('another process (or instance) on the same file reads what this one publishes', async () => {
  const file = freshFile();
  const writer = new EmbeddedLog({ file });
  await writer.ensureTopics([{ name: 'shared' }]);
  const reader = new EmbeddedLog({ file, pollIntervalMs: 20 });
  const received: BusMessage[] = [];
  const subscription = await reader.consume({ topics: ['shared'], from: 'latest', handler: async (batch) => void received.push(...batch) });
  await writer.publish('shared', [
    { key: 'a', value: 'one' },
    { key: 'a', value: 'two' },
  ]);
  await eventually(() =>
    assert.equal(
      received.map((m) => m.value),
      ['one', 'two'],
    ),
  );
  await subscription.stop();
  await Promise.all([reader.close(), writer.close()]);
});

test('retention deletes old messages; a consumer behind it skips to what remains', async () => {
  let now = 1_000_000_000_000;
  const log = new EmbeddedLog({ file: freshFile(), retentionMs: 3600_000, now: () => now });
  await log.publish('r', [{ key: 'a', value: 'old' }]);
  now += 2 * 3600_000;
  await log.publish('r', [{ key: 'a', value: 'new' }]);
  assert.is(log.applyRetention(), 1);
  const received = await readAll(log, 'r', 1);
  assert.equal(
    received.map((m) => [m.value, m.offset]),
    [['new', '1']],
    'offsets are never reused',
  );
  await log.close();
});

test('retention keeps the latest record of each key on a compacted topic, however old; other topics expire', async () => {
  let now = 1_000_000_000_000;
  const file = freshFile();
  const log = new EmbeddedLog({ file, retentionMs: 3600_000, now: () => now });
  await log.ensureTopics([{ name: 'changelog', partitions: 2, compact: true }, { name: 'plain' }]);
  await log.publish('changelog', [
    { key: 'p0', partition: 0, value: 'p0-v1' },
    { key: 'p0', partition: 0, value: 'p0-v2' },
    { key: 'p1', partition: 1, value: 'p1-v1' },
    { key: null, partition: 1, value: 'unkeyed' },
  ]);
  await log.publish('plain', [{ key: 'p0', value: 'old tick' }]);
  now += 9 * 24 * 3600_000;
  log.applyRetention();
  await log.close();
  // Reopened long after (retention also runs on open), as a processor restarted after a quiet spell.
  const reopened = new EmbeddedLog({ file, retentionMs: 3600_000, now: () => now + 24 * 3600_000 });
  const kept = await readAll(reopened, 'changelog', 2);
  assert.equal(kept.map((m) => [m.partition, m.offset, m.value]).sort(), [
    [0, '1', 'p0-v2'],
    [1, '0', 'p1-v1'],
  ]);
  assert.equal(await reopened.listTopics(), ['changelog', 'plain']);
  await reopened.publish('plain', [{ key: 'p0', value: 'new tick' }]);
  assert.equal(
    (await readAll(reopened, 'plain', 1)).map((m) => m.value),
    ['new tick'],
    'a topic that is not compacted still expires',
  );
  await reopened.close();
});

test('a group is consumed by one log at a time on a file, across instances (and processes), until stopped', async () => {
  const file = freshFile();
  const first = new EmbeddedLog({ file });
  const second = new EmbeddedLog({ file });
  const held = await first.consume({ topics: ['locked'], group: 'solo', handler: async () => {} });
  try {
    await second.consume({ topics: ['locked'], group: 'solo', handler: async () => {} });
    assert.unreachable('the group is held by the first');
  } catch (error) {
    assert.is((error as Error).message, `data directory ${dirname(file)} is in use by another stock-stream (pid ${process.pid})`);
  }
  const other = await second.consume({ topics: ['locked'], group: 'another', handler: async () => {} });
  await held.stop();
  const taken = await second.consume({ topics: ['locked'], group: 'solo', handler: async () => {} });
  await Promise.all([taken.stop(), other.stop()]);
  await Promise.all([first.close(), second.close()]);
});

test('a group has one member at a time in the embedded log, and a closed log refuses work', async () => {
  const log = new EmbeddedLog({ file: freshFile() });
  const first = await log.consume({ topics: ['g'], group: 'solo', handler: async () => {} });
  try {
    await log.consume({ topics: ['g'], group: 'solo', handler: async () => {} });
    assert.unreachable('a second member should be refused');
  } catch (error) {
    assert.is((error as { code?: string }).code, 'ERR_BUS_USAGE');
  }
  await first.stop();
  const again = await log.consume({ topics: ['g'], group: 'solo', handler: async () => {} });
  await again.stop();
  await log.close();
  try {
    await log.publish('g', [{ key: null, value: 'late' }]);
    assert.unreachable('closed');
  } catch (error) {
    assert.is((error as { code?: string }).code, 'ERR_BUS_CLOSED');
  }
  assert.is(log.health().ok, false);
});

test('a log file of the earlier shape (messages WITHOUT ROWID) is converted on open: same messages, offsets and group positions', async () => {
  const file = freshFile();
  const old = new Database(file);
  old.exec(`
    CREATE TABLE topics (name TEXT PRIMARY KEY, partitions INTEGER NOT NULL, compact INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE partition_heads (topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
      PRIMARY KEY (topic, partition)) WITHOUT ROWID;
    CREATE TABLE messages (topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL,
      key TEXT, value TEXT NOT NULL, ts INTEGER NOT NULL, PRIMARY KEY (topic, partition, offset)) WITHOUT ROWID;
    CREATE INDEX messages_by_time ON messages (ts);
    CREATE TABLE group_offsets (grp TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
      PRIMARY KEY (grp, topic, partition)) WITHOUT ROWID;
    INSERT INTO topics VALUES ('t', 1, 0);
    INSERT INTO partition_heads VALUES ('t', 0, 7);
    INSERT INTO messages VALUES ('t', 0, 5, 'k', 'five', 1000), ('t', 0, 6, 'k', 'six', 1001);
    INSERT INTO group_offsets VALUES ('g', 't', 0, 6);`);
  old.close();
  const log = new EmbeddedLog({ file, retentionMs: 1e15 });
  const received: BusMessage[] = [];
  const subscription = await log.consume({ topics: ['t'], group: 'g', handler: async (batch) => void received.push(...batch) });
  await log.publish('t', [{ key: 'k', value: 'seven' }]);
  await eventually(() =>
    assert.equal(
      received.map((m) => [m.offset, m.value]),
      [
        ['6', 'six'],
        ['7', 'seven'],
      ],
    ),
  );
  await subscription.stop();
  await log.close();
  const shape = new Database(file, { readonly: true });
  const sql = shape.prepare<[], { sql: string }>("SELECT sql FROM sqlite_schema WHERE name = 'messages'").get()!.sql;
  assert.not.match(sql, /WITHOUT ROWID/);
  assert.is(shape.prepare('SELECT COUNT(*) AS n FROM messages').pluck().get(), 3);
  shape.close();
});

test.run();
