// A local HTTP server that answers like Alpha Vantage's /query endpoint: a script of responses
// (documented bodies, each error form, HTTP errors, garbage, silence) served in turn, the last one
// repeated. Bodies follow https://www.alphavantage.co/documentation/#currency-exchange.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedResponse {
  readonly status?: number;
  readonly body: string;
  /** Wait this long before answering (a timeout test); the answer may never matter. */
  readonly delayMs?: number;
  /** Announce this Content-Length, send `body`, then hold the connection open without the rest. */
  readonly claimedLength?: number;
  /** Without a Content-Length (chunked): send `body`, then this chunk every 5 ms until the client goes. */
  readonly endless?: string;
}

export class AlphaVantageServer {
  /** Each request's URL (path and query), in order. */
  readonly requests: URL[] = [];
  private script: ScriptedResponse[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<AlphaVantageServer> {
    const holder: { instance?: AlphaVantageServer } = {};
    const server = createServer((request: IncomingMessage, response) => {
      const self = holder.instance!;
      self.requests.push(new URL(request.url ?? '/', 'http://localhost'));
      const next = self.script.length > 1 ? self.script.shift()! : self.script[0];
      const answer = () => {
        if (response.destroyed) return;
        if (next?.claimedLength !== undefined) {
          response.writeHead(next.status ?? 200, { 'content-type': 'application/json', 'content-length': String(next.claimedLength) });
          response.write(next.body);
          return;
        }
        if (next?.endless !== undefined) {
          response.writeHead(next.status ?? 200, { 'content-type': 'application/json' });
          response.write(next.body);
          const chunk = next.endless;
          const timer = setInterval(() => (response.destroyed ? clearInterval(timer) : response.write(chunk)), 5);
          response.on('close', () => clearInterval(timer));
          return;
        }
        response.writeHead(next?.status ?? 200, { 'content-type': 'application/json' });
        response.end(next?.body ?? '{}');
      };
      if (next?.delayMs) setTimeout(answer, next.delayMs).unref();
      else answer();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.instance = new AlphaVantageServer(server, `http://127.0.0.1:${port}/query`);
    return holder.instance;
  }

  /** Replaces what the next requests get. */
  serve(...responses: ScriptedResponse[]): void {
    this.script = responses;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function exchangeRateBody(rate: string, lastRefreshed: string, bid = rate, ask = rate, from = 'BTC', to = 'USD'): string {
  return JSON.stringify({
    'Realtime Currency Exchange Rate': {
      '1. From_Currency Code': from,
      '2. From_Currency Name': from === 'BTC' ? 'Bitcoin' : from,
      '3. To_Currency Code': to,
      '4. To_Currency Name': to === 'USD' ? 'United States Dollar' : to,
      '5. Exchange Rate': rate,
      '6. Last Refreshed': lastRefreshed,
      '7. Time Zone': 'UTC',
      '8. Bid Price': bid,
      '9. Ask Price': ask,
    },
  });
}

/** The older rate-limit answer. */
export const NOTE_BODY = JSON.stringify({
  Note: 'Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute and 500 calls per day.',
});

/** Today's daily-limit answer; it quotes the key back. */
export function informationBody(key: string): string {
  return JSON.stringify({
    Information: `We have detected your API key as ${key} and our standard API rate limit is 25 requests per day. Please subscribe to any of the premium plans to instantly remove all daily rate limits.`,
  });
}

export const ERROR_MESSAGE_BODY = JSON.stringify({
  'Error Message':
    'Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for CURRENCY_EXCHANGE_RATE.',
});
