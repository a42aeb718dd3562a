// Derived candles (15m, 4h, 1d rolled up from stored 5m and 1h) against candles computed directly from
// the ticks, across a gap with no ticks and with the last bucket still forming.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CandleView } from '../../../core/aggregate/candle.js';
import { rollUpCandles, sourceTimeframe } from '../../../core/aggregate/derived-candles.js';
import { CANDLE_MS, type CandleTimeframe } from '../../../core/candles/timeframe.js';
import { seededRandom } from '../indicators/price-series.js';

interface PlainTick {
  readonly ts: number;
  readonly price: number;
  readonly volume: number;
}

const HOUR = 3_600_000;
const START = Date.UTC(2026, 0, 3, 22, 17, 41);

/** Ticks every 10 to 60 s for five days, none from 2026-01-05 03:10 to 09:55 (a gap across 4h buckets), the last at 14:07 on 2026-01-08. */
function ticks(): PlainTick[] {
  const random = seededRandom(15);
  const gapFrom = Date.UTC(2026, 0, 5, 3, 10);
  const gapTo = Date.UTC(2026, 0, 5, 9, 55);
  const end = Date.UTC(2026, 0, 8, 14, 7);
  const out: PlainTick[] = [];
  let price = 97_000;
  for (let ts = START; ts <= end; ts += 10_000 + Math.floor(random() * 50_000)) {
    price = Math.round((price + (random() - 0.5) * 80) * 100) / 100;
    if (ts >= gapFrom && ts < gapTo) continue;
    out.push({ ts, price, volume: Math.floor(random() * 8) / 4 }); // quarters: sums are exact in any grouping
  }
  return out;
}

/** The plain computation: each tick into its UTC-aligned bucket, in time order. */
function direct(from: readonly PlainTick[], sizeMs: number): CandleView[] {
  const byStart = new Map<
    number,
    { start: number; open: number; high: number; low: number; close: number; volume: number; ticks: number }
  >();
  for (const tick of from) {
    const start = Math.floor(tick.ts / sizeMs) * sizeMs;
    const candle = byStart.get(start);
    if (candle === undefined) {
      byStart.set(start, { start, open: tick.price, high: tick.price, low: tick.price, close: tick.price, volume: tick.volume, ticks: 1 });
      continue;
    }
    candle.high = Math.max(candle.high, tick.price);
    candle.low = Math.min(candle.low, tick.price);
    candle.close = tick.price;
    candle.volume += tick.volume;
    candle.ticks += 1;
  }
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

const TICKS = ticks();

for (const timeframe of ['15m', '4h', '1d'] as const satisfies readonly CandleTimeframe[]) {
  test(`${timeframe} candles rolled up from ${sourceTimeframe(timeframe)} equal ${timeframe} candles computed from the ticks`, () => {
    const size = CANDLE_MS[timeframe];
    const stored = direct(TICKS, CANDLE_MS[sourceTimeframe(timeframe)]);
    const derived = rollUpCandles(stored, size);
    assert.equal(derived, direct(TICKS, size));
    assert.ok(
      derived.every((candle) => candle.start % size === 0),
      'buckets align to UTC',
    );
  });
}

test('a gap stays a gap: no candle is invented for a bucket without finer candles', () => {
  const fourHours = rollUpCandles(direct(TICKS, HOUR), 4 * HOUR).map((candle) => new Date(candle.start).toISOString());
  assert.ok(fourHours.includes('2026-01-05T00:00:00.000Z'), 'the bucket the gap starts in (ticks until 03:10)');
  assert.not.ok(fourHours.includes('2026-01-05T04:00:00.000Z'), 'the bucket wholly in the gap');
  assert.ok(fourHours.includes('2026-01-05T08:00:00.000Z'), 'the bucket the gap ends in (ticks from 09:55)');
  const quarter = rollUpCandles(direct(TICKS, 300_000), 900_000).map((candle) => candle.start);
  assert.not.ok(quarter.includes(Date.UTC(2026, 0, 5, 6, 0)));
});

test('the last bucket, still forming, holds what it has so far; the first starts at its UTC boundary', () => {
  const days = rollUpCandles(direct(TICKS, HOUR), 86_400_000);
  const last = days[days.length - 1]!;
  assert.is(last.start, Date.UTC(2026, 0, 8));
  const today = TICKS.filter((tick) => tick.ts >= Date.UTC(2026, 0, 8));
  assert.is(last.ticks, today.length);
  assert.is(last.open, today[0]!.price);
  assert.is(last.close, today[today.length - 1]!.price);
  assert.is(days[0]!.start, Date.UTC(2026, 0, 3));
  const quarters = rollUpCandles(direct(TICKS, 300_000), 900_000);
  assert.is(quarters[quarters.length - 1]!.start, Date.UTC(2026, 0, 8, 14, 0)); // 14:00 to 14:07 so far
});

test('the source of each timeframe: itself when stored, else the longest stored one that divides it', () => {
  assert.equal((['1m', '5m', '15m', '1h', '4h', '1d'] as const).map(sourceTimeframe), ['1m', '5m', '5m', '1h', '1h', '1h']);
  assert.equal(rollUpCandles([], HOUR), []);
});

test.run();
