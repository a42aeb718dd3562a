// Candles from ticks: UTC-aligned buckets, a candle closes on the first tick of a later one, a quiet
// bucket is a gap (counted, never filled), a flat market gives flat candles, state survives JSON.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CandleBuilder } from '../../../core/candles/candle-builder.js';
import { CANDLE_MS, candleStart } from '../../../core/candles/timeframe.js';

const T0 = Date.UTC(2026, 0, 5, 23, 0, 0);

test('buckets align to UTC: hours on the hour, days at UTC midnight, 4h at 00/04/08 ... UTC', () => {
  assert.is(candleStart(Date.UTC(2026, 0, 5, 13, 59, 59, 999), CANDLE_MS['1h']), Date.UTC(2026, 0, 5, 13));
  assert.is(candleStart(Date.UTC(2026, 0, 5, 14), CANDLE_MS['1h']), Date.UTC(2026, 0, 5, 14));
  assert.is(candleStart(Date.UTC(2026, 0, 5, 23, 59), CANDLE_MS['1d']), Date.UTC(2026, 0, 5));
  assert.is(candleStart(Date.UTC(2026, 0, 5, 7, 30), CANDLE_MS['4h']), Date.UTC(2026, 0, 5, 4));
  assert.is(candleStart(Date.UTC(2026, 0, 5, 7, 44), CANDLE_MS['15m']), Date.UTC(2026, 0, 5, 7, 30));
});

test('a candle closes on the first tick of the next one, with its open, high, low, close, volume and ticks', () => {
  const candles = new CandleBuilder('1h');
  assert.not.ok(candles.add(T0 + 1_000, 100, 1));
  assert.not.ok(candles.add(T0 + 60_000, 104, 2));
  assert.not.ok(candles.add(T0 + 120_000, 98, 0));
  assert.not.ok(candles.add(T0 + 3_599_999, 101, 1));
  assert.equal(candles.forming, { start: T0, open: 100, high: 104, low: 98, close: 101, volume: 4, ticks: 4, gapBefore: 0 });
  assert.ok(candles.add(T0 + 3_600_000, 102, 5), 'the first tick of 00:00 closes 23:00 (across midnight)');
  assert.equal(candles.closed, { start: T0, open: 100, high: 104, low: 98, close: 101, volume: 4, ticks: 4, gapBefore: 0 });
  assert.equal(candles.forming, { start: T0 + 3_600_000, open: 102, high: 102, low: 102, close: 102, volume: 5, ticks: 1, gapBefore: 0 });
  assert.is(candles.closedCount, 1);
});

test('a quiet market leaves a gap: the next candle says how many buckets had no tick; nothing is invented', () => {
  const candles = new CandleBuilder('1m');
  candles.add(T0, 100, 0);
  assert.ok(candles.add(T0 + 5 * 60_000 + 10, 110, 0));
  assert.is(candles.closed.close, 100);
  assert.is(candles.forming.gapBefore, 4, 'four whole minutes without a tick');
  assert.is(candles.closedCount, 1, 'the empty minutes are not candles');
  assert.ok(candles.add(T0 + 6 * 60_000, 111, 0));
  assert.is(candles.closed.gapBefore, 4);
  assert.is(candles.forming.gapBefore, 0);
});

test('a flat market gives flat candles', () => {
  const candles = new CandleBuilder('5m');
  for (let i = 0; i < 600; i++) candles.add(T0 + i * 1000, 50_000, 0);
  assert.is(candles.closedCount, 1);
  assert.equal([candles.closed.open, candles.closed.high, candles.closed.low, candles.closed.close], [50_000, 50_000, 50_000, 50_000]);
  assert.is(candles.closed.ticks, 300);
});

test('a snapshot taken mid-candle restores to the same candles as an uninterrupted run', () => {
  const whole = new CandleBuilder('15m');
  const cut = new CandleBuilder('15m');
  let restored: CandleBuilder | undefined;
  const closes: number[][] = [[], []];
  for (let i = 0; i < 5000; i++) {
    const ts = T0 + i * 1_700;
    const price = 100 + Math.sin(i / 50) * 10;
    if (whole.add(ts, price, 1)) closes[0]!.push(whole.closed.close);
    const target = restored ?? cut;
    if (target.add(ts, price, 1)) closes[1]!.push(target.closed.close);
    if (i === 2345) {
      restored = new CandleBuilder('15m');
      restored.restore(JSON.parse(JSON.stringify(cut.snapshot())));
    }
  }
  assert.equal(closes[1], closes[0]);
  assert.throws(() => new CandleBuilder('1h').restore(whole.snapshot()), /not a snapshot of this timeframe/);
  assert.throws(
    () => new CandleBuilder('15m').restore({ ...whole.snapshot(), forming: { ...whole.forming, start: T0 + 1 } }),
    /not a candle of 15m/,
  );
});

test.run();
