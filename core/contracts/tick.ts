// The tick contract: one price observation, and the validation every door applies to it.
// Pure: the upper bound on time comes in as an argument, never from a clock.

export interface Tick {
  readonly symbol: string;
  readonly price: number;
  /** Epoch milliseconds, UTC. */
  readonly ts: number;
  readonly source: string;
  readonly volume?: number;
  readonly bid?: number;
  readonly ask?: number;
}

export type TickCheck = { readonly ok: true; readonly tick: Tick } | { readonly ok: false; readonly reason: string };

export const SYMBOL_PATTERN = /^[A-Z0-9]{2,10}-[A-Z0-9]{2,10}$/;
/** 2009-01-03, the Bitcoin genesis block: nothing we follow is older. */
export const EARLIEST_TS = Date.UTC(2009, 0, 3);
const SOURCE_PATTERN = /^[a-z0-9][a-z0-9:._-]{0,63}$/i;
const MAX_PRICE = 1e12;
/**
 * The largest volume (one trade's size, in the base unit) a tick may carry. Daily and candle
 * figures sum volumes, and two finite volumes near 1e308 sum to Infinity, which then poisons every
 * figure built on it. 1e15 leaves room for a cheap token's largest trades (1e11 units of a coin at
 * $0.00001 is $1M), keeps a billion ticks' sum finite (1e24), and stays below 2^53, where whole
 * units are still exact.
 */
export const MAX_VOLUME = 1e15;

/**
 * Checks an untrusted value (parsed JSON, a CSV row) and returns a clean Tick with only the known
 * fields, or the first reason it is not one. `latestTs` bounds time from above (now + allowed skew).
 */
export function checkTick(value: unknown, latestTs: number = Number.POSITIVE_INFINITY): TickCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not an object');
  const raw = value as Record<string, unknown>;
  const { symbol, price, ts, source } = raw;
  if (typeof symbol !== 'string' || !SYMBOL_PATTERN.test(symbol)) return fail('symbol: must look like BTC-USD');
  const badPrice = priceProblem(price);
  if (badPrice !== undefined) return fail(badPrice);
  const badTs = tsProblem(ts, latestTs);
  if (badTs !== undefined) return fail(badTs);
  if (typeof source !== 'string' || !SOURCE_PATTERN.test(source)) return fail('source: must be a short name');
  const tick: { -readonly [K in keyof Tick]: Tick[K] } = { symbol, price: price as number, ts: ts as number, source };
  for (const field of ['volume', 'bid', 'ask'] as const) {
    const extra = raw[field];
    if (extra === undefined || extra === null) continue;
    if (field === 'volume') {
      if (typeof extra !== 'number' || !(extra >= 0 && extra <= MAX_VOLUME)) {
        return fail(`volume: must be a finite number from 0 to ${MAX_VOLUME}`);
      }
    } else if (typeof extra !== 'number' || !Number.isFinite(extra) || extra <= 0) {
      return fail(`${field}: must be a finite number above 0`);
    }
    tick[field] = extra;
  }
  if (tick.bid !== undefined && tick.ask !== undefined && tick.bid > tick.ask) return fail('bid: above ask');
  return { ok: true, tick };
}

/** Why a value is not a tick's price, or undefined when it is one. */
export function priceProblem(price: unknown): string | undefined {
  if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0 || price > MAX_PRICE) {
    return 'price: must be a finite number above 0';
  }
  return undefined;
}

/** Why a value is not a tick's time, or undefined when it is one. */
export function tsProblem(ts: unknown, latestTs: number = Number.POSITIVE_INFINITY): string | undefined {
  if (typeof ts !== 'number' || !Number.isInteger(ts)) return 'ts: must be whole epoch milliseconds';
  if (ts < EARLIEST_TS) return 'ts: before 2009-01-03 (seconds instead of milliseconds?)';
  if (ts > latestTs) return 'ts: in the future';
  return undefined;
}

function fail(reason: string): TickCheck {
  return { ok: false, reason };
}
