// A local websocket server that speaks the exchanges' public feed protocols closely enough to test
// the sources against: it answers subscribe requests the way Coinbase Exchange or Kraken v2 do, and
// lets a test push any frame (documented ones, malformed ones), drop connections, or refuse them.
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export type Responder = (request: Record<string, unknown>, reply: (frame: unknown) => void) => void;

export interface ExchangeWsServerOptions {
  /** Answers each JSON request from the client (a subscribe). */
  readonly respond: Responder;
  /** Sent on each new connection (Kraken's `status`). */
  readonly greeting?: () => unknown[];
}

export class ExchangeWsServer {
  /** Every text frame each connection sent, one list per connection in order. */
  readonly received: string[][] = [];
  /** Close every new connection at once, before any frame (a refusing or flapping server). */
  refuseConnections = false;
  private readonly sockets: WebSocket[] = [];

  private constructor(
    private readonly server: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(options: ExchangeWsServerOptions): Promise<ExchangeWsServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    const { port } = wss.address() as AddressInfo;
    const server = new ExchangeWsServer(wss, `ws://127.0.0.1:${port}`);
    wss.on('connection', (socket) => {
      const frames: string[] = [];
      server.received.push(frames);
      if (server.refuseConnections) {
        socket.close(1013, 'try again later');
        return;
      }
      server.sockets.push(socket);
      for (const frame of options.greeting?.() ?? []) socket.send(JSON.stringify(frame));
      socket.on('message', (data) => {
        const text = data.toString();
        frames.push(text);
        let request: unknown;
        try {
          request = JSON.parse(text);
        } catch {
          return;
        }
        if (typeof request === 'object' && request !== null) {
          options.respond(request as Record<string, unknown>, (frame) => socket.send(JSON.stringify(frame)));
        }
      });
    });
    return server;
  }

  get connections(): number {
    return this.received.length;
  }

  /** Sends to the newest open connection: an object as JSON, a string as is. */
  send(frame: unknown): void {
    const socket = this.sockets.at(-1);
    if (socket === undefined) throw new Error('no connection to send to');
    socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Cuts every connection without a closing handshake, as a network failure would. */
  drop(): void {
    for (const socket of this.sockets.splice(0)) socket.terminate();
  }

  async close(): Promise<void> {
    this.drop();
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// --- Coinbase Exchange (https://docs.cdp.coinbase.com/exchange/websocket-feed/overview, .../channels)

/** Subscribes succeed with a `subscriptions` message, except for products in `unknown` (an `error`). */
export function coinbaseResponder(unknown: readonly string[] = []): Responder {
  return (request, reply) => {
    if (request.type !== 'subscribe') return;
    const products = Array.isArray(request.product_ids) ? (request.product_ids as string[]) : [];
    const bad = products.find((product) => unknown.includes(product));
    if (bad !== undefined) {
      reply({ type: 'error', message: 'Failed to subscribe', reason: `${bad} is not a valid product` });
      return;
    }
    const channels = (Array.isArray(request.channels) ? (request.channels as string[]) : []).map((name) => ({
      name,
      product_ids: products,
    }));
    reply({ type: 'subscriptions', channels });
  };
}

export function coinbaseTicker(fields: {
  product: string;
  price: string;
  size: string;
  sequence: number;
  tradeId: number;
  time: string;
  bid?: string;
  ask?: string;
}) {
  return {
    type: 'ticker',
    sequence: fields.sequence,
    product_id: fields.product,
    price: fields.price,
    open_24h: '60100.00',
    volume_24h: '9756.91661100',
    low_24h: '59012.73',
    high_24h: '62104.12',
    volume_30d: '539862.62714400',
    best_bid: fields.bid ?? fields.price,
    best_bid_size: '0.02453500',
    best_ask: fields.ask ?? fields.price,
    best_ask_size: '0.06298200',
    side: 'buy',
    time: fields.time,
    trade_id: fields.tradeId,
    last_size: fields.size,
  };
}

export function coinbaseHeartbeat(product: string, sequence: number, lastTradeId: number, time: string) {
  return { type: 'heartbeat', sequence, last_trade_id: lastTradeId, product_id: product, time };
}

// --- Kraken WebSocket v2 (https://docs.kraken.com/api/docs/websocket-v2/trade, .../ticker, .../status)

/** Acknowledges each symbol of a subscribe, refusing those in `unknown` the way Kraken does. */
export function krakenResponder(unknown: readonly string[] = []): Responder {
  return (request, reply) => {
    if (request.method !== 'subscribe') return;
    const params = (request.params ?? {}) as { channel?: string; symbol?: string[] };
    for (const symbol of params.symbol ?? []) {
      const times = { time_in: '2024-05-01T10:00:00.000000Z', time_out: '2024-05-01T10:00:00.000100Z' };
      if (unknown.includes(symbol)) {
        reply({
          error: `Currency pair not supported ${symbol}`,
          method: 'subscribe',
          success: false,
          symbol,
          ...times,
          req_id: request.req_id,
        });
      } else {
        reply({
          method: 'subscribe',
          result: { channel: params.channel, snapshot: false, symbol },
          success: true,
          ...times,
          req_id: request.req_id,
        });
      }
    }
  };
}

export function krakenStatus(system: 'online' | 'maintenance' | 'cancel_only' | 'post_only') {
  return {
    channel: 'status',
    type: 'update',
    data: [{ api_version: 'v2', connection_id: 12393906104898154000, system, version: '2.0.0' }],
  };
}

export function krakenTrade(
  trades: Array<{ pair: string; price: number; qty: number; tradeId: number; timestamp: string; side?: 'buy' | 'sell' }>,
) {
  return {
    channel: 'trade',
    type: 'update',
    data: trades.map((trade) => ({
      symbol: trade.pair,
      side: trade.side ?? 'sell',
      price: trade.price,
      qty: trade.qty,
      ord_type: 'market',
      trade_id: trade.tradeId,
      timestamp: trade.timestamp,
    })),
  };
}

export function krakenTicker(pair: string, bid: number, ask: number, last: number) {
  return {
    channel: 'ticker',
    type: 'update',
    data: [
      {
        symbol: pair,
        bid,
        bid_qty: 0.5,
        ask,
        ask_qty: 1.2,
        last,
        volume: 1520.3,
        vwap: (bid + ask) / 2,
        low: last * 0.98,
        high: last * 1.02,
        change: 120.5,
        change_pct: 0.2,
      },
    ],
  };
}
