// When a symbol's state goes out: at most once per interval (Home Assistant's recorder stores every
// state change, and a Raspberry Pi's SD card pays for each), at once for a recommendation or an
// alert, or when the price moved more than a fraction since the last published one. Pure: the time
// comes in as an argument; the bridge keeps the value that waits and a timer for `dueAt`.

export interface ThrottleSettings {
  /** At most one publication per this many ms per symbol; 0 publishes every change. */
  readonly intervalMs: number;
  /** A price this far (a fraction: 0.005 is 0.5 %) from the last published one goes out at once. */
  readonly moveFraction: number;
}

export interface ThrottleInput {
  readonly now: number;
  readonly price: number | null;
  /** A recommendation, an alert or a change of stance: never held back. */
  readonly urgent: boolean;
}

export type ThrottleDecision =
  | { readonly publish: true }
  /** Hold the value; publish the latest one at `dueAt` (the end of the interval). */
  | { readonly publish: false; readonly dueAt: number };

interface Published {
  readonly at: number;
  readonly price: number | null;
}

export class StateThrottle {
  private readonly last = new Map<string, Published>();

  constructor(private readonly settings: ThrottleSettings) {}

  /** Whether `key`'s state goes out now; when it does, it counts as published at `input.now`. */
  offer(key: string, input: ThrottleInput): ThrottleDecision {
    const last = this.last.get(key);
    const { intervalMs, moveFraction } = this.settings;
    const moved =
      last !== undefined &&
      last.price !== null &&
      input.price !== null &&
      last.price !== 0 &&
      Math.abs(input.price - last.price) / Math.abs(last.price) > moveFraction;
    if (intervalMs <= 0 || last === undefined || input.urgent || moved || input.now - last.at >= intervalMs) {
      this.published(key, input.now, input.price);
      return { publish: true };
    }
    return { publish: false, dueAt: last.at + intervalMs };
  }

  /** The held value went out at `now` (the bridge's timer at `dueAt`). */
  published(key: string, now: number, price: number | null): void {
    this.last.set(key, { at: now, price });
  }
}
