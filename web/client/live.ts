// The live connection: EventSource with its own reconnect after a refusal, and the state the page
// shows (connecting, live, disconnected). EventSource resends Last-Event-ID when it reconnects.

export type ConnectionState = 'connecting' | 'live' | 'disconnected';

export interface LiveHandlers {
  onState(state: ConnectionState): void;
  /** After a reconnect or a reset: the page reloads its snapshots. */
  onResync(): void;
  onEvent(type: string, data: unknown): void;
}

const TYPES = ['tick', 'indicators', 'signal', 'panel', 'leds', 'health', 'controls', 'notification'];

export class LiveConnection {
  private source: EventSource | undefined;
  private everOpen = false;
  private retryTimer: number | undefined;
  private retryMs = 1000;

  constructor(
    private readonly url: string,
    private readonly handlers: LiveHandlers,
  ) {}

  start(): void {
    this.handlers.onState('connecting');
    const source = new EventSource(this.url);
    this.source = source;
    source.addEventListener('open', () => {
      this.retryMs = 1000;
      this.handlers.onState('live');
      if (this.everOpen) this.handlers.onResync();
      this.everOpen = true;
    });
    source.addEventListener('error', () => {
      this.handlers.onState('disconnected');
      // CLOSED: the browser gave up (a refusal such as 503); try again ourselves, backing off.
      if (source.readyState === EventSource.CLOSED) {
        window.clearTimeout(this.retryTimer);
        this.retryTimer = window.setTimeout(() => this.start(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 30_000);
      }
    });
    source.addEventListener('reset', () => this.handlers.onResync());
    for (const type of TYPES) {
      source.addEventListener(type, (event) => {
        let data: unknown;
        try {
          data = JSON.parse((event as MessageEvent<string>).data);
        } catch {
          return;
        }
        this.handlers.onEvent(type, data);
      });
    }
  }
}
