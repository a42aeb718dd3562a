// Feeds candles of the past into a symbol's pipeline before live ticks: each candle as one tick at
// its start with its close, which is how replay reads an OHLC file, so a warm start and a replay of
// the same candles end in the same state. The signals of the past are dropped: nobody is told old news.
import type { SymbolPipeline } from '../pipeline.js';

/** A candle of the past as the warm start reads it (HistoricalCandle and the store's candles fit). */
export interface PastCandle {
  readonly start: number;
  readonly close: number;
}

export interface WarmupFeed {
  /** Candles that became ticks. */
  readonly fed: number;
  /** Candles not later than the pipeline's last tick (or not a price), left out. */
  readonly skipped: number;
  /** Recommendations, crossings and alerts of the past that were not emitted. */
  readonly silenced: number;
}

/** Steps `pipeline` through `candles` (oldest first) silently. */
export function warmPipeline(pipeline: SymbolPipeline, candles: Iterable<PastCandle>): WarmupFeed {
  let fed = 0;
  let skipped = 0;
  let silenced = 0;
  const tick = { symbol: pipeline.symbol, ts: 0, price: 0, source: 'warmup' };
  for (const candle of candles) {
    if (!Number.isSafeInteger(candle.start) || !Number.isFinite(candle.close) || candle.close <= 0) {
      skipped++;
      continue;
    }
    tick.ts = candle.start;
    tick.price = candle.close;
    const signals = pipeline.step(tick);
    if (signals === undefined) skipped++;
    else {
      fed++;
      silenced += signals.length;
    }
  }
  return { fed, skipped, silenced };
}
