// Running mean, sample variance (Welford) and downside deviation of per-period returns: Sharpe and Sortino in O(1).

export class ReturnStats {
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private downSquares = 0;

  add(r: number): void {
    this.n++;
    const delta = r - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (r - this.mean);
    if (r < 0) this.downSquares += r * r;
  }

  get count(): number {
    return this.n;
  }

  /** Mean over sample standard deviation, times sqrt(periods a year); risk-free 0. Null under 2 returns or none varying. */
  sharpe(periodsPerYear: number): number | null {
    if (this.n < 2 || this.m2 <= 0) return null;
    return (this.mean / Math.sqrt(this.m2 / (this.n - 1))) * Math.sqrt(periodsPerYear);
  }

  /**
   * Mean over the downside deviation sqrt(Σ min(r, 0)² / n) (target 0, Sortino and Price 1994), times
   * sqrt(periods a year). Null under 2 returns or with no negative return (the ratio would be infinite).
   */
  sortino(periodsPerYear: number): number | null {
    if (this.n < 2 || this.downSquares <= 0) return null;
    return (this.mean / Math.sqrt(this.downSquares / this.n)) * Math.sqrt(periodsPerYear);
  }
}
