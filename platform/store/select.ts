// Chooses the aggregate store from configuration: Redis when redis.url is set, SQLite in dataDir otherwise.
import { join } from 'node:path';
import { DAY_MS } from '../../core/aggregate/calendar.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { RedisStore } from './redis-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { AggregateStore, StoreSettings } from './store.js';

export function storeFile(config: Config): string {
  return join(config.dataDir, 'aggregates.sqlite');
}

export function storeSettings(config: Config): StoreSettings {
  const { candles1mDays, candles5mDays, candles1hDays, recentSignals } = config.aggregate;
  return {
    candleRetentionMs: { '1m': candles1mDays * DAY_MS, '5m': candles5mDays * DAY_MS, '1h': candles1hDays * DAY_MS },
    recentSignals,
  };
}

export async function openStore(config: Config, logger: Logger): Promise<AggregateStore> {
  const settings = storeSettings(config);
  if (config.redis.url !== undefined) {
    return RedisStore.connect({
      ...settings,
      url: config.redis.url,
      keyPrefix: config.aggregate.keyPrefix,
      logger,
      connectTimeoutMs: Math.min(config.kafka.connectTimeoutMs, 10_000),
    });
  }
  return new SqliteStore({ ...settings, file: storeFile(config) });
}
