// The indicators one symbol needs, updated together into one reusable raw array (and, on demand, one output object).
import { Bollinger, type BollingerSnapshot } from './bollinger.js';
import { Ema, type EmaSnapshot } from './ema.js';
import { checkPrice, orNull } from './indicator.js';
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

/** The order of `IndicatorSet.raw`: slot i holds the value named RAW_FIELDS[i]. */
export const RAW_FIELDS = [
  'sma',
  'ema',
  'rsi',
  'macd',
  'macdSignal',
  'macdHist',
  'bbUpper',
  'bbMiddle',
  'bbLower',
] as const satisfies readonly (keyof IndicatorValues)[];

/** The slot of each field in `IndicatorSet.raw`. */
export const RAW_INDEX = Object.fromEntries(RAW_FIELDS.map((field, i) => [field, i])) as Record<keyof IndicatorValues, number>;

/** Every indicator still warming up: a fresh object with every value null. */
export function emptyIndicatorValues(): IndicatorValues {
  return { sma: null, ema: null, rsi: null, macd: null, macdSignal: null, macdHist: null, bbUpper: null, bbMiddle: null, bbLower: null };
}

/** A fresh values object from slots in RAW_FIELDS order (NaN while warming up becomes null). */
export function valuesOfRaw(raw: Float64Array): IndicatorValues {
  return {
    sma: orNull(raw[0]!),
    ema: orNull(raw[1]!),
    rsi: orNull(raw[2]!),
    macd: orNull(raw[3]!),
    macdSignal: orNull(raw[4]!),
    macdHist: orNull(raw[5]!),
    bbUpper: orNull(raw[6]!),
    bbMiddle: orNull(raw[7]!),
    bbLower: orNull(raw[8]!),
  };
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
  /**
   * The latest values in RAW_FIELDS order, NaN where `values` has null. Refilled by every update;
   * reading it never allocates, which is why the rules read this and not `values`.
   */
  readonly raw = new Float64Array(RAW_FIELDS.length).fill(Number.NaN);
  // Filled from raw only when someone reads `values`: a double stored in an object field that may
  // also hold null is boxed, one heap number per field per tick, and most ticks nobody looks.
  private readonly output: IndicatorValues = emptyIndicatorValues();
  private outputStale = false;
  // previewValues' scratch, so it allocates only the object it returns.
  private readonly previewRaw = new Float64Array(RAW_FIELDS.length);
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

  /** The one output object, the same every tick and refilled from `raw` when read: copy it if you keep it. */
  get values(): Readonly<IndicatorValues> {
    if (this.outputStale) this.fillOutput();
    return this.output;
  }

  update(price: number): Readonly<IndicatorValues> {
    this.advance(price);
    return this.values;
  }

  /** `update` without filling `values`: the hot path reads `raw`. */
  advance(price: number): void {
    // Checked once up front so a bad price cannot update some indicators and not others.
    checkPrice('IndicatorSet', price);
    // updateInto, not updateRaw: these calls are not all inlined, and a returned double is boxed.
    const raw = this.raw;
    this.sma.updateInto(price, raw, 0);
    this.ema.updateInto(price, raw, 1);
    this.rsi.updateInto(price, raw, 2);
    this.macd.updateInto(price, raw, 3);
    this.bollinger.updateInto(price, raw, 6);
    this.outputStale = true;
  }

  /**
   * What `advance(price)` would write to `raw`, written to out[0..8] in RAW_FIELDS order, changing
   * nothing (not raw, not values): the forming candle's values, see Indicator.previewInto.
   */
  previewInto(price: number, out: Float64Array): void {
    checkPrice('IndicatorSet', price);
    this.sma.previewInto(price, out, 0);
    this.ema.previewInto(price, out, 1);
    this.rsi.previewInto(price, out, 2);
    this.macd.previewInto(price, out, 3);
    this.bollinger.previewInto(price, out, 6);
  }

  /** previewInto as a fresh IndicatorValues object (null for NaN), for callers off the hot path. */
  previewValues(price: number): IndicatorValues {
    this.previewInto(price, this.previewRaw);
    return valuesOfRaw(this.previewRaw);
  }

  /** Copies the MACD and Bollinger outputs into raw (the single values are already there). */
  private publish(): void {
    const raw = this.raw;
    const macd = this.macd.raw;
    const bands = this.bollinger.raw;
    raw[3] = macd[0]!;
    raw[4] = macd[1]!;
    raw[5] = macd[2]!;
    raw[6] = bands[0]!;
    raw[7] = bands[1]!;
    raw[8] = bands[2]!;
    this.outputStale = true;
  }

  private fillOutput(): void {
    const raw = this.raw;
    const values = this.output;
    values.sma = orNull(raw[0]!);
    values.ema = orNull(raw[1]!);
    values.rsi = orNull(raw[2]!);
    values.macd = orNull(raw[3]!);
    values.macdSignal = orNull(raw[4]!);
    values.macdHist = orNull(raw[5]!);
    values.bbUpper = orNull(raw[6]!);
    values.bbMiddle = orNull(raw[7]!);
    values.bbLower = orNull(raw[8]!);
    this.outputStale = false;
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
    this.raw[0] = sma.value ?? Number.NaN;
    this.raw[1] = ema.value ?? Number.NaN;
    this.raw[2] = rsi.value ?? Number.NaN;
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
