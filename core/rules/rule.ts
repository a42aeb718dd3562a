// What every rule implements: raw triggers per tick, whether a trigger still holds, and JSON state.
import type { Side } from '../contracts/index.js';
import { RAW_FIELDS } from '../indicators/indicator-set.js';

/** Where the price sits in `RuleInput.slots`, after the indicator values. */
export const PRICE_SLOT = RAW_FIELDS.length;

/**
 * One tick as the rules read it: `slots` holds the indicator values in RAW_FIELDS order (NaN while
 * warming up) and the price at PRICE_SLOT. Numbers in a typed array, so reading them never boxes.
 */
export interface RuleInput {
  ts: number;
  price: number;
  readonly slots: Float64Array;
}

export interface Detector {
  /**
   * The side of the raw trigger on this tick (before confirmation and cooldown), or null.
   * `index` counts ticks. Until the next call, `reason(input)` describes that trigger.
   */
  evaluate(input: RuleInput, index: number): Side | null;
  /** The text of the last trigger, built only when asked: most triggers are never emitted. */
  reason(input: RuleInput): string;
  /** Whether the condition a `side` trigger crossed into is still true (used to confirm it). */
  holds(side: Side, input: RuleInput): boolean;
  snapshot(): unknown;
  /** Restores state from `snapshot()` output (maybe via JSON); throws naming `at` if malformed. */
  restore(state: unknown, at: string): void;
}
