// SMA against TA-Lib on a long BTC-like walk, against StockCharts' worked example, and for drift.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Sma } from '../../../core/indicators/sma.js';
import { assertClose, run } from './compare.js';
import { btcWalk } from './price-series.js';
import { talibSeries } from './talib.js';

const test = suite('SMA');
const prices = btcWalk(25_000, 1);

for (const period of [2, 5, 20, 200]) {
  test(`matches TA-Lib SMA(${period}) to 1e-9 of the price over 25,000 prices`, () => {
    const reference = talibSeries('SMA', prices, { optInTimePeriod: period })['outReal']!;
    assertClose(
      run(new Sma(period), prices, (s) => s.value),
      reference,
      1e-9,
      (i) => prices[i]!,
    );
  });
}

// StockCharts ChartSchool, "Moving Averages - Simple and Exponential", 10-day SMA spreadsheet.
// The table shows the prices rounded to cents; two of its published averages (22.31 and 23.69)
// differ from the average of those rounded prices (22.303, 23.684) by up to 0.007, hence the
// tolerance of 0.0075 rather than half a cent.
const chartSchoolCloses = [
  22.27, 22.19, 22.08, 22.17, 22.18, 22.13, 22.23, 22.43, 22.24, 22.29, 22.15, 22.39, 22.38, 22.61, 23.36, 24.05, 23.75, 23.83, 23.95,
  23.63, 23.82, 23.87, 23.65, 23.19, 23.1, 23.33, 22.68, 23.1, 22.4, 22.17,
];
const chartSchoolSma10 = [
  22.22, 22.21, 22.23, 22.26, 22.31, 22.42, 22.61, 22.77, 22.91, 23.08, 23.21, 23.38, 23.53, 23.65, 23.71, 23.69, 23.61, 23.51, 23.43,
  23.28, 23.13,
];

test('reproduces the StockCharts ChartSchool 10-day SMA example', () => {
  const values = run(new Sma(10), chartSchoolCloses, (s) => s.value);
  assert.equal(values.slice(0, 9), Array(9).fill(null));
  assertClose(values.slice(9), chartSchoolSma10, 0.0075);
});

test('first value at index period-1 and SMA(1) is the price', () => {
  const sma = new Sma(3);
  assert.equal(
    [1, 2, 3, 4].map((p) => sma.update(p)),
    [null, null, 2, 3],
  );
  const one = new Sma(1);
  assert.equal(
    [5, 7.25].map((p) => one.update(p)),
    [5, 7.25],
  );
});

test('does not drift: after 2,000,000 prices it still equals a fresh sum of the window', () => {
  const long = btcWalk(2_000_000, 9);
  const sma = new Sma(20);
  for (const price of long) sma.update(price);
  const window = long.slice(-20);
  const exact = window.reduce((a, b) => a + b, 0) / 20;
  assert.ok(Math.abs(sma.value! - exact) <= 1e-15 * exact, `${sma.value} vs ${exact}`);
});

test('rejects bad periods with a clear message', () => {
  for (const bad of [0, -1, 1.5, Number.NaN, Infinity, 2e9]) {
    assert.throws(() => new Sma(bad), /SMA: period must be an integer from 1/);
  }
});

test.run();
