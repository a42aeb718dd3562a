// A URL's password kept out of what people and logs see: `redis://user:pw@host` is shown as `redis://user:***@host`.

/** A URL without its password, for messages and logs. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}

/** Whether a string is a URL that carries a password (`scheme://user:password@host`). */
export function hasUrlPassword(value: string): boolean {
  if (!value.includes('@')) return false;
  try {
    return new URL(value).password !== '';
  } catch {
    return false;
  }
}

/**
 * A copy of a JSON-like value with the password of every URL in it replaced, however deep: the
 * config's redis.url and mqtt.url, and any other URL someone writes with credentials in it.
 */
export function withoutUrlPasswords<T>(value: T): T {
  if (typeof value === 'string') return (hasUrlPassword(value) ? safeUrl(value) : value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutUrlPasswords(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutUrlPasswords(item)])) as T;
  }
  return value;
}
