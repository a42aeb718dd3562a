// MACD line, signal and histogram with TA-Lib's seeding (first complete output at slow-1 + signal-1).
import { checkPeriod, checkPrice, type Indicator } from './indicator.js';
import { SnapshotReader } from './snapshot-reader.js';

export interface MacdSnapshot {
  kind: 'macd';
  fast: number;
  slow: number;
  signal: number;
  count: number;
  fastEma: number;
  slowEma: number;
  signalCount: number;
  signalEma: number;
}

/**
 * Both EMAs start at index slow-1, as in TA-Lib: the slow one seeded with the SMA of the first
 * slow prices, the fast one with the SMA of the fast prices ending there (so the two lines are
 * aligned from their first value). The signal line is an EMA of the MACD line seeded with the
 * SMA of its first signal values. `update` returns the MACD line once the signal exists.
 */
export class Macd implements Indicator<MacdSnapshot> {
  readonly fastPeriod: number;
  readonly slowPeriod: number;
  readonly signalPeriod: number;
  readonly lookback: number;
  private readonly kFast: number;
  private readonly kSlow: number;
  private readonly kSignal: number;
  // Prices seen, counted up to slowPeriod. While counting, the EMAs hold the seed sums.
  private count = 0;
  private fastEma = 0;
  private slowEma = 0;
  // MACD values seen, counted up to signalPeriod; signalEma holds their sum until then.
  private signalCount = 0;
  private signalEma = 0;
  private line = 0;

  constructor(fast = 12, slow = 26, signal = 9) {
    this.fastPeriod = checkPeriod('MACD', 'fast period', fast);
    this.slowPeriod = checkPeriod('MACD', 'slow period', slow);
    this.signalPeriod = checkPeriod('MACD', 'signal period', signal);
    if (this.fastPeriod >= this.slowPeriod) {
      throw new RangeError(`MACD: fast period (${fast}) must be shorter than slow period (${slow})`);
    }
    this.lookback = this.slowPeriod - 1 + this.signalPeriod - 1;
    this.kFast = 2 / (this.fastPeriod + 1);
    this.kSlow = 2 / (this.slowPeriod + 1);
    this.kSignal = 2 / (this.signalPeriod + 1);
  }

  get isStable(): boolean {
    return this.signalCount === this.signalPeriod;
  }

  get value(): number | null {
    return this.signalCount === this.signalPeriod ? this.line : null;
  }

  get macd(): number | null {
    return this.value;
  }

  get signal(): number | null {
    return this.signalCount === this.signalPeriod ? this.signalEma : null;
  }

  get histogram(): number | null {
    return this.signalCount === this.signalPeriod ? this.line - this.signalEma : null;
  }

  update(price: number): number | null {
    checkPrice('MACD', price);
    if (this.count === this.slowPeriod) {
      this.fastEma = (price - this.fastEma) * this.kFast + this.fastEma;
      this.slowEma = (price - this.slowEma) * this.kSlow + this.slowEma;
    } else {
      this.slowEma += price;
      if (this.count >= this.slowPeriod - this.fastPeriod) this.fastEma += price;
      this.count++;
      if (this.count < this.slowPeriod) return null;
      this.slowEma /= this.slowPeriod;
      this.fastEma /= this.fastPeriod;
    }
    this.line = this.fastEma - this.slowEma;
    if (this.signalCount === this.signalPeriod) {
      this.signalEma = (this.line - this.signalEma) * this.kSignal + this.signalEma;
      return this.line;
    }
    this.signalEma += this.line;
    this.signalCount++;
    if (this.signalCount < this.signalPeriod) return null;
    this.signalEma /= this.signalPeriod;
    return this.line;
  }

  snapshot(): MacdSnapshot {
    return {
      kind: 'macd',
      fast: this.fastPeriod,
      slow: this.slowPeriod,
      signal: this.signalPeriod,
      count: this.count,
      fastEma: this.fastEma,
      slowEma: this.slowEma,
      signalCount: this.signalCount,
      signalEma: this.signalEma,
    };
  }

  restore(snapshot: MacdSnapshot): void {
    const read = new SnapshotReader('macd', snapshot);
    read.same('fast', this.fastPeriod);
    read.same('slow', this.slowPeriod);
    read.same('signal', this.signalPeriod);
    // Everything is read before anything is assigned: a refused snapshot changes nothing.
    const count = read.integer('count', 0, this.slowPeriod);
    const fastEma = read.number('fastEma');
    const slowEma = read.number('slowEma');
    const signalCount = read.integer('signalCount', 0, count === this.slowPeriod ? this.signalPeriod : 0);
    const signalEma = read.number('signalEma');
    this.count = count;
    this.fastEma = fastEma;
    this.slowEma = slowEma;
    this.signalCount = signalCount;
    this.signalEma = signalEma;
    this.line = this.fastEma - this.slowEma;
  }

  static fromSnapshot(snapshot: MacdSnapshot): Macd {
    const read = new SnapshotReader('macd', snapshot);
    const max = Number.MAX_SAFE_INTEGER;
    const macd = new Macd(read.integer('fast', 1, max), read.integer('slow', 1, max), read.integer('signal', 1, max));
    macd.restore(snapshot);
    return macd;
  }
}
