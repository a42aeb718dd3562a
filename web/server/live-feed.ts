// The dashboard's live input: ticks, indicators, signals and the notifier's dashboard notifications
// read from the bus (a reader outside any group, so every dashboard gets every message, from the
// latest one; the bus resumes it where it was after the cluster was away), checked like every other door,
// thinned and handed to the event hub.
import {
  checkTick,
  type Tick,
  checkIndicatorRecord,
  checkNotification,
  checkSignal,
  type DashboardNotification,
} from '../../core/contracts/index.js';
import type { Bus, BusMessage, Subscription } from '../../platform/bus/bus.js';
import type { Logger } from '../../platform/log.js';
import type { EventHub } from './event-hub.js';

export interface LiveFeedOptions {
  readonly bus: Bus;
  readonly hub: EventHub;
  readonly logger: Logger;
  readonly topics: { readonly ticks: string; readonly indicators: string; readonly signals: string; readonly notifications: string };
  /** Each checked notification from the notifications topic (the dashboard drops an id it has shown). */
  readonly onNotification?: (notification: DashboardNotification) => void;
  readonly symbols: readonly string[];
  /** At most one tick (the newest) per symbol this often; browsers on a Pi's LAN need no more. */
  readonly tickIntervalMs?: number | undefined;
  readonly now?: () => number;
}

export interface SymbolActivity {
  readonly lastTick: Tick;
  /** When this process received it (epoch ms). */
  readonly receivedAt: number;
}

const MINUTE_MS = 60_000;

/** A bus value this large is nothing the dashboard shows. */
const MAX_VALUE_CHARS = 64 * 1024;

export class LiveFeed {
  private subscription: Subscription | undefined;
  private readonly activity = new Map<string, SymbolActivity>();
  private readonly pendingTicks = new Map<string, Tick>();
  private readonly lastTickSent = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | undefined;
  /** Highest offset seen per `topic:partition` (for consumer lag). */
  private readonly endOffsets = new Map<string, bigint>();
  readonly counters = { shown: 0, ignored: 0, rejected: 0 };
  private readonly now: () => number;

  constructor(private readonly options: LiveFeedOptions) {
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    const { bus, topics } = this.options;
    const names = [topics.ticks, topics.indicators, topics.signals, topics.notifications];
    await bus.ensureTopics(names.map((name) => ({ name })));
    this.subscription = await bus.consume({
      topics: names,
      from: 'latest',
      handler: async (batch) => this.handle(batch),
    });
  }

  async stop(): Promise<void> {
    clearTimeout(this.flushTimer);
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  get running(): boolean {
    return this.subscription !== undefined;
  }

  activityOf(symbol: string): SymbolActivity | undefined {
    return this.activity.get(symbol);
  }

  /** The next offset to be written per partition of `topic`, as far as this feed has seen. */
  endOffsetsOf(topic: string): Map<number, bigint> {
    const out = new Map<number, bigint>();
    for (const [key, offset] of this.endOffsets) {
      const at = key.lastIndexOf(':');
      if (key.slice(0, at) === topic) out.set(Number(key.slice(at + 1)), offset + 1n);
    }
    return out;
  }

  /** Malformed messages are counted and logged, never thrown (that would redeliver them forever). */
  handle(batch: readonly BusMessage[]): void {
    for (const message of batch) {
      const key = `${message.topic}:${message.partition}`;
      try {
        const offset = BigInt(message.offset);
        if (offset > (this.endOffsets.get(key) ?? -1n)) this.endOffsets.set(key, offset);
      } catch {
        // An offset that is not a number is the bus's problem; lag is then unknown.
      }
      try {
        this.counters[this.apply(message)]++;
      } catch (error) {
        this.counters.rejected++;
        this.options.logger.warn(
          { topic: message.topic, offset: message.offset, reason: (error as Error).message },
          'web: malformed message skipped',
        );
      }
    }
  }

  private apply(message: BusMessage): 'shown' | 'ignored' {
    const { topics, hub, symbols } = this.options;
    if (message.value.length > MAX_VALUE_CHARS) throw new Error(`value of ${message.value.length} characters, over ${MAX_VALUE_CHARS}`);
    let value: unknown;
    try {
      value = JSON.parse(message.value);
    } catch {
      throw new Error('not JSON');
    }
    const latest = this.now() + 60_000;
    if (message.topic === topics.ticks) {
      const check = checkTick(value, latest);
      if (!check.ok) throw new Error(check.reason);
      if (!symbols.includes(check.tick.symbol)) return 'ignored';
      this.activity.set(check.tick.symbol, { lastTick: check.tick, receivedAt: this.now() });
      this.queueTick(check.tick);
      return 'shown';
    }
    if (message.topic === topics.indicators) {
      const check = checkIndicatorRecord(value, latest);
      if (!check.ok) throw new Error(check.reason);
      if (!symbols.includes(check.value.symbol)) return 'ignored';
      hub.publish('indicators', check.value);
      return 'shown';
    }
    if (message.topic === topics.notifications) {
      // No upper bound on ts: it is the notifier's clock, on another node (a Pi without a real-time
      // clock may be off), and it is only shown.
      const check = checkNotification(value);
      if (!check.ok) throw new Error(check.reason);
      this.options.onNotification?.(check.value);
      return 'shown';
    }
    const check = checkSignal(value, latest);
    if (!check.ok) throw new Error(check.reason);
    if (!symbols.includes(check.value.symbol)) return 'ignored';
    hub.publish('signal', check.value);
    return 'shown';
  }

  private queueTick(tick: Tick): void {
    const interval = this.options.tickIntervalMs ?? 250;
    const last = this.lastTickSent.get(tick.symbol) ?? 0;
    if (this.now() - last >= interval && !this.pendingTicks.has(tick.symbol)) {
      this.lastTickSent.set(tick.symbol, this.now());
      this.options.hub.publish('tick', tick);
      return;
    }
    // The last tick of a minute closes a candle of every timeframe the chart shows (1m, 5m, 1h all end
    // on a minute): it goes out now rather than be replaced, or the chart's close would differ from the
    // processor's for good (issue 15: the chart and the side panel read different numbers).
    const pending = this.pendingTicks.get(tick.symbol);
    if (pending !== undefined && Math.floor(pending.ts / MINUTE_MS) !== Math.floor(tick.ts / MINUTE_MS)) {
      this.lastTickSent.set(tick.symbol, this.now());
      this.options.hub.publish('tick', pending);
    }
    this.pendingTicks.set(tick.symbol, tick);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      for (const [symbol, pending] of this.pendingTicks) {
        this.lastTickSent.set(symbol, this.now());
        this.options.hub.publish('tick', pending);
      }
      this.pendingTicks.clear();
    }, interval);
  }
}
