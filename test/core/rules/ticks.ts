// Hand-made tick paths for the rule tests (set only the indicator values a rule reads), and the rules
// run over them as the strategy runs a condition: built by buildRule, fed a RuleInput per evaluation.
import type { Side } from '../../../core/contracts/index.js';
import { emptyIndicatorValues, RAW_FIELDS, type IndicatorValues } from '../../../core/indicators/indicator-set.js';
import { buildRule } from '../../../core/rules/build-rule.js';
import type { GatedRule } from '../../../core/rules/gated-rule.js';
import { validateRules, type RuleConfig } from '../../../core/rules/rule-config.js';
import { PRICE_SLOT, type RuleInput } from '../../../core/rules/rule.js';

export const EMPTY: IndicatorValues = emptyIndicatorValues();

export const START_TS = Date.UTC(2025, 0, 1);

/** One evaluation of the rules: its time, the price and the indicator values. */
export interface PathTick {
  readonly ts: number;
  readonly price: number;
  readonly indicators: Readonly<IndicatorValues>;
}

/** One tick per second from START_TS; `each(i)` gives the price and the indicator values set. */
export function path(length: number, each: (i: number) => { price?: number } & Partial<IndicatorValues>): PathTick[] {
  return Array.from({ length }, (_, i) => {
    const { price = 80_000, ...indicators } = each(i);
    return { ts: START_TS + i * 1000, price, indicators: { ...EMPTY, ...indicators } };
  });
}

/** A path where only the RSI is set, from a list of values. */
export function rsiPath(values: readonly (number | null)[]): PathTick[] {
  return path(values.length, (i) => ({ rsi: values[i] ?? null }));
}

/** What a rule emitted on the evaluation `index`. */
export interface Fired {
  readonly rule: string;
  readonly side: Side;
  readonly reason: string;
  readonly ts: number;
  readonly index: number;
}

/** Running rules (validated as the strategy's config is), stepped one tick at a time. */
export class RuleRun {
  rules: GatedRule[];
  private index = 0;
  private readonly input: RuleInput = { ts: 0, price: 0, slots: new Float64Array(PRICE_SLOT + 1) };

  constructor(readonly configs: readonly RuleConfig[]) {
    validateRules(configs);
    this.rules = configs.map(buildRule);
  }

  step(ticks: readonly PathTick[]): Fired[] {
    const out: Fired[] = [];
    for (const tick of ticks) {
      const input = this.input;
      input.ts = tick.ts;
      input.price = tick.price;
      RAW_FIELDS.forEach((field, i) => (input.slots[i] = tick.indicators[field] ?? Number.NaN));
      input.slots[PRICE_SLOT] = tick.price;
      for (const rule of this.rules) {
        const side = rule.step(input, this.index);
        if (side !== null) out.push({ rule: rule.name, side, reason: rule.reason, ts: tick.ts, index: this.index });
      }
      this.index++;
    }
    return out;
  }

  /** The rules' state as JSON text, as a snapshot travels. */
  snapshot(): string {
    return JSON.stringify({ index: this.index, rules: this.rules.map((rule) => rule.snapshot()) });
  }

  /** A fresh run of the same rules with the state of `snapshot()`. */
  static restore(configs: readonly RuleConfig[], text: string): RuleRun {
    const state = JSON.parse(text) as { index: number; rules: unknown[] };
    const run = new RuleRun(configs);
    run.rules.forEach((rule, i) => rule.restore(state.rules[i], `rules[${i}] (${rule.name})`));
    run.index = state.index;
    return run;
  }
}

/** The rules' signals over a path, from a fresh start. */
export function fire(rules: readonly RuleConfig[], ticks: readonly PathTick[]): Fired[] {
  return new RuleRun(rules).step(ticks);
}
