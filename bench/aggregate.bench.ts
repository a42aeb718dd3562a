// Aggregation cost per tick: the pure core (day figures, 1m/5m/1h candles, TWAP, latest) applied in
// batches of 500 over an in-memory view, against a plain loop computing the same figures into typed
// arrays (the floor). The store's I/O is left out: this measures the arithmetic and bookkeeping.
import { applyBatch, type AggregateItem, type StoredView } from '../core/aggregate/apply-batch.js';
import { DAY_MS } from '../core/aggregate/calendar.js';
import type { Candle } from '../core/aggregate/candle.js';
import type { DayRecord } from '../core/aggregate/daily.js';
import { btcPrices, measure, type BenchRow } from './bench.js';

const TICKS = 200_000;
const BATCH = 500;
const START = Date.UTC(2026, 0, 1);
const SETTINGS = { candleRetentionMs: { '1m': 7 * DAY_MS, '5m': 30 * DAY_MS, '1h': 365 * DAY_MS } };

function oursLoop(items: readonly AggregateItem[]) {
  return (): number => {
    const days = new Map<string, DayRecord>();
    const candles = new Map<string, Candle>();
    let latest: AggregateItem | undefined;
    const view: StoredView = {
      day: (symbol, day) => days.get(`${symbol}|${day}`),
      candle: (symbol, timeframe, start) => candles.get(`${symbol}|${timeframe}|${start}`),
      latest: () => (latest?.kind === 'tick' ? { tick: latest.tick } : undefined),
      hasSignal: () => false,
    };
    let checksum = 0;
    for (let i = 0; i < items.length; i += BATCH) {
      const changes = applyBatch(view, items.slice(i, i + BATCH), SETTINGS);
      for (const day of changes.days) days.set(`${day.symbol}|${day.day}`, day);
      for (const candle of changes.candles) candles.set(`${candle.symbol}|${candle.timeframe}|${candle.start}`, candle);
      latest = items[Math.min(items.length, i + BATCH) - 1];
      checksum += changes.candles.length;
    }
    for (const day of days.values()) checksum += day.twapSum + (day.price?.close ?? 0);
    return checksum;
  };
}

/** The same figures (one symbol, ticks in order) with plain arithmetic into arrays indexed by bucket. */
function handLoop(prices: Float64Array): number {
  const sizes = [60_000, 300_000, 3_600_000, DAY_MS];
  const tables = sizes.map((size) => {
    const n = Math.ceil((prices.length * 1000) / size) + 1;
    return {
      size,
      open: new Float64Array(n),
      high: new Float64Array(n),
      low: new Float64Array(n),
      close: new Float64Array(n),
      sum: new Float64Array(n),
      count: new Uint32Array(n),
    };
  });
  for (let i = 0; i < prices.length; i++) {
    const price = prices[i]!;
    const offset = i * 1000;
    for (const t of tables) {
      const b = Math.floor(offset / t.size);
      if (t.count[b] === 0) {
        t.open[b] = price;
        t.high[b] = price;
        t.low[b] = price;
      } else {
        if (price > t.high[b]!) t.high[b] = price;
        if (price < t.low[b]!) t.low[b] = price;
      }
      t.close[b] = price;
      t.sum[b]! += price;
      t.count[b]!++;
    }
  }
  const minutes = tables[0]!;
  let twap = 0;
  for (let b = 0; b < minutes.count.length; b++) if (minutes.count[b]! > 0) twap += minutes.sum[b]! / minutes.count[b]!;
  return twap + tables[3]!.close[0]!;
}

export async function aggregateBench(): Promise<BenchRow[]> {
  const prices = btcPrices(TICKS, 99);
  const items: AggregateItem[] = Array.from(prices, (price, i) => ({
    kind: 'tick',
    tick: { symbol: 'BTC-USD', price, ts: START + i * 1000, source: 'bench' },
  }));
  const ours = oursLoop(items);
  return measure(
    'aggregate a tick (day, 1m/5m/1h candles, TWAP)',
    [
      { implementation: 'stock-stream', loop: () => ours(), rounds: 7 },
      { implementation: 'hand loop', loop: handLoop, rounds: 7 },
    ],
    prices,
  );
}
