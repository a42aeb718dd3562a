// Bollinger Bands: SMA middle band, population standard deviation, variance computed without cancellation.
import { checkPeriod, checkPrice, orNull, type Indicator } from './indicator.js';
import { SnapshotReader } from './snapshot-reader.js';

export interface BollingerSnapshot {
  kind: 'bollinger';
  period: number;
  stdDev: number;
  filled: number;
  head: number;
  window: number[];
  mean: number;
  m2: number;
  reference: number;
  cycleSum: number;
  cycleSquares: number;
  flatRun: number;
}

/**
 * Deviation from TA-Lib, on purpose: TA-Lib computes the variance as E[x²] − mean², which at
 * BTC prices (x² ≈ 1e10) cancels away most significant digits, so quiet windows get bands that
 * are wrong by cents or that collapse to zero. Here the mean and the sum of squared deviations
 * (m2) slide with Welford's update, and every time the ring wraps they are recomputed from sums
 * of deviations from the first price of the cycle: that price lies inside the window, which
 * bounds the cancellation (Samuelson's inequality) and stops rounding error from accumulating.
 * When the last `period` prices are identical the bands are exactly the price.
 * `raw` holds [upper, middle, lower], NaN while warming up, for reading without allocation.
 */
export class Bollinger implements Indicator<BollingerSnapshot> {
  readonly period: number;
  readonly stdDev: number;
  readonly lookback: number;
  private readonly window: Float64Array;
  private filled = 0;
  private head = 0;
  // mean, m2, then the deviation sums over the prices written since the ring last wrapped,
  // relative to the first of them (reference, cycleSum, cycleSquares). In a typed array rather
  // than fields: V8 keeps a double field as a pointer to a boxed number, two dependent loads.
  private readonly state = new Float64Array(5);
  // How many of the latest prices are equal to the latest one, counted up to period.
  private flatRun = 0;
  /** [upper, middle, lower] after the last update; NaN while warming up. Do not write. */
  readonly raw = new Float64Array([Number.NaN, Number.NaN, Number.NaN]);

  constructor(period = 20, stdDev = 2) {
    this.period = checkPeriod('Bollinger', 'period', period);
    if (!Number.isFinite(stdDev) || stdDev < 0) {
      throw new RangeError(`Bollinger: stdDev must be a finite number >= 0, got ${String(stdDev)}`);
    }
    this.stdDev = stdDev;
    this.lookback = this.period - 1;
    this.window = new Float64Array(this.period);
  }

  private get mean(): number {
    return this.state[0]!;
  }
  private set mean(value: number) {
    this.state[0] = value;
  }
  private get m2(): number {
    return this.state[1]!;
  }
  private set m2(value: number) {
    this.state[1] = value;
  }
  private get reference(): number {
    return this.state[2]!;
  }
  private set reference(value: number) {
    this.state[2] = value;
  }
  private get cycleSum(): number {
    return this.state[3]!;
  }
  private set cycleSum(value: number) {
    this.state[3] = value;
  }
  private get cycleSquares(): number {
    return this.state[4]!;
  }
  private set cycleSquares(value: number) {
    this.state[4] = value;
  }

  get isStable(): boolean {
    return this.filled === this.period;
  }

  get value(): number | null {
    return orNull(this.raw[1]!);
  }

  get middle(): number | null {
    return orNull(this.raw[1]!);
  }

  get upper(): number | null {
    return orNull(this.raw[0]!);
  }

  get lower(): number | null {
    return orNull(this.raw[2]!);
  }

  update(price: number): number | null {
    return orNull(this.updateRaw(price));
  }

  // Split into small methods on purpose: V8 will not inline a method over 460 bytes of bytecode,
  // and an update that is not inlined into the caller's loop costs twice as much.
  updateRaw(price: number): number {
    this.advance(price);
    return this.raw[1]!;
  }

  updateInto(price: number, out: Float64Array, at: number): void {
    this.advance(price);
    const raw = this.raw;
    out[at] = raw[0]!;
    out[at + 1] = raw[1]!;
    out[at + 2] = raw[2]!;
  }

  private advance(price: number): void {
    checkPrice('Bollinger', price);
    if (this.filled < this.period) {
      this.warm(price);
      return;
    }
    this.slide(price, this.window[this.head]!);
    this.record(price);
    this.publish();
  }

  // Leaves raw NaN until the window is full.
  private warm(price: number): void {
    this.add(price);
    this.record(price);
    if (this.filled === this.period) this.publish();
  }

  /** Welford's update while the window is filling. */
  private add(price: number): void {
    this.filled++;
    const delta = price - this.mean;
    this.mean += delta / this.filled;
    this.m2 += delta * (price - this.mean);
  }

  /** Welford's sliding update: `price` enters the window, `old` leaves it. */
  private slide(price: number, old: number): void {
    const mean = this.mean + (price - old) / this.period;
    this.m2 += (price - old) * (price - mean + (old - this.mean));
    this.mean = mean;
  }

  /** Stores the price in the ring, tracks flat runs, and resyncs mean and m2 when the ring wraps. */
  private record(price: number): void {
    const head = this.head;
    const previous = this.window[head === 0 ? this.period - 1 : head - 1]!;
    this.flatRun = this.filled > 1 && price === previous ? Math.min(this.flatRun + 1, this.period) : 1;
    this.window[head] = price;
    if (head === 0) {
      this.reference = price;
      this.cycleSum = 0;
      this.cycleSquares = 0;
    }
    const deviation = price - this.reference;
    this.cycleSum += deviation;
    this.cycleSquares += deviation * deviation;
    if (head + 1 === this.period) {
      this.head = 0;
      this.mean = this.reference + this.cycleSum / this.period;
      this.m2 = Math.max(0, this.cycleSquares - (this.cycleSum * this.cycleSum) / this.period);
    } else {
      this.head = head + 1;
    }
  }

  // Takes no price argument: V8 boxes a double passed to a call it does not inline. The latest
  // price is the one just recorded in the ring.
  private publish(): void {
    const flat = this.flatRun === this.period;
    const middle = flat ? this.window[this.head === 0 ? this.period - 1 : this.head - 1]! : this.mean;
    const width = flat || this.m2 <= 0 ? 0 : this.stdDev * Math.sqrt(this.m2 / this.period);
    const raw = this.raw;
    raw[0] = middle + width;
    raw[1] = middle;
    raw[2] = middle - width;
  }

  /**
   * What updateInto(price, out, at) would write to out[at..at+2], without changing anything (see
   * Indicator): the mean and m2 that advance would leave (Welford's add or slide, or the resync
   * from the cycle's deviation sums when this price completes the ring), the flat run, publish.
   */
  previewInto(price: number, out: Float64Array, at: number): void {
    checkPrice('Bollinger', price);
    const period = this.period;
    const filled = this.filled;
    if (filled < period - 1) {
      out[at] = Number.NaN;
      out[at + 1] = Number.NaN;
      out[at + 2] = Number.NaN;
      return;
    }
    const s = this.state;
    const head = this.head;
    let mean: number;
    let m2: number;
    if (head + 1 === period) {
      // record's resync replaces whatever add or slide computed, so only the resync is needed.
      const first = head === 0;
      const reference = first ? price : s[2]!;
      const deviation = price - reference;
      const cycleSum = (first ? 0 : s[3]!) + deviation;
      const cycleSquares = (first ? 0 : s[4]!) + deviation * deviation;
      mean = reference + cycleSum / period;
      m2 = Math.max(0, cycleSquares - (cycleSum * cycleSum) / period);
    } else if (filled < period) {
      const delta = price - s[0]!;
      mean = s[0]! + delta / (filled + 1);
      m2 = s[1]! + delta * (price - mean);
    } else {
      const old = this.window[head]!;
      mean = s[0]! + (price - old) / period;
      m2 = s[1]! + (price - old) * (price - mean + (old - s[0]!));
    }
    const previous = this.window[head === 0 ? period - 1 : head - 1]!;
    // record's flat run, with filled as it is after add (which counts this price during warm-up).
    const run = (filled < period ? filled + 1 : period) > 1 && price === previous ? Math.min(this.flatRun + 1, period) : 1;
    const flat = run === period;
    const middle = flat ? price : mean;
    const width = flat || m2 <= 0 ? 0 : this.stdDev * Math.sqrt(m2 / period);
    out[at] = middle + width;
    out[at + 1] = middle;
    out[at + 2] = middle - width;
  }

  snapshot(): BollingerSnapshot {
    return {
      kind: 'bollinger',
      period: this.period,
      stdDev: this.stdDev,
      filled: this.filled,
      head: this.head,
      window: Array.from(this.window),
      mean: this.mean,
      m2: this.m2,
      reference: this.reference,
      cycleSum: this.cycleSum,
      cycleSquares: this.cycleSquares,
      flatRun: this.flatRun,
    };
  }

  restore(snapshot: BollingerSnapshot): void {
    const read = new SnapshotReader('bollinger', snapshot);
    read.same('period', this.period);
    read.same('stdDev', this.stdDev);
    // Everything is read before anything is assigned: a refused snapshot changes nothing.
    const window = read.numbers('window', this.period);
    const filled = read.integer('filled', 0, this.period);
    const head = read.integer('head', 0, this.period - 1);
    const mean = read.number('mean');
    const m2 = read.number('m2');
    const reference = read.number('reference');
    const cycleSum = read.number('cycleSum');
    const cycleSquares = read.number('cycleSquares');
    const flatRun = read.integer('flatRun', 0, this.period);
    this.window.set(window);
    this.filled = filled;
    this.head = head;
    this.mean = mean;
    this.m2 = m2;
    this.reference = reference;
    this.cycleSum = cycleSum;
    this.cycleSquares = cycleSquares;
    this.flatRun = flatRun;
    if (this.filled === this.period) {
      this.publish();
    } else {
      this.raw.fill(Number.NaN);
    }
  }

  static fromSnapshot(snapshot: BollingerSnapshot): Bollinger {
    const read = new SnapshotReader('bollinger', snapshot);
    const bollinger = new Bollinger(read.integer('period', 1, Number.MAX_SAFE_INTEGER), read.number('stdDev'));
    bollinger.restore(snapshot);
    return bollinger;
  }
}
