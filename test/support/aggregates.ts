// Test data for the aggregator, and the figures it must produce computed directly, the plain way:
// group the ticks by symbol and UTC day, sort by ts, and read the numbers off.
import * as assert from 'uvu/assert';
import type { DailyStats } from '../../core/aggregate/daily.js';
import type { SignalSummary, Tick } from '../../core/contracts/index.js';
import { seededRandom } from '../core/indicators/price-series.js';

export interface AggregateInput {
  /** In arrival order: mostly by ts, with some ticks arriving late (up to a day) and a few repeated ts. */
  readonly ticks: Tick[];
  /** In arrival order, some ids twice (a signal replayed). */
  readonly signals: SignalSummary[];
}

/** Ticks about 17 s apart across `days` UTC days for each symbol, some late, some sharing a ts. */
export function aggregateInput(
  options: { symbols?: readonly string[]; days?: number; seed?: number; start?: number } = {},
): AggregateInput {
  const { symbols = ['BTC-USD', 'ETH-USD'], days = 2, seed = 11, start = Date.UTC(2026, 0, 1, 20) } = options;
  const random = seededRandom(seed);
  const ticks: Tick[] = [];
  const end = start + days * 86_400_000 * 0.5;
  for (const [s, symbol] of symbols.entries()) {
    let price = 80_000 / (s + 1);
    for (let ts = start; ts < end; ts += 5_000 + Math.floor(random() * 24_000)) {
      price = Math.round((price + (random() - 0.5) * 40) * 100) / 100;
      const tick: Tick = { symbol, price, ts, source: 'test', ...(random() < 0.8 ? { volume: Math.round(random() * 1000) / 1000 } : {}) };
      ticks.push(tick);
      if (random() < 0.02) ticks.push({ ...tick, price: price + 1 }); // a second trade at the same ms
    }
  }
  ticks.sort((a, b) => a.ts - b.ts);
  // About 3 % arrive late: moved between 1 and 2000 places on, which crosses minutes, hours and midnight.
  for (let i = ticks.length - 1; i >= 0; i--) {
    if (random() >= 0.03) continue;
    const [late] = ticks.splice(i, 1);
    ticks.splice(Math.min(ticks.length, i + 1 + Math.floor(random() * 2000)), 0, late!);
  }
  const signals: SignalSummary[] = [];
  for (let i = 0; i < ticks.length; i += 1 + Math.floor(random() * 400)) {
    const tick = ticks[i]!;
    const signal: SignalSummary = {
      id: `sig-${i}`,
      symbol: tick.symbol,
      ts: tick.ts,
      side: random() < 0.5 ? 'buy' : 'sell',
      rule: 'test-rule',
      price: tick.price,
      reason: 'test',
      kind: 'recommendation',
      timeframe: '1h',
    };
    signals.push(signal);
    if (random() < 0.1) signals.push(signal);
  }
  return { ticks, signals };
}

/** The ticks the aggregator counts: per symbol, in arrival order, each one later than all before it. */
export function countedTicks(ticks: readonly Tick[]): Tick[] {
  const last = new Map<string, number>();
  return ticks.filter((tick) => {
    const before = last.get(tick.symbol);
    if (before !== undefined && tick.ts <= before) return false;
    last.set(tick.symbol, tick.ts);
    return true;
  });
}

/** The daily figures, computed directly from the ticks (in arrival order) the aggregator counts, and the signals. */
export function directDailies(arrived: readonly Tick[], signals: readonly SignalSummary[]): DailyStats[] {
  const ticks = countedTicks(arrived);
  const dayOf = (ts: number) => new Date(ts).toISOString().slice(0, 10);
  const groups = new Map<string, Tick[]>();
  for (const tick of ticks) {
    const key = `${tick.symbol} ${dayOf(tick.ts)}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(tick);
  }
  const signalSides = new Map<string, Map<string, string>>();
  for (const signal of signals) {
    const key = `${signal.symbol} ${dayOf(signal.ts)}`;
    if (!signalSides.has(key)) signalSides.set(key, new Map());
    signalSides.get(key)!.set(signal.id, signal.side);
    if (!groups.has(key)) groups.set(key, []);
  }
  const out: DailyStats[] = [];
  for (const [key, dayTicks] of groups) {
    const [symbol, day] = key.split(' ') as [string, string];
    // Stable sort: among equal ts the one that arrived first comes first.
    const sorted = [...dayTicks].sort((a, b) => a.ts - b.ts);
    let sum = 0;
    let volume = 0;
    for (const tick of dayTicks) {
      sum += tick.price;
      volume += tick.volume ?? 0;
    }
    const minutes = new Map<number, number[]>();
    for (const tick of dayTicks) {
      const minute = Math.floor(tick.ts / 60_000);
      if (!minutes.has(minute)) minutes.set(minute, []);
      minutes.get(minute)!.push(tick.price);
    }
    let minuteMeans = 0;
    for (const prices of minutes.values()) minuteMeans += prices.reduce((a, b) => a + b, 0) / prices.length;
    const sides = [...(signalSides.get(key)?.values() ?? [])];
    const n = sorted.length;
    out.push({
      symbol,
      day,
      open: n ? sorted[0]!.price : null,
      high: n ? Math.max(...sorted.map((t) => t.price)) : null,
      low: n ? Math.min(...sorted.map((t) => t.price)) : null,
      close: n ? sorted[n - 1]!.price : null,
      average: n ? sum / n : null,
      twap: n ? minuteMeans / minutes.size : null,
      ticks: n,
      volume,
      buys: sides.filter((side) => side === 'buy').length,
      sells: sides.filter((side) => side === 'sell').length,
      firstTs: n ? sorted[0]!.ts : null,
      lastTs: n ? sorted[n - 1]!.ts : null,
    });
  }
  return out.sort((a, b) => (a.symbol + a.day < b.symbol + b.day ? -1 : 1));
}

/** Equal figures: exact, except the averages, which may differ in the last bits from summing in another order. */
export function assertSameDailies(actual: readonly DailyStats[], expected: readonly DailyStats[]): void {
  const sorted = [...actual].sort((a, b) => (a.symbol + a.day < b.symbol + b.day ? -1 : 1));
  assert.equal(
    sorted.map((d) => `${d.symbol} ${d.day}`),
    expected.map((d) => `${d.symbol} ${d.day}`),
    'the same days',
  );
  for (const [i, want] of expected.entries()) {
    const got = sorted[i]!;
    const where = `${want.symbol} ${want.day}`;
    for (const field of ['open', 'high', 'low', 'close', 'ticks', 'buys', 'sells', 'firstTs', 'lastTs'] as const) {
      assert.is(got[field], want[field], `${where} ${field}`);
    }
    for (const field of ['average', 'twap', 'volume'] as const) {
      const a = got[field];
      const b = want[field];
      if (a === null || b === null) assert.is(a, b, `${where} ${field}`);
      else assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${where} ${field}: ${a} vs ${b}`);
    }
  }
}
