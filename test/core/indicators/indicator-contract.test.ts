// One contract test run over every indicator: warm-up, snapshot/restore continuity, bad input.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Bollinger, type BollingerSnapshot } from '../../../core/indicators/bollinger.js';
import { Ema, type EmaSnapshot } from '../../../core/indicators/ema.js';
import type { Indicator } from '../../../core/indicators/indicator.js';
import { Macd, type MacdSnapshot } from '../../../core/indicators/macd.js';
import { Rsi, type RsiSnapshot } from '../../../core/indicators/rsi.js';
import { Sma, type SmaSnapshot } from '../../../core/indicators/sma.js';
import { btcWalk } from './price-series.js';
import { talibLookback } from './talib.js';

interface Case {
  name: string;
  make: () => Indicator<unknown>;
  fromSnapshot: (snapshot: unknown) => Indicator<unknown>;
  /** Every output the indicator exposes, read after an update. */
  outputs: (indicator: Indicator<unknown>) => (number | null)[];
  talib: [string, Record<string, number>];
  /** A snapshot of another configuration, which restore must refuse. */
  other: () => Indicator<unknown>;
}

const main = (i: Indicator<unknown>): (number | null)[] => [i.value];
const cases: Case[] = [
  {
    name: 'SMA(20)',
    make: () => new Sma(20),
    fromSnapshot: (s) => Sma.fromSnapshot(s as SmaSnapshot),
    outputs: main,
    talib: ['SMA', { optInTimePeriod: 20 }],
    other: () => new Sma(21),
  },
  {
    name: 'EMA(20)',
    make: () => new Ema(20),
    fromSnapshot: (s) => Ema.fromSnapshot(s as EmaSnapshot),
    outputs: main,
    talib: ['EMA', { optInTimePeriod: 20 }],
    other: () => new Ema(12),
  },
  {
    name: 'RSI(14)',
    make: () => new Rsi(14),
    fromSnapshot: (s) => Rsi.fromSnapshot(s as RsiSnapshot),
    outputs: main,
    talib: ['RSI', { optInTimePeriod: 14 }],
    other: () => new Rsi(7),
  },
  {
    name: 'MACD(12,26,9)',
    make: () => new Macd(),
    fromSnapshot: (s) => Macd.fromSnapshot(s as MacdSnapshot),
    outputs: (i) => [i.value, (i as Macd).macd, (i as Macd).signal, (i as Macd).histogram],
    talib: ['MACD', { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 }],
    other: () => new Macd(12, 26, 8),
  },
  {
    name: 'Bollinger(20,2)',
    make: () => new Bollinger(20, 2),
    fromSnapshot: (s) => Bollinger.fromSnapshot(s as BollingerSnapshot),
    outputs: (i) => [i.value, (i as Bollinger).upper, (i as Bollinger).middle, (i as Bollinger).lower],
    talib: ['BBANDS', { optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 }],
    other: () => new Bollinger(20, 2.5),
  },
];

const prices = btcWalk(3_000, 12);
// Bit-for-bit: Object.is also tells 0 from -0 and compares NaN with itself.
const same = (a: (number | null)[], b: (number | null)[]): boolean => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

for (const c of cases) {
  const test = suite(`indicator contract: ${c.name}`);

  test('warm-up length equals TA-Lib lookback; null and not stable until then', () => {
    const indicator = c.make();
    const lookback = talibLookback(...c.talib);
    assert.is(indicator.lookback, lookback);
    prices.slice(0, 200).forEach((price, i) => {
      const returned = indicator.update(price);
      assert.is(returned, indicator.value, 'update returns the main value');
      const warming = i < lookback;
      assert.is(indicator.isStable, !warming, `isStable at index ${i}`);
      for (const output of c.outputs(indicator)) {
        assert.is(output === null, warming, `output at index ${i} is ${String(output)}`);
        if (output !== null) assert.ok(Number.isFinite(output));
      }
    });
  });

  test('updateRaw is update with NaN for null, and leaves the same outputs', () => {
    const nullable = c.make();
    const raw = c.make();
    prices.slice(0, 300).forEach((price, i) => {
      const expected = nullable.update(price);
      assert.ok(Object.is(raw.updateRaw(price), expected ?? Number.NaN), `index ${i}`);
      assert.ok(same(c.outputs(raw), c.outputs(nullable)), `outputs at index ${i}`);
    });
    assert.throws(() => raw.updateRaw(Number.NaN), /price must be a finite number/);
  });

  test('updateInto writes its outputs (NaN for null) from out[at], touches nothing else, and leaves the same outputs', () => {
    const nullable = c.make();
    const into = c.make();
    const out = new Float64Array(8).fill(-1);
    prices.slice(0, 300).forEach((price, i) => {
      nullable.update(price);
      into.updateInto(price, out, 2);
      // The multi-output indicators write all their outputs (after `value`), the others just `value`.
      const outputs = c.outputs(nullable);
      const written = outputs.length === 1 ? outputs : outputs.slice(1);
      written.forEach((value, k) => assert.ok(Object.is(out[2 + k], value ?? Number.NaN), `index ${i}, output ${k}`));
      for (let k = 0; k < out.length; k++) if (k < 2 || k >= 2 + written.length) assert.is(out[k], -1, `slot ${k} untouched`);
      assert.ok(same(c.outputs(into), outputs), `outputs at index ${i}`);
    });
    assert.throws(() => into.updateInto(Number.NaN, out, 2), /price must be a finite number/);
  });

  test('snapshot/restore at any point continues bit-for-bit, also through JSON', () => {
    const reference = c.make();
    const expected = prices.map((p) => {
      reference.update(p);
      return c.outputs(reference);
    });
    const lookback = c.make().lookback;
    for (const at of [0, 1, lookback - 1, lookback, lookback + 1, 777, prices.length - 1]) {
      const original = c.make();
      for (const price of prices.slice(0, at)) original.update(price);
      const snapshot = original.snapshot();
      const viaJson: unknown = JSON.parse(JSON.stringify(snapshot));
      assert.equal(viaJson, snapshot, 'the snapshot is plain JSON');
      const restoredInPlace = c.make();
      restoredInPlace.restore(viaJson);
      const copies = [original, c.fromSnapshot(viaJson), restoredInPlace];
      for (const copy of copies)
        assert.ok(same(c.outputs(copy), at === 0 ? c.outputs(c.make()) : expected[at - 1]!), `outputs right after restore at ${at}`);
      for (let i = at; i < prices.length; i++) {
        for (const copy of copies) {
          copy.update(prices[i]!);
          assert.ok(same(c.outputs(copy), expected[i]!), `restored at ${at}, index ${i}`);
        }
      }
      assert.equal(copies[1]!.snapshot(), reference.snapshot());
    }
  });

  test('non-finite input throws a clear error and leaves the state untouched', () => {
    for (const at of [0, 5, 300]) {
      const indicator = c.make();
      const untouched = c.make();
      for (const price of prices.slice(0, at)) {
        indicator.update(price);
        untouched.update(price);
      }
      for (const bad of [Number.NaN, Infinity, -Infinity]) {
        const before = indicator.snapshot();
        assert.throws(() => indicator.update(bad), /price must be a finite number/);
        assert.equal(indicator.snapshot(), before);
      }
      for (const price of prices.slice(at, at + 100)) {
        assert.ok(Object.is(indicator.update(price), untouched.update(price)));
      }
    }
  });

  test('restore refuses another configuration, another kind and non-finite fields', () => {
    const indicator = c.make();
    assert.throws(() => indicator.restore(c.other().snapshot()), /snapshot: .* but this indicator has/);
    const wrongKind = c === cases[0] ? new Ema(20) : new Sma(20);
    assert.throws(() => indicator.restore(wrongKind.snapshot()), /snapshot kind must be/);
    for (const price of prices.slice(0, 50)) indicator.update(price);
    const before = indicator.snapshot();
    const later = c.make();
    for (const price of prices.slice(0, 80)) later.update(price);
    const good = JSON.parse(JSON.stringify(later.snapshot())) as Record<string, unknown>;
    // Break one field at a time, as JSON turns NaN into null: each must be refused as a whole.
    for (const key of Object.keys(good).filter((k) => k !== 'kind')) {
      const broken = { ...good, [key]: Array.isArray(good[key]) ? [...(good[key] as number[]).slice(1), null] : null };
      assert.throws(() => indicator.restore(broken), /snapshot: /, key);
      assert.equal(indicator.snapshot(), before, `a refused snapshot (${key}) changes nothing`);
    }
  });

  test.run();
}
