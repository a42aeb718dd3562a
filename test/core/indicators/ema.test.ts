// EMA against TA-Lib on a long BTC-like walk and against StockCharts' worked example.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Ema } from '../../../core/indicators/ema.js';
import { assertClose, run } from './compare.js';
import { btcWalk } from './price-series.js';
import { talibSeries } from './talib.js';

const test = suite('EMA');
const prices = btcWalk(25_000, 2);

for (const period of [2, 12, 20, 26, 200]) {
  test(`matches TA-Lib EMA(${period}) to 1e-9 of the price over 25,000 prices`, () => {
    const reference = talibSeries('EMA', prices, { optInTimePeriod: period })['outReal']!;
    assertClose(
      run(new Ema(period), prices, (e) => e.value),
      reference,
      1e-9,
      (i) => prices[i]!,
    );
  });
}

// StockCharts ChartSchool, "Moving Averages - Simple and Exponential", 10-day EMA spreadsheet:
// seeded with the 10-day SMA, multiplier 2/(10+1) = 0.1818; published rounded to cents. As in its
// SMA table, one published value (23.54) is 0.0065 off the EMA of the cents-rounded prices shown.
const chartSchoolCloses = [
  22.27, 22.19, 22.08, 22.17, 22.18, 22.13, 22.23, 22.43, 22.24, 22.29, 22.15, 22.39, 22.38, 22.61, 23.36, 24.05, 23.75, 23.83, 23.95,
  23.63, 23.82, 23.87, 23.65, 23.19, 23.1, 23.33, 22.68, 23.1, 22.4, 22.17,
];
const chartSchoolEma10 = [
  22.22, 22.21, 22.24, 22.27, 22.33, 22.52, 22.8, 22.97, 23.13, 23.28, 23.34, 23.43, 23.51, 23.54, 23.47, 23.4, 23.39, 23.26, 23.23, 23.08,
  22.92,
];

test('reproduces the StockCharts ChartSchool 10-day EMA example', () => {
  const values = run(new Ema(10), chartSchoolCloses, (e) => e.value);
  assert.equal(values.slice(0, 9), Array(9).fill(null));
  assertClose(values.slice(9), chartSchoolEma10, 0.0075);
});

test('is seeded with the SMA of the first period prices', () => {
  const ema = new Ema(3);
  assert.equal(
    [1, 2, 6, 10].map((p) => ema.update(p)),
    [null, null, 3, 6.5],
  );
});

test('rejects bad periods with a clear message', () => {
  for (const bad of [0, 2.5, Number.NaN]) assert.throws(() => new Ema(bad), /EMA: period must be an integer/);
});

test.run();
