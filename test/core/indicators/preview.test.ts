// previewInto, the forming candle's value: exactly what updateInto would write, with the state left alone.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Bollinger, type BollingerSnapshot } from '../../../core/indicators/bollinger.js';
import { Ema, type EmaSnapshot } from '../../../core/indicators/ema.js';
import type { Indicator } from '../../../core/indicators/indicator.js';
import { IndicatorSet, RAW_FIELDS, type IndicatorPeriods, type IndicatorSetSnapshot } from '../../../core/indicators/indicator-set.js';
import { Macd, type MacdSnapshot } from '../../../core/indicators/macd.js';
import { Rsi, type RsiSnapshot } from '../../../core/indicators/rsi.js';
import { Sma, type SmaSnapshot } from '../../../core/indicators/sma.js';
import { btcWalk, seededRandom } from './price-series.js';
import { talibSeries } from './talib.js';

/** One thing that can preview: a single indicator or an IndicatorSet, seen through the same few calls. */
interface Subject {
  readonly lookback: number;
  /** How many slots updateInto (or advance) writes. */
  readonly width: number;
  preview(price: number, out: Float64Array, at: number): void;
  update(price: number, out: Float64Array, at: number): void;
  snapshot(): unknown;
  /** A copy made through snapshot, JSON and restore. */
  clone(): Subject;
  /** Everything readable without updating: value, isStable, the output getters or raw and values. */
  observe(): unknown;
}

function indicatorSubject<S>(
  indicator: Indicator<S>,
  width: number,
  fromSnapshot: (snapshot: S) => Indicator<S>,
  outputs: (indicator: Indicator<S>) => unknown[] = () => [],
): Subject {
  return {
    lookback: indicator.lookback,
    width,
    preview: (price, out, at) => indicator.previewInto(price, out, at),
    update: (price, out, at) => indicator.updateInto(price, out, at),
    snapshot: () => indicator.snapshot(),
    clone: () => indicatorSubject(fromSnapshot(JSON.parse(JSON.stringify(indicator.snapshot())) as S), width, fromSnapshot, outputs),
    observe: () => [indicator.value, indicator.isStable, ...outputs(indicator)],
  };
}

function setSubject(set: IndicatorSet): Subject {
  return {
    lookback: set.lookback,
    width: RAW_FIELDS.length,
    // IndicatorSet.previewInto always starts at out[0]: give it the view that starts at `at`.
    preview: (price, out, at) => set.previewInto(price, out.subarray(at)),
    update: (price, out, at) => {
      set.advance(price);
      out.set(set.raw, at);
    },
    snapshot: () => set.snapshot(),
    clone: () => setSubject(IndicatorSet.fromSnapshot(JSON.parse(JSON.stringify(set.snapshot())) as IndicatorSetSnapshot)),
    observe: () => [Array.from(set.raw), { ...set.values }, set.isStable, set.lookback],
  };
}

const macdOutputs = (m: Indicator<MacdSnapshot>): unknown[] => [(m as Macd).macd, (m as Macd).signal, (m as Macd).histogram];
const bandOutputs = (b: Indicator<BollingerSnapshot>): unknown[] => [
  (b as Bollinger).upper,
  (b as Bollinger).middle,
  (b as Bollinger).lower,
];
const sma = (period: number): Subject => indicatorSubject(new Sma(period), 1, (s: SmaSnapshot) => Sma.fromSnapshot(s));
const ema = (period: number): Subject => indicatorSubject(new Ema(period), 1, (s: EmaSnapshot) => Ema.fromSnapshot(s));
const rsi = (period: number): Subject => indicatorSubject(new Rsi(period), 1, (s: RsiSnapshot) => Rsi.fromSnapshot(s));
const macd = (fast: number, slow: number, signal: number): Subject =>
  indicatorSubject(new Macd(fast, slow, signal), 3, (s: MacdSnapshot) => Macd.fromSnapshot(s), macdOutputs);
const bollinger = (period: number, stdDev: number): Subject =>
  indicatorSubject(new Bollinger(period, stdDev), 3, (s: BollingerSnapshot) => Bollinger.fromSnapshot(s), bandOutputs);

const custom: IndicatorPeriods = { sma: 3, ema: 2, rsi: 2, macd: { fast: 2, slow: 4, signal: 3 }, bollinger: { period: 4, stdDev: 1.5 } };
const contractCases: Array<[string, () => Subject]> = [
  ['SMA(1)', () => sma(1)],
  ['SMA(2)', () => sma(2)],
  ['SMA(20)', () => sma(20)],
  ['EMA(1)', () => ema(1)],
  ['EMA(2)', () => ema(2)],
  ['EMA(20)', () => ema(20)],
  ['RSI(2)', () => rsi(2)],
  ['RSI(14)', () => rsi(14)],
  ['MACD(12,26,9)', () => macd(12, 26, 9)],
  ['MACD(3,10,4)', () => macd(3, 10, 4)],
  ['MACD(2,3,1)', () => macd(2, 3, 1)],
  ['MACD(1,2,2)', () => macd(1, 2, 2)],
  ['Bollinger(1,2)', () => bollinger(1, 2)],
  ['Bollinger(2,0)', () => bollinger(2, 0)],
  ['Bollinger(5,1.5)', () => bollinger(5, 1.5)],
  ['Bollinger(20,2)', () => bollinger(20, 2)],
  ['IndicatorSet()', () => setSubject(new IndicatorSet())],
  ['IndicatorSet(small periods)', () => setSubject(new IndicatorSet(custom))],
];

/**
 * A seeded random walk around `scale` with flat stretches (runs of one repeated price, one of them
 * 500 long: the RSI flush and the Bollinger flat bands) and, when `jumps`, rare jumps to a price a
 * thousand times smaller or larger and back.
 */
function walk(seed: number, length: number, scale: number, jumps = false): number[] {
  const random = seededRandom(seed);
  const prices: number[] = [];
  let price = scale;
  while (prices.length < length) {
    const r = random();
    if (prices.length === Math.floor(length / 2)) {
      for (let i = 0; i < 500; i++) prices.push(price);
    } else if (r < 0.05) {
      const run = 1 + Math.floor(random() * 40);
      for (let i = 0; i < run; i++) prices.push(price);
    } else if (jumps && r < 0.07) {
      prices.push(price * (random() < 0.5 ? 1e-3 : 1e3));
    } else {
      price = Math.max(scale / 2, Math.min(scale * 2, price * (1 + (random() * 2 - 1) * 0.002)));
      // Whole cents at BTC scale (exact repeats are then common), full doubles otherwise.
      if (scale === 80_000) price = Math.round(price * 100) / 100;
      prices.push(price);
    }
  }
  return prices.slice(0, length);
}

const series: Array<[string, number[]]> = [
  ['BTC cents', walk(1, 1_400, 80_000)],
  ['tiny', walk(2, 1_000, 3e-7)],
  ['huge', walk(3, 1_000, 4e14)],
  ['with jumps', walk(4, 1_000, 80_000, true)],
];

const GUARD = -12345.5;
/** out[1 .. 1 + width] is the subject's; the slots around it must stay GUARD. */
const fresh = (subject: Subject): Float64Array => new Float64Array(subject.width + 2).fill(GUARD);
const json = (subject: Subject): string => JSON.stringify(subject.snapshot());

function assertSameOutput(got: Float64Array, expected: Float64Array, where: string): void {
  assert.is(got.length, expected.length);
  for (let k = 0; k < got.length; k++) {
    // Bit-for-bit: Object.is also tells 0 from -0 and NaN from everything else.
    assert.ok(Object.is(got[k], expected[k]), `${where}, slot ${k}: preview ${got[k]}, update ${expected[k]}`);
  }
  assert.is(got[0], GUARD, `${where}: the slot before untouched`);
  assert.is(got[got.length - 1], GUARD, `${where}: the slot after untouched`);
}

/**
 * Walks `closes` through `subject`. Before each close it previews several prices, each compared
 * with a clone updated with that price; then it commits the close (a different price from the last
 * preview) and checks that the state is that of `twin`, which never previewed.
 */
function checkContract(make: () => Subject, closes: readonly number[], seed: number, label: string): void {
  const subject = make();
  const twin = make();
  const random = seededRandom(seed);
  const got = fresh(subject);
  const expected = fresh(subject);
  const committed = fresh(subject);
  const twinOut = fresh(subject);
  let last = closes[0]!;
  closes.forEach((close, i) => {
    let p = close * (1 + (random() * 2 - 1) * 0.003);
    if (p === close) p = close * 1.5;
    // The forming candle's ticks: the candle's last price, a move, the same move again, a price
    // that repeats the last close (flat), one far away, and the move once more (no drift).
    const previews = [p, close * (1 + (random() - 0.5) * 1e-9), last, p * 7, p, p];
    const observed = JSON.stringify(subject.observe());
    const before = json(subject);
    let first: Float64Array | null = null;
    for (const [j, price] of previews.entries()) {
      const where = `${label}, close ${i}, preview ${j} (${price})`;
      got.fill(GUARD);
      subject.preview(price, got, 1);
      const clone = subject.clone();
      expected.fill(GUARD);
      clone.update(price, expected, 1);
      assertSameOutput(got, expected, where);
      if (price === p) {
        if (first === null) first = Float64Array.from(got);
        else assertSameOutput(got, first, `${where}, again`);
      }
    }
    assert.is(json(subject), before, `${label}, close ${i}: previews leave the snapshot alone`);
    assert.is(json(subject), json(twin), `${label}, close ${i}: the same state as one that never previewed`);
    assert.is(JSON.stringify(subject.observe()), observed, `${label}, close ${i}: previews leave the getters alone`);
    // The candle closes at a price other than the last preview's: that preview is discarded.
    subject.update(close, committed, 1);
    twin.update(close, twinOut, 1);
    assertSameOutput(committed, twinOut, `${label}, close ${i}: the committed update`);
    last = close;
  });
  assert.is(json(subject), json(twin), `${label}: the end state`);
}

for (const [name, make] of contractCases) {
  const test = suite(`preview contract: ${name}`);

  test('previews equal a clone updated with the same price and leave the state as if never called', () => {
    for (const [label, closes] of series) checkContract(make, closes, closes.length, label);
  });

  test('series shorter than the lookback, and one price past it', () => {
    const lookback = make().lookback;
    for (const length of [0, 1, 2, lookback - 1, lookback, lookback + 1, lookback + 2].filter((n) => n >= 0)) {
      checkContract(make, btcWalk(length, 40 + length), length, `${length} closes`);
    }
  });

  test('a bad price throws as updateInto does and changes nothing', () => {
    for (const closes of [0, 3, 200]) {
      const subject = make();
      const out = fresh(subject);
      for (const price of btcWalk(closes, 9)) subject.update(price, out, 1);
      const before = json(subject);
      for (const bad of [Number.NaN, Infinity, -Infinity]) {
        out.fill(GUARD);
        assert.throws(() => subject.preview(bad, out, 1), /price must be a finite number/);
        assert.ok(
          out.every((x) => x === GUARD),
          'nothing written',
        );
        assert.is(json(subject), before);
      }
    }
  });

  test.run();
}

const values = suite('IndicatorSet.previewValues');

values('a fresh object with what update(price) would return, null for NaN; values and raw untouched', () => {
  const set = new IndicatorSet(custom);
  for (const [i, price] of btcWalk(60, 31).entries()) {
    const current = { ...set.values };
    const raw = Array.from(set.raw);
    const preview = set.previewValues(price + 1.25);
    assert.ok(preview !== set.values, 'not the shared output object');
    assert.ok(set.previewValues(price + 1.25) !== preview, 'a new object each call');
    assert.equal(preview, { ...IndicatorSet.fromSnapshot(set.snapshot()).update(price + 1.25) }, `close ${i}`);
    assert.equal({ ...set.values }, current);
    assert.equal(Array.from(set.raw), raw);
    set.update(price);
  }
});

values.run();

// TA-Lib over [c_0 .. c_n, p] at its last index: the forming candle's value by definition.
const talib = suite('preview agrees with TA-Lib over the closes plus the current price');

interface TalibCase {
  name: string;
  make: () => Subject;
  talib: [string, Record<string, number>];
  /** Our output slots in TA-Lib's output names. */
  outputs: string[];
  /** Tolerance in units of the price (RSI: absolute, it is 0 to 100). */
  relative: boolean;
}

const talibCases: TalibCase[] = [
  ...[20, 5, 50].map((period) => ({
    name: `SMA(${period})`,
    make: () => sma(period),
    talib: ['SMA', { optInTimePeriod: period }] as [string, Record<string, number>],
    outputs: ['outReal'],
    relative: true,
  })),
  ...[20, 2, 50].map((period) => ({
    name: `EMA(${period})`,
    make: () => ema(period),
    talib: ['EMA', { optInTimePeriod: period }] as [string, Record<string, number>],
    outputs: ['outReal'],
    relative: true,
  })),
  ...[14, 2, 30].map((period) => ({
    name: `RSI(${period})`,
    make: () => rsi(period),
    talib: ['RSI', { optInTimePeriod: period }] as [string, Record<string, number>],
    outputs: ['outReal'],
    relative: false,
  })),
  ...(
    [
      [12, 26, 9],
      [5, 35, 5],
      [2, 3, 2],
    ] as const
  ).map(([fast, slow, signal]) => ({
    name: `MACD(${fast},${slow},${signal})`,
    make: () => macd(fast, slow, signal),
    talib: ['MACD', { optInFastPeriod: fast, optInSlowPeriod: slow, optInSignalPeriod: signal }] as [string, Record<string, number>],
    outputs: ['outMACD', 'outMACDSignal', 'outMACDHist'],
    relative: true,
  })),
  ...(
    [
      [20, 2],
      [5, 1.5],
      [50, 2.5],
    ] as const
  ).map(([period, stdDev]) => ({
    name: `BBANDS(${period},${stdDev})`,
    make: () => bollinger(period, stdDev),
    talib: ['BBANDS', { optInTimePeriod: period, optInNbDevUp: stdDev, optInNbDevDn: stdDev, optInMAType: 0 }] as [
      string,
      Record<string, number>,
    ],
    outputs: ['outRealUpperBand', 'outRealMiddleBand', 'outRealLowerBand'],
    relative: true,
  })),
];

const closes = btcWalk(1_500, 77);

for (const c of talibCases) {
  talib(c.name, () => {
    const subject = c.make();
    const out = fresh(subject);
    // Every length through the warm-up and a little past it, then a few long ones.
    const lengths = new Set([...Array.from({ length: subject.lookback + 4 }, (_, n) => n), subject.lookback + 10, 300, closes.length]);
    for (let n = 0; n <= closes.length; n++) {
      if (lengths.has(n)) {
        const latest = closes[n - 1] ?? 80_000;
        for (const p of [latest + 37.25, latest - 12.5, latest, latest + 0.01]) {
          subject.preview(p, out, 1);
          const series = [...closes.slice(0, n), p];
          const reference = talibSeries(c.talib[0], series, c.talib[1]);
          c.outputs.forEach((name, k) => {
            const theirs = reference[name]![n] ?? null;
            const ours = out[1 + k]!;
            const where = `${n} closes, price ${p}, ${name}: ours ${ours}, TA-Lib ${String(theirs)}`;
            if (theirs === null) {
              assert.ok(Number.isNaN(ours), where);
            } else {
              assert.ok(Math.abs(ours - theirs) <= 1e-9 * (c.relative ? p : 1), where);
            }
          });
        }
      }
      if (n < closes.length) subject.update(closes[n]!, out, 1);
    }
  });
}

talib.run();
