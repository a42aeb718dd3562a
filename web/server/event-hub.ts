// Server-sent events for every dashboard. Every event goes into one bounded history (the newest
// frame, LEDs, health and controls, and every tick, record, signal and notification), and each client
// is a cursor into it: it is written to while its socket takes more, and picks up where it was when
// the socket drains. A client that reconnects with Last-Event-ID starts from that event. So a burst
// (the processor catching up after a failover) costs no memory per client and cuts no one off; a
// client whose next event has already left the history is told to reset. Heartbeats, a client cap.
import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

/** Every event type the dashboard reads; `data` is JSON. */
export type DashboardEventType =
  | 'tick'
  | 'indicators'
  | 'signal'
  | 'panel'
  | 'leds'
  | 'health'
  | 'controls'
  /** A notification for the dashboard (issue 9's dashboard feed, or the test notification). */
  | 'notification'
  /** The client's Last-Event-ID cannot be resumed: it must reload its snapshots. */
  | 'reset';

export interface HubEvent {
  readonly id: string;
  readonly type: DashboardEventType;
  readonly data: string;
}

export interface EventHubOptions {
  readonly maxClients: number;
  /** Events kept for resume (default 5,000), and the bytes they may take (default 4 MiB). */
  readonly historySize?: number;
  readonly historyBytes?: number;
  readonly heartbeatMs?: number | undefined;
  /** Response headers every stream carries besides the SSE ones (the security headers). */
  readonly headers?: Readonly<Record<string, string>>;
}

interface Client {
  readonly response: ServerResponse;
  /** The sequence of the last event written to it. */
  cursor: number;
  /** False from a write the socket could not take at once until it drains. */
  writable: boolean;
}

export class EventHub {
  /** Changes at every start, so ids from an earlier run are never taken for ours. */
  readonly bootId = randomBytes(4).toString('hex');
  private sequence = 0;
  private readonly history: HubEvent[] = [];
  private historyBytes = 0;
  /** The sequence of the newest event trimmed from the history: a client that saw less must reset. */
  private trimmedThrough = 0;
  private readonly clients = new Set<Client>();
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;
  /** `reset`: clients told to start over because they fell behind the history. */
  readonly counters = { reset: 0, refused: 0 };

  constructor(private readonly options: EventHubOptions) {
    this.heartbeat = setInterval(() => this.broadcastRaw(': heartbeat\n\n'), options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  publish(type: DashboardEventType, payload: unknown): HubEvent {
    const event: HubEvent = { id: `${this.bootId}-${++this.sequence}`, type, data: JSON.stringify(payload) };
    if (LATEST_ONLY.has(type)) {
      // A state that replaces the last one (the OLED's frame, say): only the newest is worth resending.
      const superseded = this.history.findIndex((kept) => kept.type === type);
      if (superseded >= 0) this.historyBytes -= this.history.splice(superseded, 1)[0]!.data.length;
    }
    this.history.push(event);
    this.historyBytes += event.data.length;
    while (
      this.history.length > (this.options.historySize ?? 5000) ||
      (this.history.length > 1 && this.historyBytes > (this.options.historyBytes ?? 4 * 1024 * 1024))
    ) {
      const trimmed = this.history.shift()!;
      this.historyBytes -= trimmed.data.length;
      this.trimmedThrough = sequenceOf(trimmed);
    }
    for (const client of this.clients) this.pump(client);
    return event;
  }

  /** Serves one stream on a hijacked response; false (and a 503 written) when the cap is reached. */
  attach(response: ServerResponse, lastEventId: string | undefined): boolean {
    if (this.closed || this.clients.size >= this.options.maxClients) {
      this.counters.refused++;
      response.writeHead(503, {
        ...this.options.headers,
        'content-type': 'application/json; charset=utf-8',
        'retry-after': '10',
        'cache-control': 'no-store',
      });
      response.end(
        JSON.stringify({ error: 'ERR_TOO_MANY_CLIENTS', message: `${this.options.maxClients} live connections already; try again later` }),
      );
      return false;
    }
    response.writeHead(200, {
      ...this.options.headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const client: Client = { response, cursor: this.sequence, writable: true };
    this.clients.add(client);
    response.on('close', () => this.clients.delete(client));
    this.write(client, 'retry: 2000\n\n');
    if (lastEventId !== undefined && lastEventId !== '') {
      const match = /^([0-9a-f]{8})-(\d{1,15})$/.exec(lastEventId);
      const seen = match ? Number(match[2]) : Number.NaN;
      // An id of another boot, or from the future, cannot be resumed: a cursor before any event resets.
      client.cursor = match !== null && match[1] === this.bootId && seen <= this.sequence ? seen : -1;
    }
    this.pump(client);
    return true;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.response.end();
    this.clients.clear();
  }

  /** Writes the client's next events while its socket takes them; resumed by the socket's drain. */
  private pump(client: Client): void {
    if (!client.writable || client.cursor >= this.sequence) return;
    if (client.cursor < this.trimmedThrough) {
      // Its next event is gone: the page reloads its snapshots and follows from the newest event.
      this.counters.reset++;
      client.cursor = this.sequence;
      this.write(client, format({ id: `${this.bootId}-${this.sequence}`, type: 'reset', data: '{}' }));
      return;
    }
    for (let i = this.firstAfter(client.cursor); i < this.history.length && client.writable; i++) {
      const event = this.history[i]!;
      client.cursor = sequenceOf(event);
      this.write(client, format(event));
    }
    // Superseded events (an older frame) are not in the history: the client has seen all there is.
    if (client.writable) client.cursor = this.sequence;
  }

  /** The index of the first event in the history after `sequence` (the history is in sequence order). */
  private firstAfter(sequence: number): number {
    let low = 0;
    let high = this.history.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sequenceOf(this.history[middle]!) <= sequence) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private broadcastRaw(chunk: string): void {
    // Only to clients that are up to date and writable: the others get their events first.
    for (const client of this.clients) if (client.writable && client.cursor >= this.sequence) this.write(client, chunk);
  }

  private write(client: Client, chunk: string): void {
    const { response } = client;
    if (response.destroyed || response.writableEnded) return;
    if (!response.write(chunk)) {
      client.writable = false;
      response.once('drain', () => {
        client.writable = true;
        this.pump(client);
      });
    }
  }
}

/** Event types whose newest event makes the earlier ones moot for a client that resumes. */
const LATEST_ONLY: ReadonlySet<DashboardEventType> = new Set(['panel', 'leds', 'health', 'controls']);

function sequenceOf(event: HubEvent): number {
  return Number(event.id.slice(event.id.indexOf('-') + 1));
}

function format(event: HubEvent): string {
  // JSON never contains a raw newline, so one data line is enough.
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${event.data}\n\n`;
}
