// Exponential moving average, TA-Lib style: seeded with the SMA of the first period prices, k = 2/(period+1).
import { checkPeriod, checkPrice, ONE, orNull, type Indicator } from './indicator.js';
import { SnapshotReader } from './snapshot-reader.js';

export interface EmaSnapshot {
  kind: 'ema';
  period: number;
  count: number;
  seedSum: number;
  ema: number;
}

export class Ema implements Indicator<EmaSnapshot> {
  readonly period: number;
  readonly lookback: number;
  private readonly k: number;
  private count = 0;
  private seedSum = 0;
  private ema = 0;

  constructor(period = 20) {
    this.period = checkPeriod('EMA', 'period', period);
    this.lookback = this.period - 1;
    this.k = 2 / (this.period + 1);
  }

  get isStable(): boolean {
    return this.count === this.period;
  }

  get value(): number | null {
    return this.count === this.period ? this.ema : null;
  }

  update(price: number): number | null {
    return orNull(this.updateRaw(price));
  }

  updateRaw(price: number): number {
    this.updateInto(price, ONE, 0);
    return ONE[0]!;
  }

  updateInto(price: number, out: Float64Array, at: number): void {
    checkPrice('EMA', price);
    if (this.count === this.period) {
      // TA-Lib's operation order, so long series agree to the last bits rather than drifting apart.
      const ema = (price - this.ema) * this.k + this.ema;
      this.ema = ema;
      out[at] = ema;
      return;
    }
    this.seed(price, out, at);
  }

  // Off the hot path, so what callers inline is only the steady-state update.
  private seed(price: number, out: Float64Array, at: number): void {
    this.seedSum += price;
    this.count++;
    if (this.count < this.period) {
      out[at] = Number.NaN;
      return;
    }
    this.ema = this.seedSum / this.period;
    out[at] = this.ema;
  }

  /** What updateInto(price, out, at) would write, without changing anything (see Indicator). */
  previewInto(price: number, out: Float64Array, at: number): void {
    checkPrice('EMA', price);
    if (this.count === this.period) {
      out[at] = (price - this.ema) * this.k + this.ema;
      return;
    }
    // Still seeding: the first value is the SMA of the seed prices with this one as the last.
    out[at] = this.count + 1 < this.period ? Number.NaN : (this.seedSum + price) / this.period;
  }

  snapshot(): EmaSnapshot {
    return { kind: 'ema', period: this.period, count: this.count, seedSum: this.seedSum, ema: this.ema };
  }

  restore(snapshot: EmaSnapshot): void {
    const read = new SnapshotReader('ema', snapshot);
    read.same('period', this.period);
    // Everything is read before anything is assigned: a refused snapshot changes nothing.
    const count = read.integer('count', 0, this.period);
    const seedSum = read.number('seedSum');
    const ema = read.number('ema');
    this.count = count;
    this.seedSum = seedSum;
    this.ema = ema;
  }

  static fromSnapshot(snapshot: EmaSnapshot): Ema {
    const ema = new Ema(new SnapshotReader('ema', snapshot).integer('period', 1, Number.MAX_SAFE_INTEGER));
    ema.restore(snapshot);
    return ema;
  }
}
