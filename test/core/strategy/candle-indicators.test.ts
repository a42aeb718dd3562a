// Indicators on candles equal TA-Lib over the candles' closes, for every timeframe, on ticks that
// cross gaps (no tick for hours), flat stretches and midnight. The reference candles are built
// plainly here: group the ticks by UTC bucket, a bucket without ticks is no candle.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CANDLE_MS, CANDLE_TIMEFRAMES, type CandleTimeframe } from '../../../core/candles/timeframe.js';
import { DEFAULT_INDICATOR_PERIODS, type IndicatorPeriods } from '../../../core/indicators/indicator-set.js';
import { SymbolPipeline, type CandleRecord } from '../../../core/pipeline.js';
import { DEFAULT_STRATEGY } from '../../../core/strategy/strategy-config.js';
import { assertClose, type Series } from '../indicators/compare.js';
import { seededRandom } from '../indicators/price-series.js';
import { talibSeries } from '../indicators/talib.js';

const START = Date.UTC(2026, 2, 1, 20, 0, 0);

/** Ticks every 5-35 s over `days`, with a 3-hour silence, a flat hour and a midnight or more in between. */
function ticks(days: number, seed: number): Array<{ ts: number; price: number }> {
  const random = seededRandom(seed);
  const out: Array<{ ts: number; price: number }> = [];
  let ts = START;
  let price = 60_000;
  const end = START + days * 86_400_000;
  const silence = START + 5 * 3_600_000;
  const flat = START + 11 * 3_600_000;
  while (ts < end) {
    ts += 5_000 + Math.floor(random() * 30_000);
    if (ts >= silence && ts < silence + 3 * 3_600_000) ts = silence + 3 * 3_600_000 + 1_234;
    const flatNow = ts >= flat && ts < flat + 3_600_000;
    if (!flatNow) price *= 1 + (random() - 0.5) * 0.004;
    out.push({ ts, price });
  }
  return out;
}

function reference(data: ReadonlyArray<{ ts: number; price: number }>, timeframe: CandleTimeframe): number[] {
  const size = CANDLE_MS[timeframe];
  const closes = new Map<number, number>();
  for (const { ts, price } of data) closes.set(Math.floor(ts / size), price);
  // The last bucket is still forming: it has not closed.
  return [...closes.values()].slice(0, -1);
}

function check(periods: IndicatorPeriods, days: number, seed: number): void {
  const data = ticks(days, seed);
  const pipeline = new SymbolPipeline('BTC-USD', { periods, timeframes: [...CANDLE_TIMEFRAMES], strategy: DEFAULT_STRATEGY });
  const records = new Map<string, CandleRecord[]>(CANDLE_TIMEFRAMES.map((tf) => [tf, []]));
  for (const { ts, price } of data) {
    pipeline.step({ symbol: 'BTC-USD', ts, price, source: 'test' });
    for (const candle of pipeline.closedCandles()) records.get(candle.timeframe)!.push(candle);
  }
  for (const timeframe of CANDLE_TIMEFRAMES) {
    const closes = reference(data, timeframe);
    const ours = records.get(timeframe)!;
    assert.equal(
      ours.map((candle) => candle.close),
      closes,
      `${timeframe}: the same candles (${closes.length})`,
    );
    const read = (field: string): Series =>
      ours.map((candle) => (candle.indicators as unknown as Record<string, number | null>)[field] ?? null);
    const scale = (i: number) => closes[i]!;
    assertClose(read('sma'), talibSeries('SMA', closes, { optInTimePeriod: periods.sma }).outReal!, 1e-9, scale);
    assertClose(read('ema'), talibSeries('EMA', closes, { optInTimePeriod: periods.ema }).outReal!, 1e-9, scale);
    // One documented difference (core/indicators/rsi.ts): inside a flat stretch, when the averages have
    // shrunk below one ulp of the price, our RSI is 50 (no movement) where TA-Lib's ratio of dust is not.
    const talibRsi = talibSeries('RSI', closes, { optInTimePeriod: periods.rsi }).outReal!.map((value, i) =>
      i >= 2 && closes[i] === closes[i - 1] && closes[i - 1] === closes[i - 2] && read('rsi')[i] === 50 ? 50 : value,
    );
    assertClose(read('rsi'), talibRsi, 1e-9);
    const macd = talibSeries('MACD', closes, {
      optInFastPeriod: periods.macd.fast,
      optInSlowPeriod: periods.macd.slow,
      optInSignalPeriod: periods.macd.signal,
    });
    assertClose(read('macd'), macd.outMACD!, 1e-9, scale);
    assertClose(read('macdSignal'), macd.outMACDSignal!, 1e-9, scale);
    const bands = talibSeries('BBANDS', closes, {
      optInTimePeriod: periods.bollinger.period,
      optInNbDevUp: periods.bollinger.stdDev,
      optInNbDevDn: periods.bollinger.stdDev,
      optInMAType: 0,
    });
    // Over a window of equal closes the deviation is 0; TA-Lib's sum of squares leaves sqrt(ulp) noise there.
    const p = periods.bollinger.period;
    const flat = (i: number) => i >= p - 1 && closes.slice(i - p + 1, i + 1).every((c) => c === closes[i]);
    const exact = (band: Series) => band.map((value, i) => (value !== null && flat(i) ? closes[i]! : value));
    assertClose(read('bbUpper'), exact(bands.outRealUpperBand!), 1e-9, scale);
    assertClose(read('bbLower'), exact(bands.outRealLowerBand!), 1e-9, scale);
  }
}

test('default periods: every timeframe equals TA-Lib over its closes (gaps, a flat hour, midnights)', () => {
  check(DEFAULT_INDICATOR_PERIODS, 4, 11);
});

test('short periods, so that the 4h and 1d candles have values too', () => {
  check({ sma: 3, ema: 3, rsi: 2, macd: { fast: 2, slow: 3, signal: 2 }, bollinger: { period: 3, stdDev: 2 } }, 9, 12);
});

test('the gap is stated on the candle after it, not filled', () => {
  const pipeline = new SymbolPipeline('BTC-USD', { periods: DEFAULT_INDICATOR_PERIODS, timeframes: ['1h'], strategy: DEFAULT_STRATEGY });
  const gaps: number[] = [];
  for (const { ts, price } of ticks(1, 13)) {
    pipeline.step({ symbol: 'BTC-USD', ts, price, source: 'test' });
    for (const candle of pipeline.closedCandles()) if (candle.gapBefore !== undefined) gaps.push(candle.gapBefore);
  }
  assert.equal(gaps, [3], 'silent from 01:00 to 04:00: no candle for 01:00, 02:00 and 03:00, said once, on 04:00');
});

test.run();
