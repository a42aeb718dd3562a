// The backtest report on hand-built 1-minute paths whose figures are worked out by hand, and every
// figure against a plain computation from the trade list and the candle closes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Backtest, type BacktestReport, type BacktestTrade } from '../../../core/backtest/backtest.js';

const MINUTE = 60_000;
const PER_YEAR = 365 * 24 * 60; // 1-minute candles in a year

interface Path {
  readonly prices: readonly number[];
  /** Tick index -> recommendation on that tick. */
  readonly signals: Readonly<Record<number, 'buy' | 'sell'>>;
  readonly fee?: number;
  readonly slippage?: number;
}

/** Ticks a minute apart, fed as replay does: each tick after the first closes the previous one's 1-minute candle. */
function run(path: Path): { report: BacktestReport; trades: BacktestTrade[] } {
  const backtest = new Backtest({ feeRate: path.fee ?? 0, slippageRate: path.slippage ?? 0, timeframe: '1m' });
  path.prices.forEach((price, i) => {
    backtest.observe(i * MINUTE, price);
    if (i > 0) backtest.candleClosed(path.prices[i - 1]!);
    const side = path.signals[i];
    if (side !== undefined) backtest.follow(side, i * MINUTE, price);
  });
  return { report: backtest.report(), trades: backtest.trades() };
}

/** Every figure computed the plain way, from the trade list and the candle closes. */
function direct(path: Path, trades: readonly BacktestTrade[]) {
  const fee = path.fee ?? 0;
  const slip = path.slippage ?? 0;
  const { prices } = path;
  // Equity at the close of candle k (= prices[k]): the fills of ticks 0..k, valued at prices[k].
  const equityAt = (k: number) => {
    let cash = 1;
    let units = 0;
    for (let i = 0; i <= k; i++) {
      if (path.signals[i] === 'buy' && units === 0) [units, cash] = [(cash * (1 - fee)) / (prices[i]! * (1 + slip)), 0];
      if (path.signals[i] === 'sell' && units > 0) [cash, units] = [units * prices[i]! * (1 - slip) * (1 - fee), 0];
    }
    return cash + units * prices[k]!;
  };
  const closes = prices.slice(0, -1);
  const equity = closes.map((_, k) => equityAt(k));
  const hold = closes.map((c) => ((1 - fee) * c) / (prices[0]! * (1 + slip)));
  const maxDrawdown = (series: number[]) => Math.max(0, ...series.map((e, j) => 1 - e / Math.max(1, ...series.slice(0, j + 1))));
  const rets = equity.map((e, j) => e / (j === 0 ? 1 : equity[j - 1]!) - 1);
  const mean = rets.reduce((a, b) => a + b, 0) / rets.length;
  const sd = Math.sqrt(rets.reduce((a, r) => a + (r - mean) ** 2, 0) / (rets.length - 1));
  const down = Math.sqrt(rets.reduce((a, r) => a + Math.min(r, 0) ** 2, 0) / rets.length);
  const r = trades.map((t) => t.return);
  const sorted = [...r].sort((a, b) => a - b);
  const mid = Math.floor(r.length / 2);
  const gains = r.filter((x) => x > 0).reduce((a, b) => a + b, 0);
  const losses = -r.filter((x) => x < 0).reduce((a, b) => a + b, 0);
  const held = trades.reduce((a, t) => a + t.exitTs - t.entryTs, 0);
  const last = prices.length - 1;
  return {
    candles: closes.length,
    trades: trades.length,
    totalReturn: equityAt(last) - 1,
    buyAndHoldReturn: ((1 - fee) * prices[last]!) / (prices[0]! * (1 + slip)) - 1,
    maxDrawdown: maxDrawdown(equity),
    buyAndHoldMaxDrawdown: maxDrawdown(hold),
    winRate: r.length === 0 ? null : r.filter((x) => x > 0).length / r.length,
    averageTrade: r.length === 0 ? null : r.reduce((a, b) => a + b, 0) / r.length,
    medianTrade: r.length === 0 ? null : r.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2,
    bestTrade: r.length === 0 ? null : Math.max(...r),
    worstTrade: r.length === 0 ? null : Math.min(...r),
    profitFactor: losses > 0 ? gains / losses : null,
    exposure: held / (last * MINUTE),
    averageHoldingMs: r.length === 0 ? null : held / r.length,
    sharpe: rets.length > 1 && sd > 0 ? (mean / sd) * Math.sqrt(PER_YEAR) : null,
    sortino: rets.length > 1 && down > 0 ? (mean / down) * Math.sqrt(PER_YEAR) : null,
  };
}

function close(actual: number | null, expected: number | null, what: string): void {
  if (expected === null || actual === null) return assert.is(actual, expected, what);
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

function checkAgainstDirect(path: Path): { report: BacktestReport; trades: BacktestTrade[] } {
  const result = run(path);
  const expected = direct(path, result.trades);
  for (const [key, value] of Object.entries(expected)) close(result.report[key as keyof typeof expected], value, key);
  assert.is(result.report.start, 0);
  assert.is(result.report.end, (path.prices.length - 1) * MINUTE);
  assert.is(result.report.recommendations, Object.keys(path.signals).length);
  return result;
}

test('a single winning trade: bought at 100, sold at 120', () => {
  const { report, trades } = checkAgainstDirect({ prices: [100, 100, 110, 120, 120], signals: { 1: 'buy', 3: 'sell' } });
  assert.equal(
    { ...trades[0]!, return: 0 },
    { type: 'trade', entryTs: MINUTE, entryPrice: 100, exitTs: 3 * MINUTE, exitPrice: 120, return: 0, open: false },
  );
  close(trades[0]!.return, 0.2, 'trade return');
  close(report.totalReturn, 0.2, 'total');
  close(report.buyAndHoldReturn, 0.2, 'hold');
  assert.is(report.maxDrawdown, 0);
  assert.is(report.winRate, 1);
  assert.is(report.profitFactor, null, 'no losses');
  assert.is(report.exposure, 0.5, 'held 2 of 4 minutes');
  assert.is(report.averageHoldingMs, 2 * MINUTE);
  assert.is(report.sortino, null, 'no losing candle');
  assert.is(report.candles, 4);
  assert.is(report.openTrade, false);
});

test('a losing trade with a 0.1 % fee: 100 to 80 loses 1 - 0.999² × 0.8', () => {
  const { report } = checkAgainstDirect({ prices: [100, 100, 90, 80, 80], signals: { 1: 'buy', 3: 'sell' }, fee: 0.001 });
  close(report.totalReturn, 0.999 * 0.999 * 0.8 - 1, 'total');
  close(report.worstTrade, 0.999 * 0.999 * 0.8 - 1, 'worst');
  close(report.maxDrawdown, 1 - 0.999 * 0.999 * 0.8, 'drawdown from the starting 1');
  close(report.buyAndHoldMaxDrawdown, 1 - 0.999 * 0.8, 'hold: bought with the fee, never sold');
  assert.is(report.winRate, 0);
  assert.is(report.profitFactor, 0);
  assert.is(report.feePercent, 0.1);
});

test('a flat market: no trades, no drawdown, Sharpe and Sortino undefined', () => {
  const { report } = checkAgainstDirect({ prices: Array(10).fill(100) as number[], signals: {} });
  assert.equal(
    [report.trades, report.totalReturn, report.buyAndHoldReturn, report.maxDrawdown, report.buyAndHoldMaxDrawdown, report.exposure],
    [0, 0, 0, 0, 0, 0],
  );
  assert.equal(
    [report.sharpe, report.sortino, report.winRate, report.medianTrade, report.averageHoldingMs],
    [null, null, null, null, null],
  );
});

test('a crash while long: 120 to 60 is a 50 % drawdown; the open position is marked at the last price', () => {
  const { report, trades } = checkAgainstDirect({ prices: [100, 100, 120, 60, 90, 90], signals: { 1: 'buy' } });
  close(report.maxDrawdown, 0.5, 'drawdown');
  close(report.buyAndHoldMaxDrawdown, 0.5, 'hold drawdown');
  close(report.totalReturn, -0.1, 'total');
  assert.equal(
    { ...trades[0]!, return: 0 },
    { type: 'trade', entryTs: MINUTE, entryPrice: 100, exitTs: 5 * MINUTE, exitPrice: 90, return: 0, open: true },
  );
  close(trades[0]!.return, -0.1, 'marked at the last price');
  assert.is(report.openTrade, true);
  assert.is(report.exposure, 0.8, 'from minute 1 to the end at minute 5');
  // Per-candle returns 0, 0, +0.2, -0.5, +0.5: mean 0.04, sample variance 0.532 / 4, downside deviation sqrt(0.25 / 5).
  close(report.sharpe, (0.04 / Math.sqrt(0.532 / 4)) * Math.sqrt(PER_YEAR), 'Sharpe');
  close(report.sortino, (0.04 / Math.sqrt(0.25 / 5)) * Math.sqrt(PER_YEAR), 'Sortino');
});

test('fees and slippage: a buy fills 0.5 % higher, a sell 0.5 % lower, 0.1 % fee on each', () => {
  const { report, trades } = checkAgainstDirect({
    prices: [100, 100, 100, 110, 110],
    signals: { 1: 'buy', 3: 'sell' },
    fee: 0.001,
    slippage: 0.005,
  });
  close(trades[0]!.entryPrice, 100.5, 'entry fill');
  close(trades[0]!.exitPrice, 109.45, 'exit fill');
  close(trades[0]!.return, (0.999 * 0.999 * 109.45) / 100.5 - 1, 'return after fees');
  close(report.buyAndHoldReturn, (0.999 * 110) / 100.5 - 1, 'hold pays the entry fee and slippage');
  close(report.slippagePercent, 0.5, 'slippage');
});

test('wins and losses: median, profit factor and win rate over three round trips, the last one open', () => {
  const { report } = checkAgainstDirect({
    prices: [100, 100, 110, 110, 99, 99, 100, 105, 105],
    signals: { 1: 'buy', 2: 'sell', 3: 'buy', 4: 'sell', 6: 'buy' },
  });
  assert.is(report.trades, 3);
  close(report.medianTrade, 0.05, 'median of +10 %, -10 %, +5 %');
  close(report.profitFactor, 1.5, '(0.10 + 0.05) / 0.10');
  close(report.winRate, 2 / 3, 'win rate');
});

test('a sell while flat and a buy while long change nothing; bad settings are refused', () => {
  const { report } = run({ prices: [100, 100, 120, 120], signals: { 0: 'sell', 1: 'buy', 2: 'buy' } });
  assert.is(report.trades, 1);
  close(report.totalReturn, 0.2, 'one position');
  assert.throws(() => new Backtest({ feeRate: 1, slippageRate: 0, timeframe: '1m' }), /fee/);
  assert.throws(() => new Backtest({ feeRate: 0, slippageRate: -0.1, timeframe: '1m' }), /slippage/);
  const empty = new Backtest({ feeRate: 0.001, slippageRate: 0, timeframe: '1h' }).report();
  assert.equal([empty.start, empty.end, empty.totalReturn, empty.exposure], [null, null, 0, null]);
});

test.run();
