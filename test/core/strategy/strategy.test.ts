// The strategy: one stance per symbol, recommendations only when it changes (so they alternate),
// stop-loss and take-profit on every tick, conditions on the forming candle at most once per candle,
// and state that survives JSON at any tick with the same output as an uninterrupted run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Signal } from '../../../core/contracts/index.js';
import { SymbolPipeline, type PipelineSettings } from '../../../core/pipeline.js';
import type { StrategyConfig } from '../../../core/strategy/strategy-config.js';
import { DEFAULT_INDICATOR_PERIODS } from '../../../core/indicators/indicator-set.js';
import { seededRandom } from '../indicators/price-series.js';

const START = Date.UTC(2026, 4, 1);
const FAST = { sma: 5, ema: 5, rsi: 5, macd: { fast: 3, slow: 6, signal: 3 }, bollinger: { period: 5, stdDev: 2 } };

function strategy(overrides: Partial<StrategyConfig> = {}): StrategyConfig {
  return {
    name: 'test-strategy',
    timeframe: '1m',
    entry: [{ type: 'macd-cross', name: 'macd-up', hysteresis: 0, confirmTicks: 1, cooldownMs: 0 }],
    exit: [{ type: 'macd-cross', name: 'macd-down', hysteresis: 0, confirmTicks: 1, cooldownMs: 0 }],
    stopLossPercent: null,
    takeProfitPercent: null,
    minHoldMinutes: 0,
    ...overrides,
  };
}

function walk(n: number, seed: number, stepMs = 1000, volatility = 0.0008): Array<{ ts: number; price: number }> {
  const random = seededRandom(seed);
  let price = 90_000;
  return Array.from({ length: n }, (_, i) => {
    price *= 1 + (random() - 0.5) * 2 * volatility;
    return { ts: START + i * stepMs, price };
  });
}

function run(settings: PipelineSettings, data: ReadonlyArray<{ ts: number; price: number }>): Signal[] {
  const pipeline = new SymbolPipeline('BTC-USD', settings);
  const out: Signal[] = [];
  for (const { ts, price } of data) out.push(...(pipeline.step({ symbol: 'BTC-USD', ts, price, source: 'test' }) ?? []));
  return out;
}

const recommendations = (signals: readonly Signal[]) => signals.filter((s) => s.kind === 'recommendation');

test('recommendations alternate buy, sell, buy ... and crossings that change nothing stay crossings', () => {
  const signals = run({ periods: FAST, timeframes: [], strategy: strategy() }, walk(40_000, 1));
  const recs = recommendations(signals);
  assert.ok(recs.length >= 10, `some recommendations (${recs.length})`);
  recs.forEach((rec, i) => assert.is(rec.side, i % 2 === 0 ? 'buy' : 'sell', `recommendation ${i}`));
  const crossings = signals.filter((s) => s.kind === 'crossing');
  assert.ok(crossings.length >= recs.length, 'every recommendation comes with the crossing that caused it');
  for (const rec of recs) {
    assert.is(rec.rule, 'test-strategy');
    assert.is(rec.timeframe, '1m');
    assert.match(rec.reason, /^macd-(up|down): /);
  }
  assert.is(new Set(signals.map((s) => s.id)).size, signals.length, 'ids are unique');
});

test('conditions on the closed candle fire only on the tick that closes a candle', () => {
  const signals = run({ periods: FAST, timeframes: [], strategy: strategy() }, walk(20_000, 2, 700));
  const data = walk(20_000, 2, 700);
  const closing = new Set<number>();
  for (let i = 1; i < data.length; i++)
    if (Math.floor(data[i]!.ts / 60_000) !== Math.floor(data[i - 1]!.ts / 60_000)) closing.add(data[i]!.ts);
  for (const signal of signals) assert.ok(closing.has(signal.ts), `signal at ${signal.ts} is on a closing tick`);
});

test('stop-loss and take-profit act on the tick, not at the close', () => {
  const base = walk(30_000, 3);
  const buys = recommendations(run({ periods: FAST, timeframes: [], strategy: strategy() }, base)).filter((s) => s.side === 'buy');
  const entry = buys[0]!;
  const at = base.findIndex((p) => p.ts === entry.ts);
  // Twenty seconds after the entry (mid-candle) the price drops 3 %, and stays there.
  const crash = base.map((p, i) => (i > at + 20 ? { ts: p.ts, price: entry.price * 0.97 } : p));
  const recs = recommendations(run({ periods: FAST, timeframes: [], strategy: strategy({ stopLossPercent: 2 }) }, crash));
  const sell = recs.find((s) => s.side === 'sell')!;
  assert.is(sell.ts, crash[at + 21]!.ts, 'sold on the first tick below the stop');
  assert.match(sell.reason, /^stop-loss: -3\.00 %/);
  const jump = base.map((p, i) => (i > at + 20 ? { ts: p.ts, price: entry.price * 1.05 } : p));
  const take = recommendations(run({ periods: FAST, timeframes: [], strategy: strategy({ takeProfitPercent: 4 }) }, jump)).find(
    (s) => s.side === 'sell',
  )!;
  assert.is(take.ts, jump[at + 21]!.ts);
  assert.match(take.reason, /^take-profit: \+5\.00 %/);
});

test('a minimum holding time delays an exit by condition', () => {
  const data = walk(40_000, 4);
  const free = recommendations(run({ periods: FAST, timeframes: [], strategy: strategy() }, data));
  const held = recommendations(run({ periods: FAST, timeframes: [], strategy: strategy({ minHoldMinutes: 30 }) }, data));
  for (let i = 1; i < held.length; i += 2) assert.ok(held[i]!.ts - held[i - 1]!.ts >= 30 * 60_000, 'held at least 30 minutes');
  assert.ok(held.length < free.length, 'fewer round trips');
});

test('a condition on the forming candle fires at most once per candle', () => {
  const forming = strategy({
    entry: [
      {
        type: 'ma-crossover',
        name: 'price-over-ema',
        fast: 'price',
        slow: 'ema',
        hysteresis: 0,
        confirmTicks: 1,
        cooldownMs: 0,
        on: 'forming',
      },
    ],
    exit: [
      {
        type: 'ma-crossover',
        name: 'price-under-ema',
        fast: 'price',
        slow: 'ema',
        hysteresis: 0,
        confirmTicks: 1,
        cooldownMs: 0,
        on: 'forming',
      },
    ],
  });
  const signals = run({ periods: FAST, timeframes: [], strategy: forming }, walk(20_000, 5, 1000, 0.002));
  const crossings = signals.filter((s) => s.kind === 'crossing');
  assert.ok(crossings.length > 20);
  const perCandle = new Map<string, number>();
  for (const c of crossings) {
    const key = `${c.rule}@${Math.floor(c.ts / 60_000)}`;
    perCandle.set(key, (perCandle.get(key) ?? 0) + 1);
  }
  assert.ok(
    [...perCandle.values()].every((n) => n === 1),
    'one per condition per candle',
  );
  assert.ok(
    crossings.some((c) => c.ts % 60_000 !== 0),
    'forming conditions fire mid-candle',
  );
});

test('state restored from JSON at any tick continues exactly as an uninterrupted run', () => {
  const settings: PipelineSettings = {
    periods: FAST,
    timeframes: ['5m', '1h'],
    strategy: strategy({ stopLossPercent: 1.5, minHoldMinutes: 5 }),
  };
  const data = walk(30_000, 6);
  const expected = run(settings, data);
  const random = seededRandom(7);
  let pipeline = new SymbolPipeline('BTC-USD', settings);
  const got: Signal[] = [];
  for (const { ts, price } of data) {
    got.push(...(pipeline.step({ symbol: 'BTC-USD', ts, price, source: 'test' }) ?? []));
    if (random() < 0.002) pipeline = SymbolPipeline.restore('BTC-USD', JSON.parse(JSON.stringify(pipeline.snapshot())), settings);
  }
  assert.equal(got, expected);
  assert.throws(
    () => SymbolPipeline.restore('BTC-USD', new SymbolPipeline('BTC-USD', settings).snapshot(), { ...settings, timeframes: [] }),
    /other timeframes/,
  );
});

test('the live record: the strategy timeframe, forming and closed values, and the stance', () => {
  const settings: PipelineSettings = { periods: DEFAULT_INDICATOR_PERIODS, timeframes: [], strategy: strategy() };
  const pipeline = new SymbolPipeline('BTC-USD', settings);
  let record;
  for (const { ts, price } of walk(4000, 8)) {
    const tick = { symbol: 'BTC-USD', ts, price, source: 'test' };
    pipeline.step(tick);
    record = pipeline.record(tick);
  }
  assert.is(record!.timeframe, '1m');
  assert.ok(record!.rsi !== null && record!.closed.rsi !== null);
  assert.is.not(record!.rsi, record!.closed.rsi, 'forming and closed differ mid-candle');
  assert.ok(['flat', 'long'].includes(record!.stance.stance));
});

test.run();
