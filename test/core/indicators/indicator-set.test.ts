// The per-symbol bundle: same numbers as the single indicators, one reused output, whole-set snapshots.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Bollinger } from '../../../core/indicators/bollinger.js';
import { Ema } from '../../../core/indicators/ema.js';
import { DEFAULT_INDICATOR_PERIODS, IndicatorSet, RAW_FIELDS, type IndicatorValues } from '../../../core/indicators/indicator-set.js';
import { Macd } from '../../../core/indicators/macd.js';
import { Rsi } from '../../../core/indicators/rsi.js';
import { Sma } from '../../../core/indicators/sma.js';
import { btcWalk } from './price-series.js';

const test = suite('IndicatorSet');
const prices = btcWalk(2_000, 21);
const custom = { sma: 10, ema: 5, rsi: 7, macd: { fast: 3, slow: 10, signal: 4 }, bollinger: { period: 15, stdDev: 1.5 } };

test('fills one reused object with the same values as the single indicators', () => {
  const set = new IndicatorSet(custom);
  const [sma, ema, rsi, macd, bb] = [new Sma(10), new Ema(5), new Rsi(7), new Macd(3, 10, 4), new Bollinger(15, 1.5)];
  for (const price of prices) {
    const values = set.update(price);
    assert.ok(values === set.values, 'the same object every tick');
    for (const indicator of [sma, ema, rsi, macd, bb]) indicator.update(price);
    const expected: IndicatorValues = {
      sma: sma.value,
      ema: ema.value,
      rsi: rsi.value,
      macd: macd.macd,
      macdSignal: macd.signal,
      macdHist: macd.histogram,
      bbUpper: bb.upper,
      bbMiddle: bb.middle,
      bbLower: bb.lower,
    };
    assert.equal({ ...values }, expected);
  }
});

test('raw holds the same values in RAW_FIELDS order, NaN where values has null, also after restore', () => {
  const set = new IndicatorSet(custom);
  const check = (where: string): void => {
    assert.is(set.raw.length, Object.keys(set.values).length);
    RAW_FIELDS.forEach((field, i) => {
      const value = set.values[field];
      assert.ok(Object.is(set.raw[i], value ?? Number.NaN), `${where}: ${field}`);
    });
  };
  check('new');
  prices.slice(0, 300).forEach((price, i) => {
    set.update(price);
    check(`index ${i}`);
  });
  set.restore(new IndicatorSet(custom).snapshot());
  check('restored to a fresh set');
});

test('defaults: null while warming up, all values from index 33 (the MACD lookback)', () => {
  const set = new IndicatorSet();
  assert.equal(set.periods, DEFAULT_INDICATOR_PERIODS);
  assert.is(set.lookback, 33);
  prices.slice(0, 40).forEach((price, i) => {
    const values = set.update(price);
    assert.is(values.rsi === null, i < 14);
    assert.is(values.macd === null, i < 33);
    assert.is(set.isStable, i >= 33);
  });
});

test('snapshot/restore of the whole set continues identically, also through JSON', () => {
  const expected = new IndicatorSet(custom);
  const results = prices.map((p) => ({ ...expected.update(p) }));
  for (const at of [0, 8, 40, 1_000]) {
    const original = new IndicatorSet(custom);
    for (const price of prices.slice(0, at)) original.update(price);
    const json = JSON.parse(JSON.stringify(original.snapshot())) as ReturnType<IndicatorSet['snapshot']>;
    const restored = IndicatorSet.fromSnapshot(json);
    assert.equal(restored.periods, original.periods);
    const inPlace = new IndicatorSet(custom);
    inPlace.restore(json);
    for (let i = at; i < prices.length; i++) {
      assert.equal({ ...restored.update(prices[i]!) }, results[i]);
      assert.equal({ ...inPlace.update(prices[i]!) }, results[i]);
    }
  }
});

test('a bad price or a mismatched snapshot changes nothing', () => {
  const set = new IndicatorSet();
  for (const price of prices.slice(0, 50)) set.update(price);
  const before = set.snapshot();
  assert.throws(() => set.update(Number.NaN), /IndicatorSet: price must be a finite number/);
  const other = new IndicatorSet({ ...DEFAULT_INDICATOR_PERIODS, bollinger: { period: 21, stdDev: 2 } });
  assert.throws(() => set.restore(other.snapshot()), /bollinger snapshot: period is 21 but this indicator has 20/);
  assert.equal(set.snapshot(), before);
});

test('invalid periods fail with the indicator named', () => {
  assert.throws(() => new IndicatorSet({ ...DEFAULT_INDICATOR_PERIODS, rsi: 0 }), /RSI: period/);
  assert.throws(() => new IndicatorSet({ ...DEFAULT_INDICATOR_PERIODS, macd: { fast: 30, slow: 26, signal: 9 } }), /MACD/);
});

test.run();
