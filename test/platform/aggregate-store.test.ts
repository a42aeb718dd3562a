// One contract, two stores: SQLite (a temp file) and the real redis-server. Batches arrive as the bus
// delivers them (per partition, any size), some again (redelivery), some from two writers at once;
// the daily figures must equal a direct computation over the same ticks and signals.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AggregateItem } from '../../core/aggregate/apply-batch.js';
import { DAY_MS } from '../../core/aggregate/calendar.js';
import { createLogger } from '../../platform/log.js';
import { RedisStore } from '../../platform/store/redis-store.js';
import { SqliteStore } from '../../platform/store/sqlite-store.js';
import type { AggregateStore, StoreBatch, StoreSettings } from '../../platform/store/store.js';
import { seededRandom } from '../core/indicators/price-series.js';
import { aggregateInput, assertSameDailies, directDailies } from '../support/aggregates.js';
import { startRedis } from '../services/redis.js';
import { services } from '../support/services.js';
import { shutdownKeepingData } from '../support/redis-outage.js';
import { eventually } from '../support/wait.js';

const SETTINGS: StoreSettings = { candleRetentionMs: { '1m': 7 * DAY_MS, '5m': 30 * DAY_MS, '1h': 365 * DAY_MS }, recentSignals: 5 };

type Opener = () => Promise<AggregateStore>;

/** Each (topic, partition) as the log holds it: items at offsets 0, 1, 2, ... */
function partitionLogs(input: ReturnType<typeof aggregateInput>): Map<string, Array<{ offset: string; item: AggregateItem }>> {
  const logs = new Map<string, Array<{ offset: string; item: AggregateItem }>>();
  const push = (topic: string, partition: number, item: AggregateItem) => {
    const key = `${topic}:${partition}`;
    if (!logs.has(key)) logs.set(key, []);
    const log = logs.get(key)!;
    log.push({ offset: String(log.length), item });
  };
  for (const tick of input.ticks) push('ticks', tick.symbol === 'BTC-USD' ? 0 : 1, { kind: 'tick', tick });
  for (const signal of input.signals) push('signals', 0, { kind: 'signal', signal });
  return logs;
}

function batchOf(key: string, items: Array<{ offset: string; item: AggregateItem }>): StoreBatch {
  const [topic, partition] = key.split(':') as [string, string];
  return { topic, partition: Number(partition), nextOffset: String(Number(items[items.length - 1]!.offset) + 1), items };
}

/** Delivers every partition in random chunks, interleaved, and delivers again a window behind every third chunk. */
async function deliver(store: AggregateStore, logs: ReturnType<typeof partitionLogs>, seed: number): Promise<{ skipped: number }> {
  const random = seededRandom(seed);
  const positions = new Map([...logs.keys()].map((key) => [key, 0]));
  let skipped = 0;
  let chunk = 0;
  while ([...positions].some(([key, at]) => at < logs.get(key)!.length)) {
    const open = [...positions].filter(([key, at]) => at < logs.get(key)!.length);
    const [key, at] = open[Math.floor(random() * open.length)]!;
    const size = 1 + Math.floor(random() * 250);
    const items = logs.get(key)!.slice(at, at + size);
    await store.applyBatch(batchOf(key, items));
    positions.set(key, at + items.length);
    if (++chunk % 3 === 0) {
      // A redelivery that starts before what was applied and runs past it, as after a lost commit.
      const from = Math.max(0, at - Math.floor(random() * 100));
      const again = logs.get(key)!.slice(from, at + items.length + Math.floor(random() * 50));
      const result = await store.applyBatch(batchOf(key, again));
      skipped += result.skipped;
      positions.set(key, from + again.length);
    }
  }
  return { skipped };
}

async function allDailies(store: AggregateStore) {
  const out = [];
  for (const symbol of await store.symbols()) out.push(...(await store.dailyStats(symbol, '2000-01-01', '2100-01-01')));
  return out;
}

/** `place()` gives a fresh empty store location; each call of what it returns opens one more client on it. */
function contract(name: string, place: () => Opener) {
  const test = suite(`aggregate store: ${name}`);

  test('daily figures equal the direct computation, with redeliveries skipped, and survive reopening', async () => {
    const input = aggregateInput({ days: 3, seed: 5 });
    const logs = partitionLogs(input);
    const open = place();
    const store = await open();
    const { skipped } = await deliver(store, logs, 3);
    assert.ok(skipped > 0, 'some redelivered items were skipped');
    const expected = directDailies(input.ticks, input.signals);
    assertSameDailies(await allDailies(store), expected);
    assert.equal(
      Object.fromEntries(await store.appliedOffsets()),
      Object.fromEntries([...logs].map(([key, log]) => [key, String(log.length)])),
      'the next offset of every partition',
    );
    // Everything again from the start (a consumer group reset): nothing changes.
    const again = await open();
    await store.close();
    for (const [key, log] of logs) {
      const result = await again.applyBatch(batchOf(key, log));
      assert.is(result.applied, 0);
      assert.is(result.skipped, log.length);
    }
    assertSameDailies(await allDailies(again), expected);
    await again.close();
  });

  test('a restarted source publishing its ticks again at new offsets: counted once, across a reopen of the store', async () => {
    const input = aggregateInput({ symbols: ['BTC-USD'], days: 1, seed: 13 });
    const ticks = input.ticks.map((tick): AggregateItem => ({ kind: 'tick', tick }));
    const open = place();
    const first = await open();
    // The first run publishes a third of the file at offsets 0.., and is killed.
    const cut = Math.floor(ticks.length / 3);
    for (let at = 0; at < cut; at += 100) {
      const items = ticks.slice(at, Math.min(cut, at + 100)).map((item, i) => ({ offset: String(at + i), item }));
      await first.applyBatch(batchOf('ticks:0', items));
    }
    await first.close();
    // The second run publishes the whole file again from its first row, at the offsets after those.
    const second = await open();
    let duplicateTicks = 0;
    for (let at = 0; at < ticks.length; at += 100) {
      const items = ticks.slice(at, at + 100).map((item, i) => ({ offset: String(cut + at + i), item }));
      duplicateTicks += (await second.applyBatch(batchOf('ticks:0', items))).duplicateTicks;
    }
    assertSameDailies(await allDailies(second), directDailies(input.ticks, []));
    assert.ok(duplicateTicks >= cut, `the ${cut} ticks published twice are counted as duplicates (${duplicateTicks})`);
    await second.close();
  });

  test('queries: candles over a range, latest snapshot with capped recent signals, symbols', async () => {
    const store = await place()();
    const t0 = Date.UTC(2026, 5, 1, 10, 0, 0);
    const items: AggregateItem[] = [];
    for (let i = 0; i < 600; i++)
      items.push({ kind: 'tick', tick: { symbol: 'BTC-USD', price: 100 + (i % 7), ts: t0 + i * 10_000, source: 't', volume: 1 } });
    items.push({ kind: 'tick', tick: { symbol: 'BTC-USD', price: 1, ts: t0 - 3_600_000, source: 't' } }); // late: left out
    for (let i = 0; i < 8; i++) {
      items.push({
        kind: 'signal',
        signal: {
          id: `s${i}`,
          symbol: 'BTC-USD',
          ts: t0 + i * 60_000,
          side: i % 2 ? 'sell' : 'buy',
          rule: 'r',
          price: 100,
          reason: `because ${i}`,
          kind: 'recommendation',
          timeframe: '1h',
        },
      });
    }
    const indicators = {
      symbol: 'BTC-USD',
      timeframe: '1h',
      closed: null,
      stance: null,
      ts: t0 + 599 * 10_000,
      price: 103,
      sma: 101.5,
      ema: null,
      rsi: 55,
      macd: null,
      macdSignal: null,
      macdHist: null,
      bbUpper: null,
      bbMiddle: null,
      bbLower: null,
    };
    items.push({ kind: 'indicators', indicators });
    items.push({ kind: 'indicators', indicators: { ...indicators, ts: t0, sma: 1 } }); // older: ignored
    await store.applyBatch({
      topic: 'mixed',
      partition: 0,
      nextOffset: String(items.length),
      items: items.map((item, i) => ({ offset: String(i), item })),
    });

    const minutes = await store.candles('BTC-USD', '1m', t0, t0 + 9 * 60_000);
    assert.is(minutes.length, 10);
    assert.equal(minutes[0], { start: t0, open: 100, high: 105, low: 100, close: 105, volume: 6, ticks: 6 });
    const hours = await store.candles('BTC-USD', '1h', t0 - 3_600_000, t0 + 3_600_000);
    assert.equal(
      hours.map((h) => [h.start, h.ticks]),
      [
        [t0, 360],
        [t0 + 3_600_000, 240],
      ],
    );
    assert.is((await store.candles('BTC-USD', '5m', t0, t0 + 3_600_000 - 1)).length, 12);

    const latest = await store.latest('BTC-USD');
    assert.is(latest?.tick?.ts, t0 + 599 * 10_000);
    assert.equal(latest?.indicators, indicators);
    assert.equal(
      latest?.recentSignals.map((s) => s.id),
      ['s7', 's6', 's5', 's4', 's3'],
      'newest first, capped at 5',
    );
    assert.is(latest?.today?.ticks, 600);
    assert.is(latest?.today?.buys, 4);
    assert.is(latest?.today?.volume, 600);
    assert.is(await store.latest('ETH-USD'), undefined);
    assert.equal(await store.symbols(), ['BTC-USD']);
    assert.equal(await store.dailyStats('BTC-USD', '2026-06-02', '2026-06-30'), []);
    assert.equal(
      (await store.dailyStats('BTC-USD', '2026-06-01', '2026-06-01')).map((d) => d.day),
      ['2026-06-01'],
    );
    assert.ok(store.health().ok);
    await store.close();
  });

  test('two writers at once on the same days (partitions of the ticks and signals topics): nothing lost', async () => {
    const input = aggregateInput({ symbols: ['BTC-USD'], days: 1, seed: 8 });
    const logs = partitionLogs(input);
    const open = place();
    const first = await open();
    const second = await open();
    const work = [...logs].map(([key, log], i) =>
      (async () => {
        const writer = i % 2 === 0 ? first : second;
        for (let at = 0; at < log.length; at += 40) await writer.applyBatch(batchOf(key, log.slice(at, at + 40)));
      })(),
    );
    await Promise.all(work);
    assertSameDailies(await allDailies(first), directDailies(input.ticks, input.signals));
    await first.close();
    await second.close();
  });

  return test;
}

const sqliteTest = contract('SQLite', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'agg-store-')), 'aggregates.sqlite');
  return async () => new SqliteStore({ ...SETTINGS, file });
});

const redisAt = (url: string, keyPrefix: string) => () =>
  RedisStore.connect({ ...SETTINGS, url, keyPrefix, logger: createLogger('silent') });
const redisTest = contract('Redis', () => {
  const keyPrefix = `test-${randomUUID().slice(0, 8)}`;
  return async () => redisAt((await services()).redis.url, keyPrefix)();
});

redisTest('Redis goes away and comes back: writes fail with a clear error meanwhile, then succeed, nothing lost or doubled', async () => {
  const redis = await startRedis(mkdtempSync(join(tmpdir(), 'agg-redis-')));
  const store = await redisAt(redis.url, 'outage')();
  const tick = (i: number): StoreBatch['items'][number] => ({
    offset: String(i),
    item: { kind: 'tick', tick: { symbol: 'BTC-USD', price: 100 + i, ts: Date.UTC(2026, 0, 1) + i * 1000, source: 't' } },
  });
  const batch = (from: number, to: number): StoreBatch => ({
    topic: 't',
    partition: 0,
    nextOffset: String(to),
    items: Array.from({ length: to - from }, (_, i) => tick(from + i)),
  });
  await store.applyBatch(batch(0, 10));
  await shutdownKeepingData(redis);
  const failure = await store.applyBatch(batch(10, 20)).then(
    () => undefined,
    (error: Error) => error,
  );
  assert.match(String(failure?.message), /^Redis: /);
  assert.is(store.health().ok, false);
  assert.match(store.health().detail, /unreachable/);
  await redis.start();
  await eventually(() => assert.ok(store.health().ok, store.health().detail), 15_000);
  await store.applyBatch(batch(5, 20)); // redelivered from before the outage
  const [day] = await store.dailyStats('BTC-USD', '2026-01-01', '2026-01-01');
  assert.is(day?.ticks, 20);
  assert.is(day?.close, 119);
  await store.close();
  await redis.stop();
});

sqliteTest.run();
redisTest.run();
