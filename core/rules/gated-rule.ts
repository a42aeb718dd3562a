// Wraps a detector with confirmation over N ticks and a cooldown in tick time: what a rule emits.
import type { Side } from '../contracts/index.js';
import { PRICE_SLOT, type Detector, type RuleInput } from './rule.js';
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
  /** The reason of the signal the last `step` returned. Built only for signals that get out. */
  reason = '';
  // The trigger waiting for confirmation (none while pendingSide is null), kept in fields so that
  // a trigger allocates nothing. Its reason describes the crossing tick, so that tick is copied;
  // the text is made from it only if the trigger is emitted or snapshotted. A restored trigger
  // arrives with its text instead (pendingReason not null).
  private pendingSide: Side | null = null;
  private pendingRemaining = 0;
  private pendingReason: string | null = null;
  private readonly pendingInput: RuleInput = { ts: 0, price: 0, slots: new Float64Array(PRICE_SLOT + 1) };
  private lastEmitTs: number | null = null;

  constructor(
    readonly name: string,
    private readonly detector: Detector,
    private readonly confirmTicks: number,
    private readonly cooldownMs: number,
  ) {}

  /** The side of the signal this rule emits on this tick, or null; `reason` then describes it. */
  step(input: RuleInput, index: number): Side | null {
    let ready: Side | null = null;
    let reason = '';
    const pending = this.pendingSide;
    if (pending !== null) {
      if (!this.detector.holds(pending, input)) this.pendingSide = null;
      else if (--this.pendingRemaining === 0) {
        this.pendingSide = null;
        // Before evaluate: a new trigger replaces the detector's record of this one.
        if (this.mayEmit(input.ts)) {
          ready = pending;
          reason = `${this.pendingText()}, held for ${this.confirmTicks} ticks`;
        }
      }
    }
    const trigger = this.detector.evaluate(input, index);
    if (trigger !== null) {
      if (this.confirmTicks === 1) {
        // No pending trigger exists with confirmTicks 1, so this is the only candidate.
        if (this.mayEmit(input.ts)) {
          ready = trigger;
          reason = this.detector.reason(input);
        }
      } else {
        this.pendingSide = trigger;
        this.pendingRemaining = this.confirmTicks - 1;
        this.pendingReason = null;
        this.pendingInput.ts = input.ts;
        this.pendingInput.price = input.price;
        this.pendingInput.slots.set(input.slots);
      }
    }
    if (ready === null) return null;
    this.lastEmitTs = input.ts;
    this.reason = reason;
    return ready;
  }

  // Never two signals at one ts either: the id (symbol, ts, rule) must stay unique.
  private mayEmit(ts: number): boolean {
    return this.lastEmitTs === null || (ts !== this.lastEmitTs && ts - this.lastEmitTs >= this.cooldownMs);
  }

  private pendingText(): string {
    return this.pendingReason ?? this.detector.reason(this.pendingInput);
  }

  holds(side: Side, input: RuleInput): boolean {
    return this.detector.holds(side, input);
  }

  snapshot(): GatedRuleSnapshot {
    const pending =
      this.pendingSide === null ? null : { side: this.pendingSide, reason: this.pendingText(), remaining: this.pendingRemaining };
    return { pending, lastEmitTs: this.lastEmitTs, detector: this.detector.snapshot() };
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
    this.pendingSide = pending?.side ?? null;
    this.pendingRemaining = pending?.remaining ?? 0;
    this.pendingReason = pending?.reason ?? null;
    this.lastEmitTs = lastEmitTs;
  }
}
