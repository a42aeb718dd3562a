// The contract between a price source (an adapter: websocket, HTTP poller, simulator, CSV file) and
// the ingestor that validates what it hands over and puts it on the bus. Sources only translate:
// they never validate bounds, drop duplicates or touch the bus.
import type { Logger } from '../../platform/log.js';

/** Why input could not become a tick: the DLQ's reason code, also a /metrics label. */
export type RejectReason =
  | 'malformed' // not parseable (bad JSON, bad CSV row, wrong shape)
  | 'invalid' // parsed, but fails the tick contract (price, ts, symbol, sizes)
  | 'future' // ts beyond now + the allowed skew
  | 'too-old' // ts older than the configured bound
  | 'unknown-symbol' // a symbol this installation does not follow
  | 'oversized'; // larger than the bound on one input

export interface SourceSink {
  /**
   * An observation, not yet validated: an object shaped like a Tick (symbol, price, ts, source,
   * optional volume, bid, ask). `raw` is the text it came from, kept for the DLQ.
   * Awaiting it gives back-pressure (a fast replay waits for the outbox).
   */
  observe(candidate: Readonly<Record<string, unknown>>, raw: string): void | Promise<void>;
  /** Input the source could not turn into an observation (a malformed frame, a wrong shape). */
  reject(raw: string, reason: RejectReason, detail: string): void | Promise<void>;
}

export interface SourceStatus {
  /** False while disconnected, rate-limited or failing; `detail` says which, for /healthz. */
  readonly ok: boolean;
  readonly detail: string;
  /** Epoch ms of the last message from the source (of any kind, heartbeats included); 0 if none. */
  readonly lastMessageAt: number;
  /** True for sources whose data is not real (the simulator): shown downstream. */
  readonly simulated: boolean;
}

export interface PriceSource {
  /** The tick's `source` field: "coinbase", "kraken", "alphavantage", "simulator", "replay". */
  readonly name: string;
  /**
   * Runs until `signal` aborts (live sources reconnect and retry on their own) or, for a finite
   * source (a replay file), until its input ends. Rejects only on a fault it cannot recover from.
   */
  run(sink: SourceSink, signal: AbortSignal): Promise<void>;
  status(): SourceStatus;
}

export interface SourceDeps {
  readonly logger: Logger;
  /** Symbols to follow, as BTC-USD. */
  readonly symbols: readonly string[];
  readonly now?: () => number;
}
