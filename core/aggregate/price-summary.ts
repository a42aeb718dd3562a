// Open/high/low/close, count, sum and volume of a set of ticks, mergeable in any grouping: the
// building block of a candle and of a day's price figures.
import type { Tick } from '../contracts/index.js';

/**
 * Open is the price of the earliest tick by ts, close the price of the latest by ts (not by arrival);
 * between ticks with the same ts, the one applied first opens and the one applied last closes.
 */
export interface PriceSummary {
  open: number;
  high: number;
  low: number;
  close: number;
  /** ts of the tick that gave `open` (the earliest). */
  firstTs: number;
  /** ts of the tick that gave `close` (the latest). */
  lastTs: number;
  ticks: number;
  /** Sum of the prices, for the tick average. */
  priceSum: number;
  /** Sum of the ticks' volumes; a tick without one adds 0. */
  volume: number;
}

export function summaryOfTick(tick: Tick): PriceSummary {
  const { price, ts } = tick;
  return {
    open: price,
    high: price,
    low: price,
    close: price,
    firstTs: ts,
    lastTs: ts,
    ticks: 1,
    priceSum: price,
    volume: tick.volume ?? 0,
  };
}

/** Folds one tick, applied after everything in `into`, into it in place. */
export function addTick(into: PriceSummary, tick: Tick): void {
  const { price, ts } = tick;
  if (ts < into.firstTs) {
    into.firstTs = ts;
    into.open = price;
  }
  if (ts >= into.lastTs) {
    into.lastTs = ts;
    into.close = price;
  }
  if (price > into.high) into.high = price;
  if (price < into.low) into.low = price;
  into.ticks += 1;
  into.priceSum += price;
  into.volume += tick.volume ?? 0;
}

/** `earlier` and `later` together, as if `later`'s ticks were applied after `earlier`'s. Returns a new object. */
export function mergeSummaries(earlier: PriceSummary, later: PriceSummary): PriceSummary {
  const opensLater = later.firstTs < earlier.firstTs;
  const closesLater = later.lastTs >= earlier.lastTs;
  return {
    open: opensLater ? later.open : earlier.open,
    firstTs: opensLater ? later.firstTs : earlier.firstTs,
    close: closesLater ? later.close : earlier.close,
    lastTs: closesLater ? later.lastTs : earlier.lastTs,
    high: Math.max(earlier.high, later.high),
    low: Math.min(earlier.low, later.low),
    ticks: earlier.ticks + later.ticks,
    priceSum: earlier.priceSum + later.priceSum,
    volume: earlier.volume + later.volume,
  };
}

/** The tick average. */
export function meanPrice(summary: PriceSummary): number {
  return summary.priceSum / summary.ticks;
}
