// One Redis connection as every Redis adapter wants it: commands fail at once while disconnected
// (no offline queue, so a caller knows its write did not land and retries it), reconnects with
// backoff, one log line when the connection goes and one when it is back, and a bounded connect.
import { createClient } from 'redis';
import type { Logger } from './log.js';
import { safeUrl } from './probes.js';

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisConnectionOptions {
  readonly url: string;
  readonly logger: Logger;
  readonly connectTimeoutMs?: number;
  /** The connection failed (a message) or is back (undefined): for the caller's health. */
  readonly onState?: (error: string | undefined) => void;
}

/** Connects, or throws `cannot reach Redis at <url>: <why>` (the URL without its password). */
export async function connectRedis(options: RedisConnectionOptions): Promise<RedisClient> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const url = safeUrl(options.url);
  const client: RedisClient = createClient({
    url: options.url,
    disableOfflineQueue: true,
    socket: { connectTimeout: connectTimeoutMs, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) },
  });
  let up = true;
  client.on('error', (error: Error) => {
    options.onState?.(error.message || String(error));
    if (up) options.logger.warn({ err: error, url }, 'Redis connection lost; reconnecting');
    up = false;
  });
  client.on('ready', () => {
    if (!up) options.logger.info({ url }, 'Redis connection back');
    up = true;
    options.onState?.(undefined);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${connectTimeoutMs} ms`)), connectTimeoutMs)),
      ),
    ]);
  } catch (error) {
    client.destroy();
    throw new Error(`cannot reach Redis at ${url}: ${(error as Error).message}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  return client;
}
