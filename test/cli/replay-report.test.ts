// The backtest on stderr: the one-line summary the replay test matches, the report lines, and the terminal's table.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Backtest } from '../../core/backtest/backtest.js';
import { backtestLines, backtestTable } from '../../cli/backtest-report.js';

function report(flat: boolean) {
  const backtest = new Backtest({ feeRate: 0.001, slippageRate: 0, timeframe: '1m' });
  [100, 100, 120, 60, 90].forEach((price, i) => {
    backtest.observe(i * 60_000, flat ? 100 : price);
    if (i > 0) backtest.candleClosed(flat ? 100 : [100, 100, 120, 60][i - 1]!);
    if (!flat && i === 1) backtest.follow('buy', i * 60_000, price);
  });
  return backtest.report();
}

test('lines: the summary as before, then drawdowns and trade figures; n/a where a figure is undefined', () => {
  const lines = backtestLines(report(false));
  assert.is(lines.length, 3);
  assert.ok(lines.every((line) => line.startsWith('hypothetical backtest, not advice: ')));
  assert.match(lines[0]!, /following the signals -10\.09 % \(1 trades at 0\.1 % fee, still holding\); buying and holding -10\.09 %$/);
  assert.match(lines[1]!, /max drawdown -50\.00 % \(buying and holding -50\.00 %\)/);
  assert.match(backtestLines(report(true))[2]!, /trades won n\/a, average n\/a, .* profit factor n\/a, held n\/a on average$/);
});

test('table: labelled, one figure a row, the open trade said', () => {
  const table = backtestTable(report(false));
  assert.is(table[0], 'hypothetical backtest, not advice:');
  assert.ok(table.includes('  period            1970-01-01 00:00 UTC to 1970-01-01 00:04 UTC'));
  assert.ok(table.some((row) => /^ {2}trades {12}1 \(the last still open, valued at the last price\)$/.test(row)));
  assert.match(backtestTable(report(true)).join('\n'), /Sharpe \/ Sortino {2}n\/a \/ n\/a/);
});

test.run();
