// What every rule implements: raw triggers per tick, whether a trigger still holds, and JSON state.
import type { RuleTick, Side } from '../contracts.js';

export interface Trigger {
  side: Side;
  reason: string;
}

export interface Detector {
  /** The raw trigger on this tick (before confirmation and cooldown), if any. `index` counts ticks. */
  evaluate(tick: RuleTick, index: number): Trigger | null;
  /** Whether the condition a `side` trigger crossed into is still true (used to confirm it). */
  holds(side: Side, tick: RuleTick): boolean;
  snapshot(): unknown;
  /** Restores state from `snapshot()` output (maybe via JSON); throws naming `at` if malformed. */
  restore(state: unknown, at: string): void;
}
