// What only the Kafka adapter has to prove: a compacted topic (the processor's state changelog) is
// created so that the broker never deletes the latest record of a key, however old it is.
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KafkaBus } from '../../platform/bus/kafka-bus.js';
import { createLogger } from '../../platform/log.js';
import { services } from '../support/services.js';

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

test.run();
