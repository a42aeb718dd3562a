// The small streaming contract every indicator follows, and the argument checks they share.

/**
 * A streaming indicator: one price in, O(1) work, no allocation.
 * `update` returns the main value, or null while warming up. The first value arrives after
 * `lookback` prices (at index `lookback`), which is TA-Lib's lookback for the same settings.
 * `updateRaw` is the same update returning NaN instead of null: V8 has to box a double that
 * shares a return type with null (a heap allocation per call), so hot loops (backtests, the
 * bench) use it. `updateInto` writes the same value(s) to out[at], out[at + 1], ... and returns
 * nothing: a double returned from a call that V8 does not inline is boxed too, and a caller
 * running several indicators (IndicatorSet) cannot count on all of them being inlined.
 * NaN never leaves through the nullable getters.
 * `snapshot()` is plain JSON (finite numbers only, so JSON.stringify/parse is exact), and
 * `restore(snapshot)` continues bit-for-bit as if the indicator had never stopped.
 */
export interface Indicator<Snapshot> {
  readonly lookback: number;
  readonly isStable: boolean;
  readonly value: number | null;
  update(price: number): number | null;
  updateRaw(price: number): number;
  updateInto(price: number, out: Float64Array, at: number): void;
  /**
   * Writes exactly what `updateInto(price, out, at)` would write now (the same slots, NaN while
   * warming up, the same doubles), but changes nothing: `value`, `isStable`, `snapshot()` and the
   * next update are as if it had never been called. It exists for the forming candle of a
   * timeframe: the indicator holds the closed candles (each committed once with its close through
   * `update`), and every tick of the candle still forming is shown as "the closed closes plus the
   * current price" (TA-Lib over that series at its last index), in O(1) and without allocating,
   * until the candle closes and its close is committed. The price is checked as `updateInto` does.
   */
  previewInto(price: number, out: Float64Array, at: number): void;
  snapshot(): Snapshot;
  restore(snapshot: Snapshot): void;
}

/** Scratch for the single-value indicators' updateRaw, which wraps their updateInto. */
export const ONE = new Float64Array(1);

// Periods allocate ring buffers, so a typo like 2e9 should fail loudly rather than take the heap.
export const MAX_PERIOD = 1_000_000;

export function checkPeriod(indicator: string, name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min || value > MAX_PERIOD) {
    throw new RangeError(`${indicator}: ${name} must be an integer from ${min} to ${MAX_PERIOD}, got ${String(value)}`);
  }
  return value;
}

// Checked before any state changes, so a bad tick can never poison the running sums.
export function checkPrice(indicator: string, price: number): void {
  if (!Number.isFinite(price)) {
    throw new RangeError(`${indicator}: price must be a finite number, got ${String(price)}`);
  }
}

/** The nullable face of a raw output: NaN (warming up) becomes null. */
export function orNull(raw: number): number | null {
  return Number.isNaN(raw) ? null : raw;
}
