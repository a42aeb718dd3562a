// One conformance suite for the message bus, run against the real Kafka broker and the embedded log.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Bus, BusMessage, ConsumeOptions, Subscription } from '../../platform/bus/bus.js';
import { EmbeddedLog } from '../../platform/bus/embedded-log.js';
import { KafkaBus } from '../../platform/bus/kafka-bus.js';
import { MAX_MESSAGE_BYTES } from '../../platform/bus/limits.js';
import { createLogger } from '../../platform/log.js';
import { services } from '../support/services.js';
import { eventually } from '../support/wait.js';

/**
 * Per adapter, what only it can do: for Kafka, make a transaction fail at the broker after part of
 * its outputs were written (a topic that refuses records over 1 KB), and read the partition without
 * read_committed, to see what an aborted transaction left in the log.
 */
interface BrokerHooks {
  refusingTopic(name: string): Promise<void>;
  readUncommitted(topic: string, atLeast: number): Promise<string[]>;
}

const adapters: Array<{ name: string; open: () => Promise<Bus>; broker?: BrokerHooks }> = [
  {
    name: 'embedded log',
    open: async () => new EmbeddedLog({ file: join(mkdtempSync(join(tmpdir(), 'bus-')), 'bus.sqlite'), pollIntervalMs: 20 }),
  },
  {
    name: 'kafka',
    open: async () =>
      KafkaBus.connect({
        brokers: (await services()).kafka.brokers,
        clientId: 'conformance',
        logger: createLogger('silent'),
        partitions: 3,
      }),
    broker: {
      async refusingTopic(name) {
        const admin = rawKafka((await services()).kafka.brokers).admin();
        await admin.connect();
        try {
          await admin.createTopics({
            waitForLeaders: true,
            topics: [{ topic: name, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '1024' }] }],
          });
        } finally {
          await admin.disconnect();
        }
      },
      async readUncommitted(topic, atLeast) {
        const consumer = rawKafka((await services()).kafka.brokers).consumer({ groupId: `raw-${randomUUID()}`, readUncommitted: true });
        const values: string[] = [];
        await consumer.connect();
        try {
          await consumer.subscribe({ topics: [topic], fromBeginning: true });
          await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value?.toString() ?? '') });
          await eventually(() => assert.ok(values.length >= atLeast, `${values.length} of at least ${atLeast} records`), 20_000);
          await new Promise((resolve) => setTimeout(resolve, 300));
        } finally {
          await consumer.disconnect();
        }
        return values;
      },
    },
  },
];

function rawKafka(brokers: readonly string[]) {
  return new kafkajs.Kafka({ clientId: 'conformance-raw', brokers: [...brokers], logLevel: kafkajs.logLevel.NOTHING });
}

/** Consumes into an array until stopped. */
async function collect(bus: Bus, options: Omit<ConsumeOptions, 'handler'>, onBatch?: (batch: readonly BusMessage[]) => void) {
  const received: BusMessage[] = [];
  const subscription: Subscription = await bus.consume({
    ...options,
    handler: async (batch) => {
      onBatch?.(batch);
      received.push(...batch);
    },
  });
  return { received, subscription };
}

const values = (messages: readonly BusMessage[]) => messages.map((message) => message.value);
const numbered = (prefix: string, count: number, key: (i: number) => string | null = () => 'k') =>
  Array.from({ length: count }, (_, i) => ({ key: key(i), value: `${prefix}-${i}` }));

for (const adapter of adapters) {
  const test = suite(`bus conformance: ${adapter.name}`);
  let bus: Bus;
  let topic: string;

  test.before(async () => {
    bus = await adapter.open();
  });
  test.after(async () => {
    await bus.close();
  });
  test.before.each(async () => {
    topic = `conformance.${randomUUID()}`;
    await bus.ensureTopics([{ name: topic, partitions: 3 }]);
  });

  test('keeps each key in publish order and each key on one partition', async () => {
    const keys = ['BTC-USD', 'ETH-USD', 'SOL-USD', 'ADA-USD', 'XRP-USD'];
    const messages = Array.from({ length: 200 }, (_, i) => ({ key: keys[i % keys.length]!, value: `${keys[i % keys.length]}:${i}` }));
    for (let i = 0; i < messages.length; i += 17) await bus.publish(topic, messages.slice(i, i + 17));
    const { received, subscription } = await collect(bus, { topics: [topic], group: `g-${randomUUID()}`, from: 'earliest' });
    await eventually(() => assert.is(received.length, 200));
    await subscription.stop();
    for (const key of keys) {
      const mine = received.filter((message) => message.key === key);
      assert.equal(
        values(mine),
        messages.filter((m) => m.key === key).map((m) => m.value),
      );
      assert.is(new Set(mine.map((message) => message.partition)).size, 1, `${key} stayed on one partition`);
    }
    const partitions = new Set(received.map((message) => message.partition));
    assert.ok(partitions.size > 1, 'five keys spread over more than one of three partitions');
  });

  test('offsets rise by one within a partition and messages carry key, value and time', async () => {
    const before = Date.now();
    await bus.publish(topic, [
      { key: 'a', value: '{"x":1}' },
      { key: 'a', value: '{"x":2}', timestamp: 1_700_000_000_000 },
    ]);
    const { received, subscription } = await collect(bus, { topics: [topic], from: 'earliest' });
    await eventually(() => assert.is(received.length, 2));
    await subscription.stop();
    const [first, second] = received as [BusMessage, BusMessage];
    assert.is(BigInt(second.offset) - BigInt(first.offset), 1n);
    assert.is(first.topic, topic);
    assert.is(first.key, 'a');
    assert.is(first.value, '{"x":1}');
    assert.ok(first.timestamp >= before - 1000 && first.timestamp <= Date.now() + 1000, 'stamped at publish time');
    assert.is(second.timestamp, 1_700_000_000_000);
  });

  test('a failed batch is delivered again (at least once) and nothing is skipped', async () => {
    await bus.publish(topic, numbered('m', 30));
    const seen: string[] = [];
    let failures = 0;
    const subscription = await bus.consume({
      topics: [topic],
      group: `g-${randomUUID()}`,
      from: 'earliest',
      handler: async (batch) => {
        if (batch.some((message) => message.value === 'm-10') && failures < 2) {
          failures++;
          throw new Error('simulated handler failure');
        }
        seen.push(...values(batch));
      },
    });
    await eventually(() => assert.ok(seen.includes('m-29')), 30_000);
    await subscription.stop();
    assert.is(failures, 2);
    assert.equal(
      [...new Set(seen)].sort(),
      numbered('m', 30)
        .map((m) => m.value)
        .sort(),
    );
  });

  test('a restarted group resumes after its last commit', async () => {
    const group = `g-${randomUUID()}`;
    await bus.publish(topic, numbered('first', 25));
    const one = await collect(bus, { topics: [topic], group, from: 'committed' });
    await eventually(() => assert.is(one.received.length, 25));
    await one.subscription.stop();

    await bus.publish(topic, numbered('second', 10));
    const two = await collect(bus, { topics: [topic], group, from: 'committed' });
    await eventually(() => assert.is(two.received.length, 10));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await two.subscription.stop();
    assert.equal(
      values(two.received),
      numbered('second', 10).map((m) => m.value),
    );
  });

  test('groups are independent, and earliest and latest override a group commit', async () => {
    const group = `g-${randomUUID()}`;
    await bus.publish(topic, numbered('old', 12));
    const a = await collect(bus, { topics: [topic], group, from: 'committed' });
    const b = await collect(bus, { topics: [topic], group: `${group}-other`, from: 'committed' });
    await eventually(() => assert.is(a.received.length + b.received.length, 24));
    await Promise.all([a.subscription.stop(), b.subscription.stop()]);

    const replay = await collect(bus, { topics: [topic], group, from: 'earliest' });
    await eventually(() => assert.is(replay.received.length, 12));
    await replay.subscription.stop();

    const latest = await collect(bus, { topics: [topic], group, from: 'latest' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await bus.publish(topic, numbered('new', 3));
    await eventually(() => assert.is(latest.received.length, 3));
    await latest.subscription.stop();
    assert.equal(values(latest.received), ['new-0', 'new-1', 'new-2']);
  });

  test('a reader without a group cannot ask for committed offsets', async () => {
    try {
      await bus.consume({ topics: [topic], from: 'committed', handler: async () => {} });
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.is((error as { code?: string }).code, 'ERR_BUS_USAGE');
    }
  });

  test('large batches: 20,000 messages arrive whole and in order per partition', async () => {
    const count = 20_000;
    const all = numbered('bulk', count, (i) => `key-${i % 7}`);
    for (let i = 0; i < count; i += 1000) await bus.publish(topic, all.slice(i, i + 1000));
    const { received, subscription } = await collect(bus, { topics: [topic], group: `g-${randomUUID()}`, from: 'earliest' });
    await eventually(() => assert.is(received.length, count), 60_000);
    await subscription.stop();
    const lastOffset = new Map<number, bigint>();
    for (const message of received) {
      const previous = lastOffset.get(message.partition);
      if (previous !== undefined) assert.ok(BigInt(message.offset) > previous, 'offsets rise within a partition');
      lastOffset.set(message.partition, BigInt(message.offset));
    }
    assert.is(new Set(values(received)).size, count);
  });

  test('an oversized message is refused with a clear error and the next publish still works', async () => {
    try {
      await bus.publish(topic, [{ key: 'big', value: 'x'.repeat(MAX_MESSAGE_BYTES + 1) }]);
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.is((error as { code?: string }).code, 'ERR_BUS_TOO_LARGE');
      assert.match((error as Error).message, /limit is 1000000/);
    }
    await bus.publish(topic, [{ key: 'small', value: 'fine' }]);
    const { received, subscription } = await collect(bus, { topics: [topic], from: 'earliest' });
    await eventually(() => assert.is(received.length, 1));
    await subscription.stop();
    assert.equal(values(received), ['fine']);
  });

  test('explicit partitions, partition counts and committed offsets', async () => {
    assert.is(await bus.partitionCount(topic), 3);
    assert.is(await bus.partitionCount(`missing.${randomUUID()}`), undefined);
    await bus.publish(topic, [
      { key: 'whatever', value: 'to-2', partition: 2 },
      { key: null, value: 'also-2', partition: 2 },
    ]);
    const group = `g-${randomUUID()}`;
    assert.equal([...(await bus.committedOffsets(group, topic))], [], 'a new group has no commits');
    const { received, subscription } = await collect(bus, { topics: [topic], group });
    await eventually(() => assert.is(received.length, 2));
    await subscription.stop();
    assert.equal(
      received.map((m) => m.partition),
      [2, 2],
    );
    const committed = await bus.committedOffsets(group, topic);
    assert.is(committed.get(2), (BigInt(received[1]!.offset) + 1n).toString());
    assert.is(committed.get(0), undefined);
  });

  test('transactional: what a handler publishes lands once, with the commit, even after failed attempts', async () => {
    const output = `${topic}.out`;
    await bus.ensureTopics([{ name: output, partitions: 1 }]);
    // Kafka: the second attempt's transaction fails at the broker after its outputs were written to
    // the log (the refusing topic is in the same produce request), so the broker aborts it for real.
    const refusing = `${topic}.refusing`;
    await adapter.broker?.refusingTopic(refusing);
    await bus.publish(
      topic,
      numbered('in', 40, (i) => `k${i % 3}`),
    );
    const group = `g-${randomUUID()}`;
    let attempts = 0;
    let handled = 0;
    let aborted: string[] = [];
    const subscription = await bus.consume({
      topics: [topic],
      group,
      transactional: true,
      handler: async (batch, context) => {
        attempts++;
        const outputs = batch.map((message) => ({ key: message.key, value: `out:${message.value}` }));
        // The first attempt throws after publishing: its outputs are never sent.
        if (attempts === 1) {
          context.publish(output, outputs);
          throw new Error('crash after publishing, before the commit');
        }
        if (attempts === 2 && adapter.broker) {
          aborted = outputs.map((m) => `${m.value}:aborted`);
          context.publish(
            output,
            aborted.map((value, i) => ({ key: outputs[i]!.key, value })),
          );
          context.publish(refusing, [{ key: 'x', value: 'x'.repeat(2000) }]);
          return;
        }
        context.publish(output, outputs);
        handled += batch.length;
      },
    });
    await eventually(() => assert.is(handled, 40), 30_000);
    await subscription.stop();
    const reader = await collect(bus, { topics: [output], from: 'earliest' });
    await eventually(() => assert.is(reader.received.length, 40));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await reader.subscription.stop();
    assert.equal(
      values(reader.received).sort(),
      numbered('in', 40)
        .map((m) => `out:${m.value}`)
        .sort(),
      'a read_committed reader sees each output once and nothing of a failed attempt',
    );
    const committed = await bus.committedOffsets(group, topic);
    assert.is(
      [...committed.values()].reduce((sum, offset) => sum + Number(offset), 0),
      40,
      'every input committed',
    );
    if (adapter.broker) {
      // The aborted attempt did reach the broker: its records are in the log, marked aborted.
      assert.ok(aborted.length > 0, 'the second attempt published');
      const raw = await adapter.broker.readUncommitted(output, 40 + aborted.length);
      assert.equal(raw.filter((value) => value.endsWith(':aborted')).sort(), [...aborted].sort(), 'the aborted records are in the log');
    }
  });

  test('a batch may publish more than the broker takes in one request (2 MB to one partition)', async () => {
    const output = `${topic}.big`;
    await bus.ensureTopics([{ name: output, partitions: 1 }]);
    await bus.publish(topic, [{ key: 'k', value: 'go' }]);
    const pad = 'p'.repeat(400);
    const subscription = await bus.consume({
      topics: [topic],
      group: `g-${randomUUID()}`,
      transactional: true,
      handler: async (_batch, context) => {
        context.publish(
          output,
          Array.from({ length: 5000 }, (_, i) => ({ key: 'k', value: `${i}:${pad}` })),
        );
      },
    });
    const reader = await collect(bus, { topics: [output], from: 'earliest' });
    await eventually(() => assert.is(reader.received.length, 5000), 30_000);
    await Promise.all([subscription.stop(), reader.subscription.stop()]);
    assert.equal(
      reader.received.map((m) => Number(m.value.split(':')[0])),
      Array.from({ length: 5000 }, (_, i) => i),
      'in order',
    );
  });

  test('a transactional consumer needs a group', async () => {
    try {
      await bus.consume({ topics: [topic], from: 'earliest', transactional: true, handler: async () => {} });
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.is((error as { code?: string }).code, 'ERR_BUS_USAGE');
    }
  });

  test('reports itself healthy while connected', () => {
    const health = bus.health();
    assert.ok(health.ok, health.detail);
    assert.is(health.kind, bus.kind);
  });

  test.run();
}
