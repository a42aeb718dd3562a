// Kraken's public WebSocket v2: `trade` (one tick per trade, its qty as volume) with the latest bid
// and ask from `ticker` attached, plus `heartbeat` and `status`. No API key.
import type { FrameEvent } from '../../../core/ingest/frames.js';
import { KRAKEN_SOURCE, krakenSubscribes, parseKrakenFrame } from '../../../core/ingest/kraken.js';
import type { SourceDeps } from '../source.js';
import { WebSocketFeedSource, type FeedProtocol, type WebSocketFeedOptions } from './websocket-feed.js';

class KrakenProtocol implements FeedProtocol {
  readonly name = KRAKEN_SOURCE;
  private quotes = new Map<string, { bid?: number; ask?: number }>();

  subscribeFrames(symbols: readonly string[]): string[] {
    return krakenSubscribes(symbols);
  }

  reset(): void {
    this.quotes.clear();
  }

  parse(text: string, receivedAt: number): FrameEvent[] {
    return parseKrakenFrame(text, receivedAt).map((event) => {
      if (event.kind === 'quote') {
        this.quotes.set(event.symbol, {
          ...(event.bid === undefined ? {} : { bid: event.bid }),
          ...(event.ask === undefined ? {} : { ask: event.ask }),
        });
        return event;
      }
      if (event.kind !== 'tick') return event;
      const quote = this.quotes.get(event.tick.symbol);
      return quote === undefined ? event : { kind: 'tick', tick: { ...event.tick, ...quote } };
    });
  }
}

export function createKrakenSource(options: WebSocketFeedOptions, deps: SourceDeps): WebSocketFeedSource {
  return new WebSocketFeedSource(new KrakenProtocol(), options, deps);
}
