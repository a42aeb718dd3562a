// Builds one timeframe's candles from ticks by their own ts: a candle closes on the first tick of a
// later one. A bucket without any tick is a gap, counted on the next candle, never filled with prices.
import { CANDLE_MS, candleStart, type CandleTimeframe } from './timeframe.js';

export interface CandleFigures {
  /** Epoch ms at which the bucket starts (UTC-aligned). */
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  ticks: number;
  /** Whole buckets without a tick between the previous candle and this one (0 when none or first). */
  gapBefore: number;
}

export interface CandleBuilderSnapshot {
  readonly kind: 'candles';
  readonly timeframe: CandleTimeframe;
  /** The forming candle, null before the first tick. */
  readonly forming: Readonly<CandleFigures> | null;
  readonly closedCount: number;
}

function emptyCandle(): CandleFigures {
  return { start: Number.NaN, open: 0, high: 0, low: 0, close: 0, volume: 0, ticks: 0, gapBefore: 0 };
}

export class CandleBuilder {
  readonly sizeMs: number;
  /** The candle the last `add` closed (valid when it returned true); reused: copy what you keep. */
  readonly closed: CandleFigures = emptyCandle();
  /** The forming candle (start NaN before the first tick); reused. */
  readonly forming: CandleFigures = emptyCandle();
  /** Candles closed so far. */
  closedCount = 0;

  constructor(readonly timeframe: CandleTimeframe) {
    this.sizeMs = CANDLE_MS[timeframe];
  }

  /**
   * Adds a tick (ts not before the previous one; the caller keeps order). Returns true when the tick
   * opened a new candle after a forming one, which is then in `closed`.
   */
  add(ts: number, price: number, volume: number): boolean {
    const forming = this.forming;
    const start = candleStart(ts, this.sizeMs);
    if (start === forming.start) {
      if (price > forming.high) forming.high = price;
      if (price < forming.low) forming.low = price;
      forming.close = price;
      forming.volume += volume;
      forming.ticks++;
      return false;
    }
    const hadCandle = forming.ticks > 0;
    if (hadCandle) {
      Object.assign(this.closed, forming);
      this.closedCount++;
    }
    forming.gapBefore = hadCandle ? Math.max(0, Math.round((start - forming.start) / this.sizeMs) - 1) : 0;
    forming.start = start;
    forming.open = forming.high = forming.low = forming.close = price;
    forming.volume = volume;
    forming.ticks = 1;
    return hadCandle;
  }

  snapshot(): CandleBuilderSnapshot {
    return {
      kind: 'candles',
      timeframe: this.timeframe,
      forming: this.forming.ticks > 0 ? { ...this.forming } : null,
      closedCount: this.closedCount,
    };
  }

  restore(snapshot: CandleBuilderSnapshot): void {
    const at = `candles ${this.timeframe}`;
    if (snapshot?.kind !== 'candles' || snapshot.timeframe !== this.timeframe)
      throw new TypeError(`${at}: not a snapshot of this timeframe`);
    if (!Number.isSafeInteger(snapshot.closedCount) || snapshot.closedCount < 0) throw new TypeError(`${at}: closedCount must be a count`);
    const saved = snapshot.forming;
    if (saved === null) {
      Object.assign(this.forming, emptyCandle());
    } else {
      for (const key of ['start', 'open', 'high', 'low', 'close', 'volume', 'ticks', 'gapBefore'] as const) {
        if (typeof saved[key] !== 'number' || !Number.isFinite(saved[key]))
          throw new TypeError(`${at}: forming.${key} must be a finite number`);
      }
      if (saved.ticks < 1 || candleStart(saved.start, this.sizeMs) !== saved.start)
        throw new TypeError(`${at}: forming candle is not a candle of ${this.timeframe}`);
      Object.assign(this.forming, saved);
    }
    this.closedCount = snapshot.closedCount;
  }
}
