// One timeframe of one symbol: its candles, the indicators on their closes, and on demand the
// indicators on the forming candle (the closed closes plus the current price), all O(1) per tick.
import { CandleBuilder, type CandleBuilderSnapshot } from '../candles/candle-builder.js';
import type { CandleTimeframe } from '../candles/timeframe.js';
import {
  IndicatorSet,
  RAW_FIELDS,
  valuesOfRaw,
  type IndicatorPeriods,
  type IndicatorSetSnapshot,
  type IndicatorValues,
} from '../indicators/indicator-set.js';

export interface TimeframeSeriesSnapshot {
  readonly kind: 'timeframe-series';
  readonly timeframe: CandleTimeframe;
  readonly candles: CandleBuilderSnapshot;
  readonly indicators: IndicatorSetSnapshot;
}

export class TimeframeSeries {
  readonly candles: CandleBuilder;
  /** Updated with each closed candle's close: `raw`/`values` are the closed candle's indicators. */
  readonly indicators: IndicatorSet;
  private readonly formingRaw = new Float64Array(RAW_FIELDS.length);
  // The price the forming values were computed for; NaN: not computed since the last tick.
  private formingPrice = Number.NaN;

  constructor(
    readonly timeframe: CandleTimeframe,
    periods: IndicatorPeriods,
  ) {
    this.candles = new CandleBuilder(timeframe);
    this.indicators = new IndicatorSet(periods);
  }

  /** Adds a tick; returns true when it closed a candle (its indicators are then in `indicators`). */
  add(ts: number, price: number, volume: number): boolean {
    this.formingPrice = Number.NaN;
    if (!this.candles.add(ts, price, volume)) return false;
    this.indicators.advance(this.candles.closed.close);
    return true;
  }

  /** The forming candle's indicators in RAW_FIELDS order (NaN while warming up); reused. */
  formingRawValues(): Float64Array {
    const price = this.candles.forming.close;
    if (this.formingPrice !== price) {
      this.indicators.previewInto(price, this.formingRaw);
      this.formingPrice = price;
    }
    return this.formingRaw;
  }

  /** The forming candle's indicators as a fresh object (null while warming up). */
  formingValues(): IndicatorValues {
    return valuesOfRaw(this.formingRawValues());
  }

  /** The last closed candle's indicators as a fresh object. */
  closedValues(): IndicatorValues {
    return { ...this.indicators.values };
  }

  snapshot(): TimeframeSeriesSnapshot {
    return {
      kind: 'timeframe-series',
      timeframe: this.timeframe,
      candles: this.candles.snapshot(),
      indicators: this.indicators.snapshot(),
    };
  }

  restore(snapshot: TimeframeSeriesSnapshot): void {
    if (snapshot?.kind !== 'timeframe-series' || snapshot.timeframe !== this.timeframe) {
      throw new TypeError(`timeframe ${this.timeframe}: not a snapshot of this timeframe`);
    }
    this.candles.restore(snapshot.candles);
    this.indicators.restore(snapshot.indicators);
    this.formingPrice = Number.NaN;
  }
}
