// What every exchange's public candle API shares: a polite JSON client, where the API lives, the
// clock, and the bound that keeps the candle still forming out. Each exchange adds its URL, paging
// and parsing.
import { checkRequest } from './checks.js';
import type { CandleHistory, CandleRequest, HistoricalCandle } from './history.js';
import { PoliteJsonClient, type RestClientOptions } from './rest-client.js';

export interface ExchangeHistoryOptions extends Partial<RestClientOptions> {
  /** Where the API lives; a test points it at a local server. */
  readonly baseUrl?: string;
  /** The clock that says which candle is still forming. */
  readonly now?: () => number;
}

/** An exchange's defaults, overridden by the options. */
export interface ExchangeDefaults {
  readonly baseUrl: string;
  /** The exchange's public rate limit, with room to spare: history is not urgent. */
  readonly minIntervalMs: number;
}

export abstract class ExchangeCandleHistory implements CandleHistory {
  abstract readonly granularities: readonly number[];
  protected readonly client: PoliteJsonClient;
  protected readonly base: URL;
  private readonly now: () => number;

  constructor(
    readonly name: string,
    defaults: ExchangeDefaults,
    options: ExchangeHistoryOptions,
  ) {
    this.client = new PoliteJsonClient(name, { minIntervalMs: defaults.minIntervalMs, ...options });
    this.base = baseUrl(options.baseUrl ?? defaults.baseUrl);
    this.now = options.now ?? Date.now;
  }

  /** Requests sent so far, retries included. */
  get requests(): number {
    return this.client.requests;
  }

  abstract candles(request: CandleRequest): AsyncIterable<readonly HistoricalCandle[]>;

  /**
   * Checks the request and returns where its candles end: at `toMs`, or earlier at the start of the
   * candle holding now, which is still forming and would change.
   */
  protected closedEnd(request: CandleRequest): number {
    checkRequest(this.name, this.granularities, request);
    const g = request.granularityMs;
    return Math.min(request.toMs, Math.floor(this.now() / g) * g);
  }
}

export function baseUrl(text: string): URL {
  return new URL(text.endsWith('/') ? text : `${text}/`);
}
