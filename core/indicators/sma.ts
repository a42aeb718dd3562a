// Simple moving average over a ring buffer, with TA-Lib's timing (first value at index period-1).
import { checkPeriod, checkPrice, ONE, orNull, type Indicator } from './indicator.js';
import { SnapshotReader } from './snapshot-reader.js';

export interface SmaSnapshot {
  kind: 'sma';
  period: number;
  filled: number;
  head: number;
  sum: number;
  cycleSum: number;
  window: number[];
}

export class Sma implements Indicator<SmaSnapshot> {
  readonly period: number;
  readonly lookback: number;
  private readonly window: Float64Array;
  private filled = 0;
  private head = 0;
  // [sum, cycleSum]. cycleSum is the sum of the prices written since the ring last wrapped: when
  // it wraps again that is exactly the window, so it replaces the running sum and rounding error
  // can never accumulate over months. In a typed array rather than fields: V8 keeps a double
  // field as a pointer to a boxed number, so each read is two dependent loads.
  private readonly sums = new Float64Array(2);

  constructor(period = 20) {
    this.period = checkPeriod('SMA', 'period', period);
    this.lookback = this.period - 1;
    this.window = new Float64Array(this.period);
  }

  private get sum(): number {
    return this.sums[0]!;
  }
  private set sum(value: number) {
    this.sums[0] = value;
  }
  private get cycleSum(): number {
    return this.sums[1]!;
  }
  private set cycleSum(value: number) {
    this.sums[1] = value;
  }

  get isStable(): boolean {
    return this.filled === this.period;
  }

  get value(): number | null {
    return this.filled === this.period ? this.sum / this.period : null;
  }

  update(price: number): number | null {
    return orNull(this.updateRaw(price));
  }

  updateRaw(price: number): number {
    this.updateInto(price, ONE, 0);
    return ONE[0]!;
  }

  updateInto(price: number, out: Float64Array, at: number): void {
    checkPrice('SMA', price);
    const head = this.head;
    // Slots not yet written hold 0, so the same subtraction serves the warm-up.
    this.sum += price - this.window[head]!;
    this.window[head] = price;
    this.cycleSum += price;
    if (head + 1 === this.period) {
      this.head = 0;
      this.sum = this.cycleSum;
      this.cycleSum = 0;
    } else {
      this.head = head + 1;
    }
    if (this.filled < this.period) {
      this.filled++;
      if (this.filled < this.period) {
        out[at] = Number.NaN;
        return;
      }
    }
    out[at] = this.sum / this.period;
  }

  /** What updateInto(price, out, at) would write, without changing anything (see Indicator). */
  previewInto(price: number, out: Float64Array, at: number): void {
    checkPrice('SMA', price);
    if (this.filled < this.period - 1) {
      out[at] = Number.NaN;
      return;
    }
    const head = this.head;
    // The sum updateInto would divide: the rebased one (cycleSum plus this price) when this price
    // completes the ring's cycle, else the running sum slid by one price, in updateInto's order.
    const sum = head + 1 === this.period ? this.cycleSum + price : this.sum + (price - this.window[head]!);
    out[at] = sum / this.period;
  }

  snapshot(): SmaSnapshot {
    return {
      kind: 'sma',
      period: this.period,
      filled: this.filled,
      head: this.head,
      sum: this.sum,
      cycleSum: this.cycleSum,
      window: Array.from(this.window),
    };
  }

  restore(snapshot: SmaSnapshot): void {
    const read = new SnapshotReader('sma', snapshot);
    read.same('period', this.period);
    // Everything is read before anything is assigned: a refused snapshot changes nothing.
    const window = read.numbers('window', this.period);
    const filled = read.integer('filled', 0, this.period);
    const head = read.integer('head', 0, this.period - 1);
    const sum = read.number('sum');
    const cycleSum = read.number('cycleSum');
    this.window.set(window);
    this.filled = filled;
    this.head = head;
    this.sum = sum;
    this.cycleSum = cycleSum;
  }

  static fromSnapshot(snapshot: SmaSnapshot): Sma {
    const sma = new Sma(new SnapshotReader('sma', snapshot).integer('period', 1, Number.MAX_SAFE_INTEGER));
    sma.restore(snapshot);
    return sma;
  }
}
