// Runs the configured rules over one symbol's ticks and turns their triggers into signals.
import type { RuleTick, Signal } from '../contracts.js';
import { buildRule } from './build-rule.js';
import { canonicalJson } from './canonical-json.js';
import type { GatedRule } from './gated-rule.js';
import { DEFAULT_RULES, validateRules, type RuleConfig } from './rule-config.js';
import { fnv1a64, signalId } from './signal-id.js';
import { stateArray, stateError, stateNumber, stateRecord } from './state-reader.js';

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

export class RuleEngine {
  readonly rules: readonly RuleConfig[];
  private readonly fingerprint: string;
  private running: GatedRule[];
  private index = 0;
  private lastTs: number | null = null;

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
    this.check(tick);
    let signals = NO_SIGNALS;
    for (const rule of this.running) {
      const trigger = rule.step(tick, this.index);
      if (trigger === null) continue;
      if (signals === NO_SIGNALS) signals = [];
      (signals as Signal[]).push({
        id: signalId(tick.symbol, tick.ts, rule.name),
        symbol: tick.symbol,
        ts: tick.ts,
        side: trigger.side,
        rule: rule.name,
        price: tick.price,
        reason: trigger.reason,
        indicators: { ...tick.indicators },
      });
    }
    this.index++;
    this.lastTs = tick.ts;
    return signals;
  }

  private check(tick: RuleTick): void {
    if (tick.symbol !== this.symbol) throw new RangeError(`RuleEngine(${this.symbol}): got a tick for ${tick.symbol}`);
    if (!Number.isSafeInteger(tick.ts)) throw new RangeError(`RuleEngine(${this.symbol}): ts must be epoch ms, got ${tick.ts}`);
    if (this.lastTs !== null && tick.ts < this.lastTs) {
      throw new RangeError(`RuleEngine(${this.symbol}): ts ${tick.ts} is before the previous tick's ${this.lastTs}`);
    }
    if (!Number.isFinite(tick.price) || tick.price <= 0) {
      throw new RangeError(`RuleEngine(${this.symbol}): price must be a finite number > 0, got ${tick.price}`);
    }
  }

  snapshot(): RuleEngineSnapshot {
    return {
      kind: 'rule-engine',
      symbol: this.symbol,
      config: this.fingerprint,
      index: this.index,
      lastTs: this.lastTs,
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
    this.lastTs = lastTs;
  }

  static fromSnapshot(snapshot: RuleEngineSnapshot, rules: readonly RuleConfig[] = DEFAULT_RULES): RuleEngine {
    const engine = new RuleEngine(String(stateRecord(snapshot, 'engine')['symbol']), rules);
    engine.restore(snapshot);
    return engine;
  }
}
