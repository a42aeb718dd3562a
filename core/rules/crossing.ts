// A detector made of two crossings (one per side), each with hysteresis: the engine of every simple rule.
import type { RuleTick, Side } from '../contracts.js';
import type { Detector, Trigger } from './rule.js';
import { stateArray, stateBoolean, stateNumber, stateRecord } from './state-reader.js';

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
  value(tick: RuleTick): number | null;
  /** Human-readable reason; `extreme` is the furthest the value went while armed. */
  reason(tick: RuleTick, value: number, extreme: number): string;
}

export class CrossingDetector implements Detector {
  private readonly armed = [false, false];
  private readonly extreme = [0, 0];

  constructor(private readonly crossings: readonly [Crossing, Crossing]) {}

  evaluate(tick: RuleTick): Trigger | null {
    let fired: Trigger | null = null;
    let conflict = false;
    for (let i = 0; i < 2; i++) {
      const crossing = this.crossings[i]!;
      const value = crossing.value(tick);
      if (value === null) continue;
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
        if (fired !== null) conflict = true;
        fired = { side: crossing.side, reason: crossing.reason(tick, value, this.extreme[i]!) };
      }
    }
    // A buy and a sell on the same tick contradict each other: neither is worth acting on.
    return conflict ? null : fired;
  }

  holds(side: Side, tick: RuleTick): boolean {
    const crossing = this.crossings[0].side === side ? this.crossings[0] : this.crossings[1];
    const value = crossing.value(tick);
    if (value === null) return false;
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
