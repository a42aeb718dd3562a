// Wraps a detector with confirmation over N ticks and a cooldown in tick time: what a rule emits.
import type { RuleTick, Side } from '../contracts.js';
import type { Detector, Trigger } from './rule.js';
import { stateError, stateNumber, stateRecord, stateString } from './state-reader.js';

interface Pending {
  side: Side;
  reason: string;
  /** Further ticks the crossing must hold. */
  remaining: number;
}

export interface GatedRuleSnapshot {
  pending: Pending | null;
  lastEmitTs: number | null;
  detector: unknown;
}

export class GatedRule {
  private pending: Pending | null = null;
  private lastEmitTs: number | null = null;

  constructor(
    readonly name: string,
    private readonly detector: Detector,
    private readonly confirmTicks: number,
    private readonly cooldownMs: number,
  ) {}

  step(tick: RuleTick, index: number): Trigger | null {
    let ready: Trigger | null = null;
    if (this.pending !== null) {
      const pending = this.pending;
      if (!this.detector.holds(pending.side, tick)) this.pending = null;
      else if (--pending.remaining === 0) {
        this.pending = null;
        ready = { side: pending.side, reason: `${pending.reason}, held for ${this.confirmTicks} ticks` };
      }
    }
    const trigger = this.detector.evaluate(tick, index);
    if (trigger !== null) {
      if (this.confirmTicks === 1) ready = trigger;
      else this.pending = { side: trigger.side, reason: trigger.reason, remaining: this.confirmTicks - 1 };
    }
    if (ready === null) return null;
    // Never two signals at one ts either: the id (symbol, ts, rule) must stay unique.
    if (this.lastEmitTs !== null && (tick.ts === this.lastEmitTs || tick.ts - this.lastEmitTs < this.cooldownMs)) return null;
    this.lastEmitTs = tick.ts;
    return ready;
  }

  holds(side: Side, tick: RuleTick): boolean {
    return this.detector.holds(side, tick);
  }

  snapshot(): GatedRuleSnapshot {
    return { pending: this.pending && { ...this.pending }, lastEmitTs: this.lastEmitTs, detector: this.detector.snapshot() };
  }

  restore(state: unknown, at: string): void {
    const record = stateRecord(state, at);
    let pending: Pending | null = null;
    if (record['pending'] !== null) {
      const p = stateRecord(record['pending'], `${at}.pending`);
      const side = p['side'];
      if (side !== 'buy' && side !== 'sell') throw stateError(`${at}.pending.side`, 'must be "buy" or "sell"');
      const remaining = stateNumber(p['remaining'], `${at}.pending.remaining`);
      if (!Number.isInteger(remaining) || remaining < 1 || remaining >= this.confirmTicks) {
        throw stateError(`${at}.pending.remaining`, `must be an integer from 1 to ${this.confirmTicks - 1}`);
      }
      pending = { side, reason: stateString(p['reason'], `${at}.pending.reason`), remaining };
    }
    const lastEmitTs = record['lastEmitTs'] === null ? null : stateNumber(record['lastEmitTs'], `${at}.lastEmitTs`);
    this.detector.restore(record['detector'], `${at}.detector`);
    this.pending = pending;
    this.lastEmitTs = lastEmitTs;
  }
}
