// What only the Kafka adapter has to prove: a compacted topic (the processor's state changelog) is
// created so that the broker never deletes the latest record of a key, however old it is; and a
// consumer whose transactional producer is fenced (a partition's new owner after a rebalance) goes on
// consuming, where kafkajs alone would stop it for good.
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KafkaBus, partitionTransactionalIds } from '../../platform/bus/kafka-bus.js';
import { createLogger } from '../../platform/log.js';
import { services } from '../support/services.js';
import { eventually } from '../support/wait.js';

test('a compacted topic is created with cleanup.policy=compact and no time or size retention', async () => {
  const brokers = (await services()).kafka.brokers;
  const bus = await KafkaBus.connect({ brokers, clientId: 'kafka-bus-test', logger: createLogger('silent'), partitions: 1 });
  const admin = new kafkajs.Kafka({ clientId: 'kafka-bus-test-admin', brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
  const state = `state-${randomUUID()}`;
  const plain = `plain-${randomUUID()}`;
  try {
    // As the processor declares its changelog (cluster/process/processor.ts).
    await bus.ensureTopics([{ name: state, partitions: 2, compact: true }, { name: plain }]);
    await admin.connect();
    const described = await admin.describeConfigs({
      resources: [
        { type: kafkajs.ConfigResourceTypes.TOPIC, name: state },
        { type: kafkajs.ConfigResourceTypes.TOPIC, name: plain },
      ],
      includeSynonyms: false,
    });
    const configOf = (topic: string) =>
      Object.fromEntries(
        described.resources
          .find((resource) => resource.resourceName === topic)!
          .configEntries.map((entry) => [entry.configName, entry.configValue]),
      );
    const stateConfig = configOf(state);
    assert.is(stateConfig['cleanup.policy'], 'compact', 'compaction only: no "delete" policy that would expire the last record');
    assert.is(stateConfig['retention.ms'], '-1', 'no time retention, should the policy ever gain "delete"');
    assert.is(stateConfig['retention.bytes'], '-1', 'no size retention either');
    assert.is(configOf(plain)['cleanup.policy'], 'delete', 'other topics keep the broker default');
  } finally {
    await admin.disconnect();
    await bus.close();
  }
});

test('a fenced transactional producer fails its batch, which is delivered again: the consumer never stops', async () => {
  const brokers = (await services()).kafka.brokers;
  const logged: string[] = [];
  const logger = createLogger('error', { write: (line: string) => void logged.push(line) });
  const bus = await KafkaBus.connect({ brokers, clientId: 'kafka-bus-fence-test', logger, partitions: 1 });
  const kafka = new kafkajs.Kafka({ clientId: 'kafka-bus-fence-test-other', brokers, logLevel: kafkajs.logLevel.NOTHING });
  const input = `in-${randomUUID()}`;
  const output = `out-${randomUUID()}`;
  const group = `fence-${randomUUID()}`;
  let fenced = false;
  let attempts = 0;
  const outputs = new Set<string>();
  try {
    await bus.ensureTopics([{ name: input }, { name: output }]);
    const subscription = await bus.consume({
      topics: [input],
      group,
      transactional: true,
      commitPosition: 'after-outputs',
      handler: async (batch, context) => {
        attempts++;
        if (!fenced && batch.some((message) => message.value === '3')) {
          // Another process takes the partition's transactional id, as a new owner does: the bus's
          // producer is fenced, and kafkajs calls that error one it will not retry.
          // The bus holds several ids per input partition, used in turn: all are taken.
          for (const transactionalId of partitionTransactionalIds(group, input, 0)) {
            const other = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
            await other.connect();
            // kafkajs registers the transactional id (and so fences) when a first transaction begins.
            await (await other.transaction()).abort();
            await other.disconnect();
          }
          fenced = true;
        }
        context.publish(
          output,
          batch.map((message) => ({ key: null, value: message.value })),
        );
      },
    });
    const reader = await bus.consume({
      topics: [output],
      from: 'earliest',
      handler: async (batch) => batch.forEach((message) => outputs.add(message.value)),
    });
    try {
      for (let i = 0; i < 6; i++) {
        await bus.publish(input, [{ key: 'k', value: String(i) }]);
        await eventually(() => assert.ok(outputs.has(String(i)), `output ${i} (${attempts} attempts, fenced: ${fenced})`), 60_000, 50);
      }
      assert.ok(fenced, 'the producer was fenced mid-stream');
      const failures = logged.filter((line) => line.includes('batch failed; it will be delivered again'));
      assert.ok(failures.length >= 1, 'the failed batch is logged');
      assert.ok(
        failures.every((line) => line.includes(input)),
        'with its topic',
      );
      assert.equal([...outputs].sort(), ['0', '1', '2', '3', '4', '5']);
      assert.ok(bus.health().ok, bus.health().detail);
    } finally {
      await reader.stop();
      await subscription.stop();
    }
  } finally {
    await bus.close();
  }
});

test("a partition's earlier owner is fenced before the handler first sees it: its open transaction can no longer commit", async () => {
  const brokers = (await services()).kafka.brokers;
  const bus = await KafkaBus.connect({ brokers, clientId: 'kafka-bus-owner-test', logger: createLogger('silent'), partitions: 1 });
  const kafka = new kafkajs.Kafka({ clientId: 'kafka-bus-owner-test-old', brokers, logLevel: kafkajs.logLevel.NOTHING });
  const input = `in-${randomUUID()}`;
  const output = `out-${randomUUID()}`;
  const group = `owner-${randomUUID()}`;
  const old = kafka.producer({ transactionalId: `${group}.${input}.0`, idempotent: true, maxInFlightRequests: 1 });
  try {
    await bus.ensureTopics([{ name: input }, { name: output }]);
    await bus.publish(input, [{ key: 'k', value: 'first' }]);
    // The earlier owner (a processor cut off mid-batch) has written part of a batch's outputs.
    await old.connect();
    const open = await old.transaction();
    await open.send({ topic: output, messages: [{ value: 'from the earlier owner' }] });
    let verdict: string | undefined;
    const subscription = await bus.consume({
      topics: [input],
      group,
      transactional: true,
      commitPosition: 'after-outputs',
      handler: async () => {
        // The processor restores its state here: the earlier owner must not be able to commit after this.
        verdict ??= await open.commit().then(
          () => 'committed',
          (error: Error) => `refused: ${error.message}`,
        );
      },
    });
    try {
      await eventually(() => assert.ok(verdict), 60_000, 50);
      assert.match(verdict!, /^refused/, `the earlier owner's transaction ${verdict} while the new owner's handler ran`);
    } finally {
      await subscription.stop();
    }
  } finally {
    await old.disconnect().catch(() => {});
    await bus.close();
  }
});

test.run();
