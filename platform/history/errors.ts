// Why a candle history could not give what was asked: one line naming the source, for logs and the CLI.

/** A failure of a candle source: unreachable, refusing, rate limited for too long, or answering nonsense. */
export class CandleHistoryError extends Error {
  constructor(
    readonly source: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${source}: ${message}`, options);
    this.name = 'CandleHistoryError';
  }
}

/**
 * The request reaches further back than the source serves (Kraken keeps only its most recent 720
 * candles of an interval). Nothing is yielded: the caller may ask again from `oldestAvailableMs`.
 */
export class CandleRangeError extends CandleHistoryError {
  constructor(
    source: string,
    message: string,
    readonly oldestAvailableMs: number,
  ) {
    super(source, message);
    this.name = 'CandleRangeError';
  }
}

/** A retryable answer (a rate limit said in a 200 body, like Kraken's EAPI:Rate limit exceeded). */
export class RetryableAnswer extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryableAnswer';
  }
}
