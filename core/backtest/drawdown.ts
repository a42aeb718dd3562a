// The deepest fall of an equity curve below its running peak, updated one mark at a time.

export class Drawdown {
  private peak: number;
  private deepest = 0;

  /** `start` is the equity before the first mark (1 for an account that starts with 1). */
  constructor(start: number) {
    this.peak = start;
  }

  mark(equity: number): void {
    if (equity >= this.peak) this.peak = equity;
    else this.deepest = Math.max(this.deepest, 1 - equity / this.peak);
  }

  /** A fraction of the peak: 0.2 is a fall of 20 % from the highest equity before it. */
  get max(): number {
    return this.deepest;
  }
}
