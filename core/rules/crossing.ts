// A detector made of two crossings (one per side), each with hysteresis: the engine of every simple rule.
import type { Side } from '../contracts/index.js';
import { PRICE_SLOT, type Detector, type RuleInput } from './rule.js';
import { stateArray, stateBoolean, stateNumber, stateRecord } from './state-reader.js';

/**
 * The value a crossing watches: (slots[from] − slots[less]) / price when `perPrice`; NaN while a
 * slot it reads is warming up. Data rather than a callback, so one monomorphic path reads every rule.
 */
export interface CrossingValue {
  /** A slot of RuleInput.slots (RAW_INDEX[...] or PRICE_SLOT). */
  from: number;
  /** The slot subtracted from `from`, or -1 for none. */
  less: number;
  /** Divide by the price, making the value a fraction of it: one hysteresis then fits any level. */
  perPrice: boolean;
}

export interface Crossing {
  side: Side;
  /** 'up': fires when the value rises above `level`; 'down': when it falls below. */
  direction: 'up' | 'down';
  level: number;
  /**
   * The value must first have been beyond level ∓ hysteresis on the other side (that arms the
   * crossing); then it fires once, on the first tick past `level`, and must re-arm before firing
   * again. Noise smaller than the hysteresis around the level therefore never fires twice.
   */
  hysteresis: number;
  value: CrossingValue;
  /** Human-readable reason; `extreme` is the furthest the value went while armed. */
  reason(input: RuleInput, value: number, extreme: number): string;
}

/** The crossing's value on this input; NaN while warming up. */
export function crossingValue({ from, less, perPrice }: CrossingValue, input: RuleInput): number {
  const slots = input.slots;
  const difference = less < 0 ? slots[from]! : slots[from]! - slots[less]!;
  return perPrice ? difference / slots[PRICE_SLOT]! : difference;
}

export class CrossingDetector implements Detector {
  private readonly armed = [false, false];
  private readonly extreme = [0, 0];
  // The last trigger evaluate returned, so that its reason can be built if and when it is emitted.
  private fired = 0;
  private firedValue = 0;
  private firedExtreme = 0;

  constructor(private readonly crossings: readonly [Crossing, Crossing]) {}

  evaluate(input: RuleInput): Side | null {
    let fired = -1;
    let firedValue = 0;
    let conflict = false;
    for (let i = 0; i < 2; i++) {
      const crossing = this.crossings[i]!;
      const value = crossingValue(crossing.value, input);
      if (Number.isNaN(value)) continue;
      // Flip signs for a down crossing so one piece of logic serves both directions.
      const sign = crossing.direction === 'up' ? 1 : -1;
      const x = sign * value;
      const level = sign * crossing.level;
      if (x < level - crossing.hysteresis && !this.armed[i]) {
        this.armed[i] = true;
        this.extreme[i] = value;
      }
      if (!this.armed[i]) continue;
      if (x < sign * this.extreme[i]!) this.extreme[i] = value;
      if (x > level) {
        this.armed[i] = false;
        if (fired >= 0) conflict = true;
        fired = i;
        firedValue = value;
      }
    }
    // A buy and a sell on the same tick contradict each other: neither is worth acting on.
    if (fired < 0 || conflict) return null;
    // Kept until the next trigger: a trigger waiting for confirmation may ask for its reason later.
    this.fired = fired;
    this.firedValue = firedValue;
    this.firedExtreme = this.extreme[fired]!;
    return this.crossings[fired]!.side;
  }

  reason(input: RuleInput): string {
    return this.crossings[this.fired]!.reason(input, this.firedValue, this.firedExtreme);
  }

  holds(side: Side, input: RuleInput): boolean {
    const crossing = this.crossings[0].side === side ? this.crossings[0] : this.crossings[1];
    const value = crossingValue(crossing.value, input);
    if (Number.isNaN(value)) return false;
    return crossing.direction === 'up' ? value > crossing.level : value < crossing.level;
  }

  snapshot(): { armed: boolean[]; extreme: number[] } {
    return { armed: [...this.armed], extreme: [...this.extreme] };
  }

  restore(state: unknown, at: string): void {
    const record = stateRecord(state, at);
    const armed = stateArray(record['armed'], `${at}.armed`, 2).map((v, i) => stateBoolean(v, `${at}.armed[${i}]`));
    const extreme = stateArray(record['extreme'], `${at}.extreme`, 2).map((v, i) => stateNumber(v, `${at}.extreme[${i}]`));
    for (let i = 0; i < 2; i++) {
      this.armed[i] = armed[i]!;
      this.extreme[i] = extreme[i]!;
    }
  }
}
