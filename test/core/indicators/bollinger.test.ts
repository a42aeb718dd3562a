// Bollinger Bands against TA-Lib, against an exact (integer) two-pass variance, and on flat prices.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Bollinger } from '../../../core/indicators/bollinger.js';
import { assertClose, maxError, run, type Series } from './compare.js';
import { btcWalk } from './price-series.js';
import { talibSeries } from './talib.js';

const test = suite('Bollinger');
const prices = btcWalk(25_000, 6);
// Moves of at most 5 cents a tick: the quiet market where E[x²] − mean² runs out of digits.
const quiet = btcWalk(25_000, 7, 0.05);

function talibBands(series: readonly number[], period: number, stdDev: number): Record<string, Series> {
  const options = { optInTimePeriod: period, optInNbDevUp: stdDev, optInNbDevDn: stdDev, optInMAType: 0 };
  return talibSeries('BBANDS', series, options);
}

/** Population standard deviation of each window, exact: prices are whole cents, so use BigInt. */
function exactStdDev(series: readonly number[], period: number): Series {
  const cents = series.map((p) => BigInt(Math.round(p * 100)));
  return series.map((_, i) => {
    if (i < period - 1) return null;
    let sum = 0n;
    for (let j = i - period + 1; j <= i; j++) sum += cents[j]!;
    // Two passes over the window in integers: Σ(n·c − Σc)² = n²·Σ(c − mean)².
    let squares = 0n;
    for (let j = i - period + 1; j <= i; j++) squares += (BigInt(period) * cents[j]! - sum) ** 2n;
    const n = BigInt(period);
    return Math.sqrt(Number(squares) / Number(n * n * n)) / 100;
  });
}

const width = (b: Bollinger): number | null => (b.upper === null ? null : (b.upper - b.middle!) / 2);

for (const [period, stdDev] of [
  [20, 2],
  [5, 1.5],
  [100, 2.5],
] as const) {
  test(`matches TA-Lib BBANDS(${period}, ${stdDev}) to 1e-9 of the price over 25,000 prices`, () => {
    const reference = talibBands(prices, period, stdDev);
    const scale = (i: number): number => prices[i]!;
    assertClose(
      run(new Bollinger(period, stdDev), prices, (b) => b.middle),
      reference['outRealMiddleBand']!,
      1e-9,
      scale,
    );
    assertClose(
      run(new Bollinger(period, stdDev), prices, (b) => b.upper),
      reference['outRealUpperBand']!,
      1e-9,
      scale,
    );
    assertClose(
      run(new Bollinger(period, stdDev), prices, (b) => b.lower),
      reference['outRealLowerBand']!,
      1e-9,
      scale,
    );
  });
}

test('standard deviation is exact to 1e-12 where TA-Lib loses digits (quiet market)', () => {
  for (const series of [prices, quiet]) {
    const exact = exactStdDev(series, 20);
    const ours = run(new Bollinger(20, 1), series, width).map((w) => (w === null ? null : w * 2));
    const talib = talibBands(series, 20, 1);
    const theirs = talib['outRealUpperBand']!.map((u, i) => (u === null ? null : u - talib['outRealMiddleBand']![i]!));
    // Error of the standard deviation, relative to the price.
    const scale = (i: number): number => series[i]!;
    const ourError = maxError(ours, exact, scale);
    const talibError = maxError(theirs, exact, scale);
    assert.ok(ourError < 1e-14, `our error ${ourError}`);
    if (series === quiet) {
      console.log(
        `    σ error vs exact on a quiet walk, relative to price: TA-Lib ${talibError.toExponential(2)}, ours ${ourError.toExponential(2)}`,
      );
      assert.ok(talibError > 1000 * ourError, `TA-Lib ${talibError} vs ours ${ourError}`);
    }
  }
});

test('does not drift: exact after 2,000,000 prices', () => {
  const long = btcWalk(2_000_000, 8, 0.05);
  const bands = new Bollinger(20, 1);
  for (const price of long) bands.update(price);
  const exact = exactStdDev(long.slice(-20), 20)[19]!;
  assert.ok(Math.abs(bands.upper! - bands.middle! - exact) <= 1e-14 * long.at(-1)!, `${bands.upper! - bands.middle!} vs ${exact}`);
});

// great-trades.com, "Bollinger Bands Calculation Example": 5 bars, 2 deviations, closes
// 25.5, 26.75, 27.0, 26.5, 27.25 → middle 26.6, upper 27.808, lower 25.392 (their intermediate
// steps are rounded to three decimals: σ = √0.365 = 0.604; exactly it is 0.60415, upper 27.8083).
test('reproduces the great-trades.com worked example', () => {
  const bands = new Bollinger(5, 2);
  for (const price of [25.5, 26.75, 27.0, 26.5, 27.25]) bands.update(price);
  assert.ok(Math.abs(bands.middle! - 26.6) < 1e-12);
  assert.ok(Math.abs(bands.upper! - 27.808) < 0.001);
  assert.ok(Math.abs(bands.lower! - 25.392) < 0.001);
});

test('a flat price gives upper = middle = lower exactly, also right after a volatile stretch', () => {
  for (const flatPrice of [87_654.32, 0.1, 1e15]) {
    const bands = new Bollinger(20, 2);
    for (let i = 0; i < 25; i++) bands.update(flatPrice);
    assert.equal([bands.upper, bands.middle, bands.lower], [flatPrice, flatPrice, flatPrice]);
  }
  const bands = new Bollinger(20, 2);
  for (const price of btcWalk(1_013, 11)) bands.update(price);
  for (let i = 1; i <= 45; i++) {
    bands.update(71_234.56);
    assert.ok(bands.upper! >= bands.middle! && bands.middle! >= bands.lower!, 'bands never cross');
    assert.ok(!Number.isNaN(bands.upper!), 'never NaN');
    // As soon as the whole window is the same price, not only when the ring next wraps.
    if (i >= 20) assert.equal([bands.upper, bands.middle, bands.lower], [71_234.56, 71_234.56, 71_234.56], `tick ${i}`);
  }
});

test('period 1 and stdDev 0 are allowed; bad settings are rejected', () => {
  assert.equal(
    run(new Bollinger(1, 2), [5, 6], (b) => [b.upper, b.lower]),
    [
      [5, 5],
      [6, 6],
    ],
  );
  const zero = new Bollinger(3, 0);
  for (const p of [1, 5, 9]) zero.update(p);
  assert.is(zero.upper, zero.middle);
  assert.throws(() => new Bollinger(0), /Bollinger: period must be an integer/);
  assert.throws(() => new Bollinger(20, -1), /Bollinger: stdDev must be a finite number >= 0/);
  assert.throws(() => new Bollinger(20, Number.NaN), /stdDev/);
});

test.run();
