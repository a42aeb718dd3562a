// Chooses the aggregate store from configuration: Redis when redis.url is set, SQLite in dataDir otherwise.
import { join } from 'node:path';
import { DAY_MS } from '../../core/aggregate/calendar.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { redisAuth } from '../redis-auth.js';
import type { AggregateStore, StoreSettings } from './store.js';
import type { Bus } from '../bus/bus.js';
import type { EmbeddedLog } from '../bus/embedded-log.js';
import { embeddedLogFile } from '../bus/select.js';

/**
 * Where the SQLite store lives: on a single node (the embedded log), in the log's own file, so that a
 * batch's aggregates and the log's offsets commit together; beside Kafka, in a file of its own.
 */
export function storeFile(config: Config): string {
  return config.kafka.brokers === undefined ? embeddedLogFile(config) : join(config.dataDir, 'aggregates.sqlite');
}

export function storeSettings(config: Config): StoreSettings {
  const { candles1mDays, candles5mDays, candles1hDays, recentSignals } = config.aggregate;
  return {
    candleRetentionMs: { '1m': candles1mDays * DAY_MS, '5m': candles5mDays * DAY_MS, '1h': candles1hDays * DAY_MS },
    recentSignals,
  };
}

/**
 * Loads only the adapter it opens (the Redis client is megabytes a single-node process does without).
 * Given this process's embedded log, a SQLite store shares its connection (see storeFile).
 */
export async function openStore(config: Config, logger: Logger, bus?: Bus): Promise<AggregateStore> {
  const settings = storeSettings(config);
  if (config.redis.url !== undefined) {
    const { RedisStore } = await import('./redis-store.js');
    return RedisStore.connect({
      ...settings,
      url: config.redis.url,
      ...redisAuth(config.redis),
      keyPrefix: config.aggregate.keyPrefix,
      logger,
      connectTimeoutMs: Math.min(config.kafka.connectTimeoutMs, 10_000),
    });
  }
  const { SqliteStore } = await import('./sqlite-store.js');
  if (bus?.kind === 'embedded') return new SqliteStore({ ...settings, connection: (bus as EmbeddedLog).connection });
  return new SqliteStore({ ...settings, file: storeFile(config) });
}
