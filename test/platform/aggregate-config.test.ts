// The aggregate section of the configuration: its defaults, the store they choose, and one-line errors naming the key.
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig } from '../../platform/config/load.js';
import { storeFile, storeSettings } from '../../platform/store/select.js';

const fromFile = (yaml: string) => loadConfig({ env: { STOCK_STREAM_CONFIG: '/etc/s.yaml' }, readFile: () => yaml });

test('defaults: group, key prefix, candle retention 7/30/365 days, 50 recent signals, SQLite in dataDir', () => {
  const config = loadConfig({ env: { STOCK_STREAM_DATA_DIR: '/var/lib/stock' } });
  assert.equal(config.aggregate, {
    group: 'stock-stream-aggregator',
    keyPrefix: 'stock',
    candles1mDays: 7,
    candles5mDays: 30,
    candles1hDays: 365,
    recentSignals: 50,
    maxClockSkewSeconds: 60,
  });
  assert.is(storeFile(config), join('/var/lib/stock', 'bus.sqlite'), 'on a single node, in the embedded log file');
  const beside = loadConfig({ env: { STOCK_STREAM_DATA_DIR: '/var/lib/stock', KAFKA_BOOTSTRAP_SERVERS: 'kafka:9092' } });
  assert.is(storeFile(beside), join('/var/lib/stock', 'aggregates.sqlite'), 'beside Kafka, a file of its own');
  assert.equal(storeSettings(config), {
    candleRetentionMs: { '1m': 7 * 86_400_000, '5m': 30 * 86_400_000, '1h': 365 * 86_400_000 },
    recentSignals: 50,
  });
});

test('bad values: one line naming the key', () => {
  const cases: Array<[string, RegExp]> = [
    ['aggregate:\n  candles1mDays: 0\n', /aggregate\.candles1mDays/],
    ['aggregate:\n  recentSignals: -3\n', /aggregate\.recentSignals/],
    ['aggregate:\n  keyPrefix: "a b"\n', /aggregate\.keyPrefix: must be 1-64 letters/],
    ['aggregate:\n  group: ""\n', /aggregate\.group/],
    ['aggregate:\n  retention: 3\n', /aggregate.*retention/],
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

test.run();
