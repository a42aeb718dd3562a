// The indicators one symbol needs, updated together and filling one reusable output object per tick.
import { Bollinger, type BollingerSnapshot } from './bollinger.js';
import { Ema, type EmaSnapshot } from './ema.js';
import { checkPrice } from './indicator.js';
import { Macd, type MacdSnapshot } from './macd.js';
import { Rsi, type RsiSnapshot } from './rsi.js';
import { Sma, type SmaSnapshot } from './sma.js';
import { SnapshotReader } from './snapshot-reader.js';

export interface IndicatorPeriods {
  readonly sma: number;
  readonly ema: number;
  readonly rsi: number;
  readonly macd: { readonly fast: number; readonly slow: number; readonly signal: number };
  readonly bollinger: { readonly period: number; readonly stdDev: number };
}

/** Plain data so the config schema (platform/config) can mirror it. */
export const DEFAULT_INDICATOR_PERIODS: IndicatorPeriods = {
  sma: 20,
  ema: 20,
  rsi: 14,
  macd: { fast: 12, slow: 26, signal: 9 },
  bollinger: { period: 20, stdDev: 2 },
};

/** One tick's indicator values; null while that indicator is warming up. */
export interface IndicatorValues {
  sma: number | null;
  ema: number | null;
  rsi: number | null;
  macd: number | null;
  macdSignal: number | null;
  macdHist: number | null;
  bbUpper: number | null;
  bbMiddle: number | null;
  bbLower: number | null;
}

export interface IndicatorSetSnapshot {
  kind: 'indicator-set';
  sma: SmaSnapshot;
  ema: EmaSnapshot;
  rsi: RsiSnapshot;
  macd: MacdSnapshot;
  bollinger: BollingerSnapshot;
}

export class IndicatorSet {
  readonly periods: IndicatorPeriods;
  /** The one output object, refilled by every update: copy it if you keep it. */
  readonly values: IndicatorValues = {
    sma: null,
    ema: null,
    rsi: null,
    macd: null,
    macdSignal: null,
    macdHist: null,
    bbUpper: null,
    bbMiddle: null,
    bbLower: null,
  };
  private sma: Sma;
  private ema: Ema;
  private rsi: Rsi;
  private macd: Macd;
  private bollinger: Bollinger;

  constructor(periods: IndicatorPeriods = DEFAULT_INDICATOR_PERIODS) {
    this.sma = new Sma(periods.sma);
    this.ema = new Ema(periods.ema);
    this.rsi = new Rsi(periods.rsi);
    this.macd = new Macd(periods.macd.fast, periods.macd.slow, periods.macd.signal);
    this.bollinger = new Bollinger(periods.bollinger.period, periods.bollinger.stdDev);
    this.periods = {
      sma: periods.sma,
      ema: periods.ema,
      rsi: periods.rsi,
      macd: { ...periods.macd },
      bollinger: { ...periods.bollinger },
    };
  }

  /** Ticks until every indicator has a value. */
  get lookback(): number {
    return Math.max(this.sma.lookback, this.ema.lookback, this.rsi.lookback, this.macd.lookback, this.bollinger.lookback);
  }

  get isStable(): boolean {
    return this.sma.isStable && this.ema.isStable && this.rsi.isStable && this.macd.isStable && this.bollinger.isStable;
  }

  update(price: number): Readonly<IndicatorValues> {
    // Checked once up front so a bad price cannot update some indicators and not others.
    checkPrice('IndicatorSet', price);
    this.sma.update(price);
    this.ema.update(price);
    this.rsi.update(price);
    this.macd.update(price);
    this.bollinger.update(price);
    this.publish();
    return this.values;
  }

  private publish(): void {
    const values = this.values;
    values.sma = this.sma.value;
    values.ema = this.ema.value;
    values.rsi = this.rsi.value;
    values.macd = this.macd.macd;
    values.macdSignal = this.macd.signal;
    values.macdHist = this.macd.histogram;
    values.bbUpper = this.bollinger.upper;
    values.bbMiddle = this.bollinger.middle;
    values.bbLower = this.bollinger.lower;
  }

  snapshot(): IndicatorSetSnapshot {
    return {
      kind: 'indicator-set',
      sma: this.sma.snapshot(),
      ema: this.ema.snapshot(),
      rsi: this.rsi.snapshot(),
      macd: this.macd.snapshot(),
      bollinger: this.bollinger.snapshot(),
    };
  }

  /** All or nothing: every part is restored into a fresh indicator of this set's configuration first. */
  restore(snapshot: IndicatorSetSnapshot): void {
    const read = new SnapshotReader('indicator-set', snapshot);
    const sma = new Sma(this.periods.sma);
    const ema = new Ema(this.periods.ema);
    const rsi = new Rsi(this.periods.rsi);
    const macd = new Macd(this.periods.macd.fast, this.periods.macd.slow, this.periods.macd.signal);
    const bollinger = new Bollinger(this.periods.bollinger.period, this.periods.bollinger.stdDev);
    sma.restore(read.object('sma') as SmaSnapshot);
    ema.restore(read.object('ema') as EmaSnapshot);
    rsi.restore(read.object('rsi') as RsiSnapshot);
    macd.restore(read.object('macd') as MacdSnapshot);
    bollinger.restore(read.object('bollinger') as BollingerSnapshot);
    this.sma = sma;
    this.ema = ema;
    this.rsi = rsi;
    this.macd = macd;
    this.bollinger = bollinger;
    this.publish();
  }

  static fromSnapshot(snapshot: IndicatorSetSnapshot): IndicatorSet {
    const read = new SnapshotReader('indicator-set', snapshot);
    const parts = {
      sma: Sma.fromSnapshot(read.object('sma') as SmaSnapshot),
      ema: Ema.fromSnapshot(read.object('ema') as EmaSnapshot),
      rsi: Rsi.fromSnapshot(read.object('rsi') as RsiSnapshot),
      macd: Macd.fromSnapshot(read.object('macd') as MacdSnapshot),
      bollinger: Bollinger.fromSnapshot(read.object('bollinger') as BollingerSnapshot),
    };
    const set = new IndicatorSet({
      sma: parts.sma.period,
      ema: parts.ema.period,
      rsi: parts.rsi.period,
      macd: { fast: parts.macd.fastPeriod, slow: parts.macd.slowPeriod, signal: parts.macd.signalPeriod },
      bollinger: { period: parts.bollinger.period, stdDev: parts.bollinger.stdDev },
    });
    set.restore(snapshot);
    return set;
  }
}
