// The timeframes indicators and strategies read candles of: UTC-aligned buckets of fixed length.

export const CANDLE_TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '1d'] as const;
export type CandleTimeframe = (typeof CANDLE_TIMEFRAMES)[number];

export const CANDLE_MS: Readonly<Record<CandleTimeframe, number>> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};

/** Start (epoch ms) of the bucket of `sizeMs` holding `ts`; buckets align to the UTC epoch (so days to UTC midnight). */
export function candleStart(ts: number, sizeMs: number): number {
  return ts - (((ts % sizeMs) + sizeMs) % sizeMs);
}

export function isCandleTimeframe(value: unknown): value is CandleTimeframe {
  return typeof value === 'string' && (CANDLE_TIMEFRAMES as readonly string[]).includes(value);
}
