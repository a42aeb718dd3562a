// The hypothetical backtest on stderr: the one-line summary and report lines for logs and pipes, a table for a terminal.
import type { BacktestReport } from '../core/backtest/backtest.js';

const LABEL = 'hypothetical backtest, not advice';

const signed = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} %`;
const fall = (x: number) => `${x > 0 ? '-' : ''}${(x * 100).toFixed(2)} %`;
const orNone = <T>(x: T | null, show: (x: T) => string) => (x === null ? 'n/a' : show(x));
const ratio = (x: number) => x.toFixed(2);
const utc = (ts: number) => `${new Date(ts).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function duration(ms: number): string {
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(0)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

function costs(report: BacktestReport): string {
  return `${report.feePercent} % fee${report.slippagePercent > 0 ? `, ${report.slippagePercent} % slippage` : ''}`;
}

/** For logs and pipes: the summary line (kept as it was) and two lines of figures. */
export function backtestLines(report: BacktestReport): string[] {
  return [
    `${LABEL}: following the signals ${signed(report.totalReturn)} ` +
      `(${report.trades} trades at ${costs(report)}${report.openTrade ? ', still holding' : ''}); ` +
      `buying and holding ${signed(report.buyAndHoldReturn)}`,
    `${LABEL}: max drawdown ${fall(report.maxDrawdown)} (buying and holding ${fall(report.buyAndHoldMaxDrawdown)}), ` +
      `Sharpe ${orNone(report.sharpe, ratio)}, Sortino ${orNone(report.sortino, ratio)} on ${report.candles} ${report.timeframe} candles, ` +
      `exposure ${orNone(report.exposure, (x) => `${(x * 100).toFixed(1)} %`)}`,
    `${LABEL}: trades won ${orNone(report.winRate, (x) => `${(x * 100).toFixed(1)} %`)}, ` +
      `average ${orNone(report.averageTrade, signed)}, median ${orNone(report.medianTrade, signed)}, ` +
      `best ${orNone(report.bestTrade, signed)}, worst ${orNone(report.worstTrade, signed)}, ` +
      `profit factor ${orNone(report.profitFactor, ratio)}, held ${orNone(report.averageHoldingMs, duration)} on average`,
  ];
}

/** For a terminal: one figure a row. */
export function backtestTable(report: BacktestReport): string[] {
  const rows: [string, string][] = [
    ['period', report.start === null || report.end === null ? 'no prices' : `${utc(report.start)} to ${utc(report.end)}`],
    ['candles', `${report.candles} of ${report.timeframe}`],
    ['recommendations', String(report.recommendations)],
    ['trades', `${report.trades}${report.openTrade ? ' (the last still open, valued at the last price)' : ''}`],
    ['total return', `${signed(report.totalReturn)}   buying and holding ${signed(report.buyAndHoldReturn)}`],
    ['max drawdown', `${fall(report.maxDrawdown)}   buying and holding ${fall(report.buyAndHoldMaxDrawdown)}`],
    ['win rate', orNone(report.winRate, (x) => `${(x * 100).toFixed(1)} %`)],
    ['average trade', orNone(report.averageTrade, signed)],
    ['median trade', orNone(report.medianTrade, signed)],
    ['best / worst', `${orNone(report.bestTrade, signed)} / ${orNone(report.worstTrade, signed)}`],
    ['profit factor', orNone(report.profitFactor, ratio)],
    ['exposure', orNone(report.exposure, (x) => `${(x * 100).toFixed(1)} % of the time in the market`)],
    ['average holding', orNone(report.averageHoldingMs, duration)],
    ['Sharpe / Sortino', `${orNone(report.sharpe, ratio)} / ${orNone(report.sortino, ratio)} (annualised, risk-free 0)`],
    ['costs assumed', costs(report)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return [`${LABEL}:`, ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`)];
}
