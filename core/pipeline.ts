// One symbol's path through the core: tick -> indicators -> rules -> signals, with JSON state.
// The processor, single-node mode and replay all run this, so they produce the same signals.
import type { IndicatorRecord, Signal, Tick } from './contracts/index.js';
import {
  DEFAULT_INDICATOR_PERIODS,
  IndicatorSet,
  type IndicatorPeriods,
  type IndicatorSetSnapshot,
  type IndicatorValues,
} from './indicators/indicator-set.js';
import { DEFAULT_RULES, type RuleConfig } from './rules/rule-config.js';
import { RuleEngine, type RuleEngineSnapshot } from './rules/rule-engine.js';

export interface PipelineSettings {
  readonly periods: IndicatorPeriods;
  readonly rules: readonly RuleConfig[];
}

export const DEFAULT_PIPELINE_SETTINGS: PipelineSettings = { periods: DEFAULT_INDICATOR_PERIODS, rules: DEFAULT_RULES };

export interface PipelineSnapshot {
  readonly kind: 'pipeline';
  readonly symbol: string;
  readonly lastTs: number | null;
  readonly indicators: IndicatorSetSnapshot;
  readonly rules: RuleEngineSnapshot;
}

export class SymbolPipeline {
  private readonly indicators: IndicatorSet;
  private readonly engine: RuleEngine;
  // -Infinity until the first tick, so every ts is later; not null, which would make V8 box each ts stored.
  private lastTs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly symbol: string,
    settings: PipelineSettings = DEFAULT_PIPELINE_SETTINGS,
  ) {
    this.indicators = new IndicatorSet(settings.periods);
    this.engine = new RuleEngine(symbol, settings.rules);
  }

  /**
   * Feeds one validated tick of this symbol. Returns its signals (usually none), or undefined when
   * the tick is not newer than the last one: indicators are a sequence, so a late or repeated price
   * is left out rather than let in out of order. Signal ids stay unique because ts strictly rises.
   */
  step(tick: Tick): readonly Signal[] | undefined {
    if (tick.symbol !== this.symbol) throw new RangeError(`pipeline ${this.symbol}: got a tick for ${tick.symbol}`);
    if (tick.ts <= this.lastTs) return undefined;
    // The rules read the set's raw numbers; its values object is filled only if a signal or record needs it.
    this.indicators.advance(tick.price);
    const signals = this.engine.stepIndicators(tick, this.indicators);
    this.lastTs = tick.ts;
    return signals;
  }

  /** The indicator values after the last accepted tick (one reused object). */
  get values(): Readonly<IndicatorValues> {
    return this.indicators.values;
  }

  /** A new record of the last accepted tick's indicators, for publishing. */
  record(tick: Tick): IndicatorRecord {
    return { type: 'indicators', ts: tick.ts, symbol: tick.symbol, price: tick.price, ...this.indicators.values };
  }

  snapshot(): PipelineSnapshot {
    return {
      kind: 'pipeline',
      symbol: this.symbol,
      lastTs: this.lastTs === Number.NEGATIVE_INFINITY ? null : this.lastTs,
      indicators: this.indicators.snapshot(),
      rules: this.engine.snapshot(),
    };
  }

  /** A pipeline that continues exactly where `snapshot` left off; throws on a malformed or foreign snapshot. */
  static restore(symbol: string, snapshot: unknown, settings: PipelineSettings = DEFAULT_PIPELINE_SETTINGS): SymbolPipeline {
    const saved = snapshot as Partial<PipelineSnapshot> | null;
    if (saved === null || typeof saved !== 'object' || saved.kind !== 'pipeline' || saved.symbol !== symbol) {
      throw new RangeError(`pipeline ${symbol}: not a snapshot of this symbol's pipeline`);
    }
    if (saved.lastTs !== null && !Number.isSafeInteger(saved.lastTs)) throw new RangeError(`pipeline ${symbol}: lastTs is not epoch ms`);
    const pipeline = new SymbolPipeline(symbol, settings);
    pipeline.indicators.restore(saved.indicators as IndicatorSetSnapshot);
    pipeline.engine.restore(saved.rules as RuleEngineSnapshot);
    pipeline.lastTs = saved.lastTs ?? Number.NEGATIVE_INFINITY;
    return pipeline;
  }
}

/** How the processor makes and restores pipelines, so that tests can vary the settings. */
export interface PipelineFactory {
  create(symbol: string): SymbolPipeline;
  restore(symbol: string, snapshot: unknown): SymbolPipeline;
}

export function pipelineFactory(settings: PipelineSettings = DEFAULT_PIPELINE_SETTINGS): PipelineFactory {
  return {
    create: (symbol) => new SymbolPipeline(symbol, settings),
    restore: (symbol, snapshot) => SymbolPipeline.restore(symbol, snapshot, settings),
  };
}
