// One Redis connection as every Redis adapter wants it: commands fail at once while disconnected
// (no offline queue, so a caller knows its write did not land and retries it), reconnects with
// backoff, one log line when the connection goes and one when it is back, and a bounded connect.
import { createClient } from 'redis';
import type { Logger } from './log.js';
import { isAuthRefusal, type RedisAuth } from './redis-auth.js';
import { safeUrl } from './safe-url.js';

export type RedisClient = ReturnType<typeof createClient>;

/** What to set, said in the error a person reads. */
export const AUTH_HINT = 'set REDIS_PASSWORD or REDIS_PASSWORD_FILE, and redis.username for an ACL user';

export interface RedisConnectionOptions extends RedisAuth {
  readonly url: string;
  readonly logger: Logger;
  readonly connectTimeoutMs?: number;
  /** The connection failed (a message) or is back (undefined): for the caller's health. */
  readonly onState?: (error: string | undefined) => void;
}

/**
 * Connects and checks with a PING that Redis lets us in, or throws one line (the URL without its
 * password): `cannot reach Redis at <url>: <why>`, or `Redis at <url> refused our credentials: <why>`.
 */
export async function connectRedis(options: RedisConnectionOptions): Promise<RedisClient> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const url = safeUrl(options.url);
  const client: RedisClient = createClient({
    url: options.url,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    disableOfflineQueue: true,
    socket: { connectTimeout: connectTimeoutMs, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) },
  });
  let up = true;
  // The client answers a refused AUTH (or a NOAUTH on its hello) by reconnecting, again and again,
  // and its connect never settles: during start-up such an error ends the attempt at once.
  let refuse: ((error: Error) => void) | undefined;
  const refused = new Promise<never>((_, reject) => (refuse = reject));
  client.on('error', (error: Error) => {
    if (refuse && isAuthRefusal(error.message)) refuse(error);
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
      // Without a password a server with requirepass accepts the connection and refuses every command: PING tells.
      client.connect().then(() => client.ping()),
      refused,
      new Promise(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${connectTimeoutMs} ms`)), connectTimeoutMs)),
      ),
    ]);
  } catch (error) {
    client.destroy();
    const why = (error as Error).message;
    if (isAuthRefusal(why)) throw new Error(`Redis at ${url} refused our credentials (${AUTH_HINT}): ${why}`, { cause: error });
    throw new Error(`cannot reach Redis at ${url}: ${why}`, { cause: error });
  } finally {
    clearTimeout(timer);
    refuse = undefined;
  }
  return client;
}
