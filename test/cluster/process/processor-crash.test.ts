// Crash recovery against the real broker: `stock-stream process` is killed with SIGKILL at random
// moments while ticks flow, restarted each time, and stock.signals must still equal an
// uninterrupted run's: nothing lost, nothing duplicated. Indicators likewise, one per tick, and
// dead letters one per malformed message.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BusMessage } from '../../../platform/bus/bus.js';
import { KafkaBus } from '../../../platform/bus/kafka-bus.js';
import { createLogger } from '../../../platform/log.js';
import { seededRandom } from '../../core/indicators/price-series.js';
import { startService } from '../../support/cli.js';
import { services } from '../../support/services.js';
import { asMessages, expectedSignals, TEST_SETTINGS_YAML, tickPath } from '../../support/ticks.js';
import { eventually } from '../../support/wait.js';

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function crashAndCompare(seed: number, kills: number): Promise<void> {
  const { kafka } = await services();
  const brokers = kafka.brokers.join(',');
  const id = randomUUID().slice(0, 8);
  const topics = {
    ticks: `crash.${id}.ticks`,
    indicators: `crash.${id}.indicators`,
    signals: `crash.${id}.signals`,
    dlq: `crash.${id}.dlq`,
    processorState: `crash.${id}.state`,
  };
  const dir = mkdtempSync(join(tmpdir(), 'crash-'));
  const configFile = join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    `${TEST_SETTINGS_YAML}symbols: [BTC-USD, ETH-USD, SOL-USD]\nlog:\n  level: info\nhttp:\n  port: 0\nprocess:\n  group: crash-${id}\ntopics:\n${Object.entries(
      topics,
    )
      .map(([key, name]) => `  ${key}: ${name}\n`)
      .join('')}`,
  );
  const bus = await KafkaBus.connect({ brokers: kafka.brokers, clientId: 'crash-test', logger: createLogger('silent'), partitions: 3 });
  await bus.ensureTopics([topics.ticks, topics.indicators, topics.signals, topics.dlq].map((name) => ({ name, partitions: 3 })));

  // A backlog keeps the processor busy, so that the kills land mid-batch and mid-transaction,
  // and more ticks keep arriving while it restarts.
  const ticks = tickPath(60_000, ['BTC-USD', 'ETH-USD', 'SOL-USD']);
  const expected = expectedSignals(ticks);
  // Malformed messages among the ticks: each must reach the dead-letter topic exactly once too.
  const messages = asMessages(ticks).flatMap((message, i) =>
    i % 500 === 250 ? [message, { key: 'BTC-USD', value: `not a tick #${i}` }] : [message],
  );
  const malformed = messages.filter((message) => message.value.startsWith('not a tick')).map((message) => message.value);
  const backlog = 6000;
  for (let i = 0; i < backlog; i += 2000) await bus.publish(topics.ticks, messages.slice(i, i + 2000));
  let published = backlog;
  const publishing = (async () => {
    while (published < messages.length) {
      await bus.publish(topics.ticks, messages.slice(published, published + 100));
      published += 100;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();

  const indicators: BusMessage[] = [];
  const signals: BusMessage[] = [];
  const dead: BusMessage[] = [];
  const readers = await Promise.all([
    bus.consume({ topics: [topics.dlq], from: 'earliest', handler: async (batch) => void dead.push(...batch) }),
    bus.consume({ topics: [topics.indicators], from: 'earliest', handler: async (batch) => void indicators.push(...batch) }),
    bus.consume({ topics: [topics.signals], from: 'earliest', handler: async (batch) => void signals.push(...batch) }),
  ]);

  const random = seededRandom(seed);
  const startProcessor = () => startService(['process', '--config', configFile], { KAFKA_BOOTSTRAP_SERVERS: brokers });
  let landed = 0;
  for (let round = 0; round < kills; round++) {
    const processor = await startProcessor();
    // Kill only once this instance is committing output (after the group has given it partitions,
    // which waits for the killed member's session to expire), at a random moment after that.
    const before = indicators.length;
    await eventually(() => assert.ok(indicators.length > before, 'the restarted processor commits output'), 60_000);
    await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 600)));
    if (indicators.length < ticks.length) landed++;
    await kill(processor.child);
  }
  await publishing;
  assert.ok(landed >= kills - 1, `${landed} of ${kills} kills landed while ticks were still being processed`);

  const last = await startProcessor();
  await eventually(
    () => assert.ok(indicators.length >= ticks.length, `${indicators.length} of ${ticks.length} indicator records`),
    120_000,
  );
  await eventually(() => assert.ok(signals.length >= expected.length, `${signals.length} of ${expected.length} signals`), 30_000);
  await eventually(() => assert.ok(dead.length >= malformed.length, `${dead.length} of ${malformed.length} dead letters`), 30_000);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await Promise.all(readers.map((reader) => reader.stop()));
  await kill(last.child);
  await bus.close();

  assert.is(indicators.length, ticks.length, 'exactly one indicator record per tick');
  assert.equal(signals.map((m) => m.value).sort(), [...expected].sort(), 'the same signals, none lost, none duplicated');
  // The stance survived every kill: each symbol's recommendations, in order, still alternate buy, sell, buy ...
  const recommendations = signals
    .map((m) => JSON.parse(m.value) as { symbol: string; ts: number; side: string; kind: string })
    .filter((signal) => signal.kind === 'recommendation');
  assert.ok(recommendations.length >= 10, `recommendations across the kills (${recommendations.length})`);
  for (const symbol of new Set(recommendations.map((r) => r.symbol))) {
    const sides = recommendations
      .filter((r) => r.symbol === symbol)
      .sort((a, b) => a.ts - b.ts)
      .map((r) => r.side);
    sides.forEach((side, i) => assert.is(side, i % 2 === 0 ? 'buy' : 'sell', `${symbol} recommendation ${i}`));
  }
  assert.equal(
    dead.map((m) => (JSON.parse(m.value) as { value: string }).value).sort(),
    [...malformed].sort(),
    'each malformed message dead-lettered once',
  );
}

// Several seeds: the kills land at other moments in each.
for (const seed of [20261127, 4242]) {
  test(`SIGKILL at random points while ticks flow (seed ${seed}): signals, indicators and dead letters equal an uninterrupted run`, () =>
    crashAndCompare(seed, 3));
}

test.run();
