// Who we are to Redis, from the `redis` config section: an ACL user and a password (REDIS_PASSWORD), both optional.
import type { Config } from './config/schema.js';

export interface RedisAuth {
  readonly username?: string;
  readonly password?: string;
}

/** Only the keys that are set: the client then falls back to what the URL says, or to no AUTH at all. */
export function redisAuth(config: Config['redis']): RedisAuth {
  return {
    ...(config.username !== undefined ? { username: config.username } : {}),
    ...(config.password !== undefined ? { password: config.password } : {}),
  };
}

/** Whether Redis turned us away for our credentials (NOAUTH, WRONGPASS), rather than being unreachable. */
export function isAuthRefusal(message: string): boolean {
  return /\b(NOAUTH|WRONGPASS)\b|AUTH.*(without any password|invalid)|NOPERM/i.test(message);
}
