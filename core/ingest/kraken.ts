// Kraken Spot WebSocket v2 (wss://ws.kraken.com/v2): the subscribe requests, and one frame of the
// `trade`, `ticker`, `heartbeat` and `status` channels or a subscribe acknowledgement turned into events.
// Message shapes: https://docs.kraken.com/api/docs/websocket-v2/trade,
// https://docs.kraken.com/api/docs/websocket-v2/ticker, https://docs.kraken.com/api/docs/websocket-v2/heartbeat,
// https://docs.kraken.com/api/docs/websocket-v2/status (v2 names Bitcoin BTC, not v1's XBT).
// Trades become ticks (their qty is the volume); ticker updates only refresh bid/ask, since with the
// default trigger they repeat each trade.
import { decimal, isoTime, malformed, parseObject, type FrameEvent } from './frames.js';

export const KRAKEN_SOURCE = 'kraken';

/** BTC-USD -> BTC/USD. */
export function krakenPair(symbol: string): string {
  return symbol.replace('-', '/');
}

/** BTC/USD -> BTC-USD; undefined when it is not a pair. */
export function symbolFromKrakenPair(pair: string): string | undefined {
  const parts = pair.split('/');
  return parts.length === 2 && parts[0] && parts[1] ? `${parts[0]}-${parts[1]}` : undefined;
}

export function krakenSubscribes(symbols: readonly string[]): string[] {
  const symbol = symbols.map(krakenPair);
  return [
    JSON.stringify({ method: 'subscribe', params: { channel: 'trade', symbol, snapshot: false }, req_id: 1 }),
    JSON.stringify({ method: 'subscribe', params: { channel: 'ticker', symbol }, req_id: 2 }),
  ];
}

export function parseKrakenFrame(text: string, receivedAt: number): FrameEvent[] {
  const parsed = parseObject(text);
  if (!parsed.ok) return [malformed(parsed.detail)];
  const frame = parsed.value;
  if (typeof frame.method === 'string') return [acknowledgement(frame)];
  switch (frame.channel) {
    case 'heartbeat':
      return [{ kind: 'heartbeat' }];
    case 'status':
      return status(frame);
    case 'trade':
      if (!Array.isArray(frame.data)) return [malformed('trade: data is not a list')];
      return dataItems(frame).flatMap((item) => trade(item, receivedAt));
    case 'ticker':
      if (!Array.isArray(frame.data)) return [malformed('ticker: data is not a list')];
      return dataItems(frame).flatMap((item) => quote(item));
    case undefined:
      return [malformed('neither "method" nor "channel"')];
    default:
      return typeof frame.channel === 'string' ? [{ kind: 'ignored' }] : [malformed('"channel" is not a string')];
  }
}

function acknowledgement(frame: Record<string, unknown>): FrameEvent {
  if (frame.method === 'pong') return { kind: 'ignored' };
  if (frame.success === true) {
    const result = (typeof frame.result === 'object' && frame.result !== null ? frame.result : {}) as Record<string, unknown>;
    return { kind: 'subscribed', detail: `${frame.method} ${String(result.channel)} ${String(result.symbol)}` };
  }
  if (frame.success === false) {
    const error = typeof frame.error === 'string' ? frame.error : 'refused';
    return { kind: 'error', detail: `${frame.method}: ${error}`.slice(0, 300) };
  }
  return malformed('acknowledgement without "success"');
}

function status(frame: Record<string, unknown>): FrameEvent[] {
  const [first] = dataItems(frame);
  if (first === undefined || typeof first.system !== 'string') return [malformed('status: no data[0].system')];
  return [{ kind: 'status', ok: first.system === 'online', detail: `kraken: ${first.system}` }];
}

function dataItems(frame: Record<string, unknown>): Record<string, unknown>[] {
  if (!Array.isArray(frame.data)) return [];
  return frame.data.map((item: unknown) =>
    typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>) : {},
  );
}

function trade(item: Record<string, unknown>, receivedAt: number): FrameEvent[] {
  const symbol = typeof item.symbol === 'string' ? symbolFromKrakenPair(item.symbol) : undefined;
  if (symbol === undefined) return [malformed('trade: no symbol like BTC/USD')];
  const price = decimal(item.price);
  const qty = decimal(item.qty);
  if (price === undefined || Number.isNaN(price)) return [malformed('trade: price is not a number')];
  if (qty !== undefined && Number.isNaN(qty)) return [malformed('trade: qty is not a number')];
  const ts = item.timestamp === undefined ? receivedAt : isoTime(item.timestamp);
  if (Number.isNaN(ts)) return [malformed('trade: timestamp is not RFC 3339')];
  return [{ kind: 'tick', tick: { symbol, price, ts, source: KRAKEN_SOURCE, ...(qty === undefined ? {} : { volume: qty }) } }];
}

function quote(item: Record<string, unknown>): FrameEvent[] {
  const symbol = typeof item.symbol === 'string' ? symbolFromKrakenPair(item.symbol) : undefined;
  if (symbol === undefined) return [malformed('ticker: no symbol like BTC/USD')];
  const bid = decimal(item.bid);
  const ask = decimal(item.ask);
  if ((bid !== undefined && Number.isNaN(bid)) || (ask !== undefined && Number.isNaN(ask)))
    return [malformed('ticker: bid or ask is not a number')];
  return [{ kind: 'quote', symbol, ...(bid === undefined ? {} : { bid }), ...(ask === undefined ? {} : { ask }) }];
}
