// Wilder's relative strength index, TA-Lib's timing and smoothing (first value at index period).
import { checkPeriod, checkPrice, ONE, orNull, type Indicator } from './indicator.js';
import { SnapshotReader } from './snapshot-reader.js';

export interface RsiSnapshot {
  kind: 'rsi';
  period: number;
  count: number;
  previous: number;
  gain: number;
  loss: number;
}

/**
 * Deviation from TA-Lib, on purpose: when there is no movement at all (average gain and average
 * loss both zero) the RSI is 50, neutral. TA-Lib returns 0 there, which a rule would read as
 * "deeply oversold" and answer with a buy on a frozen feed. Only gains gives 100, only losses 0.
 *
 * During a flat stretch after real movement both averages shrink by the same factor each tick,
 * so the RSI holds its last value; once their sum falls below one ulp of the price (about 400
 * flat ticks at period 14) they are flushed to zero and the RSI becomes 50. Without the flush
 * they would underflow one after the other, flipping the RSI to 0 or 100 before 50.
 */
export class Rsi implements Indicator<RsiSnapshot> {
  readonly period: number;
  readonly lookback: number;
  // Prices seen, counted up to period + 1 (the first value needs period price changes).
  private count = 0;
  private previous = 0;
  // Sums of gains and losses during the warm-up, Wilder's smoothed averages after it.
  private gain = 0;
  private loss = 0;

  constructor(period = 14) {
    // Period 1 is no average at all (TA-Lib even returns the price for it).
    this.period = checkPeriod('RSI', 'period', period, 2);
    this.lookback = this.period;
  }

  get isStable(): boolean {
    return this.count > this.period;
  }

  get value(): number | null {
    return this.count > this.period ? rsiOf(this.gain, this.loss) : null;
  }

  update(price: number): number | null {
    return orNull(this.updateRaw(price));
  }

  updateRaw(price: number): number {
    this.updateInto(price, ONE, 0);
    return ONE[0]!;
  }

  updateInto(price: number, out: Float64Array, at: number): void {
    checkPrice('RSI', price);
    const change = price - this.previous;
    this.previous = price;
    if (this.count <= this.period) {
      this.warm(change, out, at);
      return;
    }
    // TA-Lib's operation order: (avg * (n - 1) + x) / n.
    const n = this.period;
    let loss = this.loss * (n - 1);
    let gain = this.gain * (n - 1);
    if (change < 0) loss -= change;
    else gain += change;
    this.gain = gain / n;
    this.loss = loss / n;
    this.publish(out, at);
  }

  // Off the hot path, so what callers inline is only the steady-state update.
  private warm(change: number, out: Float64Array, at: number): void {
    if (this.count > 0) {
      if (change < 0) this.loss -= change;
      else this.gain += change;
    }
    this.count++;
    if (this.count <= this.period) {
      out[at] = Number.NaN;
      return;
    }
    this.gain /= this.period;
    this.loss /= this.period;
    this.publish(out, at);
  }

  // Reads the new averages and the price from the fields and writes the RSI to out[at]: doubles
  // passed to or returned from a call V8 does not inline are boxed, so none cross this one.
  private publish(out: Float64Array, at: number): void {
    const price = this.previous;
    let gain = this.gain;
    let loss = this.loss;
    let total = gain + loss;
    if (total !== 0 && total < Math.abs(price) * Number.EPSILON) {
      gain = 0;
      loss = 0;
      total = 0;
    }
    this.gain = gain;
    this.loss = loss;
    out[at] = total === 0 ? 50 : 100 * (gain / total);
  }

  /**
   * What updateInto(price, out, at) would write, without changing anything (see Indicator): the
   * averages that update would store, in its operation order, then publish's flush and ratio.
   */
  previewInto(price: number, out: Float64Array, at: number): void {
    checkPrice('RSI', price);
    const n = this.period;
    if (this.count < n) {
      out[at] = Number.NaN;
      return;
    }
    const change = price - this.previous;
    let gain: number;
    let loss: number;
    if (this.count === n) {
      // The first value: the warm-up sums (count > 0 here, so this change is in them) over n.
      gain = this.gain;
      loss = this.loss;
      if (change < 0) loss -= change;
      else gain += change;
      gain /= n;
      loss /= n;
    } else {
      loss = this.loss * (n - 1);
      gain = this.gain * (n - 1);
      if (change < 0) loss -= change;
      else gain += change;
      gain /= n;
      loss /= n;
    }
    const total = gain + loss;
    // publish's flush: a total below one ulp of the price is zero, and no movement is 50.
    out[at] = total === 0 || total < Math.abs(price) * Number.EPSILON ? 50 : 100 * (gain / total);
  }

  snapshot(): RsiSnapshot {
    return {
      kind: 'rsi',
      period: this.period,
      count: this.count,
      previous: this.previous,
      gain: this.gain,
      loss: this.loss,
    };
  }

  restore(snapshot: RsiSnapshot): void {
    const read = new SnapshotReader('rsi', snapshot);
    read.same('period', this.period);
    // Everything is read before anything is assigned: a refused snapshot changes nothing.
    const count = read.integer('count', 0, this.period + 1);
    const previous = read.number('previous');
    const gain = read.number('gain');
    const loss = read.number('loss');
    this.count = count;
    this.previous = previous;
    this.gain = gain;
    this.loss = loss;
  }

  static fromSnapshot(snapshot: RsiSnapshot): Rsi {
    const rsi = new Rsi(new SnapshotReader('rsi', snapshot).integer('period', 2, Number.MAX_SAFE_INTEGER));
    rsi.restore(snapshot);
    return rsi;
  }
}

// The same expression publish returns, for the getter: gain and loss are stored after the flush.
function rsiOf(gain: number, loss: number): number {
  const total = gain + loss;
  return total === 0 ? 50 : 100 * (gain / total);
}
