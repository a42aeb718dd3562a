// The processor with a warm start, on the real Kafka broker (and the embedded log): it starts with
// ready indicators from a filled candle store, emits nothing about the past, gives what the core
// gives over the warmed state plus the live ticks, lets restored state win, and starts anyway when
// an exchange cannot be reached.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Processor, type ProcessorTopics } from '../../../cluster/process/processor.js';
import { WarmStart } from '../../../cluster/process/warm-start.js';
import { signalRecord, type IndicatorRecord, type Tick } from '../../../core/contracts/index.js';
import { pipelineFactory, type SymbolPipeline } from '../../../core/pipeline.js';
import type { Bus, BusMessage } from '../../../platform/bus/bus.js';
import { EmbeddedLog } from '../../../platform/bus/embedded-log.js';
import { KafkaBus } from '../../../platform/bus/kafka-bus.js';
import type { CandleHistory } from '../../../platform/history/history.js';
import { StoreCandleHistory } from '../../../platform/history/store-history.js';
import { createLogger } from '../../../platform/log.js';
import { SqliteStore } from '../../../platform/store/sqlite-store.js';
import { fillStore, historyTicks, unreachable } from '../../support/history.js';
import { services } from '../../support/services.js';
import { asMessages, expectedSignals, TEST_SETTINGS, tickPath } from '../../support/ticks.js';
import { eventually } from '../../support/wait.js';

const logger = createLogger('silent');
const M = 60_000;
const DAY = 86_400_000;
const SYMBOLS = ['BTC-USD', 'ETH-USD'];
// The warm start's "now": live ticks come after it.
const NOW = Date.UTC(2026, 0, 1, 12, 0, 10);
const retention = { candleRetentionMs: { '1m': 7 * DAY, '5m': 30 * DAY, '1h': 365 * DAY }, recentSignals: 10 };

const adapters: Array<{ name: string; open: () => Promise<Bus> }> = [
  {
    name: 'kafka',
    open: async () =>
      KafkaBus.connect({ brokers: (await services()).kafka.brokers, clientId: 'processor-warm-test', logger, partitions: 2 }),
  },
  {
    name: 'embedded log',
    open: async () =>
      new EmbeddedLog({ file: join(mkdtempSync(join(tmpdir(), 'proc-warm-')), 'bus.sqlite'), pollIntervalMs: 20, defaultPartitions: 2 }),
  },
];

/** Live ticks a minute apart from just after NOW, symbols interleaved. */
function liveTicks(count: number): Tick[] {
  return tickPath(count, SYMBOLS, 21).map((tick) => ({ ...tick, ts: tick.ts - Date.UTC(2026, 0, 1) + NOW + 20_000 }));
}

async function readAll(bus: Bus, topic: string, expected: number, settleMs = 300): Promise<BusMessage[]> {
  const received: BusMessage[] = [];
  const reader = await bus.consume({ topics: [topic], from: 'earliest', handler: async (batch) => void received.push(...batch) });
  await eventually(() => assert.ok(received.length >= expected, `${topic}: ${received.length} of ${expected}`), 60_000);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  await reader.stop();
  return received;
}

/** What the core gives when each symbol starts from `start(symbol)` and then takes the live ticks. */
function coreRun(ticks: readonly Tick[], start: (symbol: string) => SymbolPipeline) {
  const pipelines = new Map<string, SymbolPipeline>();
  const records: string[] = [];
  const signals: string[] = [];
  for (const tick of ticks) {
    let pipeline = pipelines.get(tick.symbol);
    if (!pipeline) pipelines.set(tick.symbol, (pipeline = start(tick.symbol)));
    const emitted = pipeline.step(tick);
    if (emitted === undefined) continue;
    records.push(JSON.stringify(pipeline.record(tick)));
    for (const signal of emitted) signals.push(JSON.stringify(signalRecord(signal)));
  }
  return { records, signals };
}

for (const adapter of adapters) {
  const test = suite(`processor warm start: ${adapter.name}`);
  let bus: Bus;
  let store: SqliteStore;
  let topics: ProcessorTopics;
  let group: string;
  const warmStart = (sources: readonly CandleHistory[], timeoutMs = 5000) =>
    new WarmStart({
      symbols: SYMBOLS,
      settings: TEST_SETTINGS,
      sources,
      maxCandles: 1000,
      maxAgeMs: 60 * DAY,
      timeoutMs,
      logger,
      now: () => NOW,
    });
  const processor = (warm?: WarmStart) =>
    new Processor({
      bus,
      logger,
      topics,
      group,
      pipelines: pipelineFactory(TEST_SETTINGS),
      restoreTimeoutMs: 20_000,
      ...(warm ? { warmStart: warm } : {}),
    });

  test.before(async () => {
    bus = await adapter.open();
    // The aggregator's candles of the last three hours, for both symbols.
    store = new SqliteStore({ ...retention, file: ':memory:' });
    for (const [i, symbol] of SYMBOLS.entries())
      await fillStore(store, historyTicks(symbol, NOW - 3 * 3_600_000, NOW, 15_000, 30 + i), `h.${i}`);
  });
  test.after(async () => {
    await store.close();
    await bus.close();
  });
  test.before.each(async () => {
    const prefix = `warm.${randomUUID().slice(0, 8)}`;
    topics = {
      ticks: `${prefix}.ticks`,
      indicators: `${prefix}.indicators`,
      signals: `${prefix}.signals`,
      dlq: `${prefix}.dlq`,
      state: `${prefix}.state`,
    };
    group = `warm-${randomUUID().slice(0, 8)}`;
    await bus.ensureTopics([{ name: topics.ticks, partitions: 2 }]);
  });

  test('from a filled store: ready indicators on the first live tick, nothing about the past, what the core gives', async () => {
    const live = liveTicks(300);
    const warm = warmStart([new StoreCandleHistory(store)]);
    const running = processor(warm);
    await running.start();
    await running.ready;
    assert.match(running.health().detail, /warm start: BTC-USD ready \(\d+ from store\); ETH-USD ready \(\d+ from store\)/);
    await bus.publish(topics.ticks, asMessages(live));
    const indicators = await readAll(bus, topics.indicators, live.length);
    // The warmed state plus the live ticks, through the core directly.
    const expected = coreRun(live, (symbol) => warm.pipeline(symbol)!);
    assert.ok(expected.signals.length > 5, `live ticks give signals (${expected.signals.length})`);
    const signals = await readAll(bus, topics.signals, expected.signals.length);
    await running.stop();
    assert.equal(indicators.map((m) => m.value).sort(), [...expected.records].sort());
    assert.equal(signals.map((m) => m.value).sort(), [...expected.signals].sort());
    for (const symbol of SYMBOLS) {
      const first = indicators.map((m) => JSON.parse(m.value) as IndicatorRecord).find((record) => record.symbol === symbol)!;
      assert.is(first.ts, live.find((tick) => tick.symbol === symbol)!.ts);
      assert.is(first.warmup, undefined, `${symbol}: no timeframe still warming up`);
      for (const [field, value] of Object.entries(first.closed)) assert.ok(value !== null, `${symbol}: closed ${field} ready at once`);
      for (const field of ['sma', 'ema', 'rsi', 'macd', 'macdSignal', 'bbUpper'] as const)
        assert.ok(first[field] !== null, `${symbol}: ${field}`);
    }
    const firstLive = Math.min(...live.map((tick) => tick.ts));
    for (const message of signals) assert.ok((JSON.parse(message.value) as { ts: number }).ts >= firstLive, 'no signal about the past');
    // Without the warm start the same ticks begin with indicators still warming up.
    const cold = coreRun(live, (symbol) => pipelineFactory(TEST_SETTINGS).create(symbol));
    assert.ok((JSON.parse(cold.records[0]!) as IndicatorRecord).warmup !== undefined);
  });

  test('state restored from the changelog wins over the warm start', async () => {
    const live = liveTicks(400);
    const first = processor();
    await first.start();
    await bus.publish(topics.ticks, asMessages(live.slice(0, 200)));
    await readAll(bus, topics.indicators, 200, 0);
    await first.stop();
    // Restarted with a warm start: both symbols are in the restored snapshots, so it is not used.
    const second = processor(warmStart([new StoreCandleHistory(store)]));
    await second.start();
    await second.ready;
    await bus.publish(topics.ticks, asMessages(live.slice(200)));
    const expected = expectedSignals(live);
    const signals = await readAll(bus, topics.signals, expected.length);
    const indicators = await readAll(bus, topics.indicators, live.length);
    await second.stop();
    assert.is(indicators.length, live.length);
    assert.equal(signals.map((m) => m.value).sort(), [...expected].sort(), 'exactly an uninterrupted run without warm start');
  });

  test('an unreachable exchange: it starts anyway, says so on health, and warms up from live ticks', async () => {
    const live = liveTicks(40);
    const running = processor(warmStart([unreachable('coinbase', [M, 5 * M])]));
    await running.start();
    await running.ready;
    const health = running.health();
    assert.is(health.ok, true, health.detail);
    assert.match(
      health.detail,
      /BTC-USD warming up: 1m 0 of 9 candles, 5m 0 of 9 candles \(no history\); coinbase failed: fetch failed \(ENOTFOUND\)/,
    );
    await bus.publish(topics.ticks, asMessages(live));
    const indicators = await readAll(bus, topics.indicators, live.length);
    await running.stop();
    const firstBtc = indicators.map((m) => JSON.parse(m.value) as IndicatorRecord).find((record) => record.symbol === 'BTC-USD')!;
    assert.equal(firstBtc.warmup, [
      { timeframe: '1m', candles: 0, needed: 9 },
      { timeframe: '5m', candles: 0, needed: 9 },
    ]);
    assert.equal(indicators.map((m) => m.value).sort(), [...coreRun(live, (s) => pipelineFactory(TEST_SETTINGS).create(s)).records].sort());
  });

  test.run();
}
