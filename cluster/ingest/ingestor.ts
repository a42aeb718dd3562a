// The ingest role: runs one price source, validates everything it observes, and puts valid ticks on
// the ticks topic (keyed by symbol) and the rest on the DLQ with a reason, both through the durable
// outbox so that nothing is lost while the bus is away.
import type { Role } from '../../platform/role.js';
import type { Bus } from '../../platform/bus/bus.js';
import type { Logger } from '../../platform/log.js';
import type { HealthCheck, HealthStatus } from '../../platform/health.js';
import { sleep } from '../../platform/retry.js';
import { SYMBOL_PATTERN, clippedValue, type IngestDeadLetter } from '../../core/contracts/index.js';
import type { IngestMetrics } from './metrics.js';
import { Outbox, OutboxDrainer } from './outbox.js';
import type { PriceSource, RejectReason, SourceSink, SourceStatus } from './source.js';
import { TickValidator } from './validate.js';

export interface IngestorOptions {
  readonly source: PriceSource;
  readonly bus: Bus;
  readonly logger: Logger;
  readonly topics: { readonly ticks: string; readonly dlq: string };
  readonly symbols: readonly string[];
  readonly maxClockSkewMs: number;
  /** Live sources: a tick older than this is 'too-old'. Undefined for a replayed file. */
  readonly maxAgeMs: number | undefined;
  readonly outbox: { readonly file: string; readonly maxTicks: number; readonly flushIntervalMs?: number };
  readonly metrics?: IngestMetrics;
  /** A source silent this long is stale (health fails, logged); undefined: not watched (replay). */
  readonly staleAfterMs?: number;
  /**
   * For a finite source (a replayed file): observe() waits while this many messages wait in the
   * outbox, instead of letting the bound drop them. Live sources never wait: they cannot pause.
   */
  readonly backpressureAt?: number;
  readonly now?: () => number;
}

const REJECT_LOG_INTERVAL_MS = 30_000;
const WATCH_INTERVAL_MS = 1000;
/** How long stop() waits for the source, then for a publish in hand: both within the CLI's 5 s grace. */
const STOP_WAIT_MS = 1500;

export class Ingestor implements Role {
  private readonly validator: TickValidator;
  private readonly now: () => number;
  private readonly abort = new AbortController();
  private outbox: Outbox | undefined;
  private drainer: OutboxDrainer | undefined;
  private running: Promise<void> | undefined;
  private watchTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private finishedAt: number | undefined;
  private fault: Error | undefined;
  private stale = false;
  private stopped = false;
  private accepted = 0;
  private rejectedSinceLog = 0;
  private lastRejectLog = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: IngestorOptions) {
    this.now = options.now ?? Date.now;
    this.validator = new TickValidator({ symbols: options.symbols, maxClockSkewMs: options.maxClockSkewMs, maxAgeMs: options.maxAgeMs });
  }

  /** Opens the outbox (draining what a previous run left), starts the drainer and the source. */
  async start(): Promise<void> {
    const { bus, topics, logger, metrics } = this.options;
    await bus.ensureTopics([{ name: topics.ticks }, { name: topics.dlq }]);
    const outbox = new Outbox({
      ...this.options.outbox,
      logger,
      now: this.now,
      onDrop: (count) => metrics?.outboxDropped.inc(count),
    });
    this.outbox = outbox;
    this.drainer = new OutboxDrainer({
      outbox,
      bus,
      logger,
      now: this.now,
      onPublished: (topic, count) => metrics?.published.inc({ topic }, count),
    });
    this.drainer.start();
    this.startedAt = this.now();
    this.watchTimer = setInterval(() => this.watch(), WATCH_INTERVAL_MS);
    this.watchTimer.unref();
    const sink: SourceSink = {
      observe: (candidate, raw) => this.observe(candidate, raw),
      reject: (raw, reason, detail) => this.reject(raw, reason, detail),
    };
    this.running = Promise.resolve()
      .then(() => this.options.source.run(sink, this.abort.signal))
      .then(
        () => {
          this.finishedAt = this.now();
          if (!this.abort.signal.aborted) logger.info({ accepted: this.accepted }, `source ${this.options.source.name} finished`);
        },
        (error: unknown) => {
          this.fault = error instanceof Error ? error : new Error(String(error));
          logger.error({ err: this.fault }, `source ${this.options.source.name} failed`);
        },
      );
  }

  /** Resolves when the source's run ends: a replayed file is done, the source failed, or stop(). */
  async finished(): Promise<{ readonly error?: Error }> {
    await this.running;
    return this.fault ? { error: this.fault } : {};
  }

  /** Resolves once the outbox is empty (everything accepted is on the bus), or when `signal` aborts. */
  async drained(signal?: AbortSignal): Promise<void> {
    await this.drainer?.drained(signal);
  }

  /** Stops the source, writes what it accepted to disk, and stops draining (waiting briefly for a hung publish). */
  async stop(): Promise<void> {
    this.abort.abort();
    clearInterval(this.watchTimer);
    if (this.running) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.running, new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
      clearTimeout(timer);
    }
    this.stopped = true;
    this.outbox?.flush();
    await this.drainer?.stop(STOP_WAIT_MS);
    this.outbox?.close();
  }

  checks(): HealthCheck[] {
    return [
      { name: 'source', check: () => this.sourceHealth() },
      { name: 'outbox', check: () => this.drainer?.health() ?? { ok: false, detail: 'not started' } },
    ];
  }

  /** The source and the outbox together: down when either is. */
  health(): HealthStatus {
    const parts = [this.sourceHealth(), this.drainer?.health() ?? { ok: false, detail: 'not started' }];
    return { ok: parts.every((part) => part.ok), detail: parts.map((part) => part.detail).join('; ') };
  }

  sourceHealth(): HealthStatus {
    const name = this.options.source.name;
    if (this.fault) return { ok: false, detail: `${name} failed: ${this.fault.message}` };
    if (this.finishedAt !== undefined) return { ok: true, detail: `${name} finished; ${this.accepted} ticks accepted` };
    const status = this.sourceStatus();
    const silenceMs = this.silenceMs(status);
    const staleAfter = this.options.staleAfterMs;
    const stale = staleAfter !== undefined && this.startedAt > 0 && silenceMs > staleAfter;
    const parts = [`${name}: ${status.detail}`];
    if (stale) parts.push(`stale: nothing for ${Math.round(silenceMs / 1000)} s`);
    if (status.simulated) parts.push('SIMULATED data');
    return { ok: status.ok && !stale, detail: parts.join('; ') };
  }

  private observe(candidate: Readonly<Record<string, unknown>>, raw: string): void | Promise<void> {
    const { metrics, source, topics, logger } = this.options;
    let verdict;
    try {
      verdict = this.validator.check(candidate, this.now());
    } catch (error) {
      // A candidate no plain object would be (a getter that throws, a proxy): still only a rejection.
      return this.reject(raw, 'malformed', `not a readable object: ${(error as Error).message}`, candidate);
    }
    switch (verdict.kind) {
      case 'accept':
        if (!this.put(topics.ticks, verdict.tick.symbol, verdict.value)) return;
        this.accepted++;
        metrics?.observations.inc({ source: source.name, result: 'accepted' });
        if (verdict.late) metrics?.outOfOrder.inc({ source: source.name });
        return this.backpressure();
      case 'duplicate':
        metrics?.observations.inc({ source: source.name, result: 'duplicate' });
        logger.debug({ symbol: verdict.tick.symbol, ts: verdict.tick.ts }, 'exact duplicate dropped');
        return;
      case 'reject':
        return this.reject(raw, verdict.reason, verdict.detail, candidate);
    }
  }

  private reject(raw: unknown, reason: RejectReason, detail: unknown, candidate?: Readonly<Record<string, unknown>>): void | Promise<void> {
    const { metrics, source, topics, logger } = this.options;
    const text = safeString(raw);
    const letter: IngestDeadLetter & { reason: RejectReason } = {
      reason,
      detail: safeString(detail).slice(0, 1000),
      source: source.name,
      key: symbolOf(candidate),
      ...clippedValue(text),
      receivedAt: this.now(),
    };
    if (!this.put(topics.dlq, letter.key, JSON.stringify(letter))) return;
    metrics?.observations.inc({ source: source.name, result: 'rejected' });
    metrics?.rejected.inc({ source: source.name, reason });
    this.rejectedSinceLog++;
    const now = this.now();
    if (now - this.lastRejectLog >= REJECT_LOG_INTERVAL_MS) {
      logger.warn(
        { reason, detail: letter.detail, rejected: this.rejectedSinceLog },
        `input rejected to ${topics.dlq} (logged at most every ${REJECT_LOG_INTERVAL_MS / 1000} s)`,
      );
      this.lastRejectLog = now;
      this.rejectedSinceLog = 0;
    }
    return this.backpressure();
  }

  private backpressure(): void | Promise<void> {
    const limit = this.options.backpressureAt;
    if (limit === undefined || this.requireOutbox().size() < limit) return;
    return this.waitForRoom(limit);
  }

  private async waitForRoom(limit: number): Promise<void> {
    const outbox = this.requireOutbox();
    outbox.flush();
    while (outbox.size() > limit / 2 && !this.abort.signal.aborted) await sleep(20, this.abort.signal);
  }

  /** Every second: the source's gauges, and a log line when it turns stale or recovers. */
  private watch(): void {
    const { metrics, source, logger, staleAfterMs } = this.options;
    const status = this.sourceStatus();
    const silenceMs = this.silenceMs(status);
    const stale = staleAfterMs !== undefined && this.finishedAt === undefined && silenceMs > staleAfterMs;
    if (stale && !this.stale)
      logger.warn({ silentSeconds: Math.round(silenceMs / 1000), detail: status.detail }, `source ${source.name} is stale`);
    if (!stale && this.stale) logger.info(`source ${source.name} sends again`);
    this.stale = stale;
    if (metrics) {
      metrics.sourceUp.set({ source: source.name }, status.ok && !this.fault ? 1 : 0);
      metrics.sourceSilenceSeconds.set({ source: source.name }, silenceMs / 1000);
      metrics.sourceStale.set({ source: source.name }, stale ? 1 : 0);
      const outbox = this.outbox;
      if (outbox) {
        const oldest = outbox.oldestAt();
        metrics.outboxTicks.set(outbox.size());
        metrics.outboxOldestSeconds.set(oldest === undefined ? 0 : Math.max(0, this.now() - oldest) / 1000);
      }
    }
  }

  private sourceStatus(): SourceStatus {
    try {
      return this.options.source.status();
    } catch (error) {
      return { ok: false, detail: `status() failed: ${(error as Error).message}`, lastMessageAt: 0, simulated: false };
    }
  }

  private silenceMs(status: SourceStatus): number {
    return Math.max(0, this.now() - Math.max(status.lastMessageAt, this.startedAt));
  }

  /** False after stop(): a source that goes on calling after its abort is ignored. */
  private put(topic: string, key: string | null, value: string): boolean {
    if (this.stopped) {
      this.options.logger.debug({ topic }, 'input after stop ignored');
      return false;
    }
    this.requireOutbox().add(topic, key, value);
    return true;
  }

  private requireOutbox(): Outbox {
    if (!this.outbox) throw new Error('the ingestor is not started');
    return this.outbox;
  }
}

function safeString(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return String(value);
  } catch {
    return '[unprintable]';
  }
}

function symbolOf(candidate: Readonly<Record<string, unknown>> | undefined): string | null {
  try {
    const symbol = candidate?.symbol;
    return typeof symbol === 'string' && SYMBOL_PATTERN.test(symbol) ? symbol : null;
  } catch {
    return null;
  }
}
