// History for warm-start tests: a store filled with ticks the way the aggregator fills it, and small
// CandleHistory sources of our own (hand-built candles, a failing one, a silent one).
import type { Tick } from '../../core/contracts/index.js';
import type { CandleHistory, CandleRequest, HistoricalCandle } from '../../platform/history/history.js';
import type { AggregateStore } from '../../platform/store/store.js';
import { btcWalk } from '../core/indicators/price-series.js';

/** Ticks of `symbol` every `stepMs` over [fromMs, toMs), a reproducible walk. */
export function historyTicks(symbol: string, fromMs: number, toMs: number, stepMs: number, seed = 5): Tick[] {
  const count = Math.ceil((toMs - fromMs) / stepMs);
  return btcWalk(count, seed, 200).map((price, i) => ({ symbol, price, ts: fromMs + i * stepMs, source: 'test', volume: 0.25 }));
}

/** Applies ticks to the store as one consumed batch, as the aggregator would. */
export async function fillStore(store: AggregateStore, ticks: readonly Tick[], topic = 'history.ticks'): Promise<void> {
  await store.applyBatch({
    topic,
    partition: 0,
    nextOffset: String(ticks.length),
    items: ticks.map((tick, i) => ({ offset: String(i), item: { kind: 'tick' as const, tick } })),
  });
}

/** Serves hand-built candles, `pageSize` at a time, and records what it was asked. */
export class HandBuiltHistory implements CandleHistory {
  readonly requests: CandleRequest[] = [];
  constructor(
    readonly name: string,
    readonly granularities: readonly number[],
    private readonly byGranularity: ReadonlyMap<number, readonly HistoricalCandle[]>,
    private readonly pageSize = 50,
    /** The one symbol it has candles of. */
    private readonly symbol = 'BTC-USD',
  ) {}

  async *candles(request: CandleRequest): AsyncIterable<readonly HistoricalCandle[]> {
    this.requests.push(request);
    if (!this.granularities.includes(request.granularityMs)) throw new RangeError(`${this.name}: no ${request.granularityMs} ms candles`);
    if (request.symbol !== this.symbol) return;
    const wanted = (this.byGranularity.get(request.granularityMs) ?? []).filter((c) => c.start >= request.fromMs && c.start < request.toMs);
    for (let i = 0; i < wanted.length; i += this.pageSize) yield wanted.slice(i, i + this.pageSize);
  }
}

/** An exchange that cannot be reached. */
export const unreachable = (name: string, granularities: readonly number[]): CandleHistory => ({
  name,
  granularities,
  // eslint-disable-next-line require-yield
  async *candles() {
    throw new Error('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }) });
  },
});

/** An exchange that accepts the connection and never answers (and ignores the abort signal). */
export const silent = (name: string, granularities: readonly number[]): CandleHistory => ({
  name,
  granularities,
  // eslint-disable-next-line require-yield
  async *candles() {
    await new Promise(() => {});
  },
});

/** Candles of `granularityMs` over [fromMs, toMs) from a walk, every one present. */
export function handBuiltCandles(fromMs: number, toMs: number, granularityMs: number, seed = 8): HistoricalCandle[] {
  const count = Math.ceil((toMs - fromMs) / granularityMs);
  return btcWalk(count, seed, 250).map((close, i) => ({
    start: fromMs + i * granularityMs,
    open: close,
    high: close + 5,
    low: close - 5,
    close,
    volume: 1,
  }));
}
