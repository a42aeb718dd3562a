// all-of / any-of: fires when all (or any) of its rules fired the same side within a window of ticks.
import type { Side } from '../contracts/index.js';
import type { GatedRule } from './gated-rule.js';
import type { Detector, RuleInput } from './rule.js';
import { stateArray, stateBoolean, stateNumber, stateRecord, stateString } from './state-reader.js';

const SIDES: readonly Side[] = ['buy', 'sell'];

interface SideState {
  /** Tick index at which each child last fired this side; -1 for never. */
  firedAt: number[];
  reasons: string[];
  /** Whether the condition was already true on the previous tick: fire only when it becomes true. */
  active: boolean;
}

export class CombinationDetector implements Detector {
  private readonly sides: Record<Side, SideState>;
  private lastReason = '';

  constructor(
    private readonly mode: 'all-of' | 'any-of',
    private readonly window: number,
    private readonly children: readonly GatedRule[],
  ) {
    const empty = (): SideState => ({ firedAt: children.map(() => -1), reasons: children.map(() => ''), active: false });
    this.sides = { buy: empty(), sell: empty() };
  }

  evaluate(input: RuleInput, index: number): Side | null {
    // Every child steps on every tick, so its own crossings, confirmation and cooldown stay current.
    for (let i = 0; i < this.children.length; i++) {
      const child = this.children[i]!;
      const side = child.step(input, index);
      if (side === null) continue;
      this.sides[side].firedAt[i] = index;
      this.sides[side].reasons[i] = `${child.name}: ${child.reason}`;
    }
    let fired: Side | null = null;
    let reason = '';
    let conflict = false;
    for (const side of SIDES) {
      const state = this.sides[side];
      let count = 0;
      for (const at of state.firedAt) if (this.recent(at, index)) count++;
      const met = this.mode === 'all-of' ? count === this.children.length : count > 0;
      if (met && !state.active) {
        if (fired !== null) conflict = true;
        fired = side;
        // Combinations fire rarely: the reason is built here, while the children's reasons are current.
        const reasons = state.reasons.filter((_, i) => this.recent(state.firedAt[i]!, index)).join('; ');
        reason = `${this.mode} ${count} rule(s) within ${this.window} ticks: ${reasons}`;
      }
      state.active = met;
    }
    if (fired === null || conflict) return null;
    // Kept until the next trigger: one waiting for confirmation may ask for its reason later.
    this.lastReason = reason;
    return fired;
  }

  private recent(at: number, index: number): boolean {
    return at >= 0 && index - at < this.window;
  }

  reason(): string {
    return this.lastReason;
  }

  holds(side: Side, input: RuleInput): boolean {
    return this.mode === 'all-of'
      ? this.children.every((child) => child.holds(side, input))
      : this.children.some((child) => child.holds(side, input));
  }

  snapshot(): unknown {
    return {
      buy: { ...this.sides.buy, firedAt: [...this.sides.buy.firedAt], reasons: [...this.sides.buy.reasons] },
      sell: { ...this.sides.sell, firedAt: [...this.sides.sell.firedAt], reasons: [...this.sides.sell.reasons] },
      children: this.children.map((child) => child.snapshot()),
    };
  }

  restore(state: unknown, at: string): void {
    const record = stateRecord(state, at);
    const n = this.children.length;
    const sides = {} as Record<Side, SideState>;
    for (const side of SIDES) {
      const s = stateRecord(record[side], `${at}.${side}`);
      sides[side] = {
        firedAt: stateArray(s['firedAt'], `${at}.${side}.firedAt`, n).map((v, i) => stateNumber(v, `${at}.${side}.firedAt[${i}]`)),
        reasons: stateArray(s['reasons'], `${at}.${side}.reasons`, n).map((v, i) => stateString(v, `${at}.${side}.reasons[${i}]`)),
        active: stateBoolean(s['active'], `${at}.${side}.active`),
      };
    }
    const children = stateArray(record['children'], `${at}.children`, n);
    this.children.forEach((child, i) => child.restore(children[i], `${at}.children[${i}]`));
    this.sides.buy = sides.buy;
    this.sides.sell = sides.sell;
  }
}
