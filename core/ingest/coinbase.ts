// Coinbase Exchange websocket feed (wss://ws-feed.exchange.coinbase.com): the subscribe request, and
// one frame of the `ticker`, `heartbeat`, `subscriptions` and `error` messages turned into events.
// Message shapes: https://docs.cdp.coinbase.com/exchange/websocket-feed/channels (ticker, heartbeat)
// and https://docs.cdp.coinbase.com/exchange/websocket-feed/overview (subscribe, subscriptions, error,
// sequence numbers).
import { decimal, isoTime, malformed, parseObject, type FrameEvent } from './frames.js';

export const COINBASE_SOURCE = 'coinbase';

/** Coinbase names products as we name symbols (BTC-USD). */
export function coinbaseProduct(symbol: string): string {
  return symbol;
}

export function coinbaseSubscribe(symbols: readonly string[]): string {
  const productIds = symbols.map(coinbaseProduct);
  return JSON.stringify({
    type: 'subscribe',
    product_ids: productIds,
    channels: ['ticker', 'heartbeat'],
  });
}

/** A parsed frame: its events, and the sequence facts the gap tracker needs. */
export interface CoinbaseFrame {
  readonly events: readonly FrameEvent[];
  readonly sequence?: { readonly product: string; readonly sequence: number; readonly tradeId?: number; readonly heartbeat: boolean };
}

export function parseCoinbaseFrame(text: string, receivedAt: number): CoinbaseFrame {
  const parsed = parseObject(text);
  if (!parsed.ok) return only(malformed(parsed.detail));
  const frame = parsed.value;
  switch (frame.type) {
    case 'ticker':
      return ticker(frame, receivedAt);
    case 'heartbeat':
      return heartbeat(frame);
    case 'subscriptions': {
      if (!Array.isArray(frame.channels)) return only(malformed('subscriptions: channels is not a list'));
      const names = frame.channels.map((channel: unknown) =>
        typeof channel === 'string'
          ? channel
          : typeof channel === 'object' && channel !== null
            ? String((channel as { name?: unknown }).name)
            : '?',
      );
      return only({ kind: 'subscribed', detail: `subscribed to ${names.join(', ')}` });
    }
    case 'error': {
      const message = typeof frame.message === 'string' ? frame.message : 'error';
      const reason = typeof frame.reason === 'string' ? `: ${frame.reason}` : '';
      return only({ kind: 'error', detail: `${message}${reason}`.slice(0, 300) });
    }
    case undefined:
      return only(malformed('no "type"'));
    default:
      return typeof frame.type === 'string' ? only({ kind: 'ignored' }) : only(malformed('"type" is not a string'));
  }
}

function ticker(frame: Record<string, unknown>, receivedAt: number): CoinbaseFrame {
  const product = frame.product_id;
  if (typeof product !== 'string') return only(malformed('ticker: no product_id'));
  const price = decimal(frame.price);
  if (price === undefined || Number.isNaN(price)) return only(malformed('ticker: price is not a decimal'));
  const ts = frame.time === undefined ? receivedAt : isoTime(frame.time);
  if (Number.isNaN(ts)) return only(malformed('ticker: time is not RFC 3339'));
  const volume = decimal(frame.last_size);
  const bid = decimal(frame.best_bid);
  const ask = decimal(frame.best_ask);
  if ([volume, bid, ask].some((value) => value !== undefined && Number.isNaN(value))) {
    return only(malformed('ticker: last_size, best_bid or best_ask is not a decimal'));
  }
  const tick = {
    symbol: product,
    price,
    ts,
    source: COINBASE_SOURCE,
    ...(volume === undefined ? {} : { volume }),
    ...(bid === undefined ? {} : { bid }),
    ...(ask === undefined ? {} : { ask }),
  };
  const events: FrameEvent[] = [{ kind: 'tick', tick }];
  const sequence = wholeNumber(frame.sequence);
  const tradeId = wholeNumber(frame.trade_id);
  if (sequence === undefined) return { events };
  return { events, sequence: { product, sequence, ...(tradeId === undefined ? {} : { tradeId }), heartbeat: false } };
}

function heartbeat(frame: Record<string, unknown>): CoinbaseFrame {
  const product = frame.product_id;
  const sequence = wholeNumber(frame.sequence);
  const lastTradeId = wholeNumber(frame.last_trade_id);
  if (typeof product !== 'string' || sequence === undefined) return only(malformed('heartbeat: no product_id or sequence'));
  return {
    events: [{ kind: 'heartbeat', symbol: product }],
    sequence: { product, sequence, ...(lastTradeId === undefined ? {} : { tradeId: lastTradeId }), heartbeat: true },
  };
}

function wholeNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function only(event: FrameEvent): CoinbaseFrame {
  return { events: [event] };
}

/** Per product: the highest sequence number and trade id seen. Plain JSON. */
export type CoinbaseSequenceState = Record<string, { sequence: number; tradeId: number }>;

export interface SequenceGap {
  readonly product: string;
  readonly detail: string;
}

/**
 * Checks one frame's sequence facts against what came before. Sequence numbers are per product and
 * shared by all its messages, so a ticker's sequence may jump; what reveals loss is
 *  - a heartbeat whose last_trade_id is past the last trade a ticker told us about (missed tickers),
 *  - a sequence number that goes backwards (the feed restarted or a message was replayed).
 * The first frame of a product only sets the baseline. Does not modify `state`.
 */
export function trackCoinbaseSequence(
  state: CoinbaseSequenceState,
  facts: NonNullable<CoinbaseFrame['sequence']>,
): { state: CoinbaseSequenceState; gap?: SequenceGap } {
  const known = state[facts.product];
  const tradeId = facts.tradeId ?? known?.tradeId ?? 0;
  const next: CoinbaseSequenceState = {
    ...state,
    [facts.product]: { sequence: Math.max(facts.sequence, known?.sequence ?? 0), tradeId: Math.max(tradeId, known?.tradeId ?? 0) },
  };
  if (known === undefined) return { state: next };
  if (facts.sequence < known.sequence) {
    return { state: next, gap: { product: facts.product, detail: `sequence went back from ${known.sequence} to ${facts.sequence}` } };
  }
  if (facts.heartbeat && facts.tradeId !== undefined && known.tradeId > 0 && facts.tradeId > known.tradeId) {
    const missed = facts.tradeId - known.tradeId;
    return {
      state: next,
      gap: { product: facts.product, detail: `${missed} trade(s) up to id ${facts.tradeId} arrived without a ticker` },
    };
  }
  return { state: next };
}
