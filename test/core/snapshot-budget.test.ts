// The state snapshot bound: never below a real snapshot, however full its ring buffers, pending
// triggers and reasons, and it grows with what makes the state grow.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AlertConfig } from '../../core/alerts/alert-config.js';
import { CANDLE_TIMEFRAMES } from '../../core/candles/timeframe.js';
import { DEFAULT_PIPELINE_SETTINGS, SymbolPipeline, type PipelineSettings } from '../../core/pipeline.js';
import { NUMBER_BYTES, partitionSnapshotBound, symbolEntryBounds, symbolSnapshotBound } from '../../core/snapshot-budget.js';

const alert = (fields: Record<string, unknown>) => ({ hysteresisPercent: 0.5, cooldownMinutes: 0, ...fields }) as unknown as AlertConfig;

/** Every timeframe, long rings, rules that wait for confirmation, a combination, and every kind of alert. */
const WIDE: PipelineSettings = {
  periods: { sma: 700, ema: 50, rsi: 14, macd: { fast: 12, slow: 26, signal: 9 }, bollinger: { period: 500, stdDev: 2 } },
  timeframes: [...CANDLE_TIMEFRAMES],
  strategy: {
    name: 'a-rather-long-strategy-name-to-be-quoted-nowhere',
    timeframe: '1m',
    entry: [
      { type: 'rsi', name: 'rsi-in', oversold: 45, overbought: 55, hysteresis: 0, confirmTicks: 3, cooldownMs: 0, on: 'forming' },
      {
        type: 'any-of',
        name: 'any-cross',
        window: 50,
        confirmTicks: 2,
        cooldownMs: 0,
        rules: [
          { type: 'macd-cross', name: 'macd-child', hysteresis: 0, confirmTicks: 1, cooldownMs: 0 },
          { type: 'ma-crossover', name: 'ma-child', fast: 'ema', slow: 'sma', hysteresis: 0, confirmTicks: 1, cooldownMs: 0 },
          { type: 'bollinger', name: 'bb-child', mode: 'reversion', hysteresis: 0, confirmTicks: 1, cooldownMs: 0 },
        ],
      },
    ],
    exit: [{ type: 'bollinger', name: 'bb-out', mode: 'breakout', hysteresis: 0, confirmTicks: 2, cooldownMs: 0, timeframe: '5m' }],
    stopLossPercent: 1,
    takeProfitPercent: 1,
    minHoldMinutes: 0,
  },
  alerts: [
    alert({ type: 'move', name: 'day-move', percent: 0.1, window: '24h' }),
    alert({ type: 'move', name: 'hour-move', percent: 0.1, window: '1h' }),
    alert({ type: 'move', name: 'utc-day', percent: 0.1, window: 'day' }),
    alert({ type: 'new-high', name: 'high-30', days: 30 }),
    alert({ type: 'above', name: 'over', price: 97_000 }),
  ],
} as PipelineSettings;

/** Prices with every digit a double has, swinging enough for rules and alerts to fire. */
const price = (i: number) => 97_000 * (1 + 0.03 * Math.sin(i / 7) + 0.01 * Math.sin(i * 1.7)) + 1 / 3;

test('a pipeline filled to the brim stays within its bound, at every stage', () => {
  const bound = symbolSnapshotBound('BTC-USD', WIDE);
  const pipeline = new SymbolPipeline('BTC-USD', WIDE);
  let largest = 0;
  let pendingSeen = false;
  const measure = () => {
    const text = JSON.stringify(pipeline.snapshot());
    pendingSeen ||= text.includes('"pending":{');
    largest = Math.max(largest, new TextEncoder().encode(text).length);
    assert.ok(largest <= bound, `snapshot ${largest} bytes over its bound ${bound}`);
  };
  measure();
  // A day apart, every tick closes a candle of every timeframe: the longest ring fills in 700 ticks.
  let ts = Date.UTC(2026, 0, 1);
  let i = 0;
  for (; i < 800; i++, ts += 86_400_000) {
    pipeline.step({ symbol: 'BTC-USD', ts, price: price(i), source: 't' });
    if (i % 50 === 0) measure();
  }
  // Then a minute apart for the rolling alerts' windows (1441 minutes).
  for (; i < 2800; i++, ts += 60_000) {
    pipeline.step({ symbol: 'BTC-USD', ts, price: price(i), source: 't' });
    if (i % 20 === 0) measure();
  }
  measure();
  const windows = JSON.stringify(pipeline.snapshot()).match(/"window":\[[^\]]*\]/g) ?? [];
  assert.ok(
    windows.every((window) => !window.includes(',0,')),
    'every SMA and Bollinger ring is full',
  );
  assert.ok(pendingSeen, 'a confirming trigger was snapshotted with its reason');
  // A bound, not a wild guess: within a few times the real thing.
  assert.ok(bound < 3 * largest, `bound ${bound} vs largest ${largest}`);
});

test('the bound grows by a widest number for each slot of each followed ring buffer', () => {
  const at = (sma: number) =>
    symbolSnapshotBound('BTC-USD', { ...DEFAULT_PIPELINE_SETTINGS, periods: { ...DEFAULT_PIPELINE_SETTINGS.periods, sma } });
  assert.is(at(1020) - at(20), 1000 * (NUMBER_BYTES + 1));
  const twoTimeframes = { ...DEFAULT_PIPELINE_SETTINGS, timeframes: ['1m' as const] };
  const ringSlots = DEFAULT_PIPELINE_SETTINGS.periods.sma + DEFAULT_PIPELINE_SETTINGS.periods.bollinger.period;
  assert.ok(symbolSnapshotBound('BTC-USD', twoTimeframes) - at(20) >= ringSlots * (NUMBER_BYTES + 1), 'a timeframe brings its own rings');
});

test('a partition holds every symbol: their bounds add up, counted once each', () => {
  const one = partitionSnapshotBound(['BTC-USD'], WIDE, 'stock.ticks');
  const three = partitionSnapshotBound(['BTC-USD', 'ETH-USD', 'SOL-USD', 'ETH-USD'], WIDE, 'stock.ticks');
  assert.ok(three >= 3 * symbolSnapshotBound('BTC-USD', WIDE) && three < 3 * one, `${three} for three, ${one} for one`);
});

test('symbols sharing a set of alerts share one walk: the same bound as walking each', () => {
  const settings = {
    ...WIDE,
    alerts: [...WIDE.alerts!, alert({ type: 'move', name: 'eth-only', percent: 1, window: '24h', symbols: ['ETH-USD'] })],
  };
  const symbols = ['BTC-USD', 'ETH-USD', 'SOL-USD', 'DOGE-USD'];
  assert.equal(
    symbolEntryBounds(symbols, settings),
    symbols.map((symbol) => JSON.stringify(symbol).length + 2 + symbolSnapshotBound(symbol, settings)),
  );
  assert.ok(
    symbolEntryBounds(symbols, settings)[1]! > symbolEntryBounds(symbols, settings)[0]! + 1441 * NUMBER_BYTES,
    'ETH has one more 24h ring',
  );
});

test.run();
