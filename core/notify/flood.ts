// Flood control as pure functions of time: a token bucket per channel (the provider's rate limit),
// and when a subscriber's lane may send next (minimum interval, coalescing window).

export interface Bucket {
  readonly tokens: number;
  readonly at: number;
}

/** Takes one token if there is one. The bucket holds ten seconds' worth, at least one. */
export function takeToken(bucket: Bucket | undefined, ratePerMinute: number, now: number): { bucket: Bucket; ok: boolean } {
  const capacity = Math.max(1, (ratePerMinute / 60) * 10);
  const start = bucket ?? { tokens: capacity, at: now };
  const tokens = Math.min(capacity, start.tokens + (Math.max(0, now - start.at) * ratePerMinute) / 60_000);
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at: now }, ok: true };
  return { bucket: { tokens, at: now }, ok: false };
}

export interface LaneTiming {
  /** When the lane last delivered, if ever. */
  readonly lastSentAt: number | undefined;
  /** When the oldest waiting entry was enqueued. */
  readonly oldestEnqueuedAt: number;
  /** A retry goes at its own time, without a new coalescing wait. */
  readonly retrying: boolean;
  readonly minIntervalMs: number;
  readonly coalesceMs: number;
}

/** The earliest time the lane may send its waiting entries (as one message). */
export function laneReadyAt(timing: LaneTiming): number {
  const interval = timing.lastSentAt === undefined ? Number.NEGATIVE_INFINITY : timing.lastSentAt + timing.minIntervalMs;
  const gather = timing.retrying ? Number.NEGATIVE_INFINITY : timing.oldestEnqueuedAt + timing.coalesceMs;
  return Math.max(interval, gather);
}
