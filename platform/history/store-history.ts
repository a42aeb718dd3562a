// The appliance's own candle store (Redis or SQLite, filled by the aggregator) as a CandleHistory:
// the first source a warm start reads, since it holds what this appliance saw itself.
import { TIMEFRAME_MS, TIMEFRAMES, type Timeframe } from '../../core/aggregate/calendar.js';
import type { AggregateStore } from '../store/store.js';
import type { CandleHistory, CandleRequest, HistoricalCandle } from './history.js';

/** Candles per page, so a long range is not read into memory in one go. */
const PAGE_CANDLES = 1000;

export class StoreCandleHistory implements CandleHistory {
  readonly name = 'store';
  readonly granularities: readonly number[] = TIMEFRAMES.map((timeframe) => TIMEFRAME_MS[timeframe]);

  constructor(private readonly store: Pick<AggregateStore, 'candles'>) {}

  async *candles(request: CandleRequest): AsyncIterable<readonly HistoricalCandle[]> {
    const timeframe = TIMEFRAMES.find((tf) => TIMEFRAME_MS[tf] === request.granularityMs) as Timeframe | undefined;
    if (timeframe === undefined) throw new RangeError(`store: no candles of ${request.granularityMs} ms (it keeps 1m, 5m and 1h)`);
    const pageMs = PAGE_CANDLES * request.granularityMs;
    for (let from = request.fromMs; from < request.toMs; from += pageMs) {
      request.signal?.throwIfAborted();
      const to = Math.min(request.toMs, from + pageMs);
      // The store's range is inclusive at both ends; the request's end is not.
      const page = await this.store.candles(request.symbol, timeframe, from, to - 1);
      if (page.length > 0) yield page.map(({ start, open, high, low, close, volume }) => ({ start, open, high, low, close, volume }));
    }
  }
}
