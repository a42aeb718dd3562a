// What a warm start asks for: candles per timeframe from the periods, and the segments that cover
// every timeframe with whole candles, coarse far back and fine near now.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_PIPELINE_SETTINGS } from '../../../core/pipeline.js';
import { uncoveredRanges, warmupNeeds, warmupPlan } from '../../../core/warmup/warmup-plan.js';
import { TEST_SETTINGS } from '../../support/ticks.js';

const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const STORE = [M, 5 * M, H];
// 2026-01-01 10:37:30 UTC
const NOW = Date.UTC(2026, 0, 1, 10, 37, 30);

test('the defaults need 35 one-hour candles: MACD 12/26/9 has a lookback of 33, plus its first value, plus one to read a crossing', () => {
  assert.equal(warmupNeeds(DEFAULT_PIPELINE_SETTINGS, 1000), [{ timeframe: '1h', candles: 35 }]);
});

test('every followed timeframe, shortest first, capped at maxCandles', () => {
  // TEST_SETTINGS: MACD 3/6/3 has a lookback of 7.
  assert.equal(warmupNeeds(TEST_SETTINGS, 1000), [
    { timeframe: '1m', candles: 9 },
    { timeframe: '5m', candles: 9 },
  ]);
  assert.equal(warmupNeeds({ ...DEFAULT_PIPELINE_SETTINGS, timeframes: ['1d'] }, 20), [
    { timeframe: '1h', candles: 20 },
    { timeframe: '1d', candles: 20 },
  ]);
});

test('one timeframe: one candle more than needed before the one forming now, which is included', () => {
  const plan = warmupPlan([{ timeframe: '1h', candles: 35 }], NOW, STORE, 60 * D);
  assert.equal(plan, [{ granularityMs: H, fromMs: Date.UTC(2026, 0, 1, 10) - 36 * H, toMs: NOW + 1 }]);
});

test('two timeframes: the coarse candles up to a coarse boundary, then the fine ones to now', () => {
  const plan = warmupPlan(warmupNeeds(TEST_SETTINGS, 1000), NOW, STORE, 60 * D);
  // 5m: 10 candles before 10:35 -> from 09:45. 1m: 10 before 10:37 -> 10:27, in the 5m candle of 10:25.
  assert.equal(plan, [
    { granularityMs: 5 * M, fromMs: Date.UTC(2026, 0, 1, 9, 45), toMs: Date.UTC(2026, 0, 1, 10, 25) },
    { granularityMs: M, fromMs: Date.UTC(2026, 0, 1, 10, 25), toMs: NOW + 1 },
  ]);
  // Back to back, each boundary a whole candle of both granularities.
  for (let i = 1; i < plan.length; i++) assert.is(plan[i]!.fromMs, plan[i - 1]!.toMs);
});

test('a timeframe the source has no candles of is read from the coarsest granularity that divides it', () => {
  const plan = warmupPlan([{ timeframe: '4h', candles: 10 }], NOW, STORE, 60 * D);
  assert.equal(plan, [{ granularityMs: H, fromMs: Date.UTC(2026, 0, 1, 8) - 44 * H, toMs: NOW + 1 }]);
  const exchange = warmupPlan([{ timeframe: '4h', candles: 10 }], NOW, [M, H, 4 * H, D], 60 * D);
  assert.is(exchange[0]!.granularityMs, 4 * H);
});

test('nothing older than maxAge; nothing when no granularity divides a timeframe or nothing is needed', () => {
  const plan = warmupPlan([{ timeframe: '1d', candles: 35 }], NOW, STORE, 10 * D);
  assert.equal(plan, [{ granularityMs: H, fromMs: Date.UTC(2025, 11, 22, 11), toMs: NOW + 1 }]);
  assert.equal(warmupPlan([{ timeframe: '1h', candles: 35 }], NOW, [7 * M], 60 * D), []);
  assert.equal(warmupPlan([{ timeframe: '1h', candles: 35 }], NOW, [], 60 * D), []);
  assert.equal(warmupPlan([{ timeframe: '1h', candles: 0 }], NOW, STORE, 60 * D), []);
});

test('uncovered ranges: before the first candle and after the last, not the gaps between', () => {
  assert.equal(uncoveredRanges(0, 10 * M, M, []), [{ fromMs: 0, toMs: 10 * M }]);
  assert.equal(uncoveredRanges(0, 10 * M, M, [3 * M, 4 * M, 7 * M]), [
    { fromMs: 0, toMs: 3 * M },
    { fromMs: 8 * M, toMs: 10 * M },
  ]);
  assert.equal(uncoveredRanges(0, 10 * M, M, [0, 9 * M]), []);
});

test.run();
