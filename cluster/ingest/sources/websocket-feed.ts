// The part the exchange feeds share: connect, subscribe, hand frames to the protocol's parser,
// reconnect with jittered exponential backoff, and notice staleness (no message for a while).
import WebSocket from 'ws';
import type { FrameEvent } from '../../../core/ingest/frames.js';
import { backoffDelay, sleep } from '../../../platform/retry.js';
import type { PriceSource, SourceDeps, SourceSink, SourceStatus } from '../source.js';

/** What differs between exchanges. Implementations may keep state across frames (reset on connect). */
export interface FeedProtocol {
  readonly name: string;
  subscribeFrames(symbols: readonly string[]): string[];
  /** Called on each new connection, before the subscribe frames are sent. */
  reset(): void;
  parse(text: string, receivedAt: number): FrameEvent[];
}

export interface WebSocketFeedOptions {
  readonly url: string;
  readonly staleAfterSeconds: number;
  /** Reconnect delays: between half and all of min(maxMs, initialMs * 2^attempt). */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  readonly random?: () => number;
  /** Frames longer than this are refused as 'oversized' (default 64 KiB). */
  readonly maxFrameChars?: number;
}

const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 60_000 };
const MAX_PAYLOAD_BYTES = 1 << 20;

export class WebSocketFeedSource implements PriceSource {
  readonly name: string;
  /** Counters for logs and /metrics. */
  reconnects = 0;
  gaps = 0;
  private lastMessageAt = 0;
  private connected = false;
  private problem = 'not started';
  private refused: string | undefined;
  private exchangeDown: string | undefined;
  private attempt = 0;
  private readonly now: () => number;

  constructor(
    private readonly protocol: FeedProtocol,
    private readonly options: WebSocketFeedOptions,
    private readonly deps: SourceDeps,
  ) {
    this.name = protocol.name;
    this.now = deps.now ?? Date.now;
  }

  async run(sink: SourceSink, signal: AbortSignal): Promise<void> {
    const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
    while (!signal.aborted) {
      const reason = await this.connectOnce(sink, signal);
      this.connected = false;
      if (signal.aborted) break;
      const delay = backoffDelay(this.attempt++, { ...backoff, ...(this.options.random ? { random: this.options.random } : {}) });
      this.problem = `disconnected (${reason}); reconnecting in ${delay} ms`;
      this.deps.logger.warn(
        { source: this.name, reason, delayMs: delay, attempt: this.attempt },
        `${this.name}: connection lost, reconnecting`,
      );
      this.reconnects++;
      await sleep(delay, signal);
    }
  }

  status(): SourceStatus {
    const base = { lastMessageAt: this.lastMessageAt, simulated: false };
    if (!this.connected) return { ...base, ok: false, detail: this.problem };
    if (this.isStale()) return { ...base, ok: false, detail: `stale: no message for over ${this.options.staleAfterSeconds} s` };
    if (this.refused !== undefined) return { ...base, ok: false, detail: `subscription refused: ${this.refused}` };
    if (this.exchangeDown !== undefined) return { ...base, ok: false, detail: this.exchangeDown };
    return { ...base, ok: true, detail: `connected${this.gaps > 0 ? `, ${this.gaps} sequence gap(s) seen` : ''}` };
  }

  private isStale(): boolean {
    const since = this.lastMessageAt === 0 ? this.connectedAt : this.lastMessageAt;
    return this.now() - since > this.options.staleAfterSeconds * 1000;
  }

  private connectedAt = 0;

  /** One connection's life; resolves with why it ended. */
  private connectOnce(sink: SourceSink, signal: AbortSignal): Promise<string> {
    const maxFrameChars = this.options.maxFrameChars ?? 64 * 1024;
    return new Promise((resolve) => {
      let settled = false;
      let queue: Promise<void> = Promise.resolve();
      const socket = new WebSocket(this.options.url, { maxPayload: MAX_PAYLOAD_BYTES, handshakeTimeout: 10_000 });
      const staleTimer = setInterval(
        () => {
          if (!this.connected || !this.isStale()) return;
          this.deps.logger.warn(
            { source: this.name, staleAfterSeconds: this.options.staleAfterSeconds },
            `${this.name}: no message for too long, reconnecting`,
          );
          finish(`stale: no message for over ${this.options.staleAfterSeconds} s`);
        },
        Math.min(1000, Math.max(20, (this.options.staleAfterSeconds * 1000) / 4)),
      );
      const onAbort = () => finish('stopped');
      signal.addEventListener('abort', onAbort, { once: true });

      const finish = (reason: string) => {
        if (settled) return;
        settled = true;
        clearInterval(staleTimer);
        signal.removeEventListener('abort', onAbort);
        socket.removeAllListeners();
        socket.on('error', () => {});
        socket.terminate();
        // Frames already received are handed over before reconnecting, in order.
        void queue.then(() => resolve(reason));
      };

      socket.on('open', () => {
        this.connected = true;
        this.connectedAt = this.now();
        this.refused = undefined;
        this.exchangeDown = undefined;
        this.protocol.reset();
        this.deps.logger.info(
          { source: this.name, url: this.options.url, symbols: this.deps.symbols },
          `${this.name}: connected, subscribing`,
        );
        for (const frame of this.protocol.subscribeFrames(this.deps.symbols)) socket.send(frame);
      });
      socket.on('message', (data: WebSocket.RawData) => {
        const text = Buffer.isBuffer(data)
          ? data.toString('utf8')
          : Array.isArray(data)
            ? Buffer.concat(data).toString('utf8')
            : Buffer.from(data).toString('utf8');
        const receivedAt = this.now();
        this.lastMessageAt = receivedAt;
        queue = queue
          .then(() => this.handle(text, receivedAt, maxFrameChars, sink))
          .catch((error: unknown) => {
            this.deps.logger.error({ source: this.name, err: error }, `${this.name}: handing a frame over failed`);
          });
      });
      socket.on('close', (code: number, reason: Buffer) =>
        finish(`closed with code ${code}${reason.length > 0 ? ` ${reason.toString('utf8').slice(0, 100)}` : ''}`),
      );
      socket.on('error', (error: Error) => finish(error.message));
    });
  }

  private async handle(text: string, receivedAt: number, maxFrameChars: number, sink: SourceSink): Promise<void> {
    if (text.length > maxFrameChars) {
      await sink.reject(text, 'oversized', `frame of ${text.length} characters, more than ${maxFrameChars}`);
      return;
    }
    for (const event of this.protocol.parse(text, receivedAt)) {
      switch (event.kind) {
        case 'tick':
          // Data flows again: the next disconnection starts the backoff from the beginning.
          this.attempt = 0;
          await sink.observe(event.tick, text);
          break;
        case 'malformed':
          await sink.reject(text, 'malformed', `${this.name}: ${event.detail}`);
          break;
        case 'subscribed':
          this.attempt = 0;
          this.deps.logger.info({ source: this.name, detail: event.detail }, `${this.name}: ${event.detail}`);
          break;
        case 'error':
          this.refused = event.detail;
          this.deps.logger.error({ source: this.name, detail: event.detail }, `${this.name}: the exchange refused: ${event.detail}`);
          break;
        case 'status':
          this.exchangeDown = event.ok ? undefined : event.detail;
          this.deps.logger.info({ source: this.name, detail: event.detail }, `${this.name}: exchange status ${event.detail}`);
          break;
        case 'gap':
          this.gaps++;
          this.deps.logger.warn(
            { source: this.name, symbol: event.symbol, detail: event.detail },
            `${this.name}: sequence gap: ${event.detail}`,
          );
          break;
        case 'quote':
        case 'heartbeat':
        case 'ignored':
          break;
      }
    }
  }
}
