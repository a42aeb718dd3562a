// The aggregation core against a direct computation: any batching, late ticks, replayed signals,
// candle roll-ups and retention.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  applyBatch,
  type AggregateItem,
  type AggregateSettings,
  type StoredView,
  type SymbolLatest,
} from '../../../core/aggregate/apply-batch.js';
import { DAY_MS, bucketStart, dayStart, utcDay, type Timeframe } from '../../../core/aggregate/calendar.js';
import type { Candle } from '../../../core/aggregate/candle.js';
import { dailyStats, type DayRecord } from '../../../core/aggregate/daily.js';
import { mergeSummaries, type PriceSummary } from '../../../core/aggregate/price-summary.js';
import { seededRandom } from '../indicators/price-series.js';
import { aggregateInput, assertSameDailies, countedTicks, directDailies } from '../../support/aggregates.js';

const SETTINGS: AggregateSettings = { candleRetentionMs: { '1m': 7 * DAY_MS, '5m': 30 * DAY_MS, '1h': 365 * DAY_MS } };

/** A store held in maps: what the Redis and SQLite stores hold, without I/O. */
class MemoryStore {
  readonly days = new Map<string, DayRecord>();
  readonly candles = new Map<string, Candle>();
  readonly latest = new Map<string, SymbolLatest>();
  readonly signals = new Set<string>();
  readonly view: StoredView = {
    day: (symbol, day) => structuredClone(this.days.get(`${symbol}|${day}`)),
    candle: (symbol, timeframe, start) => structuredClone(this.candles.get(`${symbol}|${timeframe}|${start}`)),
    latest: (symbol) => this.latest.get(symbol),
    hasSignal: (symbol, day, id) => this.signals.has(`${symbol}|${day}|${id}`),
  };

  apply(items: readonly AggregateItem[], settings = SETTINGS): void {
    const changes = applyBatch(this.view, items, settings);
    for (const day of changes.days) this.days.set(`${day.symbol}|${day.day}`, structuredClone(day));
    for (const candle of changes.candles) this.candles.set(`${candle.symbol}|${candle.timeframe}|${candle.start}`, structuredClone(candle));
    for (const { symbol, timeframe, before } of changes.prune) {
      for (const [key, candle] of this.candles)
        if (candle.symbol === symbol && candle.timeframe === timeframe && candle.start < before) this.candles.delete(key);
    }
    for (const { symbol, tick, indicators } of changes.latest)
      this.latest.set(symbol, { ...this.latest.get(symbol), ...(tick ? { tick } : {}), ...(indicators ? { indicators } : {}) });
    for (const signal of changes.newSignals) this.signals.add(`${signal.symbol}|${utcDay(signal.ts)}|${signal.id}`);
  }

  candlesOf(symbol: string, timeframe: Timeframe): Candle[] {
    return [...this.candles.values()].filter((c) => c.symbol === symbol && c.timeframe === timeframe).sort((a, b) => a.start - b.start);
  }
}

function items(input: ReturnType<typeof aggregateInput>, seed = 1): AggregateItem[] {
  // Interleave signals among the ticks, as two topics consumed side by side would.
  const random = seededRandom(seed);
  const out: AggregateItem[] = input.ticks.map((tick) => ({ kind: 'tick', tick }));
  for (const signal of input.signals) out.splice(Math.floor(random() * out.length), 0, { kind: 'signal', signal });
  return out;
}

function applyInBatches(store: MemoryStore, all: readonly AggregateItem[], seed: number): void {
  const random = seededRandom(seed);
  for (let i = 0; i < all.length;) {
    const size = 1 + Math.floor(random() * 300);
    store.apply(all.slice(i, i + size));
    i += size;
  }
}

test('daily figures equal the direct computation (late and repeated ticks left out, replayed signals once), for any batching', () => {
  const input = aggregateInput({ days: 3 });
  const all = items(input);
  const expected = directDailies(input.ticks, input.signals);
  assert.ok(expected.length >= 6, 'several days per symbol');
  for (const seed of [1, 2, 3]) {
    const store = new MemoryStore();
    applyInBatches(store, all, seed);
    assertSameDailies([...store.days.values()].map(dailyStats), expected);
  }
  const whole = new MemoryStore();
  whole.apply(all);
  assertSameDailies([...whole.days.values()].map(dailyStats), expected);
});

test('a restarted source: a tick not later than the last counted for its symbol is not counted again, across batches', () => {
  const input = aggregateInput({ days: 2 });
  const all = items(input);
  const expected = directDailies(input.ticks, input.signals);
  const store = new MemoryStore();
  // The source publishes part of the stream, restarts, and publishes everything again from the start.
  const cut = Math.floor(all.length / 3);
  applyInBatches(store, all.slice(0, cut), 4);
  applyInBatches(store, all, 5);
  assertSameDailies([...store.days.values()].map(dailyStats), expected);
  // An exchange re-sending its last ticker after a reconnect: the same (symbol, ts), in the same batch or the next.
  const t0 = Date.UTC(2026, 5, 1, 12);
  const tick: AggregateItem = { kind: 'tick', tick: { symbol: 'SOL-USD', price: 150, ts: t0, source: 't', volume: 2 } };
  const once = new MemoryStore();
  const twice = applyBatch(once.view, [tick, tick], SETTINGS);
  assert.is(twice.duplicateTicks, 1);
  once.apply([tick]);
  once.apply([tick]);
  const day = dailyStats(once.days.get('SOL-USD|2026-06-01')!);
  assert.is(day.ticks, 1);
  assert.is(day.volume, 2);
});

test('candles: the 1m candles equal a direct computation; each 5m and 1h candle is the merge of its 1m candles', () => {
  const input = aggregateInput({ symbols: ['BTC-USD'], days: 1 });
  const store = new MemoryStore();
  applyInBatches(store, items(input), 9);
  const minutes = store.candlesOf('BTC-USD', '1m');
  const byMinute = new Map<number, typeof input.ticks>();
  for (const tick of countedTicks(input.ticks)) {
    const start = Math.floor(tick.ts / 60_000) * 60_000;
    if (!byMinute.has(start)) byMinute.set(start, []);
    byMinute.get(start)!.push(tick);
  }
  assert.is(minutes.length, byMinute.size);
  for (const candle of minutes) {
    const ticks = byMinute.get(candle.start)!;
    const sorted = [...ticks].sort((a, b) => a.ts - b.ts);
    assert.is(candle.open, sorted[0]!.price);
    assert.is(candle.close, sorted[sorted.length - 1]!.price);
    assert.is(candle.high, Math.max(...ticks.map((t) => t.price)));
    assert.is(candle.low, Math.min(...ticks.map((t) => t.price)));
    assert.is(candle.ticks, ticks.length);
  }
  for (const timeframe of ['5m', '1h'] as const) {
    for (const candle of store.candlesOf('BTC-USD', timeframe)) {
      const parts = minutes.filter((m) => bucketStart(m.start, timeframe) === candle.start);
      const merged = parts.slice(1).reduce<PriceSummary>((a, b) => mergeSummaries(a, b), parts[0]!);
      assert.is(candle.open, merged.open);
      assert.is(candle.close, merged.close);
      assert.is(candle.high, merged.high);
      assert.is(candle.low, merged.low);
      assert.is(candle.ticks, merged.ticks);
    }
  }
});

test('a late tick, not later than the last counted for its symbol, is left out: not in its day, its candles nor the latest', () => {
  const store = new MemoryStore();
  const t0 = Date.UTC(2026, 2, 1, 12);
  const tick = (ts: number, price: number): AggregateItem => ({ kind: 'tick', tick: { symbol: 'BTC-USD', price, ts, source: 't' } });
  store.apply([tick(t0 + 10_000, 100), tick(t0 + 20_000, 110)]);
  const changes = applyBatch(store.view, [tick(t0 + 5_000, 90), tick(t0 + 20_000, 130), tick(t0 + 30_000, 120)], SETTINGS);
  assert.is(changes.duplicateTicks, 2, 'the 5 s tick (late) and the second 20 s tick (same ts)');
  store.apply([tick(t0 + 5_000, 90), tick(t0 + 20_000, 130), tick(t0 + 30_000, 120)]);
  const day = dailyStats(store.days.get(`BTC-USD|2026-03-01`)!);
  assert.equal([day.open, day.high, day.low, day.close, day.ticks, day.firstTs], [100, 120, 100, 120, 3, t0 + 10_000]);
  assert.is(store.candlesOf('BTC-USD', '1m')[0]?.ticks, 3);
  assert.is(store.latest.get('BTC-USD')?.tick?.price, 120, 'the latest tick is the last one counted');
  // A late tick from the day before does not open that day.
  store.apply([tick(t0 - DAY_MS, 70)]);
  assert.is(store.days.get(`BTC-USD|2026-02-28`), undefined);
  // Another symbol has its own last tick.
  store.apply([{ kind: 'tick', tick: { symbol: 'ETH-USD', price: 3, ts: t0, source: 't' } }]);
  assert.is(dailyStats(store.days.get(`ETH-USD|2026-03-01`)!).ticks, 1);
});

test('retention: candles older than the window behind the newest tick are pruned; daily figures stay', () => {
  const store = new MemoryStore();
  const settings: AggregateSettings = { candleRetentionMs: { '1m': 2 * DAY_MS, '5m': 3 * DAY_MS, '1h': 10 * DAY_MS } };
  const start = dayStart('2026-04-01');
  for (let d = 0; d < 5; d++) {
    store.apply([{ kind: 'tick', tick: { symbol: 'BTC-USD', price: 100 + d, ts: start + d * DAY_MS, source: 't' } }], settings);
  }
  const newest = start + 4 * DAY_MS;
  assert.equal(
    store.candlesOf('BTC-USD', '1m').map((c) => c.start),
    [newest - 2 * DAY_MS, newest - DAY_MS, newest],
  );
  assert.is(store.candlesOf('BTC-USD', '5m').length, 4);
  assert.is(store.candlesOf('BTC-USD', '1h').length, 5);
  assert.is(store.days.size, 5);
});

test('utcDay and dayStart agree at the edges of a day', () => {
  const midnight = Date.UTC(2026, 11, 31);
  assert.is(utcDay(midnight - 1), '2026-12-30');
  assert.is(utcDay(midnight), '2026-12-31');
  assert.is(dayStart('2026-12-31'), midnight);
  assert.ok(Number.isNaN(dayStart('2026-02-30')));
});

test.run();
