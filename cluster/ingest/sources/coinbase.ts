// Coinbase Exchange's public websocket feed: `ticker` (one tick per match, its size as volume) and
// `heartbeat` (sequence numbers and last trade ids, which reveal missed messages). No API key.
import {
  COINBASE_SOURCE,
  coinbaseSubscribe,
  parseCoinbaseFrame,
  trackCoinbaseSequence,
  type CoinbaseSequenceState,
} from '../../../core/ingest/coinbase.js';
import type { FrameEvent } from '../../../core/ingest/frames.js';
import type { SourceDeps } from '../source.js';
import { WebSocketFeedSource, type FeedProtocol, type WebSocketFeedOptions } from './websocket-feed.js';

class CoinbaseProtocol implements FeedProtocol {
  readonly name = COINBASE_SOURCE;
  private sequences: CoinbaseSequenceState = {};

  subscribeFrames(symbols: readonly string[]): string[] {
    return [coinbaseSubscribe(symbols)];
  }

  reset(): void {
    // A new connection starts new baselines: what was missed while disconnected is not a gap.
    this.sequences = {};
  }

  parse(text: string, receivedAt: number): FrameEvent[] {
    const frame = parseCoinbaseFrame(text, receivedAt);
    if (frame.sequence === undefined) return [...frame.events];
    const { state, gap } = trackCoinbaseSequence(this.sequences, frame.sequence);
    this.sequences = state;
    return gap === undefined ? [...frame.events] : [{ kind: 'gap', symbol: gap.product, detail: gap.detail }, ...frame.events];
  }
}

export function createCoinbaseSource(options: WebSocketFeedOptions, deps: SourceDeps): WebSocketFeedSource {
  return new WebSocketFeedSource(new CoinbaseProtocol(), options, deps);
}
