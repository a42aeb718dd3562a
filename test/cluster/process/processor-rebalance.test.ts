// Rebalances while ticks flow, on the real broker: a second processor joins the group mid-stream
// and leaves again, handing a partition back to its first owner. That owner's state in memory is
// then stale (the other member moved the partition on), even where the group's committed position
// happens to equal the offset that state expects; the outputs must still equal an uninterrupted
// run's: one indicator record per tick, every signal once.
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Processor, type ProcessorTopics } from '../../../cluster/process/processor.js';
import { pipelineFactory } from '../../../core/pipeline.js';
import type { Tick } from '../../../core/contracts/index.js';
import type { BusMessage, OutgoingMessage } from '../../../platform/bus/bus.js';
import { KafkaBus } from '../../../platform/bus/kafka-bus.js';
import { createLogger } from '../../../platform/log.js';
import { services } from '../../support/services.js';
import { expectedSignals, TEST_SETTINGS, tickPath } from '../../support/ticks.js';
import { eventually } from '../../support/wait.js';

const logger = createLogger('silent');

/** An indicator record's identity: one per tick. */
const indicatorId = (message: BusMessage) => {
  const record = JSON.parse(message.value) as { symbol: string; ts: number };
  return `${record.symbol}@${record.ts}`;
};
const signalId = (message: BusMessage) => (JSON.parse(message.value) as { id: string }).id;

/** Which partitions of `topic` each member of the group holds, by client id. */
async function assignments(brokers: readonly string[], group: string, topic: string): Promise<Map<string, number[]>> {
  const admin = new kafkajs.Kafka({ brokers: [...brokers], logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([group]);
    const result = new Map<string, number[]>();
    for (const member of groups[0]?.members ?? []) {
      const assignment = kafkajs.AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      result.set(member.clientId, assignment?.assignment[topic] ?? []);
    }
    return result;
  } finally {
    await admin.disconnect();
  }
}

/** Every id once: the duplicated ones listed, for a readable failure. */
function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
}

test('a partition handed back after another member moved it on is restored from the changelog, not from memory', async () => {
  const { kafka } = await services();
  const id = randomUUID().slice(0, 8);
  const topics: ProcessorTopics = {
    ticks: `rebalance.${id}.ticks`,
    indicators: `rebalance.${id}.indicators`,
    signals: `rebalance.${id}.signals`,
    dlq: `rebalance.${id}.dlq`,
    state: `rebalance.${id}.state`,
  };
  const group = `rebalance-${id}`;
  const open = (clientId: string) => KafkaBus.connect({ brokers: kafka.brokers, clientId, logger, partitions: 2 });
  const [busA, busB, observer] = await Promise.all([open(`rebalance-a-${id}`), open(`rebalance-b-${id}`), open(`rebalance-o-${id}`)]);
  await observer.ensureTopics([topics.ticks, topics.indicators, topics.signals, topics.dlq].map((name) => ({ name, partitions: 2 })));
  const processor = (bus: KafkaBus) =>
    new Processor({ bus, logger, topics, group, pipelines: pipelineFactory(TEST_SETTINGS), restoreTimeoutMs: 20_000 });

  const ticks = tickPath(1200, ['BTC-USD', 'ETH-USD']);
  const expected = expectedSignals(ticks);
  const partitionOf = (tick: Tick) => (tick.symbol === 'BTC-USD' ? 0 : 1);
  const sentOn = [0, 0];
  let sent = 0;
  /** Publishes the ticks up to `until` (both symbols, each on its own partition). */
  const publishUntil = async (until: number) => {
    const batch: OutgoingMessage[] = [];
    for (; sent < until; sent++) {
      const tick = ticks[sent]!;
      sentOn[partitionOf(tick)]!++;
      batch.push({ key: tick.symbol, value: JSON.stringify(tick), partition: partitionOf(tick) });
    }
    await observer.publish(topics.ticks, batch);
  };

  const indicators: BusMessage[] = [];
  const signals: BusMessage[] = [];
  const readers = await Promise.all([
    observer.consume({ topics: [topics.indicators], from: 'earliest', handler: async (batch) => void indicators.push(...batch) }),
    observer.consume({ topics: [topics.signals], from: 'earliest', handler: async (batch) => void signals.push(...batch) }),
  ]);
  const processed = (count: number) => eventually(() => assert.ok(indicators.length >= count, `${indicators.length} of ${count}`), 60_000);
  const committed = async (partition: number) => (await observer.committedOffsets(group, topics.ticks)).get(partition);

  const a = processor(busA);
  const b = processor(busB);
  try {
    await a.start();
    // A owns both partitions. Two quick batches: the group's position is committed lazily (about
    // once a second), so it lags behind what A's state has consumed.
    await publishUntil(400);
    await processed(sent);
    // A tick each until A has just committed the group's position on both partitions, then at once
    // a few more ticks: A consumes them without committing the position again (a loaded machine may
    // take longer than the position's commit interval: then again).
    let aheadOfPosition = false;
    for (let attempt = 0; attempt < 10 && !aheadOfPosition; attempt++) {
      for (;;) {
        await publishUntil(sent + 2);
        await processed(sent);
        if ((await committed(0)) === String(sentOn[0]) && (await committed(1)) === String(sentOn[1])) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await publishUntil(sent + 10);
      await processed(sent);
      aheadOfPosition = Number(await committed(0)) < sentOn[0]! && Number(await committed(1)) < sentOn[1]!;
    }
    assert.ok(aheadOfPosition, "A's state has consumed more than the group's committed position says");

    // B joins: one partition moves to B, which restores A's snapshot and finds the lagging tail
    // already consumed; its first batch commits the group's position at exactly where A's state stopped.
    await b.start();
    let moved = -1;
    await eventually(
      async () => {
        const held = (await assignments(kafka.brokers, group, topics.ticks)).get(`rebalance-b-${id}`) ?? [];
        assert.is(held.length, 1, `B holds one partition (${held.join(',')})`);
        moved = held[0]!;
      },
      60_000,
      250,
    );
    const expectedByA = String(sentOn[moved]);
    await eventually(async () => assert.is(await committed(moved), expectedByA), 20_000);
    const lagged = b.health().detail.startsWith('1 partition');
    // B moves the partition on, quickly enough not to commit the group's position again.
    await publishUntil(sent + 20);
    await processed(sent);
    const positionWhenHandedBack = await committed(moved);

    // B leaves: the partition goes back to A, whose state in memory expects offset `expectedByA`.
    await b.stop();
    await publishUntil(ticks.length);
    await processed(ticks.length);
    await eventually(() => assert.ok(signals.length >= expected.length, `${signals.length} of ${expected.length} signals`), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const twice = duplicates(indicators.map(indicatorId));
    assert.is(twice.length, 0, `${twice.length} indicator records twice (${twice.slice(0, 3).join(', ')} ...)`);
    assert.is(indicators.length, ticks.length, 'one indicator record per tick');
    const signalsTwice = duplicates(signals.map(signalId));
    assert.is(signalsTwice.length, 0, `${signalsTwice.length} signals twice (${signalsTwice.slice(0, 3).join(', ')} ...)`);
    assert.equal(signals.map((m) => m.value).sort(), [...expected].sort(), 'the signals of an uninterrupted run');
    // The case the test is for: reported, not asserted (it depends on B not committing its position again).
    console.log(
      `  B's first batch was ${lagged ? 'the tail A had consumed' : 'fresh ticks'}; partition ${moved} handed back at committed ` +
        `position ${positionWhenHandedBack} (A's state in memory expected ${expectedByA})`,
    );
  } finally {
    await Promise.all(readers.map((reader) => reader.stop()));
    await Promise.allSettled([a.stop(), b.stop()]);
    await Promise.allSettled([busA.close(), busB.close(), observer.close()]);
  }
});

test.run();
