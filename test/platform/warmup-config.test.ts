// The warmup section of the configuration: its defaults, what it accepts, and one-line errors naming the key.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { warmupSources } from '../../cluster/process/warm-sources.js';
import { ConfigError, loadConfig } from '../../platform/config/load.js';
import { createLogger } from '../../platform/log.js';
import { SqliteStore } from '../../platform/store/sqlite-store.js';

const fromFile = (yaml: string) => loadConfig({ env: { STOCK_STREAM_CONFIG: '/etc/s.yaml' }, readFile: () => yaml });

test('defaults: on, from the store, at most 1000 candles and 60 days, 20 s per answer', () => {
  assert.equal(loadConfig({ env: {} }).warmup, { enabled: true, sources: ['store'], maxCandles: 1000, maxAgeDays: 60, timeoutSeconds: 20 });
  assert.equal(fromFile('warmup:\n  enabled: false\n  sources: [kraken, store]\n').warmup.sources, ['kraken', 'store']);
});

test('bad values: one line naming the key', () => {
  const cases: Array<[string, RegExp]> = [
    ['warmup:\n  sources: [binance]\n', /warmup\.sources\.0/],
    ['warmup:\n  sources: [store, store]\n', /warmup\.sources: must not name a source twice/],
    ['warmup:\n  sources: store\n', /warmup\.sources/],
    ['warmup:\n  maxCandles: 0\n', /warmup\.maxCandles/],
    ['warmup:\n  maxCandles: 1.5\n', /warmup\.maxCandles/],
    ['warmup:\n  maxAgeDays: -1\n', /warmup\.maxAgeDays/],
    ['warmup:\n  timeoutSeconds: 100000\n', /warmup\.timeoutSeconds/],
    ['warmup:\n  enabled: "yes please"\n', /warmup\.enabled/],
    ['warmup:\n  from: coinbase\n', /warmup.*from/],
  ];
  for (const [yaml, pattern] of cases) {
    try {
      fromFile(yaml);
      assert.unreachable(`accepted ${yaml}`);
    } catch (error) {
      assert.instance(error, ConfigError, yaml);
      assert.match((error as Error).message, pattern);
      assert.not.match((error as Error).message, /\n/);
    }
  }
});

test('sources in the configured order; exchange is the live source own exchange, none for simulated or replayed prices', async () => {
  const store = new SqliteStore({ file: ':memory:', candleRetentionMs: { '1m': 1, '5m': 1, '1h': 1 }, recentSignals: 1 });
  const silent = createLogger('silent');
  const names = (yaml: string) => warmupSources(fromFile(yaml), store, silent).map((s) => s.name);
  try {
    assert.equal(names('warmup:\n  sources: [kraken, store]\n'), ['kraken', 'store']);
    assert.equal(names('ingest:\n  source: coinbase\n'), ['store'], 'the default: the store only, nothing fetched unasked');
    const both = 'warmup:\n  sources: [store, exchange]\n';
    assert.equal(names(`${both}ingest:\n  source: coinbase\n`), ['store', 'coinbase'], 'exchange: the live source exchange');
    assert.equal(names(`${both}ingest:\n  source: kraken\n`), ['store', 'kraken']);
    assert.equal(names(`${both}ingest:\n  source: simulator\n`), ['store'], 'simulated prices: no exchange history');
    assert.equal(names(`${both}ingest:\n  source: "replay:x.csv"\n`), ['store']);
    assert.equal(warmupSources(fromFile('ingest:\n  source: simulator\n'), undefined, silent), [], 'no store opened: no store source');
  } finally {
    await store.close();
  }
});

test.run();
