// The processor on both buses: the signals equal the core run directly, bad ticks go to the DLQ with
// a reason, restarts restore state, and two instances in one group split the work.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Processor, type ProcessorTopics } from '../../../cluster/process/processor.js';
import { pipelineFactory, SymbolPipeline } from '../../../core/pipeline.js';
import type { Bus, BusMessage } from '../../../platform/bus/bus.js';
import { EmbeddedLog } from '../../../platform/bus/embedded-log.js';
import { KafkaBus } from '../../../platform/bus/kafka-bus.js';
import { createLogger } from '../../../platform/log.js';
import { services } from '../../support/services.js';
import { asMessages, expectedSignals, TEST_SETTINGS, tickPath } from '../../support/ticks.js';
import { eventually } from '../../support/wait.js';

const logger = createLogger('silent');

const adapters: Array<{ name: string; open: () => Promise<Bus> }> = [
  {
    name: 'embedded log',
    open: async () =>
      new EmbeddedLog({ file: join(mkdtempSync(join(tmpdir(), 'proc-')), 'bus.sqlite'), pollIntervalMs: 20, defaultPartitions: 3 }),
  },
  {
    name: 'kafka',
    open: async () => KafkaBus.connect({ brokers: (await services()).kafka.brokers, clientId: 'processor-test', logger, partitions: 3 }),
  },
];

function topicsFor(prefix: string): ProcessorTopics {
  return {
    ticks: `${prefix}.ticks`,
    indicators: `${prefix}.indicators`,
    signals: `${prefix}.signals`,
    dlq: `${prefix}.dlq`,
    state: `${prefix}.state`,
  };
}

async function readAll(bus: Bus, topic: string, expected: number, settleMs = 300): Promise<BusMessage[]> {
  const received: BusMessage[] = [];
  const reader = await bus.consume({ topics: [topic], from: 'earliest', handler: async (batch) => void received.push(...batch) });
  await eventually(() => assert.ok(received.length >= expected, `${topic}: ${received.length} of ${expected}`), 60_000);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  await reader.stop();
  return received;
}

const sortedValues = (messages: readonly BusMessage[]) => messages.map((m) => m.value).sort();

for (const adapter of adapters) {
  const test = suite(`processor: ${adapter.name}`);
  let bus: Bus;
  let topics: ProcessorTopics;
  let group: string;
  const processor = (name = group) =>
    new Processor({ bus, logger, topics, group: name, pipelines: pipelineFactory(TEST_SETTINGS), restoreTimeoutMs: 20_000 });

  test.before(async () => {
    bus = await adapter.open();
  });
  test.after(async () => bus.close());
  test.before.each(async () => {
    topics = topicsFor(`proc.${randomUUID().slice(0, 8)}`);
    group = `processor-${randomUUID().slice(0, 8)}`;
    await bus.ensureTopics([{ name: topics.ticks, partitions: 3 }]);
  });

  test('signals and indicators equal the core run directly over the same ticks', async () => {
    const ticks = tickPath(1500, ['BTC-USD', 'ETH-USD', 'SOL-USD']);
    const expected = expectedSignals(ticks);
    assert.ok(expected.length >= 20, `the path produces signals (${expected.length})`);
    await bus.publish(topics.ticks, asMessages(ticks));
    const running = processor();
    await running.start();
    const indicators = await readAll(bus, topics.indicators, ticks.length);
    const signals = await readAll(bus, topics.signals, expected.length);
    assert.is(running.health().ok, true, running.health().detail);
    await running.stop();
    assert.is(running.health().ok, false, 'a stopped processor is not healthy');
    assert.is(indicators.length, ticks.length, 'one indicator record per tick');
    assert.equal(sortedValues(signals), [...expected].sort());
    const btcSignals = signals.filter((m) => m.key === 'BTC-USD').map((m) => JSON.parse(m.value) as { ts: number });
    assert.equal(
      btcSignals.map((s) => s.ts),
      [...btcSignals.map((s) => s.ts)].sort((a, b) => a - b),
      'in order per symbol',
    );
    const last = JSON.parse(indicators.filter((m) => m.key === 'BTC-USD').at(-1)!.value) as Record<string, unknown>;
    assert.equal(Object.keys(last).sort(), [
      'bbLower',
      'bbMiddle',
      'bbUpper',
      'closed',
      'ema',
      'macd',
      'macdHist',
      'macdSignal',
      'price',
      'rsi',
      'sma',
      'stance',
      'symbol',
      'timeframe',
      'ts',
      'type',
    ]);
    assert.is(last.timeframe, '1m');
    // The last record is the core's own, forming values, closed values and stance alike.
    const core = new SymbolPipeline('BTC-USD', TEST_SETTINGS);
    const btc = ticks.filter((tick) => tick.symbol === 'BTC-USD');
    for (const tick of btc) core.step(tick);
    assert.equal(last, JSON.parse(JSON.stringify(core.record(btc.at(-1)!))));
  });

  test('malformed, hostile and mis-keyed ticks go to the DLQ with a reason; stale ones are left out', async () => {
    const good = tickPath(40);
    const bad = [
      { key: 'BTC-USD', value: 'not json at all' },
      { key: 'BTC-USD', value: '{"symbol":"BTC-USD","price":-5,"ts":1767225600000,"source":"x"}' },
      { key: 'BTC-USD', value: '{"symbol":"BTC-USD","price":"97000","ts":1767225600000,"source":"x"}' },
      { key: 'BTC-USD', value: '{"symbol":"BTC-USD","price":97000,"ts":1767225600,"source":"x"}' },
      { key: 'BTC-USD', value: '{"symbol":"BTC-USD","price":97000,"ts":99999999999999,"source":"x"}' },
      { key: 'BTC-USD', value: '{"__proto__":{"polluted":true},"symbol":"BTC-USD"}' },
      { key: 'BTC-USD', value: 'null' },
      { key: 'BTC-USD', value: `{"symbol":"BTC-USD","pad":"${'x'.repeat(50_000)}"}` },
      { key: 'ETH-USD', value: JSON.stringify({ ...good[0], symbol: 'BTC-USD' }) },
    ];
    const stale = { key: 'BTC-USD', value: JSON.stringify(good[5]) };
    await bus.publish(topics.ticks, [...asMessages(good), ...bad, stale]);
    const running = processor();
    await running.start();
    const dlq = await readAll(bus, topics.dlq, bad.length);
    const indicators = await readAll(bus, topics.indicators, good.length);
    await running.stop();
    assert.is(indicators.length, good.length, 'every good tick processed, the stale repeat left out');
    // The mis-keyed one travels on its key's partition, so compare without order across partitions.
    const reasons = dlq.map((m) => (JSON.parse(m.value) as { reason: string }).reason).sort();
    assert.equal(
      reasons,
      [
        'not JSON',
        'price: must be a finite number above 0',
        'price: must be a finite number above 0',
        'ts: before 2009-01-03 (seconds instead of milliseconds?)',
        'ts: in the future',
        'price: must be a finite number above 0',
        'not an object',
        'price: must be a finite number above 0',
        'key ETH-USD does not match symbol BTC-USD',
      ].sort(),
    );
    const oversized = JSON.parse(dlq.find((m) => m.value.includes('xxxxxxxx'))!.value) as { value: string; topic: string };
    assert.ok(oversized.value.length <= 10_001, 'the DLQ keeps a bounded copy of the input');
    assert.is(oversized.topic, topics.ticks);
    assert.is(({} as Record<string, unknown>).polluted, undefined);
  });

  test('a tick of a symbol not configured goes to the DLQ with the reason, and never into the state', async () => {
    const ticks = tickPath(60, ['BTC-USD', 'ETH-USD', 'DOGE-USD']);
    const listed = ticks.filter((tick) => tick.symbol !== 'DOGE-USD');
    await bus.publish(topics.ticks, asMessages(ticks));
    const running = new Processor({
      bus,
      logger,
      topics,
      group,
      pipelines: pipelineFactory(TEST_SETTINGS),
      restoreTimeoutMs: 20_000,
      symbols: ['BTC-USD', 'ETH-USD'],
    });
    await running.start();
    const dlq = await readAll(bus, topics.dlq, ticks.length - listed.length);
    const indicators = await readAll(bus, topics.indicators, listed.length);
    const states = await readAll(bus, topics.state, 1);
    await running.stop();
    assert.is(indicators.length, listed.length, 'every tick of a configured symbol processed');
    const reasons = new Set(dlq.map((m) => (JSON.parse(m.value) as { reason: string }).reason));
    assert.equal([...reasons], ['symbol DOGE-USD is not configured (symbols: BTC-USD, ETH-USD)']);
    assert.is(dlq.length, ticks.length - listed.length);
    // Snapshots only (key p<partition>), not the restore's barriers.
    const snapshots = states.filter((m) => m.key?.startsWith('p') === true);
    assert.ok(snapshots.length > 0, 'snapshots were written');
    const held = snapshots.flatMap((m) => Object.keys((JSON.parse(m.value) as { symbols: Record<string, unknown> }).symbols));
    assert.not.ok(held.includes('DOGE-USD'), `the state holds ${[...new Set(held)].join(', ')}`);
  });

  test('stopped and restarted, it restores its state and continues exactly', async () => {
    const ticks = tickPath(1200, ['BTC-USD', 'ETH-USD']);
    const expected = expectedSignals(ticks);
    const first = processor();
    await first.start();
    await bus.publish(topics.ticks, asMessages(ticks.slice(0, 500)));
    await readAll(bus, topics.indicators, 500, 0);
    await first.stop();
    const second = processor();
    await second.start();
    await bus.publish(topics.ticks, asMessages(ticks.slice(500)));
    const signals = await readAll(bus, topics.signals, expected.length);
    const indicators = await readAll(bus, topics.indicators, ticks.length);
    await second.stop();
    assert.is(indicators.length, ticks.length);
    assert.equal(sortedValues(signals), [...expected].sort());
  });

  test.run();
}

const scale = suite('processor: two instances in one Kafka group');

scale('split the partitions, and together publish what one instance would', async () => {
  const bus = await adapters[1]!.open();
  const topics = topicsFor(`scale.${randomUUID().slice(0, 8)}`);
  const group = `scale-${randomUUID().slice(0, 8)}`;
  await bus.ensureTopics([{ name: topics.ticks, partitions: 3 }]);
  const ticks = tickPath(1800, ['BTC-USD', 'ETH-USD', 'SOL-USD', 'ADA-USD', 'XRP-USD', 'DOT-USD']);
  const expected = expectedSignals(ticks);
  const make = () => new Processor({ bus, logger, topics, group, pipelines: pipelineFactory(TEST_SETTINGS), restoreTimeoutMs: 20_000 });
  const [a, b] = [make(), make()];
  await Promise.all([a.start(), b.start()]);
  await bus.publish(topics.ticks, asMessages(ticks));
  const signals = await readAll(bus, topics.signals, expected.length, 1000);
  const indicators = await readAll(bus, topics.indicators, ticks.length);
  await Promise.all([a.stop(), b.stop()]);
  await bus.close();
  assert.is(indicators.length, ticks.length);
  assert.equal(sortedValues(signals), [...expected].sort());
});

scale.run();
