// One symbol's path through the core: tick -> candles of each timeframe -> indicators on them ->
// the strategy's conditions -> crossings and recommendations, with JSON state. The processor,
// single-node mode and replay all run this, so they produce the same signals.
import { CANDLE_TIMEFRAMES, type CandleTimeframe } from './candles/timeframe.js';
import type { CandleFigures } from './candles/candle-builder.js';
import type { IndicatorRecord, Signal, StanceView, Tick, WarmupProgress } from './contracts/index.js';
import { DEFAULT_INDICATOR_PERIODS, type IndicatorPeriods, type IndicatorValues } from './indicators/indicator-set.js';
import type { AlertConfig } from './alerts/alert-config.js';
import { AlertEngine } from './alerts/alert-engine.js';
import { Strategy, type StrategySnapshot } from './strategy/strategy.js';
import { DEFAULT_STRATEGY, strategyTimeframes, validateStrategy, type StrategyConfig } from './strategy/strategy-config.js';
import { TimeframeSeries, type TimeframeSeriesSnapshot } from './strategy/timeframe-series.js';
import { warmupNeeds } from './warmup/warmup-plan.js';

export interface PipelineSettings {
  readonly periods: IndicatorPeriods;
  /** Timeframes to follow besides the strategy's own (shown, published, replayed). */
  readonly timeframes: readonly CandleTimeframe[];
  readonly strategy: StrategyConfig;
  /** Price alerts (none by default). */
  readonly alerts?: readonly AlertConfig[];
}

export const DEFAULT_PIPELINE_SETTINGS: PipelineSettings = {
  periods: DEFAULT_INDICATOR_PERIODS,
  timeframes: [],
  strategy: DEFAULT_STRATEGY,
};

/** A closed candle of one timeframe with its indicators: replay's `candle` line. */
export interface CandleRecord extends Omit<CandleFigures, 'gapBefore'> {
  readonly type: 'candle';
  readonly symbol: string;
  readonly timeframe: CandleTimeframe;
  readonly indicators: IndicatorValues;
  /** Present when whole candles without a tick came before this one (a quiet market, not filled). */
  readonly gapBefore?: number;
}

export interface PipelineSnapshot {
  readonly kind: 'pipeline';
  readonly symbol: string;
  readonly lastTs: number | null;
  readonly series: readonly TimeframeSeriesSnapshot[];
  readonly strategy: StrategySnapshot;
  readonly alerts: unknown;
}

const NO_SIGNALS: readonly Signal[] = Object.freeze([]);

export class SymbolPipeline {
  /** Every followed timeframe, shortest first. */
  readonly series: readonly TimeframeSeries[];
  private readonly strategy: Strategy;
  private readonly alerts: AlertEngine;
  /** The strategy's timeframe: what the live indicator record shows. */
  private readonly main: TimeframeSeries;
  // -Infinity until the first tick, so every ts is later; not null, which would make V8 box each ts stored.
  private lastTs = Number.NEGATIVE_INFINITY;
  private closedNow = 0;
  /** Closed candles each series needs before its indicators are ready (same order as `series`). */
  private readonly needed: readonly number[];
  // Set once every series has its candles (closed counts only grow), so records stop checking.
  private ready = false;

  constructor(
    readonly symbol: string,
    readonly settings: PipelineSettings = DEFAULT_PIPELINE_SETTINGS,
  ) {
    validateStrategy(settings.strategy);
    const wanted = new Set<CandleTimeframe>([...settings.timeframes, ...strategyTimeframes(settings.strategy)]);
    this.series = CANDLE_TIMEFRAMES.filter((tf) => wanted.has(tf)).map((tf) => new TimeframeSeries(tf, settings.periods));
    const byTimeframe = new Map(this.series.map((series) => [series.timeframe as string, series]));
    this.strategy = new Strategy(symbol, settings.strategy, byTimeframe);
    this.main = byTimeframe.get(settings.strategy.timeframe)!;
    this.alerts = new AlertEngine(symbol, settings.alerts ?? []);
    const needs = new Map(warmupNeeds(settings, Number.POSITIVE_INFINITY).map((need) => [need.timeframe as string, need.candles]));
    this.needed = this.series.map((series) => needs.get(series.timeframe) ?? 0);
  }

  /**
   * Feeds one validated tick of this symbol. Returns its signals (usually none), or undefined when
   * the tick is not newer than the last one: candles are a sequence, so a late or repeated price is
   * left out rather than let in out of order. Signal ids stay unique because ts strictly rises.
   */
  step(tick: Tick): readonly Signal[] | undefined {
    if (tick.symbol !== this.symbol) throw new RangeError(`pipeline ${this.symbol}: got a tick for ${tick.symbol}`);
    if (tick.ts <= this.lastTs) return undefined;
    const { ts, price } = tick;
    const volume = tick.volume ?? 0;
    let closed = 0;
    for (let i = 0; i < this.series.length; i++) if (this.series[i]!.add(ts, price, volume)) closed |= 1 << i;
    this.closedNow = closed;
    this.lastTs = ts;
    const signals = this.strategy.step(ts, price, []);
    this.alerts.step(ts, price, signals);
    return signals.length === 0 ? NO_SIGNALS : signals;
  }

  /** Whether the last accepted tick closed a candle of any timeframe (cheap: most ticks close none). */
  get closedOnLastTick(): boolean {
    return this.closedNow !== 0;
  }

  /** The candles the last accepted tick closed, one per timeframe that closed, shortest first. */
  closedCandles(): CandleRecord[] {
    const records: CandleRecord[] = [];
    this.series.forEach((series, i) => {
      if ((this.closedNow & (1 << i)) === 0) return;
      const { gapBefore, ...candle } = series.candles.closed;
      records.push({
        type: 'candle',
        symbol: this.symbol,
        timeframe: series.timeframe,
        ...candle,
        indicators: series.closedValues(),
        ...(gapBefore > 0 ? { gapBefore } : {}),
      });
    });
    return records;
  }

  /** The timeframes whose indicators are not ready yet: closed candles so far and needed; empty once all are. */
  warmup(): WarmupProgress[] {
    const warming: WarmupProgress[] = [];
    if (this.ready) return warming;
    this.series.forEach((series, i) => {
      const candles = series.candles.closedCount;
      if (candles < this.needed[i]!) warming.push({ timeframe: series.timeframe, candles, needed: this.needed[i]! });
    });
    this.ready = warming.length === 0;
    return warming;
  }

  /** The stance the strategy holds now. */
  stance(): StanceView {
    return this.strategy.view();
  }

  /**
   * A new `stock.indicators` record after the last accepted tick: the strategy timeframe's
   * indicators on the forming candle (the live figures) and on the last closed one.
   */
  record(tick: Tick): IndicatorRecord {
    const warmup = this.warmup();
    return {
      type: 'indicators',
      ts: tick.ts,
      symbol: tick.symbol,
      price: tick.price,
      timeframe: this.main.timeframe,
      ...this.main.formingValues(),
      closed: this.main.closedValues(),
      stance: this.strategy.view(),
      ...(warmup.length > 0 ? { warmup } : {}),
    };
  }

  snapshot(): PipelineSnapshot {
    return {
      kind: 'pipeline',
      symbol: this.symbol,
      lastTs: this.lastTs === Number.NEGATIVE_INFINITY ? null : this.lastTs,
      series: this.series.map((series) => series.snapshot()),
      strategy: this.strategy.snapshot(),
      alerts: this.alerts.snapshot(),
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
    if (!Array.isArray(saved.series) || saved.series.length !== pipeline.series.length) {
      throw new RangeError(`pipeline ${symbol}: the snapshot follows other timeframes than the configuration`);
    }
    pipeline.series.forEach((series, i) => series.restore(saved.series![i]!));
    pipeline.strategy.restore(saved.strategy as StrategySnapshot);
    pipeline.alerts.restore(saved.alerts);
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
