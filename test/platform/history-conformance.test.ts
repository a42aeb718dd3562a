// One suite over every CandleHistory source (the store on SQLite and on Redis, and our hand-built
// one; the exchanges' clients join it): oldest first, inside the range, aligned to the granularity,
// gaps left as gaps, and a granularity it does not serve refused in one line.
import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CandleHistory, HistoricalCandle } from '../../platform/history/history.js';
import { StoreCandleHistory } from '../../platform/history/store-history.js';
import { createLogger } from '../../platform/log.js';
import { RedisStore } from '../../platform/store/redis-store.js';
import { SqliteStore } from '../../platform/store/sqlite-store.js';
import type { AggregateStore } from '../../platform/store/store.js';
import { fillStore, HandBuiltHistory } from '../support/history.js';
import { services } from '../support/services.js';
import type { Tick } from '../../core/contracts/index.js';

const M = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1, 10);
const settings = { candleRetentionMs: { '1m': 7 * DAY, '5m': 30 * DAY, '1h': 365 * DAY }, recentSignals: 10 };

/** A tick every 20 s from 10:00 to 12:00, except none from 10:30 to 10:45 (a quiet market). */
const ticks: Tick[] = [];
for (let ts = T0; ts < T0 + 120 * M; ts += 20_000) {
  if (ts >= T0 + 30 * M && ts < T0 + 45 * M) continue;
  ticks.push({ symbol: 'BTC-USD', price: 80_000 + ((ts / 20_000) % 37), ts, source: 'test' });
}

/** The same candles built plainly, for the hand-built source. */
function candlesOf(granularityMs: number): HistoricalCandle[] {
  const byStart = new Map<number, HistoricalCandle>();
  for (const tick of ticks) {
    const start = tick.ts - (tick.ts % granularityMs);
    const c = byStart.get(start);
    byStart.set(
      start,
      c
        ? { ...c, high: Math.max(c.high, tick.price), low: Math.min(c.low, tick.price), close: tick.price }
        : { start, open: tick.price, high: tick.price, low: tick.price, close: tick.price, volume: 0 },
    );
  }
  return [...byStart.values()];
}

interface Subject {
  readonly name: string;
  open(): Promise<{ history: CandleHistory; close(): Promise<void> }>;
}

const storeSubject = (name: string, openStore: () => Promise<AggregateStore>): Subject => ({
  name,
  async open() {
    const store = await openStore();
    await fillStore(store, ticks);
    return { history: new StoreCandleHistory(store), close: () => store.close() };
  },
});

const subjects: Subject[] = [
  storeSubject('store on SQLite', async () => new SqliteStore({ ...settings, file: ':memory:' })),
  storeSubject('store on Redis', async () =>
    RedisStore.connect({
      ...settings,
      url: (await services()).redis.url,
      keyPrefix: `hist-${randomUUID().slice(0, 8)}`,
      logger: createLogger('silent'),
    }),
  ),
  {
    name: 'hand-built (tests)',
    async open() {
      const history = new HandBuiltHistory('hand', [M, 5 * M, 3_600_000], new Map([M, 5 * M, 3_600_000].map((g) => [g, candlesOf(g)])), 7);
      return { history, close: async () => {} };
    },
  },
];

async function collect(history: CandleHistory, granularityMs: number, fromMs: number, toMs: number): Promise<HistoricalCandle[]> {
  const all: HistoricalCandle[] = [];
  for await (const page of history.candles({ symbol: 'BTC-USD', granularityMs, fromMs, toMs })) all.push(...page);
  return all;
}

for (const subject of subjects) {
  const test = suite(`candle history: ${subject.name}`);

  test('every granularity it lists: oldest first, inside [from, to), aligned, the closes of the ticks', async () => {
    const { history, close } = await subject.open();
    try {
      for (const granularityMs of history.granularities) {
        const fromMs = T0 + 5 * M;
        const toMs = T0 + 100 * M;
        const got = await collect(history, granularityMs, fromMs, toMs);
        const expected = candlesOf(granularityMs).filter((c) => c.start >= fromMs && c.start < toMs);
        assert.ok(got.length > 0, `${granularityMs}: some candles`);
        assert.equal(
          got.map((c) => [c.start, c.close]),
          expected.map((c) => [c.start, c.close]),
          `${granularityMs}: the candles`,
        );
        for (const c of got) assert.is(c.start % granularityMs, 0, 'aligned');
      }
    } finally {
      await close();
    }
  });

  test('a quiet quarter of an hour is a gap: no candle is invented for it', async () => {
    const { history, close } = await subject.open();
    try {
      const got = await collect(history, M, T0 + 25 * M, T0 + 50 * M);
      assert.equal(
        got.map((c) => (c.start - T0) / M),
        [25, 26, 27, 28, 29, 45, 46, 47, 48, 49],
      );
    } finally {
      await close();
    }
  });

  test('an empty range, a range without candles, another symbol: nothing', async () => {
    const { history, close } = await subject.open();
    try {
      assert.equal(await collect(history, M, T0, T0), []);
      assert.equal(await collect(history, M, T0 - DAY, T0 - DAY + 60 * M), []);
      const other: HistoricalCandle[] = [];
      for await (const page of history.candles({ symbol: 'ETH-USD', granularityMs: M, fromMs: T0, toMs: T0 + 60 * M })) other.push(...page);
      assert.equal(other, []);
    } finally {
      await close();
    }
  });

  test('a granularity it does not serve: refused with one line', async () => {
    const { history, close } = await subject.open();
    try {
      const error = await collect(history, 7 * M, T0, T0 + 60 * M).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      assert.ok(error instanceof Error, 'refused');
      assert.not.match(error.message, /\n/);
      assert.match(error.message, /420000/);
    } finally {
      await close();
    }
  });

  test.run();
}
