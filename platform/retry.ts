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
