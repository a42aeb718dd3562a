// Chooses the notification ledger: Redis when redis.url is set, else SQLite in dataDir.
import { join } from 'node:path';
import type { Config } from '../../platform/config/schema.js';
import type { Logger } from '../../platform/log.js';
import { redisAuth } from '../../platform/redis-auth.js';
import type { Ledger } from './ledger.js';

export function ledgerFile(config: Config): string {
  return join(config.dataDir, 'notifications.sqlite');
}

/** Loads only the adapter it opens. */
export async function openLedger(config: Config, logger: Logger): Promise<Ledger> {
  if (config.redis.url !== undefined) {
    const { RedisLedger } = await import('./redis-ledger.js');
    return RedisLedger.connect({
      url: config.redis.url,
      ...redisAuth(config.redis),
      keyPrefix: config.notify.keyPrefix,
      logger,
      connectTimeoutMs: Math.min(config.kafka.connectTimeoutMs, 10_000),
    });
  }
  const { SqliteLedger } = await import('./sqlite-ledger.js');
  return new SqliteLedger(ledgerFile(config));
}
