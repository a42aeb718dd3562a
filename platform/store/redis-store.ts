// The cluster aggregate store: Redis through node-redis. Each batch WATCHes the keys it touches and
// the applied offsets, reads them, merges with the pure core and writes everything, offsets included,
// in one MULTI/EXEC. A concurrent writer makes EXEC fail and the batch is read and merged again,
// so two aggregators (or a stale one) can never lose or double an update. Key schema: docs/aggregation.md.
import { connectRedis, type RedisClient } from '../redis-connection.js';
import { WatchError } from 'redis';
import { applyBatch, batchKeys, type StoredView, type SymbolLatest } from '../../core/aggregate/apply-batch.js';
import { dayStart, utcDay, type Timeframe } from '../../core/aggregate/calendar.js';
import { candleView, type Candle, type CandleView } from '../../core/aggregate/candle.js';
import { dailyStats, type DailyStats, type DayRecord } from '../../core/aggregate/daily.js';
import type { SignalSummary } from '../../core/contracts/index.js';
import type { Logger } from '../log.js';
import type { HealthStatus } from '../health.js';
import type { RedisAuth } from '../redis-auth.js';
import { safeUrl } from '../safe-url.js';
import {
  StoreError,
  laterOffset,
  offsetKey,
  unappliedItems,
  type AggregateStore,
  type ApplyResult,
  type LatestSnapshot,
  type StoreBatch,
  type StoreSettings,
} from './store.js';

export interface RedisStoreOptions extends StoreSettings, RedisAuth {
  readonly url: string;
  /** Every key starts with `<keyPrefix>:`. */
  readonly keyPrefix: string;
  readonly logger: Logger;
  readonly connectTimeoutMs?: number;
}

type Client = RedisClient;

const MAX_CONFLICT_RETRIES = 100;
type DayField =
  'open' | 'high' | 'low' | 'close' | 'firstTs' | 'lastTs' | 'ticks' | 'priceSum' | 'volume' | 'twapSum' | 'twapMinutes' | 'buys' | 'sells';

export class RedisStore implements AggregateStore {
  readonly kind = 'redis' as const;
  private lastError: string | undefined;
  private closed = false;
  /** Batches go one at a time: WATCH belongs to the connection, so two interleaved would confuse it. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly client: Client,
    private readonly options: RedisStoreOptions,
  ) {}

  /** Connects, or fails with a one-line error when Redis does not answer within the timeout. */
  static async connect(options: RedisStoreOptions): Promise<RedisStore> {
    const holder: { instance?: RedisStore } = {};
    try {
      const client = await connectRedis({ ...options, onState: (error) => holder.instance && (holder.instance.lastError = error) });
      holder.instance = new RedisStore(client, options);
      return holder.instance;
    } catch (error) {
      throw new StoreError('ERR_STORE_UNAVAILABLE', (error as Error).message);
    }
  }

  applyBatch(batch: StoreBatch): Promise<ApplyResult> {
    const run = this.queue.then(() => this.applyExclusive(batch));
    this.queue = run.catch(() => {});
    return run;
  }

  private async applyExclusive(batch: StoreBatch): Promise<ApplyResult> {
    this.assertOpen();
    const { client } = this;
    const keys = batchKeys(batch.items.map((entry) => entry.item));
    const k = this.keys;
    const candleSets = [...new Set(keys.candles.map((c) => k.candles(c.symbol, c.timeframe)))];
    const signalSets = [...new Set(keys.signals.map((s) => k.signalIds(s.symbol, s.day)))];
    const watched = [
      k.offsets(),
      ...keys.days.map((d) => k.daily(d.symbol, d.day)),
      ...candleSets,
      ...keys.symbols.map((symbol) => k.latest(symbol)),
      ...signalSets,
    ];
    for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
      try {
        await client.watch(watched);
        const field = offsetKey(batch.topic, batch.partition);
        const [stored, days, candles, latest, signals] = await Promise.all([
          client.hGet(k.offsets(), field),
          Promise.all(keys.days.map((d) => client.hGetAll(k.daily(d.symbol, d.day)))),
          Promise.all(keys.candles.map((c) => client.zRange(k.candles(c.symbol, c.timeframe), c.start, c.start, { BY: 'SCORE' }))),
          Promise.all(keys.symbols.map((symbol) => client.hGetAll(k.latest(symbol)))),
          Promise.all(keys.signals.map((s) => client.sIsMember(k.signalIds(s.symbol, s.day), s.id))),
        ]);
        const storedNext = stored ?? undefined;
        const pending = unappliedItems(batch, storedNext);
        const skipped = batch.items.length - pending.length;
        const next = laterOffset(storedNext, batch.nextOffset);
        const multi = client.multi();
        if (next !== storedNext) multi.hSet(k.offsets(), field, next);
        let duplicateSignals = 0;
        let duplicateTicks = 0;
        if (pending.length > 0) {
          const dayMap = new Map<string, DayRecord>();
          keys.days.forEach((d, i) => {
            const record = dayFromHash(d.symbol, d.day, days[i]!);
            if (record) dayMap.set(`${d.symbol}|${d.day}`, record);
          });
          const candleMap = new Map<string, Candle>();
          keys.candles.forEach((c, i) => {
            const member = candles[i]![0];
            if (member !== undefined) candleMap.set(`${c.symbol}|${c.timeframe}|${c.start}`, candleFromJson(c.symbol, c.timeframe, member));
          });
          const latestMap = new Map<string, SymbolLatest>();
          keys.symbols.forEach((symbol, i) => latestMap.set(symbol, latestFromHash(latest[i]!)));
          const signalSet = new Set<string>();
          keys.signals.forEach((s, i) => {
            if (Number(signals[i]) === 1) signalSet.add(`${s.symbol}|${s.day}|${s.id}`);
          });
          const view: StoredView = {
            day: (symbol, day) => dayMap.get(`${symbol}|${day}`),
            candle: (symbol, timeframe, start) => candleMap.get(`${symbol}|${timeframe}|${start}`),
            latest: (symbol) => latestMap.get(symbol),
            hasSignal: (symbol, day, id) => signalSet.has(`${symbol}|${day}|${id}`),
          };
          const changes = applyBatch(
            view,
            pending.map((entry) => entry.item),
            this.options,
          );
          duplicateSignals = changes.duplicateSignals;
          duplicateTicks = changes.duplicateTicks;
          const symbols = new Set<string>();
          for (const day of changes.days) {
            symbols.add(day.symbol);
            multi.hSet(k.daily(day.symbol, day.day), dayHash(day));
            multi.zAdd(k.days(day.symbol), { score: dayStart(day.day), value: day.day });
          }
          for (const candle of changes.candles) {
            const set = k.candles(candle.symbol, candle.timeframe);
            multi.zRemRangeByScore(set, candle.start, candle.start);
            multi.zAdd(set, { score: candle.start, value: candleJson(candle) });
          }
          for (const { symbol, timeframe, before } of changes.prune) {
            multi.zRemRangeByScore(k.candles(symbol, timeframe), '-inf', `(${before}`);
          }
          for (const { symbol, tick, indicators } of changes.latest) {
            symbols.add(symbol);
            if (tick) multi.hSet(k.latest(symbol), 'tick', JSON.stringify(tick));
            if (indicators) multi.hSet(k.latest(symbol), 'indicators', JSON.stringify(indicators));
          }
          const recentTouched = new Set<string>();
          for (const signal of changes.newSignals) {
            multi.sAdd(k.signalIds(signal.symbol, utcDay(signal.ts)), signal.id);
            multi.lPush(k.recentSignals(signal.symbol), JSON.stringify(signal));
            recentTouched.add(signal.symbol);
          }
          for (const symbol of recentTouched) multi.lTrim(k.recentSignals(symbol), 0, this.options.recentSignals - 1);
          if (symbols.size > 0) multi.sAdd(k.symbols(), [...symbols]);
        }
        await multi.exec();
        this.lastError = undefined;
        return { applied: pending.length, skipped, duplicateSignals, duplicateTicks };
      } catch (error) {
        if (error instanceof WatchError) continue;
        await client.unwatch().catch(() => {});
        this.lastError = (error as Error).message;
        throw new StoreError('ERR_STORE_UNAVAILABLE', `Redis: ${(error as Error).message}`);
      }
    }
    throw new StoreError('ERR_STORE_CONFLICT', `Redis: the batch met a concurrent write ${MAX_CONFLICT_RETRIES} times in a row`);
  }

  async appliedOffsets(): Promise<Map<string, string>> {
    this.assertOpen();
    return new Map(Object.entries(await this.client.hGetAll(this.keys.offsets())));
  }

  async dailyStats(symbol: string, fromDay: string, toDay: string): Promise<DailyStats[]> {
    this.assertOpen();
    const days = await this.client.zRange(this.keys.days(symbol), dayStart(fromDay), dayStart(toDay), { BY: 'SCORE' });
    const hashes = await Promise.all(days.map((day) => this.client.hGetAll(this.keys.daily(symbol, day))));
    return days.flatMap((day, i) => {
      const record = dayFromHash(symbol, day, hashes[i]!);
      return record ? [dailyStats(record)] : [];
    });
  }

  async candles(symbol: string, timeframe: Timeframe, fromTs: number, toTs: number): Promise<CandleView[]> {
    this.assertOpen();
    const members = await this.client.zRange(this.keys.candles(symbol, timeframe), fromTs, toTs, { BY: 'SCORE' });
    return members.map((member) => candleView(candleFromJson(symbol, timeframe, member)));
  }

  async latest(symbol: string): Promise<LatestSnapshot | undefined> {
    this.assertOpen();
    const [hash, recent] = await Promise.all([
      this.client.hGetAll(this.keys.latest(symbol)),
      this.client.lRange(this.keys.recentSignals(symbol), 0, this.options.recentSignals - 1),
    ]);
    const latest = latestFromHash(hash);
    if (!latest.tick && !latest.indicators && recent.length === 0) return undefined;
    const todayKey = latest.tick ? utcDay(latest.tick.ts) : undefined;
    const today = todayKey ? dayFromHash(symbol, todayKey, await this.client.hGetAll(this.keys.daily(symbol, todayKey))) : undefined;
    return {
      symbol,
      tick: latest.tick ?? null,
      indicators: latest.indicators ?? null,
      recentSignals: recent.map((json) => JSON.parse(json) as SignalSummary),
      today: today ? dailyStats(today) : null,
    };
  }

  async symbols(): Promise<string[]> {
    this.assertOpen();
    return (await this.client.sMembers(this.keys.symbols())).sort();
  }

  health(): HealthStatus {
    if (this.closed) return { ok: false, detail: 'closed' };
    if (!this.client.isReady)
      return { ok: false, detail: `Redis ${safeUrl(this.options.url)} unreachable: ${this.lastError ?? 'reconnecting'}` };
    if (this.lastError) return { ok: false, detail: `Redis ${safeUrl(this.options.url)}: ${this.lastError}` };
    return { ok: true, detail: `Redis ${safeUrl(this.options.url)}` };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    if (this.client.isReady) await this.client.close().catch(() => this.client.destroy());
    else this.client.destroy();
  }

  private get keys() {
    const p = this.options.keyPrefix;
    return {
      offsets: () => `${p}:aggregate:offsets`,
      symbols: () => `${p}:symbols`,
      daily: (symbol: string, day: string) => `${p}:${symbol}:daily:${day}`,
      days: (symbol: string) => `${p}:${symbol}:days`,
      candles: (symbol: string, timeframe: Timeframe) => `${p}:${symbol}:candles:${timeframe}`,
      latest: (symbol: string) => `${p}:${symbol}:latest`,
      recentSignals: (symbol: string) => `${p}:${symbol}:signals:recent`,
      signalIds: (symbol: string, day: string) => `${p}:${symbol}:signals:${day}`,
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('ERR_STORE_CLOSED', 'the Redis store is closed');
  }
}

function dayHash(day: DayRecord): Record<string, string> {
  const p = day.price;
  const hash: Record<string, string> = {
    twapSum: String(day.twapSum),
    twapMinutes: String(day.twapMinutes),
    buys: String(day.buys),
    sells: String(day.sells),
  };
  if (p) {
    Object.assign(hash, {
      open: String(p.open),
      high: String(p.high),
      low: String(p.low),
      close: String(p.close),
      firstTs: String(p.firstTs),
      lastTs: String(p.lastTs),
      ticks: String(p.ticks),
      priceSum: String(p.priceSum),
      volume: String(p.volume),
    });
  }
  return hash;
}

function dayFromHash(symbol: string, day: string, hash: Record<string, string>): DayRecord | undefined {
  if (Object.keys(hash).length === 0) return undefined;
  const n = (field: DayField) => Number(hash[field] ?? 0);
  const record: DayRecord = { symbol, day, twapSum: n('twapSum'), twapMinutes: n('twapMinutes'), buys: n('buys'), sells: n('sells') };
  if (n('ticks') > 0) {
    record.price = {
      open: n('open'),
      high: n('high'),
      low: n('low'),
      close: n('close'),
      firstTs: n('firstTs'),
      lastTs: n('lastTs'),
      ticks: n('ticks'),
      priceSum: n('priceSum'),
      volume: n('volume'),
    };
  }
  return record;
}

function candleJson(candle: Candle): string {
  const { start, open, high, low, close, volume, ticks, firstTs, lastTs, priceSum } = candle;
  return JSON.stringify({ start, open, high, low, close, volume, ticks, firstTs, lastTs, priceSum });
}

function candleFromJson(symbol: string, timeframe: Timeframe, json: string): Candle {
  return { symbol, timeframe, ...(JSON.parse(json) as Omit<Candle, 'symbol' | 'timeframe'>) };
}

function latestFromHash(hash: Record<string, string>): SymbolLatest {
  return {
    ...(hash.tick ? { tick: JSON.parse(hash.tick) as NonNullable<SymbolLatest['tick']> } : {}),
    ...(hash.indicators ? { indicators: JSON.parse(hash.indicators) as NonNullable<SymbolLatest['indicators']> } : {}),
  };
}
