// Exponential backoff with "equal jitter" (half fixed, half random), for reconnecting to a dependency that went away.

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Uniform [0,1) source; injected so that tests can be deterministic. */
  readonly random?: () => number;
}

/** Delay before retry number `attempt` (0-based): between half and all of min(max, initial * 2^attempt). */
export function backoffDelay(attempt: number, { initialMs, maxMs, random = Math.random }: BackoffOptions): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface RetryWindow {
  readonly initialMs: number;
  readonly maxMs: number;
  /** How long one write keeps being retried before its error is thrown (the bus then delivers the batch again). */
  readonly windowMs: number;
}

export const DEFAULT_RETRY_WINDOW: RetryWindow = { initialMs: 100, maxMs: 2000, windowMs: 5000 };

/**
 * Writes to a dependency that may be away (a store, a ledger): each write is retried with backoff for
 * at most the window, or until `signal` aborts, and then fails with its last error. Between writes it
 * remembers the outage in progress, for health.
 */
export class RetryingWrites {
  /** The last failure's message while the dependency is away; undefined once a write succeeds. */
  outage: string | undefined;

  constructor(
    private readonly window: RetryWindow,
    private readonly signal: AbortSignal,
    private readonly now: () => number,
  ) {}

  async run<T>(write: () => Promise<T>, report: { failed(error: unknown, first: boolean): void; recovered(): void }): Promise<T> {
    const began = this.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await write();
        if (this.outage !== undefined) report.recovered();
        this.outage = undefined;
        return result;
      } catch (error) {
        report.failed(error, this.outage === undefined);
        this.outage = (error as Error).message;
        if (this.signal.aborted || this.now() - began >= this.window.windowMs) throw error;
        await sleep(backoffDelay(attempt, this.window), this.signal);
      }
    }
  }
}
