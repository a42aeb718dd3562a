// MACD against TA-Lib, a case worked by hand, and StockCharts' MACD spreadsheet prices.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Macd } from '../../../core/indicators/macd.js';
import { assertClose, run } from './compare.js';
import { btcWalk } from './price-series.js';
import { talibSeries } from './talib.js';

const test = suite('MACD');
const prices = btcWalk(25_000, 4);

for (const [fast, slow, signal] of [
  [12, 26, 9],
  [5, 35, 5],
  [2, 3, 2],
] as const) {
  test(`matches TA-Lib MACD(${fast},${slow},${signal}) line, signal and histogram to 1e-9 of the price`, () => {
    const reference = talibSeries('MACD', prices, {
      optInFastPeriod: fast,
      optInSlowPeriod: slow,
      optInSignalPeriod: signal,
    });
    const scale = (i: number): number => prices[i]!;
    assertClose(
      run(new Macd(fast, slow, signal), prices, (m) => m.macd),
      reference['outMACD']!,
      1e-9,
      scale,
    );
    assertClose(
      run(new Macd(fast, slow, signal), prices, (m) => m.signal),
      reference['outMACDSignal']!,
      1e-9,
      scale,
    );
    assertClose(
      run(new Macd(fast, slow, signal), prices, (m) => m.histogram),
      reference['outMACDHist']!,
      1e-9,
      scale,
    );
  });
}

// TA-Lib accepts a signal period of 1 but misaligns its output (begIndex 1, the first MACD value
// uninitialised memory), so that case is checked on its own: the signal line is the MACD line.
test('signal period 1 makes the signal equal to the line, from index slow-1', () => {
  const macd = new Macd(2, 3, 1);
  const values = run(macd, [1, 2, 3, 2, 5], (m) => [m.macd, m.signal, m.histogram]);
  assert.equal(values.slice(0, 2), [
    [null, null, null],
    [null, null, null],
  ]);
  for (const [line, signal, histogram] of values.slice(2)) {
    assert.is(signal, line);
    assert.is(histogram, 0);
  }
});

test('first complete output at index 33 for the defaults', () => {
  const values = run(new Macd(), prices.slice(0, 40), (m) => m.value);
  assert.is(
    values.findIndex((v) => v !== null),
    33,
  );
});

test('MACD(2,3,2) worked by hand', () => {
  // Index 2: slow = SMA(1,2,3) = 2, fast = SMA(2,3) = 2.5, line 0.5 (signal not seeded yet).
  // Index 3 (price 2): fast = 2.5 + (2-2.5)·2/3 = 13/6, slow = 2, line 1/6;
  //   signal = SMA(0.5, 1/6) = 1/3, histogram −1/6.
  // Index 4 (price 5): fast = 13/6 + (5-13/6)·2/3 = 73/18, slow = 2 + (5-2)/2 = 3.5, line 5/9;
  //   signal = 1/3 + (5/9-1/3)·2/3 = 13/27, histogram 2/27.
  const macd = new Macd(2, 3, 2);
  assert.equal(
    [1, 2, 3].map((p) => macd.update(p)),
    [null, null, null],
  );
  macd.update(2);
  approx([macd.macd!, macd.signal!, macd.histogram!], [1 / 6, 1 / 3, -1 / 6]);
  macd.update(5);
  approx([macd.macd!, macd.signal!, macd.histogram!], [5 / 9, 13 / 27, 2 / 27]);
});

// StockCharts ChartSchool MACD spreadsheet (cs-macd.xls) closes, as republished with computed
// columns in bukosabino/ta test/data/cs-macd.csv. That file seeds its EMAs with the first price
// instead of an SMA, so it is not bit-comparable; the seed fades geometrically and by the last row
// (124 prices in) the two conventions agree to 2e-4. Its last row: line 0.9956504772, signal 0.9603537089.
const chartSchoolMacdCloses = [
  30.2, 30.28, 30.45, 29.35, 29.35, 29.29, 28.83, 28.73, 28.67, 28.85, 28.64, 27.68, 27.21, 26.87, 27.41, 26.94, 26.52, 26.52, 27.09, 27.69,
  28.45, 28.53, 28.67, 29.01, 29.87, 29.8, 29.75, 30.65, 30.6, 30.76, 31.17, 30.89, 30.04, 30.66, 30.6, 31.97, 32.1, 32.03, 31.63, 31.85,
  32.71, 32.76, 32.58, 32.13, 33.12, 33.19, 32.52, 32.44, 33.22, 32.83, 33.62, 33.75, 33.6, 34.08, 34.58, 34.22, 34.77, 34.74, 35.01, 34.94,
  34.42, 34.4, 34.16, 33.34, 33.39, 33.51, 33.96, 34.42, 34.72, 33.94, 33.66, 34.51, 34.87, 34.75, 35.17, 36.16, 36.45, 36.03, 36.45, 36.74,
  36.61, 36.83, 36.84, 36.89, 36.38, 35.99, 35.86, 35.88, 35.73, 36.07, 35.6, 34.98, 35.58, 36.07, 36.21, 36.46, 36.44, 36.54, 35.81, 35.26,
  35.21, 34.59, 34.73, 34.86, 35.31, 35.5, 36.63, 37.14, 37.27, 37.7, 37.87, 38.38, 39.17, 39.05, 39.09, 39.27, 39.11, 39.86, 39.53, 39.74,
  39.87, 39.82, 39.61, 39.75,
];

test('converges to the ChartSchool MACD spreadsheet values', () => {
  const macd = new Macd();
  for (const price of chartSchoolMacdCloses) macd.update(price);
  approx([macd.macd!, macd.signal!], [0.9956504772, 0.9603537089], 2e-4);
});

test('rejects fast >= slow and bad periods', () => {
  assert.throws(() => new Macd(26, 12, 9), /fast period \(26\) must be shorter than slow period \(12\)/);
  assert.throws(() => new Macd(12, 26, 0), /MACD: signal period must be an integer/);
});

function approx(actual: number[], expected: number[], tolerance = 1e-12): void {
  actual.forEach((value, i) => {
    assert.ok(Math.abs(value - expected[i]!) <= tolerance, `value ${i}: ${value} vs ${expected[i]}`);
  });
}

test.run();
