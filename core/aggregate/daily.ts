// One symbol's figures for one UTC day, as stored, and the read-side view with the averages worked out.
import type { PriceSummary } from './price-summary.js';
import { meanPrice } from './price-summary.js';

/** What the store keeps per symbol and UTC day. */
export interface DayRecord {
  readonly symbol: string;
  /** yyyy-mm-dd, UTC. */
  readonly day: string;
  /** The day's ticks; absent while the day has only signals. */
  price?: PriceSummary;
  /** Sum, over the day's minutes with ticks, of each minute's tick average (see twap()). */
  twapSum: number;
  twapMinutes: number;
  buys: number;
  sells: number;
}

/** The figures a reader wants: null where the day has no tick. */
export interface DailyStats {
  readonly symbol: string;
  readonly day: string;
  readonly open: number | null;
  readonly high: number | null;
  readonly low: number | null;
  readonly close: number | null;
  /** Mean of the ticks' prices. */
  readonly average: number | null;
  /** Time-weighted average price at one-minute resolution: the mean of the per-minute tick averages. */
  readonly twap: number | null;
  readonly ticks: number;
  readonly volume: number;
  readonly buys: number;
  readonly sells: number;
  readonly firstTs: number | null;
  readonly lastTs: number | null;
}

export function emptyDay(symbol: string, day: string): DayRecord {
  return { symbol, day, twapSum: 0, twapMinutes: 0, buys: 0, sells: 0 };
}

export function dailyStats(record: DayRecord): DailyStats {
  const p = record.price;
  return {
    symbol: record.symbol,
    day: record.day,
    open: p?.open ?? null,
    high: p?.high ?? null,
    low: p?.low ?? null,
    close: p?.close ?? null,
    average: p ? meanPrice(p) : null,
    twap: record.twapMinutes > 0 ? record.twapSum / record.twapMinutes : null,
    ticks: p?.ticks ?? 0,
    volume: p?.volume ?? 0,
    buys: record.buys,
    sells: record.sells,
    firstTs: p?.firstTs ?? null,
    lastTs: p?.lastTs ?? null,
  };
}
