// Server-sent events for every dashboard: a bounded history for Last-Event-ID resume (the newest
// frame, LEDs, health and controls, and every tick, record, signal and notification), a bounded
// queue per client (a client that cannot keep up is dropped and reconnects), heartbeats, a client cap.
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
  /** Bytes queued for one slow client before it is dropped. */
  readonly maxQueuedBytes?: number;
  readonly heartbeatMs?: number | undefined;
  /** Response headers every stream carries besides the SSE ones (the security headers). */
  readonly headers?: Readonly<Record<string, string>>;
}

interface Client {
  readonly response: ServerResponse;
  queued: string[];
  queuedBytes: number;
  waitingForDrain: boolean;
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
  readonly counters = { dropped: 0, refused: 0 };

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
    this.broadcastRaw(format(event));
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
    const client: Client = { response, queued: [], queuedBytes: 0, waitingForDrain: false };
    this.clients.add(client);
    response.on('close', () => this.clients.delete(client));
    this.send(client, 'retry: 2000\n\n');
    for (const chunk of this.resume(lastEventId)) this.send(client, chunk);
    return true;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.response.end();
    this.clients.clear();
  }

  /** What a reconnecting client missed, or a reset when that is no longer known. */
  private resume(lastEventId: string | undefined): string[] {
    if (lastEventId === undefined || lastEventId === '') return [];
    const match = /^([0-9a-f]{8})-(\d{1,15})$/.exec(lastEventId);
    const seen = match ? Number(match[2]) : Number.NaN;
    const resumable = match !== null && match[1] === this.bootId && seen <= this.sequence && seen >= this.trimmedThrough;
    if (!resumable) return [format({ id: `${this.bootId}-${this.sequence}`, type: 'reset', data: '{}' })];
    return this.history.filter((event) => sequenceOf(event) > seen).map(format);
  }

  private broadcastRaw(chunk: string): void {
    for (const client of this.clients) this.send(client, chunk);
  }

  private send(client: Client, chunk: string): void {
    if (client.waitingForDrain) {
      client.queued.push(chunk);
      client.queuedBytes += chunk.length;
      if (client.queuedBytes > (this.options.maxQueuedBytes ?? 256 * 1024)) {
        // Too far behind: drop it; EventSource reconnects and resumes or resets.
        this.counters.dropped++;
        this.clients.delete(client);
        client.response.destroy();
      }
      return;
    }
    if (!client.response.write(chunk)) {
      client.waitingForDrain = true;
      client.response.once('drain', () => {
        client.waitingForDrain = false;
        const queued = client.queued;
        client.queued = [];
        client.queuedBytes = 0;
        for (const next of queued) this.send(client, next);
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
