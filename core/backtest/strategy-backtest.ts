// A symbol's pipeline and the hypothetical account following its recommendations, stepped together
// one tick at a time: what `stock-stream replay` and the dashboard's Strategy view both run, so the
// figures they show are the same. Also keeps a thinned equity curve for charts (bounded memory).
import type { Signal, Tick } from '../contracts/index.js';
import { SymbolPipeline, type CandleRecord, type PipelineSettings } from '../pipeline.js';
import { Backtest, type BacktestReport, type BacktestSettings, type BacktestTrade } from './backtest.js';

/** The account and buying-and-holding at one close of the strategy's timeframe; drawdowns are fractions below the peak so far. */
export interface EquityPoint {
  /** The candle's start (epoch ms). */
  readonly ts: number;
  readonly equity: number;
  readonly hold: number;
  readonly drawdown: number;
  readonly holdDrawdown: number;
}

export interface StrategyBacktestResult {
  readonly report: BacktestReport;
  readonly trades: BacktestTrade[];
  /** At most `maxCurvePoints`, evenly thinned over the whole period, always ending at the last close. */
  readonly curve: EquityPoint[];
}

const NONE: readonly CandleRecord[] = Object.freeze([]);

export class StrategyBacktest {
  readonly pipeline: SymbolPipeline;
  readonly backtest: Backtest;
  /** The candles the last accepted tick closed (every followed timeframe). */
  closed: readonly CandleRecord[] = NONE;
  private readonly tick: { -readonly [K in keyof Tick]: Tick[K] };
  private curve: EquityPoint[] = [];
  private stride = 1;
  private marks = 0;
  private last: EquityPoint | undefined;
  private peak = 1;
  private holdPeak = 1;

  constructor(
    readonly symbol: string,
    pipelineSettings: PipelineSettings,
    settings: Omit<BacktestSettings, 'timeframe'>,
    private readonly maxCurvePoints = 1000,
  ) {
    if (!Number.isInteger(maxCurvePoints) || maxCurvePoints < 2) throw new RangeError('maxCurvePoints must be an integer >= 2');
    this.pipeline = new SymbolPipeline(symbol, pipelineSettings);
    this.backtest = new Backtest({ ...settings, timeframe: pipelineSettings.strategy.timeframe });
    this.tick = { symbol, price: 0, ts: 0, source: 'backtest' };
  }

  /**
   * One checked price. Returns its signals, or undefined when `ts` is not later than the last
   * accepted one (left out, as the pipeline does). Equity is marked at each closed candle of the
   * strategy's timeframe before this tick's recommendations are followed: the candle closed at the
   * previous price.
   */
  step(ts: number, price: number): readonly Signal[] | undefined {
    const tick = this.tick;
    tick.ts = ts;
    tick.price = price;
    const signals = this.pipeline.step(tick);
    if (signals === undefined) return undefined;
    this.backtest.observe(ts, price);
    if (this.closed !== NONE) this.closed = NONE;
    if (this.pipeline.closedOnLastTick) {
      this.closed = this.pipeline.closedCandles();
      const timeframe = this.backtest.settings.timeframe;
      for (const candle of this.closed) if (candle.timeframe === timeframe) this.mark(candle.start, candle.close);
    }
    for (let i = 0; i < signals.length; i++) {
      const signal = signals[i]!;
      if (signal.kind === 'recommendation') this.backtest.follow(signal.side, signal.ts, signal.price);
    }
    return signals;
  }

  result(): StrategyBacktestResult {
    const curve = [...this.curve];
    if (this.last !== undefined && curve[curve.length - 1] !== this.last) curve.push(this.last);
    return { report: this.backtest.report(), trades: this.backtest.trades(), curve };
  }

  private mark(ts: number, close: number): void {
    this.backtest.candleClosed(close);
    const equity = this.backtest.equityAt(close);
    const hold = this.backtest.holdingAt(close);
    this.peak = Math.max(this.peak, equity);
    this.holdPeak = Math.max(this.holdPeak, hold);
    this.last = { ts, equity, hold, drawdown: 1 - equity / this.peak, holdDrawdown: 1 - hold / this.holdPeak };
    if (this.marks++ % this.stride !== 0) return;
    this.curve.push(this.last);
    // Full: keep every other point and sample half as often from now on.
    if (this.curve.length >= this.maxCurvePoints) {
      this.curve = this.curve.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }
}
