// GET requests for JSON to an exchange's public REST API: paced within its documented limits, retried
// on HTTP 429 and 5xx (Retry-After honoured) and on unreachable or silent servers, bounded in time and
// in size (a Content-Length over the limit is refused before the body is read).
import { backoffDelay, sleep } from '../retry.js';
import { CandleHistoryError, RetryableAnswer } from './errors.js';

export interface RestClientOptions {
  /** At least this long from the end of one answer to the next request: the exchange's public limit, with room. */
  readonly minIntervalMs: number;
  /** One request, from sending it to its last byte (default 15 s). */
  readonly timeoutMs?: number;
  /** Attempts per request before its last failure is thrown (default 5). */
  readonly maxAttempts?: number;
  /** The wait between attempts when the server does not say (default 1 s, doubling up to 30 s, jittered). */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** A Retry-After longer than this is not waited out; the request fails at once (default 60 s). */
  readonly maxRetryAfterMs?: number;
  /** Largest body read (default 2 MiB; a page of candles is tens of kilobytes). */
  readonly maxBodyBytes?: number;
}

type Attempt<T> = { readonly value: T } | { readonly retry: string; readonly waitMs?: number };

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_ATTEMPTS = 5;
const DEFAULT_BACKOFF = { initialMs: 1000, maxMs: 30_000 };
const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;
const DEFAULT_MAX_BODY_BYTES = 2 << 20;

export class PoliteJsonClient {
  /** Requests sent so far, retries included. */
  requests = 0;
  private nextAt = 0;

  constructor(
    private readonly source: string,
    private readonly options: RestClientOptions,
  ) {}

  /** GETs `url` and hands its JSON to `read`, which returns the value or throws (RetryableAnswer to try again). */
  async get<T>(url: URL, read: (body: unknown) => T, signal?: AbortSignal): Promise<T> {
    const attempts = this.options.maxAttempts ?? DEFAULT_ATTEMPTS;
    const maxRetryAfterMs = this.options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
    for (let attempt = 0; ; attempt++) {
      await this.pace(signal);
      let outcome: Attempt<T>;
      try {
        outcome = await this.once(url, read, signal);
      } finally {
        // Counted from the end of the answer: the server sees at least this much between two requests.
        this.nextAt = performance.now() + this.options.minIntervalMs;
      }
      if ('value' in outcome) return outcome.value;
      if (attempt + 1 >= attempts) throw this.error(`${outcome.retry}; gave up after ${attempts} attempts`);
      if (outcome.waitMs !== undefined && outcome.waitMs > maxRetryAfterMs) {
        throw this.error(
          `${outcome.retry} with Retry-After ${Math.ceil(outcome.waitMs / 1000)} s, over ${maxRetryAfterMs / 1000} s: try later`,
        );
      }
      await sleep(outcome.waitMs ?? backoffDelay(attempt, this.options.backoff ?? DEFAULT_BACKOFF), signal);
      signal?.throwIfAborted();
    }
  }

  /** Waits until the previous answer ended at least minIntervalMs ago. */
  private async pace(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    const wait = this.nextAt - performance.now();
    if (wait > 0) await sleep(wait, signal);
    signal?.throwIfAborted();
  }

  private async once<T>(url: URL, read: (body: unknown) => T, signal: AbortSignal | undefined): Promise<Attempt<T>> {
    this.requests++;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const both = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    const silent = { retry: `no complete answer from ${url.origin} within ${timeoutMs / 1000} s` };
    let response: Response;
    try {
      response = await fetch(url, { signal: both, headers: { accept: 'application/json' } });
    } catch (error) {
      signal?.throwIfAborted();
      if (timeout.aborted) return silent;
      return { retry: `cannot reach ${url.origin} (${networkCause(error)})` };
    }
    let text: string;
    try {
      text = await readBounded(response, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    } catch (error) {
      signal?.throwIfAborted();
      if (timeout.aborted) return silent;
      if (error instanceof BodyTooLarge) throw this.error(`the answer to ${url.pathname} is ${error.message}`);
      return { retry: `the answer from ${url.origin} broke off (${networkCause(error)})` };
    }
    if (response.status === 429 || response.status >= 500) {
      const waitMs = retryAfterMs(response.headers.get('retry-after'));
      return waitMs === undefined ? { retry: `HTTP ${response.status}` } : { retry: `HTTP ${response.status}`, waitMs };
    }
    if (response.status !== 200) {
      throw this.error(`HTTP ${response.status} for ${url.pathname}${explain(text)}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw this.error(`the answer to ${url.pathname} is not JSON: ${quote(text)}`);
    }
    try {
      return { value: read(body) };
    } catch (error) {
      if (error instanceof RetryableAnswer) return { retry: error.message };
      if (error instanceof CandleHistoryError) throw error;
      throw this.error((error as Error).message, error);
    }
  }

  private error(message: string, cause?: unknown): CandleHistoryError {
    return new CandleHistoryError(this.source, message, cause === undefined ? undefined : { cause });
  }
}

class BodyTooLarge extends Error {}

/** The body as text; a Content-Length over the limit is refused unread, a longer body as soon as it is. */
async function readBounded(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new BodyTooLarge(`${declared} bytes by its Content-Length, over the ${maxBytes}-byte limit`);
  }
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge(`over the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 section 10.2.3), in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The exchange's own words for an error: Coinbase's {"message"}, Kraken's {"error":[...]}, else the text. */
function explain(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof body.message === 'string') return ` (${quote(body.message)})`;
    if (Array.isArray(body.error) && body.error.length > 0) return ` (${quote(body.error.join(', '))})`;
  } catch {
    // not JSON: show its start
  }
  return text.trim() === '' ? '' : ` (${quote(text)})`;
}

function quote(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line);
}

function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return (error as Error).message;
}
