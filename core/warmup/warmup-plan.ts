// What a warm start needs: how many candles each followed timeframe needs before its indicators are
// ready, and which candle granularities over which time ranges cover all of them, coarse far back
// and fine near now. Pure arithmetic on the settings and a time given by the caller.
import { CANDLE_MS, CANDLE_TIMEFRAMES, candleStart, type CandleTimeframe } from '../candles/timeframe.js';
import { IndicatorSet } from '../indicators/indicator-set.js';
import type { PipelineSettings } from '../pipeline.js';
import { strategyTimeframes } from '../strategy/strategy-config.js';

/** How many closed candles of a timeframe make its indicators ready. */
export interface WarmupNeed {
  readonly timeframe: CandleTimeframe;
  readonly candles: number;
}

/** Candles of one granularity whose start lies in [fromMs, toMs). */
export interface WarmupSegment {
  readonly granularityMs: number;
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * Every followed timeframe (shortest first) with the closed candles it needs: the indicator set's
 * lookback (the longest warm-up of SMA, EMA, RSI, MACD, Bollinger) plus one for the first value,
 * plus one more so that a crossing, which compares the last value with the one before, can be read
 * on the first live close. At most `maxCandles`.
 */
export function warmupNeeds(settings: PipelineSettings, maxCandles: number): WarmupNeed[] {
  const candles = Math.min(maxCandles, new IndicatorSet(settings.periods).lookback + 2);
  const followed = new Set<CandleTimeframe>([...settings.timeframes, ...strategyTimeframes(settings.strategy)]);
  return CANDLE_TIMEFRAMES.filter((timeframe) => followed.has(timeframe)).map((timeframe) => ({ timeframe, candles }));
}

/**
 * The segments to fetch, oldest first and back to back, ending at `nowMs` (the candle still forming
 * is included: its close is the price so far). Each timeframe is read from the coarsest available
 * granularity that divides it; where the windows of several timeframes overlap, the finest wins, so
 * every timeframe gets whole candles. A granularity switch falls on a boundary of the coarser one.
 * Nothing older than `nowMs - maxAgeMs`. A timeframe that no granularity divides is left out.
 */
export function warmupPlan(
  needs: readonly WarmupNeed[],
  nowMs: number,
  granularities: readonly number[],
  maxAgeMs: number,
): WarmupSegment[] {
  const starts: Array<{ fromMs: number; granularityMs: number }> = [];
  for (const need of needs) {
    const sizeMs = CANDLE_MS[need.timeframe];
    const granularityMs = Math.max(0, ...granularities.filter((g) => g > 0 && g <= sizeMs && sizeMs % g === 0));
    if (granularityMs === 0 || need.candles <= 0) continue;
    // One candle more than needed: the one forming now may have no trade yet, and then the
    // needed ones must all lie before it.
    starts.push({ fromMs: candleStart(nowMs, sizeMs) - (need.candles + 1) * sizeMs, granularityMs });
  }
  if (starts.length === 0) return [];
  starts.sort((a, b) => a.fromMs - b.fromMs || b.granularityMs - a.granularityMs);
  const oldest = nowMs - maxAgeMs;
  const segments: WarmupSegment[] = [];
  let current = starts[0]!;
  let fromMs = current.fromMs;
  for (const next of starts.slice(1)) {
    if (next.granularityMs >= current.granularityMs) continue;
    // The coarse candles run to the boundary of the coarse candle the finer window starts in.
    const switchMs = candleStart(next.fromMs, current.granularityMs);
    segments.push({ granularityMs: current.granularityMs, fromMs, toMs: switchMs });
    current = next;
    fromMs = switchMs;
  }
  segments.push({ granularityMs: current.granularityMs, fromMs, toMs: nowMs + 1 });
  return segments
    .map((segment) => {
      // The first whole candle of the granularity that starts at or after the oldest time allowed.
      const first = candleStart(oldest + segment.granularityMs - 1, segment.granularityMs);
      return { ...segment, fromMs: Math.max(segment.fromMs, first) };
    })
    .filter((segment) => segment.fromMs < segment.toMs);
}

/**
 * The parts of [fromMs, toMs) before the first and after the last of `starts` (candle starts of
 * granularity `granularityMs`, oldest first): what a source did not cover and the next one may.
 * Gaps between candles are a quiet market (or the appliance being off) and are not asked again.
 */
export function uncoveredRanges(
  fromMs: number,
  toMs: number,
  granularityMs: number,
  starts: readonly number[],
): Array<{ fromMs: number; toMs: number }> {
  if (starts.length === 0) return fromMs < toMs ? [{ fromMs, toMs }] : [];
  const ranges: Array<{ fromMs: number; toMs: number }> = [];
  const first = starts[0]!;
  const afterLast = starts[starts.length - 1]! + granularityMs;
  if (first > fromMs) ranges.push({ fromMs, toMs: first });
  if (afterLast < toMs) ranges.push({ fromMs: afterLast, toMs });
  return ranges;
}
