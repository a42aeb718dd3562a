// UTC days and candle buckets: which day and which bucket a timestamp belongs to. Pure arithmetic.
import { CANDLE_MS, candleStart, type CandleTimeframe } from '../candles/timeframe.js';

/** The timeframes the aggregate store keeps candles of (the strategies may read others). */
export const TIMEFRAMES = ['1m', '5m', '1h'] as const satisfies readonly CandleTimeframe[];
export type Timeframe = (typeof TIMEFRAMES)[number];

export const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = CANDLE_MS;

export const DAY_MS = 86_400_000;

/** The UTC day of an epoch-ms time, as yyyy-mm-dd. */
export function utcDay(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

/** Epoch ms of 00:00 UTC on a yyyy-mm-dd day; NaN when it is not one. */
export function dayStart(day: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return Number.NaN;
  const ms = Date.parse(`${day}T00:00:00.000Z`);
  return Number.isFinite(ms) && utcDay(ms) === day ? ms : Number.NaN;
}

/** The yyyy-mm-dd day `days` days after (negative: before) `day`. */
export function addDays(day: string, days: number): string {
  return utcDay(dayStart(day) + days * DAY_MS);
}

/** Start (epoch ms) of the timeframe's bucket holding `ts`; buckets align to the UTC epoch. */
export function bucketStart(ts: number, timeframe: Timeframe): number {
  return candleStart(ts, TIMEFRAME_MS[timeframe]);
}

export function isTimeframe(value: string): value is Timeframe {
  return (TIMEFRAMES as readonly string[]).includes(value);
}
