// A hypothetical account that follows the recommendations (all in on buy, all out on sell, with a fee
// and slippage per fill) against buying at the first price and holding, and the report of it. Pure and
// incremental: O(1) per tick, apart from the list of round trips.
import { CANDLE_MS, type CandleTimeframe } from '../candles/timeframe.js';
import { Drawdown } from './drawdown.js';
import { ReturnStats } from './return-stats.js';

export interface BacktestSettings {
  /** A fraction of each fill's value, e.g. 0.001 for 0.1 %. */
  readonly feeRate: number;
  /** Buys fill this fraction above the price, sells this fraction below, e.g. 0.0005 for 0.05 %. */
  readonly slippageRate: number;
  /** The strategy's timeframe: the candles equity is marked at, and what Sharpe and Sortino annualise by. */
  readonly timeframe: CandleTimeframe;
}

/** One round trip. Prices are the fills (slippage included); `return` is after both fees. */
export interface BacktestTrade {
  readonly type: 'trade';
  readonly entryTs: number;
  readonly entryPrice: number;
  readonly exitTs: number;
  readonly exitPrice: number;
  readonly return: number;
  /** Still held at the end: valued at the last price and ts, with no exit fee or slippage (as buy and hold). */
  readonly open: boolean;
}

/** Returns, drawdowns, rates and averages are fractions (0.05 is 5 %); times are epoch ms, durations ms. */
export interface BacktestReport {
  readonly type: 'backtest';
  readonly note: 'hypothetical, not advice';
  readonly start: number | null;
  readonly end: number | null;
  readonly timeframe: CandleTimeframe;
  readonly candles: number;
  readonly recommendations: number;
  readonly trades: number;
  readonly openTrade: boolean;
  readonly totalReturn: number;
  readonly buyAndHoldReturn: number;
  readonly maxDrawdown: number;
  readonly buyAndHoldMaxDrawdown: number;
  readonly winRate: number | null;
  readonly averageTrade: number | null;
  readonly medianTrade: number | null;
  readonly bestTrade: number | null;
  readonly worstTrade: number | null;
  readonly profitFactor: number | null;
  readonly exposure: number | null;
  readonly averageHoldingMs: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly feePercent: number;
  readonly slippagePercent: number;
}

const YEAR_MS = 365 * 86_400_000; // Bitcoin trades every day of the year.

export class Backtest {
  private cash = 1;
  private units = 0;
  private entry: { ts: number; price: number; cash: number } | null = null;
  private readonly closed: BacktestTrade[] = [];
  private first: { ts: number; price: number } | null = null;
  private lastTs = 0;
  private lastPrice = 0;
  private holdUnits = 0;
  private equityBefore = 1;
  private candleCount = 0;
  private recommendationCount = 0;
  private closedInMarketMs = 0;
  private readonly drawdown = new Drawdown(1);
  private readonly holdDrawdown = new Drawdown(1);
  private readonly returns = new ReturnStats();

  constructor(readonly settings: BacktestSettings) {
    const { feeRate, slippageRate } = settings;
    if (!Number.isFinite(feeRate) || feeRate < 0 || feeRate >= 1) throw new RangeError('fee must be a fraction from 0 to below 1');
    if (!Number.isFinite(slippageRate) || slippageRate < 0 || slippageRate >= 1) {
      throw new RangeError('slippage must be a fraction from 0 to below 1');
    }
  }

  /** Every accepted tick, before its closed candles and signals. */
  observe(ts: number, price: number): void {
    if (this.first === null) {
      this.first = { ts, price };
      this.holdUnits = (1 - this.settings.feeRate) / (price * (1 + this.settings.slippageRate));
    }
    this.lastTs = ts;
    this.lastPrice = price;
  }

  /** A closed candle of the strategy's timeframe, before the signals of the tick that closed it. */
  candleClosed(close: number): void {
    this.candleCount++;
    const equity = this.equityAt(close);
    this.drawdown.mark(equity);
    this.holdDrawdown.mark(this.holdUnits * close);
    this.returns.add(equity / this.equityBefore - 1);
    this.equityBefore = equity;
  }

  /** A recommendation; a buy while holding or a sell while flat changes nothing (they alternate anyway). */
  follow(side: 'buy' | 'sell', ts: number, price: number): void {
    this.recommendationCount++;
    const { feeRate, slippageRate } = this.settings;
    if (side === 'buy' && this.entry === null) {
      const fill = price * (1 + slippageRate);
      this.entry = { ts, price: fill, cash: this.cash };
      this.units = (this.cash * (1 - feeRate)) / fill;
      this.cash = 0;
    } else if (side === 'sell' && this.entry !== null) {
      const fill = price * (1 - slippageRate);
      this.cash = this.units * fill * (1 - feeRate);
      this.units = 0;
      this.closed.push(this.trade(ts, fill, this.cash, false));
      this.closedInMarketMs += ts - this.entry.ts;
      this.entry = null;
    }
  }

  /** What the account would be worth at `price` (cash, or the position valued at it, no exit costs). */
  equityAt(price: number): number {
    return this.cash + this.units * price;
  }

  /** What buying at the first price and holding would be worth at `price` (0 before the first price). */
  holdingAt(price: number): number {
    return this.holdUnits * price;
  }

  /** The round trips so far; a position still held comes last, valued at the last price. */
  trades(): BacktestTrade[] {
    return this.entry === null
      ? [...this.closed]
      : [...this.closed, this.trade(this.lastTs, this.lastPrice, this.units * this.lastPrice, true)];
  }

  report(): BacktestReport {
    const { feeRate, slippageRate, timeframe } = this.settings;
    const trades = this.trades();
    const returns = trades.map((t) => t.return);
    const sorted = [...returns].sort((a, b) => a - b);
    const wins = returns.filter((r) => r > 0);
    const grossWin = wins.reduce((sum, r) => sum + r, 0);
    const grossLoss = -returns.filter((r) => r < 0).reduce((sum, r) => sum + r, 0);
    const inMarketMs = this.closedInMarketMs + (this.entry === null ? 0 : this.lastTs - this.entry.ts);
    const periodMs = this.first === null ? 0 : this.lastTs - this.first.ts;
    const perYear = YEAR_MS / CANDLE_MS[timeframe];
    const n = trades.length;
    return {
      type: 'backtest',
      note: 'hypothetical, not advice',
      start: this.first?.ts ?? null,
      end: this.first === null ? null : this.lastTs,
      timeframe,
      candles: this.candleCount,
      recommendations: this.recommendationCount,
      trades: n,
      openTrade: this.entry !== null,
      totalReturn: this.cash + this.units * this.lastPrice - 1,
      buyAndHoldReturn: this.first === null ? 0 : ((1 - feeRate) * this.lastPrice) / (this.first.price * (1 + slippageRate)) - 1,
      maxDrawdown: this.drawdown.max,
      buyAndHoldMaxDrawdown: this.holdDrawdown.max,
      winRate: n === 0 ? null : wins.length / n,
      averageTrade: n === 0 ? null : returns.reduce((sum, r) => sum + r, 0) / n,
      medianTrade: n === 0 ? null : n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2,
      bestTrade: n === 0 ? null : sorted[n - 1]!,
      worstTrade: n === 0 ? null : sorted[0]!,
      profitFactor: grossLoss > 0 ? grossWin / grossLoss : null,
      exposure: periodMs > 0 ? inMarketMs / periodMs : null,
      averageHoldingMs: n === 0 ? null : inMarketMs / n,
      sharpe: this.returns.sharpe(perYear),
      sortino: this.returns.sortino(perYear),
      feePercent: feeRate * 100,
      slippagePercent: slippageRate * 100,
    };
  }

  private trade(exitTs: number, exitPrice: number, value: number, open: boolean): BacktestTrade {
    const entry = this.entry!;
    return { type: 'trade', entryTs: entry.ts, entryPrice: entry.price, exitTs, exitPrice, return: value / entry.cash - 1, open };
  }
}
