// The warm start against its sources: the store first, an exchange (a CandleHistory of our own with
// hand-built candles) for what the store lacks, and a source that fails or never answers passed over,
// logged and shown on health, without holding the start up.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WarmStart, type WarmStartOptions } from '../../../cluster/process/warm-start.js';
import { SymbolPipeline } from '../../../core/pipeline.js';
import { warmPipeline } from '../../../core/warmup/warm-pipeline.js';
import { CoinbaseCandleHistory } from '../../../platform/history/coinbase.js';
import { KrakenCandleHistory } from '../../../platform/history/kraken.js';
import { StoreCandleHistory } from '../../../platform/history/store-history.js';
import { createLogger } from '../../../platform/log.js';
import { SqliteStore } from '../../../platform/store/sqlite-store.js';
import { fillStore, handBuiltCandles, HandBuiltHistory, historyTicks, silent, unreachable } from '../../support/history.js';
import { CandleServer, candlePath } from '../../support/protocol-servers/candles-http.js';
import { TEST_SETTINGS } from '../../support/ticks.js';

const test = suite('warm start');
const M = 60_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 1, 12, 0, 10);
const retention = { candleRetentionMs: { '1m': 7 * DAY, '5m': 30 * DAY, '1h': 365 * DAY }, recentSignals: 10 };

function collectingLogger() {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) } as unknown as NodeJS.WritableStream);
  return { logger, lines };
}

function options(partial: Partial<WarmStartOptions>): WarmStartOptions {
  return {
    symbols: ['BTC-USD'],
    settings: TEST_SETTINGS,
    sources: [],
    maxCandles: 1000,
    maxAgeMs: 60 * DAY,
    timeoutMs: 5000,
    logger: createLogger('silent'),
    now: () => NOW,
    ...partial,
  };
}

test('from a filled store: every timeframe ready, the same state as the store candles fed directly', async () => {
  const store = new SqliteStore({ ...retention, file: ':memory:' });
  try {
    await fillStore(store, historyTicks('BTC-USD', NOW - 3 * 3_600_000, NOW, 15_000));
    const warm = new WarmStart(options({ sources: [new StoreCandleHistory(store)] }));
    await warm.run();
    const [status] = warm.progress();
    assert.is(status!.state, 'done');
    assert.equal(status!.remaining, [], 'every timeframe has its candles');
    assert.equal(status!.problems, []);
    assert.match(warm.health().detail, /^warm start: BTC-USD ready \(\d+ from store\)$/);
    // The plan at 12:00:10: 5m candles from 11:10 to 11:50, then 1m candles from 11:50 to now.
    const direct = new SymbolPipeline('BTC-USD', TEST_SETTINGS);
    warmPipeline(direct, [
      ...(await store.candles('BTC-USD', '5m', Date.UTC(2026, 0, 1, 11, 10), Date.UTC(2026, 0, 1, 11, 50) - 1)),
      ...(await store.candles('BTC-USD', '1m', Date.UTC(2026, 0, 1, 11, 50), NOW)),
    ]);
    assert.equal(warm.pipeline('BTC-USD')!.snapshot(), direct.snapshot());
    assert.is(warm.pipeline('ETH-USD'), undefined, 'a symbol not warmed gets no pipeline');
  } finally {
    await store.close();
  }
});

test('what the store lacks comes from the next source; what the store has is not asked again', async () => {
  const store = new SqliteStore({ ...retention, file: ':memory:' });
  try {
    // The appliance has run for 20 minutes only: the store has the 1m candles, not the older 5m ones.
    await fillStore(store, historyTicks('BTC-USD', NOW - 20 * M, NOW, 15_000));
    const exchange = new HandBuiltHistory(
      'coinbase',
      [M, 5 * M, 15 * M, 3_600_000],
      new Map([[5 * M, handBuiltCandles(Date.UTC(2026, 0, 1, 9), NOW - 20 * M, 5 * M)]]),
      3,
    );
    const warm = new WarmStart(options({ sources: [new StoreCandleHistory(store), exchange] }));
    await warm.run();
    const [status] = warm.progress();
    assert.equal(status!.remaining, []);
    assert.ok(status!.candles.store! > 0 && status!.candles.coinbase! > 0, JSON.stringify(status!.candles));
    // Asked only for the part before the store's first 5m candle (11:40), and for the minute
    // after its last tick (11:59:55), which has no trade in the store yet.
    assert.equal(
      exchange.requests.map((r) => [r.granularityMs, new Date(r.fromMs).toISOString(), new Date(r.toMs).toISOString()]),
      [
        [5 * M, '2026-01-01T11:10:00.000Z', '2026-01-01T11:40:00.000Z'],
        [M, '2026-01-01T12:00:00.000Z', '2026-01-01T12:00:10.001Z'],
      ],
    );
    assert.match(warm.health().detail, /ready \(\d+ from store, 6 from coinbase\)/);
  } finally {
    await store.close();
  }
});

test('an unreachable exchange and one that never answers: passed over, logged, on health; it starts anyway', async () => {
  const { logger, lines } = collectingLogger();
  const warm = new WarmStart(
    options({
      symbols: ['BTC-USD', 'ETH-USD'],
      sources: [unreachable('coinbase', [M, 5 * M]), silent('kraken', [M, 5 * M])],
      timeoutMs: 300,
      logger,
    }),
  );
  await warm.run();
  const detail = warm.health().detail;
  assert.is(warm.health().ok, true, 'the processor still runs on live ticks');
  assert.match(detail, /BTC-USD warming up: 1m 0 of 9 candles, 5m 0 of 9 candles \(no history\)/);
  assert.match(detail, /coinbase failed: fetch failed \(ENOTFOUND\)/);
  assert.match(detail, /kraken failed: no answer within 300 ms/);
  assert.is(warm.pipeline('BTC-USD'), undefined, 'nothing to warm with: the processor starts the symbol fresh');
  const logged = lines.map((line) => JSON.parse(line) as { level: number | string; msg: string });
  assert.ok(
    logged.some((entry) => /warm start: coinbase failed: fetch failed \(ENOTFOUND\); starting without it/.test(entry.msg)),
    lines.join(''),
  );
  assert.ok(logged.some((entry) => /warm start: ETH-USD warming up: 1m 0 of 9 candles/.test(entry.msg)));
});

test('a partial history: ready where it can be, "warming up: n of m candles" where not', async () => {
  const exchange = new HandBuiltHistory('kraken', [M, 5 * M], new Map([[M, handBuiltCandles(Date.UTC(2026, 0, 1, 11, 57), NOW, M)]]));
  const warm = new WarmStart(options({ sources: [exchange] }));
  await warm.run();
  // 1m candles from 11:57 to 12:00: three closed and one forming, which also closed the 5m candle of 11:55.
  assert.match(warm.health().detail, /^warm start: BTC-USD warming up: 1m 3 of 9 candles, 5m 1 of 9 candles \(4 from kraken\)$/);
  assert.equal(warm.pipeline('BTC-USD')!.warmup(), [
    { timeframe: '1m', candles: 3, needed: 9 },
    { timeframe: '5m', candles: 1, needed: 9 },
  ]);
});

test('stopped while warming: it returns at once', async () => {
  const controller = new AbortController();
  const warm = new WarmStart(options({ sources: [silent('kraken', [M, 5 * M])], timeoutMs: 60_000 }));
  const running = warm.run(controller.signal);
  setTimeout(() => controller.abort(), 50);
  await running;
  assert.is(warm.pipeline('BTC-USD'), undefined);
});

test('through the real exchange clients over HTTP (Coinbase and Kraken candle endpoints, a 429 first): ready, the same state as the candles fed directly', async () => {
  for (const exchange of ['coinbase', 'kraken'] as const) {
    // The exchange's candles of every size over the last day; the one holding NOW is still forming.
    const bySize = (granularityMs: number) => candlePath(Date.UTC(2025, 11, 31, 12), granularityMs, Math.ceil(DAY / granularityMs) + 1);
    const server = await CandleServer.start({ exchange, candles: bySize, now: NOW });
    server.script.push({ status: 429, headers: { 'retry-after': '0' }, body: '{"message":"slow down"}' });
    try {
      const client =
        exchange === 'coinbase'
          ? new CoinbaseCandleHistory({ baseUrl: server.url, now: () => NOW, minIntervalMs: 0 })
          : new KrakenCandleHistory({ baseUrl: server.url, now: () => NOW, minIntervalMs: 0 });
      const warm = new WarmStart(options({ sources: [client] }));
      await warm.run();
      const [status] = warm.progress();
      assert.equal(status!.remaining, [], `${exchange}: every timeframe has its candles`);
      assert.equal(status!.problems, [], `${exchange}: the 429 was waited out`);
      assert.match(warm.health().detail, new RegExp(`ready \\(\\d+ from ${exchange}\\)`));
      assert.ok(server.requests.length >= 2, `${exchange}: the 429 and its retry`);
      // The same candles from a source of our own give the same state: the HTTP path loses nothing.
      const sizes = client.granularities;
      const direct = new WarmStart(
        options({
          sources: [new HandBuiltHistory(exchange, sizes, new Map(sizes.map((g) => [g, bySize(g).filter((c) => c.start + g <= NOW)])))],
        }),
      );
      await direct.run();
      assert.equal(warm.pipeline('BTC-USD')!.snapshot(), direct.pipeline('BTC-USD')!.snapshot(), exchange);
    } finally {
      await server.close();
    }
  }
});

test.run();
