// Candles of the past from somewhere else than the live feed (an exchange's public REST API, the
// appliance's own candle store): what `stock-stream download` writes to a file and what the warm
// start fills each timeframe from before live ticks are processed.

/** One candle of the past; `start` is epoch milliseconds, UTC-aligned to its granularity. */
export interface HistoricalCandle {
  readonly start: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export interface CandleRequest {
  /** The project's symbol, e.g. BTC-USD; each source maps it to its own product or pair name. */
  readonly symbol: string;
  /** Candle length in milliseconds; one of the source's `granularities`. */
  readonly granularityMs: number;
  /** Candles whose start is in [fromMs, toMs). */
  readonly fromMs: number;
  readonly toMs: number;
  readonly signal?: AbortSignal;
}

export interface CandleHistory {
  /** For logs and errors: "coinbase", "kraken", "store". */
  readonly name: string;
  /** Candle lengths (ms) this source serves. */
  readonly granularities: readonly number[];
  /**
   * The candles of the request, oldest first, one page at a time (so a caller can show progress or
   * write as it goes). A period without trades is a gap: no candle is invented for it.
   */
  candles(request: CandleRequest): AsyncIterable<readonly HistoricalCandle[]>;
}
