// The simulator: the same seed gives the same series, a saved state resumes it exactly, and the
// numbers look like a market (log-returns' spread matches the volatility; stormy regimes move more).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  initialSimulatorState,
  stepSimulator,
  type SimulatedTick,
  type SimulatorOptions,
  type SimulatorState,
} from '../../../../core/ingest/simulator.js';
import { createSource } from '../../../../cluster/ingest/sources/index.js';
import { SimulatorSource } from '../../../../cluster/ingest/sources/simulator.js';
import { loadConfig } from '../../../../platform/config/load.js';
import { capturedLogger, RecordingSink } from '../../../support/protocol-servers/recording-sink.js';

const T0 = Date.UTC(2024, 4, 1);
const options: SimulatorOptions = { seed: 42, startPrice: 60_000, symbols: ['BTC-USD', 'ETH-USD'], stepSeconds: 1 };

function series(
  opts: SimulatorOptions,
  steps: number,
  from: SimulatorState = initialSimulatorState(opts),
): { ticks: SimulatedTick[]; state: SimulatorState } {
  let state = from;
  const ticks: SimulatedTick[] = [];
  for (let i = 0; i < steps; i++) {
    const next = stepSimulator(state, opts, T0 + (state.steps + 1) * 1000);
    state = next.state;
    ticks.push(...next.ticks);
  }
  return { ticks, state };
}

function std(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
}

test('same seed, same series; another seed, another series', () => {
  assert.equal(series(options, 2000).ticks, series(options, 2000).ticks);
  const other = series({ ...options, seed: 43 }, 2000).ticks;
  assert.not.equal(
    other.map((t) => t.price),
    series(options, 2000).ticks.map((t) => t.price),
  );
});

test('a state saved as JSON resumes the series exactly', () => {
  const whole = series(options, 1000).ticks;
  const first = series(options, 400);
  const saved = JSON.parse(JSON.stringify(first.state)) as SimulatorState;
  const rest = series(options, 600, saved).ticks;
  assert.equal([...first.ticks, ...rest], whole);
});

test('every tick is a tick: source "simulator", prices in cents, bid <= price <= ask, positive sizes', () => {
  const { ticks } = series(options, 5000);
  for (const tick of ticks) {
    assert.is(tick.source, 'simulator');
    assert.ok(tick.price > 0 && Number.isFinite(tick.price));
    assert.is(Math.round(tick.price * 100) / 100, tick.price);
    assert.ok(tick.bid <= tick.price && tick.price <= tick.ask, JSON.stringify(tick));
    assert.ok(tick.volume > 0 && Number.isFinite(tick.volume));
  }
  assert.is(new Set(ticks.map((t) => t.symbol)).size, 2, 'each symbol has its own path');
});

test("log-returns' standard deviation matches the configured volatility", () => {
  const volatility = 0.8;
  const stepSeconds = 60;
  const calm: SimulatorOptions = {
    ...options,
    symbols: ['BTC-USD'],
    stepSeconds,
    regimes: [{ name: 'only', volatility, meanSeconds: 3600, volumeFactor: 1 }],
  };
  const prices = series(calm, 20_000).ticks.map((t) => t.price);
  const returns = prices.slice(1).map((p, i) => Math.log(p / prices[i]!));
  const expected = volatility * Math.sqrt(stepSeconds / (365 * 86_400));
  const measured = std(returns);
  assert.ok(Math.abs(measured / expected - 1) < 0.05, `std ${measured} vs ${expected}`);
});

test('regimes switch, and stormy ones move prices and sizes more than calm ones', () => {
  const opts: SimulatorOptions = { ...options, symbols: ['BTC-USD'], stepSeconds: 10 };
  let state = initialSimulatorState(opts);
  const byRegime = new Map<number, { returns: number[]; volumes: number[] }>();
  let previous = opts.startPrice;
  for (let i = 0; i < 200_000; i++) {
    const next = stepSimulator(state, opts, T0 + i * 10_000);
    state = next.state;
    const tick = next.ticks[0]!;
    const bucket = byRegime.get(state.regime) ?? { returns: [], volumes: [] };
    bucket.returns.push(Math.log(tick.price / previous));
    bucket.volumes.push(tick.volume);
    byRegime.set(state.regime, bucket);
    previous = tick.price;
  }
  assert.is(byRegime.size, 3, 'all three regimes visited');
  const calm = byRegime.get(0)!;
  const stormy = byRegime.get(2)!;
  assert.ok(std(stormy.returns) > 2.5 * std(calm.returns), 'stormy (120 %) vs calm (35 %)');
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  assert.ok(median(stormy.volumes) > 3 * median(calm.volumes));
});

test('bad options are refused with a reason', () => {
  assert.throws(() => initialSimulatorState({ ...options, regimes: [] }), /at least one volatility regime/);
  assert.throws(() => initialSimulatorState({ ...options, startPrice: 0 }), /startPrice/);
  assert.throws(() => initialSimulatorState({ ...options, stepSeconds: Number.NaN }), /stepSeconds/);
});

test('the simulator source: ticks for every symbol at the interval, flagged simulated', async () => {
  const { logger } = capturedLogger();
  const source = new SimulatorSource(
    { seed: 7, startPrice: 60_000, intervalSeconds: 0.005, maxSteps: 20 },
    { logger, symbols: ['BTC-USD', 'ETH-USD'] },
  );
  const sink = new RecordingSink();
  await source.run(sink, new AbortController().signal);
  assert.is(sink.ticks.length, 40);
  assert.ok(sink.ticks.every((t) => t.source === 'simulator'));
  assert.equal(sink.observed[0]!.raw, JSON.stringify(sink.ticks[0]));
  assert.equal(source.status().simulated, true);
  assert.ok(source.status().lastMessageAt > 0);
});

test('createSource builds the simulator from the config, and stops when aborted', async () => {
  const config = loadConfig({ env: { STOCK_STREAM_SOURCE: 'simulator', MESSAGE_INTERVAL: '0.01' } });
  const source = createSource(config.ingest, { logger: capturedLogger().logger, symbols: config.symbols });
  assert.is(source.name, 'simulator');
  const sink = new RecordingSink();
  const controller = new AbortController();
  const running = source.run(sink, controller.signal);
  while (sink.ticks.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
  controller.abort();
  await running;
  assert.ok(sink.ticks.every((t) => t.symbol === 'BTC-USD'));
});

test.run();
