// all-of / any-of: fires when all (or any) of its rules fired the same side within a window of ticks.
import type { RuleTick, Side } from '../contracts.js';
import type { GatedRule } from './gated-rule.js';
import type { Detector, Trigger } from './rule.js';
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

  constructor(
    private readonly mode: 'all-of' | 'any-of',
    private readonly window: number,
    private readonly children: readonly GatedRule[],
  ) {
    const empty = (): SideState => ({ firedAt: children.map(() => -1), reasons: children.map(() => ''), active: false });
    this.sides = { buy: empty(), sell: empty() };
  }

  evaluate(tick: RuleTick, index: number): Trigger | null {
    // Every child steps on every tick, so its own crossings, confirmation and cooldown stay current.
    this.children.forEach((child, i) => {
      const trigger = child.step(tick, index);
      if (trigger === null) return;
      this.sides[trigger.side].firedAt[i] = index;
      this.sides[trigger.side].reasons[i] = `${child.name}: ${trigger.reason}`;
    });
    let fired: Trigger | null = null;
    let conflict = false;
    for (const side of SIDES) {
      const state = this.sides[side];
      const recent = state.firedAt.map((at) => at >= 0 && index - at < this.window);
      const count = recent.filter(Boolean).length;
      const met = this.mode === 'all-of' ? count === this.children.length : count > 0;
      if (met && !state.active) {
        if (fired !== null) conflict = true;
        const reasons = state.reasons.filter((_, i) => recent[i]).join('; ');
        fired = { side, reason: `${this.mode} ${count} rule(s) within ${this.window} ticks: ${reasons}` };
      }
      state.active = met;
    }
    return conflict ? null : fired;
  }

  holds(side: Side, tick: RuleTick): boolean {
    return this.mode === 'all-of'
      ? this.children.every((child) => child.holds(side, tick))
      : this.children.some((child) => child.holds(side, tick));
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
