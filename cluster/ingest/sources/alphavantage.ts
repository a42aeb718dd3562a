// Alpha Vantage's CURRENCY_EXCHANGE_RATE, polled with fetch() at the pace the plan allows. Its
// errors (HTTP 200 with Note, Information or Error Message; HTTP errors; timeouts; bad JSON) are
// logged, shown in status() and backed off from; they never become ticks. The API key goes only
// into the request URL: never into logs, status or rejects.
import {
  alphaVantageQuery,
  ALPHAVANTAGE_SOURCE,
  parseAlphaVantageBody,
  pollPlan,
  redactKey,
  type PollPlan,
} from '../../../core/ingest/alphavantage.js';
import { backoffDelay, sleep } from '../../../platform/retry.js';
import type { PriceSource, SourceDeps, SourceSink, SourceStatus } from '../source.js';

export interface AlphaVantageSourceOptions {
  readonly url: string;
  readonly apiKey?: string | undefined;
  readonly requestsPerDay?: number | undefined;
  readonly requestsPerMinute?: number | undefined;
  /** MESSAGE_INTERVAL: overrides the plan's pace (with a warning when faster). */
  readonly intervalSeconds?: number | undefined;
  /** Per request (default 10 s). */
  readonly timeoutMs?: number;
  /** After failures: between half and all of min(maxMs, initialMs * 2^failures), never below the interval. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  readonly random?: () => number;
  /**
   * Bodies larger than this are refused as 'oversized' (default 256 KiB; a real one is under 1 KiB),
   * by their Content-Length before reading, or as soon as more has arrived.
   */
  readonly maxBodyBytes?: number;
}

const DEFAULT_BACKOFF = { initialMs: 60_000, maxMs: 6 * 3_600_000 };

export class AlphaVantageSource implements PriceSource {
  readonly name = ALPHAVANTAGE_SOURCE;
  readonly plan: PollPlan;
  /** Requests that failed in a row (any symbol); 0 after a good answer. */
  private failures = 0;
  private problem: string | undefined;
  private note = 'not polled yet';
  private lastMessageAt = 0;
  private readonly lastRefreshed = new Map<string, string>();
  private readonly apiKey: string;
  private readonly now: () => number;

  constructor(
    private readonly options: AlphaVantageSourceOptions,
    private readonly deps: SourceDeps,
  ) {
    if (options.apiKey === undefined || options.apiKey === '') {
      throw new Error('alphavantage: no API key; set ALPHAVANTAGE_API_KEY (or ALPHAVANTAGE_API_KEY_FILE)');
    }
    this.apiKey = options.apiKey;
    this.now = deps.now ?? Date.now;
    this.plan = pollPlan({
      requestsPerDay: options.requestsPerDay,
      requestsPerMinute: options.requestsPerMinute,
      explicitSeconds: options.intervalSeconds,
      symbols: deps.symbols.length,
    });
  }

  async run(sink: SourceSink, signal: AbortSignal): Promise<void> {
    const { intervalSeconds, planSeconds, warning } = this.plan;
    this.deps.logger.info(
      { source: this.name, url: this.options.url, intervalSeconds, planSeconds, symbols: this.deps.symbols },
      'alphavantage: polling',
    );
    if (warning !== undefined) this.deps.logger.warn({ source: this.name, intervalSeconds, planSeconds }, warning);
    const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
    while (!signal.aborted) {
      const started = this.now();
      for (const symbol of this.deps.symbols) {
        if (signal.aborted) return;
        await this.poll(symbol, sink, signal);
      }
      let waitMs = intervalSeconds * 1000 - (this.now() - started);
      if (this.failures > 0) {
        const delay = backoffDelay(this.failures - 1, { ...backoff, ...(this.options.random ? { random: this.options.random } : {}) });
        waitMs = Math.max(waitMs, delay);
        this.problem = `${this.problem ?? 'failing'}; retrying in ${Math.round(waitMs / 1000)} s`;
      }
      if (waitMs > 0) await sleep(waitMs, signal);
    }
  }

  status(): SourceStatus {
    const base = { lastMessageAt: this.lastMessageAt, simulated: false };
    if (this.problem !== undefined) return { ...base, ok: false, detail: this.problem };
    return { ...base, ok: true, detail: this.note };
  }

  private async poll(symbol: string, sink: SourceSink, signal: AbortSignal): Promise<void> {
    const url = new URL(this.options.url);
    for (const [key, value] of Object.entries(alphaVantageQuery(symbol))) url.searchParams.set(key, value);
    url.searchParams.set('apikey', this.apiKey);
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const maxBodyBytes = this.options.maxBodyBytes ?? 256 * 1024;
    let text: string;
    try {
      const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
      const body = await readBounded(response, maxBodyBytes);
      this.lastMessageAt = this.now();
      if (response.status !== 200) return this.fail(symbol, `HTTP ${response.status}`);
      if (body.oversized !== undefined) {
        await sink.reject(redactKey(body.head, this.apiKey, true), 'oversized', `alphavantage ${symbol}: ${body.oversized}`);
        return this.fail(symbol, body.oversized);
      }
      text = body.text;
    } catch (error) {
      if (signal.aborted) return;
      const name = error instanceof Error ? error.name : '';
      const reason = name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `request failed: ${this.redact(describe(error))}`;
      return this.fail(symbol, reason);
    }
    const result = parseAlphaVantageBody(text, symbol);
    switch (result.kind) {
      case 'rate': {
        this.failures = 0;
        this.problem = undefined;
        if (this.lastRefreshed.get(symbol) === result.lastRefreshed) {
          this.note = `${symbol} unchanged since ${result.lastRefreshed} UTC`;
          this.deps.logger.debug(
            { source: this.name, symbol, lastRefreshed: result.lastRefreshed },
            'alphavantage: rate not refreshed, no new tick',
          );
          return;
        }
        this.lastRefreshed.set(symbol, result.lastRefreshed);
        this.note = `${symbol} refreshed ${result.lastRefreshed} UTC`;
        // The raw text goes on with the tick (into a dead letter, should the contract refuse it).
        await sink.observe(result.tick, this.redact(text));
        return;
      }
      case 'rate-limited':
        return this.fail(symbol, `rate limited (${this.redact(result.detail)})`);
      case 'api-error':
        return this.fail(symbol, `refused (${this.redact(result.detail)})`);
      case 'malformed':
        await sink.reject(this.redact(text), 'malformed', `alphavantage ${symbol}: ${result.detail}`);
        return this.fail(symbol, `malformed answer: ${result.detail}`);
    }
  }

  private fail(symbol: string, reason: string): void {
    this.failures++;
    this.problem = `${symbol}: ${reason}`;
    this.deps.logger.warn({ source: this.name, symbol, failures: this.failures, reason }, `alphavantage: ${reason}`);
  }

  /** Alpha Vantage's own messages can quote the key ("We have detected your API key as ..."). */
  private redact(text: string): string {
    return redactKey(text, this.apiKey);
  }
}

type BoundedBody = { readonly text: string; readonly oversized?: undefined } | { readonly oversized: string; readonly head: string };

/**
 * The body as text, or why it is too large and its first `maxBytes` bytes: a Content-Length over the
 * bound is refused before reading anything, a body without one as soon as it passes the bound.
 */
async function readBounded(response: Response, maxBytes: number): Promise<BoundedBody> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    return { oversized: `Content-Length ${declared}, over ${maxBytes} bytes`, head: '' };
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.byteLength;
      if (received > maxBytes) {
        await reader.cancel().catch(() => {});
        const head = Buffer.concat(chunks).subarray(0, maxBytes);
        // A character cut in two at the bound is dropped rather than shown as U+FFFD.
        return { oversized: `body over ${maxBytes} bytes`, head: new TextDecoder().decode(head).replace(/\uFFFD$/, '') };
      }
    }
  }
  return { text: new TextDecoder().decode(Buffer.concat(chunks)) };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
