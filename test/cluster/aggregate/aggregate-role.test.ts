// `stock-stream aggregate` as a real process: /healthz and /metrics, SIGKILL at random moments while
// a backlog drains and more arrives, then figures equal to a direct computation (no tick lost or
// counted twice); on Kafka with Redis also Redis going away and coming back; and `stock-stream stats`.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DAY_MS } from '../../../core/aggregate/calendar.js';
import type { DailyStats } from '../../../core/aggregate/daily.js';
import type { Bus, OutgoingMessage } from '../../../platform/bus/bus.js';
import { EmbeddedLog } from '../../../platform/bus/embedded-log.js';
import { KafkaBus } from '../../../platform/bus/kafka-bus.js';
import { createLogger } from '../../../platform/log.js';
import { RedisStore } from '../../../platform/store/redis-store.js';
import { SqliteStore } from '../../../platform/store/sqlite-store.js';
import type { AggregateStore, StoreSettings } from '../../../platform/store/store.js';
import { seededRandom } from '../../core/indicators/price-series.js';
import { freePort } from '../../services/child.js';
import { startRedis } from '../../services/redis.js';
import { aggregateInput, assertSameDailies, directDailies } from '../../support/aggregates.js';
import { indicatorMessages, signalMessages, tickMessages } from '../../support/aggregate-messages.js';
import { cli, startService, type Service } from '../../support/cli.js';
import { shutdownKeepingData } from '../../support/redis-outage.js';
import { services } from '../../support/services.js';
import { eventually } from '../../support/wait.js';

const SETTINGS: StoreSettings = { candleRetentionMs: { '1m': 7 * DAY_MS, '5m': 30 * DAY_MS, '1h': 365 * DAY_MS }, recentSignals: 50 };

interface Role extends Service {
  port: number;
}

async function startRole(env: Record<string, string>): Promise<Role> {
  const port = await freePort();
  return { ...(await startService(['aggregate'], { PORT: String(port), HOST: '127.0.0.1', ...env })), port };
}

async function health(port: number) {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: response.status, body: (await response.json()) as { checks: Record<string, { ok: boolean; detail: string }> } };
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function allDailies(store: AggregateStore): Promise<DailyStats[]> {
  const out = [];
  for (const symbol of await store.symbols()) out.push(...(await store.dailyStats(symbol, '2000-01-01', '2100-01-01')));
  return out;
}

async function drained(store: AggregateStore, expected: Record<string, number>, timeoutMs = 120_000): Promise<void> {
  await eventually(
    async () => {
      const offsets = await store.appliedOffsets();
      for (const [topic, count] of Object.entries(expected)) {
        const applied = [...offsets].filter(([key]) => key.startsWith(`${topic}:`)).reduce((sum, [, next]) => sum + Number(next), 0);
        assert.is(applied, count, `${topic}: ${applied} of ${count}`);
      }
    },
    timeoutMs,
    100,
  );
}

/** Publishes a backlog, then the rest in small slices while `during` runs (the kills). */
async function publishWhile(
  bus: Bus,
  topic: string,
  messages: readonly OutgoingMessage[],
  backlog: number,
  during: () => Promise<void>,
): Promise<void> {
  for (let i = 0; i < backlog; i += 2000) await bus.publish(topic, messages.slice(i, Math.min(backlog, i + 2000)));
  let published = backlog;
  let done = false;
  const publishing = (async () => {
    // A trickle while the kills go on, so that they land mid-stream; the remainder at once after.
    while (published < messages.length) {
      const size = done ? messages.length - published : 40;
      await bus.publish(topic, messages.slice(published, published + size));
      published += size;
      if (!done) await new Promise((resolve) => setTimeout(resolve, 40));
    }
  })();
  await during();
  done = true;
  await publishing;
}

async function killRepeatedly(start: () => Promise<Role>, rounds: number, seed: number): Promise<void> {
  const random = seededRandom(seed);
  for (let round = 0; round < rounds; round++) {
    const role = await start();
    await new Promise((resolve) => setTimeout(resolve, 100 + Math.floor(random() * 500)));
    await kill(role.child);
  }
}

const test = suite('aggregate role');

test('single node (embedded log, SQLite): healthz, metrics, SIGKILL mid-stream, stats', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agg-role-'));
  const env = { STOCK_STREAM_DATA_DIR: dataDir };
  const bus = new EmbeddedLog({ file: join(dataDir, 'bus.sqlite'), pollIntervalMs: 20 });
  const input = aggregateInput({ days: 4, seed: 41 });
  const ticks = tickMessages(input);
  const signals = signalMessages(input);
  const indicators = indicatorMessages(input);
  await bus.publish('stock.signals', signals);
  await bus.publish('stock.indicators', indicators);
  const beforeLast = ticks.length - 500;
  await publishWhile(bus, 'stock.ticks', ticks.slice(0, beforeLast), Math.floor(ticks.length * 0.6), () =>
    killRepeatedly(() => startRole(env), 4, 5),
  );

  const role = await startRole(env);
  await bus.publish('stock.ticks', ticks.slice(beforeLast));
  const ok = await health(role.port);
  assert.is(ok.status, 200);
  assert.equal(Object.keys(ok.body.checks).sort(), ['aggregator', 'embedded-log', 'sqlite']);
  // On a single node the store lives in the embedded log's file (platform/store/select.ts storeFile).
  const store = new SqliteStore({ ...SETTINGS, file: join(dataDir, 'bus.sqlite') });
  await drained(store, { 'stock.ticks': ticks.length, 'stock.signals': signals.length, 'stock.indicators': indicators.length });
  const expected = directDailies(input.ticks, input.signals);
  assertSameDailies(await allDailies(store), expected);
  const metrics = await (await fetch(`http://127.0.0.1:${role.port}/metrics`)).text();
  // The last instance may only have skipped what the killed ones applied: any result counts here.
  assert.match(metrics, /^stock_stream_aggregate_messages_total\{[^}]*topic="stock.ticks"[^}]*\} \d+$/m);
  role.child.kill('SIGTERM');
  assert.is(await role.exit, 0, 'stopped cleanly');
  await store.close();
  await bus.close();

  const table = await cli(['stats', '--days', '30'], env);
  assert.is(table.code, 0, table.stderr);
  const lines = table.stdout.trim().split('\n');
  assert.match(lines[0]!, /^symbol\s+day\s+open\s+high\s+low\s+close\s+avg\s+twap\s+ticks\s+volume\s+buy\s+sell$/);
  assert.is(lines.length, 1 + expected.length);
  const btcFirst = expected.find((d) => d.symbol === 'BTC-USD')!;
  const row = lines.find((line) => line.startsWith(`BTC-USD  ${btcFirst.day}`))!.split(/\s+/);
  assert.equal(
    row.slice(2, 6),
    [btcFirst.open, btcFirst.high, btcFirst.low, btcFirst.close].map((x) => x!.toFixed(2)),
  );
  assert.is(row[8], String(btcFirst.ticks));
  assert.equal(row.slice(10), [String(btcFirst.buys), String(btcFirst.sells)]);

  const json = await cli(['stats', '--symbol', 'ETH-USD', '--days', '2', '--json'], env);
  assert.is(json.code, 0, json.stderr);
  const days = JSON.parse(json.stdout) as DailyStats[];
  const ethDays = expected.filter((d) => d.symbol === 'ETH-USD');
  assertSameDailies(days, ethDays.slice(-2));

  const unknown = await cli(['stats', '--symbol', 'SOL-USD'], env);
  assert.is(unknown.code, 1);
  assert.match(unknown.stderr, /no figures for SOL-USD/);
  const bad = await cli(['stats', '--days', '0'], env);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /--days must be a whole number/);
  const nowhere = await cli(['stats'], { STOCK_STREAM_DATA_DIR: join(dataDir, 'missing') });
  assert.is(nowhere.code, 1);
  assert.match(nowhere.stderr, /no aggregate store at/);
});

test('cluster (Kafka, Redis): SIGKILL mid-stream, then Redis goes away: healthz 503, back to 200, figures exact', async () => {
  const { kafka } = await services();
  const redis = await startRedis(mkdtempSync(join(tmpdir(), 'agg-role-redis-')));
  const id = randomUUID().slice(0, 8);
  const topics = { KAFKA_TOPIC: `aggrole.${id}.ticks` };
  const env = {
    KAFKA_BOOTSTRAP_SERVERS: kafka.brokers.join(','),
    REDIS_URL: redis.url,
    ...topics,
    STOCK_STREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'agg-role-')),
  };
  const bus = await KafkaBus.connect({ brokers: kafka.brokers, clientId: 'agg-role', logger: createLogger('silent'), partitions: 3 });
  await bus.ensureTopics([{ name: topics.KAFKA_TOPIC, partitions: 3 }]);
  const input = aggregateInput({ days: 2, seed: 43 });
  const ticks = tickMessages(input);
  const firstPart = Math.floor(ticks.length * 0.8);
  await publishWhile(bus, topics.KAFKA_TOPIC, ticks.slice(0, firstPart), Math.floor(firstPart * 0.6), () =>
    killRepeatedly(() => startRole(env), 3, 9),
  );

  const role = await startRole(env);
  const store = await RedisStore.connect({ ...SETTINGS, url: redis.url, keyPrefix: 'stock', logger: createLogger('silent') });
  await drained(store, { [topics.KAFKA_TOPIC]: firstPart });
  assert.is((await health(role.port)).status, 200);

  await shutdownKeepingData(redis);
  await bus.publish(topics.KAFKA_TOPIC, ticks.slice(firstPart));
  await eventually(
    async () => {
      const down = await health(role.port);
      assert.is(down.status, 503);
      assert.is(down.body.checks.redis?.ok, false);
    },
    30_000,
    100,
  );
  await redis.start();
  await drained(store, { [topics.KAFKA_TOPIC]: ticks.length });
  await eventually(async () => assert.is((await health(role.port)).status, 200), 30_000, 100);
  assertSameDailies(await allDailies(store), directDailies(input.ticks, []));
  role.child.kill('SIGTERM');
  assert.is(await role.exit, 0, 'stopped cleanly');

  const table = await cli(['stats', '--symbol', 'BTC-USD'], env);
  assert.is(table.code, 0, table.stderr);
  assert.match(table.stdout, /^BTC-USD {2}2026-01-0\d/m);
  await store.close();
  await bus.close();
  await redis.stop();
});

test.run();
