// The health panel's figures: the bus and store this process uses, each symbol's tick freshness
// (ingest staleness, simulated data), consumer lag where known, and other roles' /healthz polled.
import type { Bus } from '../../platform/bus/bus.js';
import type { AggregateStore } from '../../platform/store/store.js';
import type { HealthStatus } from '../../platform/health.js';
import { safeUrl } from '../../platform/safe-url.js';
import type { LiveFeed } from './live-feed.js';

export interface SymbolFreshness {
  readonly symbol: string;
  readonly lastTickTs: number | null;
  /** Since this process received the last tick; null before the first. */
  readonly ageMs: number | null;
  readonly stale: boolean;
  readonly source: string | null;
  readonly simulated: boolean;
}

export interface GroupLag {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

export interface RoleHealth extends HealthStatus {
  readonly url: string;
  readonly checks: Record<string, HealthStatus>;
}

export interface DashboardHealth {
  readonly now: number;
  readonly bus: { readonly kind: string } & HealthStatus;
  readonly store: { readonly kind: string } & HealthStatus;
  readonly live: HealthStatus;
  readonly symbols: SymbolFreshness[];
  readonly lag: GroupLag[];
  readonly roles: Record<string, RoleHealth>;
  readonly mqtt: { readonly configured: boolean };
}

export interface HealthSourceOptions {
  readonly bus: Bus;
  readonly store: AggregateStore;
  readonly feed: LiveFeed;
  readonly symbols: readonly string[];
  readonly staleMs: number;
  readonly ticksTopic: string;
  /** Consumer groups whose lag on the ticks topic is shown (processor, aggregator). */
  readonly lagGroups: readonly string[];
  readonly roles: Readonly<Record<string, string>>;
  readonly mqttConfigured: boolean;
  readonly now?: () => number;
  readonly fetchTimeoutMs?: number;
}

export class HealthSource {
  private readonly now: () => number;
  private roleCache: { at: number; value: Record<string, RoleHealth> } | undefined;

  constructor(private readonly options: HealthSourceOptions) {
    this.now = options.now ?? Date.now;
  }

  async collect(): Promise<DashboardHealth> {
    const { bus, store, feed } = this.options;
    const now = this.now();
    const [lag, roles] = await Promise.all([this.lag(), this.roles(now)]);
    return {
      now,
      bus: { ...bus.health(), kind: bus.kind },
      store: { kind: store.kind, ...store.health() },
      live: feed.running ? { ok: true, detail: 'reading the live topics' } : { ok: false, detail: 'not reading the live topics' },
      symbols: this.options.symbols.map((symbol) => this.freshness(symbol, now)),
      lag,
      roles,
      mqtt: { configured: this.options.mqttConfigured },
    };
  }

  freshness(symbol: string, now = this.now()): SymbolFreshness {
    const activity = this.options.feed.activityOf(symbol);
    if (!activity) return { symbol, lastTickTs: null, ageMs: null, stale: true, source: null, simulated: false };
    const ageMs = Math.max(0, now - activity.receivedAt);
    return {
      symbol,
      lastTickTs: activity.lastTick.ts,
      ageMs,
      stale: ageMs > this.options.staleMs,
      source: activity.lastTick.source,
      simulated: activity.lastTick.source === 'simulator',
    };
  }

  private async lag(): Promise<GroupLag[]> {
    const { bus, feed, ticksTopic, lagGroups } = this.options;
    const ends = feed.endOffsetsOf(ticksTopic);
    if (ends.size === 0) return [];
    const out: GroupLag[] = [];
    for (const group of lagGroups) {
      let committed: Map<number, string>;
      try {
        committed = await bus.committedOffsets(group, ticksTopic);
      } catch {
        continue;
      }
      for (const [partition, end] of ends) {
        const position = committed.get(partition);
        if (position === undefined) continue;
        const lag = end - BigInt(position);
        out.push({ group, topic: ticksTopic, partition, lag: lag > 0n ? Number(lag) : 0 });
      }
    }
    return out;
  }

  /** Polled at most every 5 s, each with a short timeout, so a dead role never slows the page. */
  private async roles(now: number): Promise<Record<string, RoleHealth>> {
    const entries = Object.entries(this.options.roles);
    if (entries.length === 0) return {};
    if (this.roleCache && now - this.roleCache.at < 5000) return this.roleCache.value;
    const results = await Promise.all(entries.map(async ([name, url]) => [name, await this.poll(url)] as const));
    const value = Object.fromEntries(results);
    this.roleCache = { at: now, value };
    return value;
  }

  /** A URL's credentials go in an Authorization header (fetch refuses them in the URL); only the redacted URL is shown. */
  private async poll(url: string): Promise<RoleHealth> {
    const shown = safeUrl(url);
    try {
      const { target, headers } = withoutCredentials(url);
      const response = await fetch(target, {
        headers,
        signal: AbortSignal.timeout(this.options.fetchTimeoutMs ?? 2000),
        redirect: 'error',
      });
      const text = (await response.text()).slice(0, 64 * 1024);
      const body = JSON.parse(text) as { checks?: unknown };
      const checks: Record<string, HealthStatus> = {};
      if (body.checks && typeof body.checks === 'object') {
        for (const [name, status] of Object.entries(body.checks as Record<string, unknown>).slice(0, 20)) {
          const s = status as Partial<HealthStatus> | null;
          checks[name.slice(0, 40)] = { ok: s?.ok === true, detail: typeof s?.detail === 'string' ? s.detail.slice(0, 200) : '' };
        }
      }
      return { url: shown, ok: response.ok, detail: `HTTP ${response.status}`, checks };
    } catch (error) {
      const message = (error as Error).message.split(url).join(shown);
      return { url: shown, ok: false, detail: `no answer: ${message}`.slice(0, 200), checks: {} };
    }
  }
}

function withoutCredentials(url: string): { target: string; headers: Record<string, string> } {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { target: url, headers: {} };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { target: parsed.toString(), headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } };
}
