// The cluster ledger: Redis through node-redis. An entry is created with SET NX (so a replayed or
// redelivered signal finds its key taken) and moved between states by one Lua script that checks
// the stored state first: claims are atomic, so notifiers sharing Redis never send an entry twice.
// Keys (prefix `<keyPrefix>:notify:`): d:<key> the entry as JSON; due (zset by next attempt) the
// waiting entries; sending (zset by claim time); log (zset by last update); lanes (hash, last send).
import { connectRedis, type RedisClient } from '../../platform/redis-connection.js';
import type { Logger } from '../../platform/log.js';
import type { HealthStatus } from '../../platform/health.js';
import type { RedisAuth } from '../../platform/redis-auth.js';
import { safeUrl } from '../../platform/safe-url.js';
import { FINAL, WAITING, type Delivery, type DeliveryState, type EnqueueResult, type Ledger } from './ledger.js';

type Client = RedisClient;

const CREATE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[2])
  return 1
end
return 0`;

const TRANSITION = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local state = cjson.decode(current).state
local allowed = false
for i = 7, #ARGV do if ARGV[i] == state then allowed = true end end
if not allowed then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
if ARGV[3] == 'pending' or ARGV[3] == 'retry' then redis.call('ZADD', KEYS[2], ARGV[4], ARGV[2]) end
if ARGV[3] == 'sending' then redis.call('ZADD', KEYS[3], ARGV[5], ARGV[2]) end
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[2])
return 1`;

// A lane's batch claimed in one script (Redis runs it whole): every entry still waiting moves to
// sending, the others (moved by another sender) are left alone. Everything is read and decoded
// before the first write, so an error leaves the batch untouched. KEYS: due, sending, log, then the
// entries; ARGV: per entry its JSON, key, claim time, update time. Returns the claimed positions (1-based).
const CLAIM = `
local n = #KEYS - 3
local take = {}
for i = 1, n do
  local current = redis.call('GET', KEYS[3 + i])
  if current then
    local state = cjson.decode(current).state
    if state == 'pending' or state == 'retry' then take[#take + 1] = i end
  end
end
for _, i in ipairs(take) do
  local a = (i - 1) * 4
  redis.call('SET', KEYS[3 + i], ARGV[a + 1])
  redis.call('ZREM', KEYS[1], ARGV[a + 2])
  redis.call('ZADD', KEYS[2], ARGV[a + 3], ARGV[a + 2])
  redis.call('ZADD', KEYS[3], ARGV[a + 4], ARGV[a + 2])
end
return take`;

const CHUNK = 500;

export interface RedisLedgerOptions extends RedisAuth {
  readonly url: string;
  readonly keyPrefix: string;
  readonly logger: Logger;
  readonly connectTimeoutMs?: number;
}

export class RedisLedger implements Ledger {
  readonly kind = 'redis' as const;
  private lastError: string | undefined;
  private readonly k: { due: string; sending: string; log: string; lanes: string; entry: (key: string) => string };

  private constructor(
    private readonly client: Client,
    private readonly options: RedisLedgerOptions,
  ) {
    const p = `${options.keyPrefix}:notify:`;
    this.k = { due: `${p}due`, sending: `${p}sending`, log: `${p}log`, lanes: `${p}lanes`, entry: (key) => `${p}d:${key}` };
  }

  static async connect(options: RedisLedgerOptions): Promise<RedisLedger> {
    const holder: { instance?: RedisLedger } = {};
    const client = await connectRedis({ ...options, onState: (error) => holder.instance && (holder.instance.lastError = error) });
    holder.instance = new RedisLedger(client, options);
    return holder.instance;
  }

  async enqueue(entries: readonly Delivery[], maxQueued: number, now: number): Promise<EnqueueResult> {
    let added = 0;
    for (const entry of entries) {
      const created = await this.client.eval(CREATE, {
        keys: [this.k.entry(entry.key), this.k.due, this.k.log],
        arguments: [JSON.stringify(entry), entry.key, String(entry.nextAttemptAt), String(entry.updatedAt)],
      });
      added += Number(created);
    }
    let dropped = 0;
    const waiting = await this.client.zCard(this.k.due);
    if (waiting > maxQueued) {
      const oldest = await this.load(await this.client.zRange(this.k.due, 0, waiting - maxQueued - 1));
      for (const entry of oldest) {
        if (await this.transition({ ...entry, state: 'dropped', updatedAt: now, error: `queue full (${maxQueued} waiting)` }, WAITING))
          dropped++;
      }
    }
    return { added, dropped };
  }

  async due(now: number, limit: number): Promise<Delivery[]> {
    const keys = await this.client.zRangeByScore(this.k.due, '-inf', now, { LIMIT: { offset: 0, count: limit } });
    const entries = (await this.load(keys)).filter((entry) => WAITING.includes(entry.state));
    return entries.sort((a, b) => a.createdAt - b.createdAt || (a.key < b.key ? -1 : 1));
  }

  async claim(entries: readonly Delivery[]): Promise<Delivery[]> {
    if (entries.length === 0) return [];
    // Serialised before anything is sent: a claim that cannot be written claims nothing.
    const args = entries.flatMap((entry) => [JSON.stringify(entry), entry.key, String(entry.claimedAt ?? 0), String(entry.updatedAt)]);
    const taken = (await this.client.eval(CLAIM, {
      keys: [this.k.due, this.k.sending, this.k.log, ...entries.map((entry) => this.k.entry(entry.key))],
      arguments: args,
    })) as number[];
    return taken.map((i) => entries[Number(i) - 1]!);
  }

  async transition(next: Delivery, from: readonly DeliveryState[]): Promise<boolean> {
    const done = await this.client.eval(TRANSITION, {
      keys: [this.k.entry(next.key), this.k.due, this.k.sending, this.k.log],
      arguments: [
        JSON.stringify(next),
        next.key,
        next.state,
        String(next.nextAttemptAt),
        String(next.claimedAt ?? 0),
        String(next.updatedAt),
        ...from,
      ],
    });
    return Number(done) === 1;
  }

  async stale(before: number): Promise<Delivery[]> {
    const keys = await this.client.zRangeByScore(this.k.sending, '-inf', `(${before}`);
    return (await this.load(keys)).filter((entry) => entry.state === 'sending');
  }

  async lastSent(lane: string): Promise<number | undefined> {
    const value = await this.client.hGet(this.k.lanes, lane);
    return value === null || value === undefined ? undefined : Number(value);
  }

  async setLastSent(lane: string, at: number): Promise<void> {
    const previous = await this.lastSent(lane);
    if (previous === undefined || at > previous) await this.client.hSet(this.k.lanes, lane, String(at));
  }

  async recent(limit: number): Promise<Delivery[]> {
    const keys = await this.client.zRange(this.k.log, '+inf', '-inf', { BY: 'SCORE', REV: true, LIMIT: { offset: 0, count: limit } });
    return this.load(keys);
  }

  async counts(): Promise<Partial<Record<DeliveryState, number>>> {
    const counts: Partial<Record<DeliveryState, number>> = {};
    const total = await this.client.zCard(this.k.log);
    for (let start = 0; start < total; start += CHUNK) {
      for (const entry of await this.load(await this.client.zRange(this.k.log, start, start + CHUNK - 1))) {
        counts[entry.state] = (counts[entry.state] ?? 0) + 1;
      }
    }
    return counts;
  }

  async prune(before: number): Promise<number> {
    let pruned = 0;
    const keys = await this.client.zRangeByScore(this.k.log, '-inf', `(${before}`);
    for (let i = 0; i < keys.length; i += CHUNK) {
      const slice = keys.slice(i, i + CHUNK);
      const values = await this.client.mGet(slice.map((key) => this.k.entry(key)));
      for (const [j, value] of values.entries()) {
        const key = slice[j]!;
        if (value === null) {
          await this.client.zRem(this.k.log, key);
          continue;
        }
        const entry = JSON.parse(value) as Delivery;
        if (!FINAL.includes(entry.state)) continue;
        await this.client.multi().del(this.k.entry(key)).zRem(this.k.log, key).exec();
        pruned++;
      }
    }
    return pruned;
  }

  private async load(keys: readonly string[]): Promise<Delivery[]> {
    if (keys.length === 0) return [];
    const values = await this.client.mGet(keys.map((key) => this.k.entry(key)));
    return values.filter((value): value is string => typeof value === 'string').map((value) => JSON.parse(value) as Delivery);
  }

  health(): HealthStatus {
    if (this.lastError) return { ok: false, detail: `Redis: ${this.lastError}` };
    return { ok: this.client.isReady, detail: this.client.isReady ? safeUrl(this.options.url) : 'connecting' };
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close().catch(() => this.client.destroy());
  }
}
