// Runs the configured rules over one symbol's ticks and turns their triggers into signals.
import type { Side, Signal } from '../contracts/index.js';
import { RAW_FIELDS, type IndicatorValues } from '../indicators/indicator-set.js';
import { buildRule } from './build-rule.js';
import { canonicalJson } from './canonical-json.js';
import type { GatedRule } from './gated-rule.js';
import { PRICE_SLOT, type RuleInput } from './rule.js';
import { DEFAULT_RULES, validateRules, type RuleConfig } from './rule-config.js';
import { fnv1a64, signalId } from './signal-id.js';
import { stateArray, stateError, stateNumber, stateRecord } from './state-reader.js';

/** One tick as the rule engine sees it: the price and the indicator-set output for that tick. */
export interface RuleTick {
  symbol: string;
  /** Epoch ms UTC, the tick's own time: cooldowns count in it, never in wall-clock time. */
  ts: number;
  price: number;
  indicators: Readonly<IndicatorValues>;
}

export interface RuleEngineSnapshot {
  kind: 'rule-engine';
  symbol: string;
  /** FNV-1a of the canonical rule configuration: state only fits the rules that produced it. */
  config: string;
  index: number;
  lastTs: number | null;
  rules: unknown[];
}

// Shared and frozen: most ticks emit nothing, and that should not allocate.
const NO_SIGNALS: readonly Signal[] = Object.freeze([]);

/** The part of a tick the engine reads besides its indicators. */
export interface TimedPrice {
  /** Epoch ms UTC. */
  readonly ts: number;
  readonly price: number;
}

/** One tick's indicators as the pipeline holds them (an IndicatorSet): NaN-filled raw slots, and the values object. */
export interface IndicatorView {
  /** In RAW_FIELDS order, NaN where `values` has null. */
  readonly raw: Float64Array;
  /** Read only when a signal is made, to copy into it. */
  readonly values: Readonly<IndicatorValues>;
}

export class RuleEngine {
  readonly rules: readonly RuleConfig[];
  private readonly fingerprint: string;
  private running: GatedRule[];
  private index = 0;
  // -Infinity before the first tick: a number field, so storing each ts does not box it.
  private lastTs = Number.NEGATIVE_INFINITY;
  // Reused for every tick: the rules read it and keep nothing of it.
  private readonly input: RuleInput = { ts: 0, price: 0, slots: new Float64Array(PRICE_SLOT + 1) };

  constructor(
    readonly symbol: string,
    rules: readonly RuleConfig[] = DEFAULT_RULES,
  ) {
    validateRules(rules);
    this.rules = rules;
    this.fingerprint = fnv1a64(canonicalJson(rules));
    this.running = rules.map(buildRule);
  }

  /** Feeds one tick; returns the signals it produced (usually none). Ticks must come in ts order. */
  step(tick: RuleTick): readonly Signal[] {
    this.check(tick.symbol, tick);
    const raw = new Float64Array(RAW_FIELDS.length);
    RAW_FIELDS.forEach((field, i) => (raw[i] = tick.indicators[field] ?? Number.NaN));
    return this.run(tick, { raw, values: tick.indicators });
  }

  /**
   * `step` for the pipeline: the same signals, read from the indicator set without copying it
   * into a RuleTick. Time and price come in an object: V8 boxes a double passed to a call it
   * does not inline, and this call is often not inlined.
   */
  stepIndicators(tick: TimedPrice, indicators: IndicatorView): readonly Signal[] {
    this.check(this.symbol, tick);
    return this.run(tick, indicators);
  }

  private run(tick: TimedPrice, indicators: IndicatorView): readonly Signal[] {
    const ts = tick.ts;
    const price = tick.price;
    const input = this.input;
    input.ts = ts;
    input.price = price;
    input.slots.set(indicators.raw);
    input.slots[PRICE_SLOT] = price;
    let signals = NO_SIGNALS;
    for (const rule of this.running) {
      const side = rule.step(input, this.index);
      if (side === null) continue;
      if (signals === NO_SIGNALS) signals = [];
      (signals as Signal[]).push(this.signal(ts, price, side, rule, indicators.values));
    }
    this.index++;
    this.lastTs = ts;
    return signals;
  }

  private signal(ts: number, price: number, side: Side, rule: GatedRule, indicators: Readonly<IndicatorValues>): Signal {
    return {
      id: signalId(this.symbol, ts, rule.name, 'crossing'),
      symbol: this.symbol,
      ts,
      side,
      rule: rule.name,
      price,
      reason: rule.reason,
      kind: 'crossing',
      timeframe: 'tick',
      indicators: { ...indicators },
    };
  }

  private check(symbol: string, { ts, price }: TimedPrice): void {
    if (symbol !== this.symbol) throw new RangeError(`RuleEngine(${this.symbol}): got a tick for ${symbol}`);
    if (!Number.isSafeInteger(ts)) throw new RangeError(`RuleEngine(${this.symbol}): ts must be epoch ms, got ${ts}`);
    if (ts < this.lastTs) {
      throw new RangeError(`RuleEngine(${this.symbol}): ts ${ts} is before the previous tick's ${this.lastTs}`);
    }
    if (!Number.isFinite(price) || price <= 0) {
      throw new RangeError(`RuleEngine(${this.symbol}): price must be a finite number > 0, got ${price}`);
    }
  }

  snapshot(): RuleEngineSnapshot {
    return {
      kind: 'rule-engine',
      symbol: this.symbol,
      config: this.fingerprint,
      index: this.index,
      lastTs: this.lastTs === Number.NEGATIVE_INFINITY ? null : this.lastTs,
      rules: this.running.map((rule) => rule.snapshot()),
    };
  }

  /** All or nothing: the state is restored into fresh rules, which replace the running ones. */
  restore(snapshot: RuleEngineSnapshot): void {
    const record = stateRecord(snapshot, 'engine');
    if (record['kind'] !== 'rule-engine') throw stateError('engine.kind', 'must be "rule-engine"');
    if (record['symbol'] !== this.symbol) throw stateError('engine.symbol', `is ${String(record['symbol'])}, not ${this.symbol}`);
    if (record['config'] !== this.fingerprint) throw stateError('engine.config', 'was saved with a different rule configuration');
    const index = stateNumber(record['index'], 'engine.index');
    const lastTs = record['lastTs'] === null ? null : stateNumber(record['lastTs'], 'engine.lastTs');
    const states = stateArray(record['rules'], 'engine.rules', this.rules.length);
    const fresh = this.rules.map(buildRule);
    fresh.forEach((rule, i) => rule.restore(states[i], `engine.rules[${i}] (${rule.name})`));
    this.running = fresh;
    this.index = index;
    this.lastTs = lastTs ?? Number.NEGATIVE_INFINITY;
  }

  static fromSnapshot(snapshot: RuleEngineSnapshot, rules: readonly RuleConfig[] = DEFAULT_RULES): RuleEngine {
    const engine = new RuleEngine(String(stateRecord(snapshot, 'engine')['symbol']), rules);
    engine.restore(snapshot);
    return engine;
  }
}
