// The aggregator role in process, on both buses: hostile messages on every topic are counted and
// logged and never stop it; the figures equal a direct computation; and on Kafka with Redis, Redis
// going away mid-stream makes /healthz's aggregator check fail, and nothing is lost or doubled when it returns.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Aggregator } from '../../../cluster/aggregate/aggregator.js';
import { aggregatorMetrics, type AggregatorMetrics } from '../../../cluster/aggregate/metrics.js';
import { DAY_MS } from '../../../core/aggregate/calendar.js';
import type { Bus } from '../../../platform/bus/bus.js';
import { EmbeddedLog } from '../../../platform/bus/embedded-log.js';
import { KafkaBus } from '../../../platform/bus/kafka-bus.js';
import { createLogger } from '../../../platform/log.js';
import { RedisStore } from '../../../platform/store/redis-store.js';
import { SqliteStore } from '../../../platform/store/sqlite-store.js';
import type { AggregateStore, StoreSettings } from '../../../platform/store/store.js';
import { startRedis } from '../../services/redis.js';
import { aggregateInput, assertSameDailies, countedTicks, directDailies } from '../../support/aggregates.js';
import { hostileMessages, indicatorMessages, signalMessages, tickMessages } from '../../support/aggregate-messages.js';
import { shutdownKeepingData } from '../../support/redis-outage.js';
import { services } from '../../support/services.js';
import { eventually } from '../../support/wait.js';

const SETTINGS: StoreSettings = { candleRetentionMs: { '1m': 7 * DAY_MS, '5m': 30 * DAY_MS, '1h': 365 * DAY_MS }, recentSignals: 20 };

function topicsFor(id: string) {
  return { ticks: `agg.${id}.ticks`, signals: `agg.${id}.signals`, indicators: `agg.${id}.indicators` };
}

async function allDailies(store: AggregateStore) {
  const out = [];
  for (const symbol of await store.symbols()) out.push(...(await store.dailyStats(symbol, '2000-01-01', '2100-01-01')));
  return out;
}

/** Waits until the store has applied `expected` messages of each topic (its offsets sum to that). */
async function drained(store: AggregateStore, expected: Record<string, number>, timeoutMs = 60_000): Promise<void> {
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

async function countOf(metrics: AggregatorMetrics, topic: string, result: string): Promise<number> {
  const values = (await metrics.messages.get()).values;
  return values.filter((v) => v.labels.topic === topic && v.labels.result === result).reduce((sum, v) => sum + v.value, 0);
}

const test = suite('aggregator');

async function hostileRun(bus: Bus, store: AggregateStore) {
  const topics = topicsFor(randomUUID().slice(0, 8));
  await bus.ensureTopics(Object.values(topics).map((name) => ({ name })));
  const input = aggregateInput({ days: 1, seed: 21 });
  const hostile = hostileMessages();
  // An unknown field is not an error: the tick counts, the field is dropped.
  // It is the symbol's newest, so that it counts (a tick not later than the last counted is left out).
  const first = input.ticks[0]!;
  const extra = { ...first, ts: Math.max(...input.ticks.filter((t) => t.symbol === first.symbol).map((t) => t.ts)) + 1 };
  const ticks = [...tickMessages(input), { key: extra.symbol, value: JSON.stringify({ ...extra, colour: 'red' }) }];
  input.ticks.push(extra);
  const half = Math.floor(ticks.length / 2);
  await bus.publish(topics.ticks, [...ticks.slice(0, half), ...hostile.ticks, ...ticks.slice(half)]);
  await bus.publish(topics.signals, [...hostile.signals, ...signalMessages(input)]);
  await bus.publish(topics.indicators, [...indicatorMessages(input), ...hostile.indicators]);

  const metrics = aggregatorMetrics(new Registry());
  const aggregator = new Aggregator({
    bus,
    store,
    logger: createLogger('silent'),
    topics,
    group: `agg-${randomUUID().slice(0, 8)}`,
    metrics,
  });
  await aggregator.start();
  await drained(store, {
    [topics.ticks]: ticks.length + hostile.ticks.length,
    [topics.signals]: input.signals.length + hostile.signals.length,
    [topics.indicators]: indicatorMessages(input).length + hostile.indicators.length,
  });
  assert.ok(aggregator.health().ok, aggregator.health().detail);
  await aggregator.stop();

  assertSameDailies(await allDailies(store), directDailies(input.ticks, input.signals));
  assert.is(await countOf(metrics, topics.ticks, 'malformed'), hostile.ticks.length);
  assert.is(await countOf(metrics, topics.signals, 'malformed'), hostile.signals.length);
  assert.is(await countOf(metrics, topics.indicators, 'malformed'), hostile.indicators.length);
  const counted = countedTicks(input.ticks).length;
  assert.is(await countOf(metrics, topics.ticks, 'applied'), counted);
  assert.is(await countOf(metrics, topics.ticks, 'duplicate'), ticks.length - counted, 'late and repeated ticks');
  const duplicates = input.signals.length - new Set(input.signals.map((s) => s.id)).size;
  assert.ok(duplicates > 0);
  assert.is(await countOf(metrics, topics.signals, 'duplicate'), duplicates, 'replayed signals counted once');
  const latest = await store.latest('BTC-USD');
  assert.is(
    latest?.indicators?.ts,
    Math.max(
      ...indicatorMessages(input)
        .map((m) => JSON.parse(m.value) as { ts: number; symbol: string })
        .filter((r) => r.symbol === 'BTC-USD')
        .map((r) => r.ts),
    ),
  );
}

test('embedded log and SQLite: hostile messages on every topic counted, never fatal; figures equal the direct computation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'agg-'));
  const bus = new EmbeddedLog({ file: join(dir, 'bus.sqlite'), pollIntervalMs: 20 });
  const store = new SqliteStore({ ...SETTINGS, file: join(dir, 'aggregates.sqlite') });
  await hostileRun(bus, store);
  await store.close();
  await bus.close();
});

test('Kafka and Redis: hostile messages on every topic counted, never fatal; figures equal the direct computation', async () => {
  const { kafka, redis } = await services();
  const bus = await KafkaBus.connect({ brokers: kafka.brokers, clientId: 'agg-test', logger: createLogger('silent'), partitions: 3 });
  const store = await RedisStore.connect({
    ...SETTINGS,
    url: redis.url,
    keyPrefix: `agg-${randomUUID().slice(0, 8)}`,
    logger: createLogger('silent'),
  });
  await hostileRun(bus, store);
  await store.close();
  await bus.close();
});

test('Kafka: Redis goes away mid-stream: health fails, nothing is committed, and it catches up without double counting', async () => {
  const { kafka } = await services();
  const redis = await startRedis(mkdtempSync(join(tmpdir(), 'agg-redis-')));
  const bus = await KafkaBus.connect({ brokers: kafka.brokers, clientId: 'agg-outage', logger: createLogger('silent'), partitions: 3 });
  const store = await RedisStore.connect({ ...SETTINGS, url: redis.url, keyPrefix: 'outage', logger: createLogger('silent') });
  const topics = topicsFor(randomUUID().slice(0, 8));
  await bus.ensureTopics(Object.values(topics).map((name) => ({ name })));
  const input = aggregateInput({ days: 1, seed: 33 });
  const ticks = tickMessages(input);
  const half = Math.floor(ticks.length / 2);
  const metrics = aggregatorMetrics(new Registry());
  const aggregator = new Aggregator({
    bus,
    store,
    logger: createLogger('silent'),
    topics,
    group: `agg-${randomUUID().slice(0, 8)}`,
    metrics,
    // A short window: the batch goes back to the bus (the Kafka consumer restarts) during the outage, the harder path.
    retry: { initialMs: 50, maxMs: 200, windowMs: 300 },
  });
  await aggregator.start();
  await bus.publish(topics.ticks, ticks.slice(0, half));
  await drained(store, { [topics.ticks]: half });

  await shutdownKeepingData(redis);
  await bus.publish(topics.ticks, ticks.slice(half));
  await bus.publish(topics.signals, signalMessages(input));
  await eventually(
    () => {
      assert.is(aggregator.health().ok, false);
      assert.match(aggregator.health().detail, /not committing/);
    },
    30_000,
    50,
  );
  assert.is(store.health().ok, false);
  // More failures than one delivery's window allows: the batch went back to the bus and came again.
  await eventually(async () => assert.ok((await metrics.storeFailures.get()).values[0]!.value >= 8), 30_000, 50);

  await redis.start();
  await drained(store, { [topics.ticks]: ticks.length, [topics.signals]: input.signals.length }, 90_000);
  await eventually(() => assert.ok(aggregator.health().ok, aggregator.health().detail), 30_000, 100);
  await aggregator.stop();
  assertSameDailies(await allDailies(store), directDailies(input.ticks, input.signals));
  await store.close();
  await bus.close();
  await redis.stop();
});

test.run();
