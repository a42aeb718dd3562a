// Who may talk to the bus: a real Kafka 4.x broker (KRaft) whose only client listener wants
// SASL/SCRAM-SHA-512, with its users created at format time. The right password carries a
// transaction end to end; a wrong one, or none, is refused at start with one clear line.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BusError, type BusMessage } from '../../platform/bus/bus.js';
import { KafkaBus } from '../../platform/bus/kafka-bus.js';
import { openBus } from '../../platform/bus/select.js';
import { loadConfig } from '../../platform/config/load.js';
import { createLogger } from '../../platform/log.js';
import { startKafka, type KafkaService } from '../services/kafka.js';
import { eventually } from '../support/wait.js';

const USER = 'stock-stream';
const PASSWORD = 'right-kafka-pw-51c2';
const test = suite<{ kafka: KafkaService }>('kafka: SASL/SCRAM', { kafka: undefined! });

test.before(async (context) => {
  context.kafka = await startKafka(mkdtempSync(join(tmpdir(), 'kafka-scram-')), {
    scram: { mechanism: 'SCRAM-SHA-512', users: { [USER]: PASSWORD } },
    heapMb: 512,
  });
});
test.after(async ({ kafka }) => {
  await kafka.stop();
});

async function refusal(open: () => Promise<unknown>): Promise<BusError> {
  try {
    await open();
  } catch (error) {
    assert.instance(error, BusError);
    assert.not.match((error as Error).message, /\n/, 'one line');
    return error as BusError;
  }
  throw new Error('expected the broker to refuse us');
}

test('the right password (KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD_FILE): a transaction goes through end to end', async ({ kafka }) => {
  const secrets = mkdtempSync(join(tmpdir(), 'kafka-secret-'));
  const config = loadConfig({
    env: {
      KAFKA_BOOTSTRAP_SERVERS: kafka.brokers.join(','),
      KAFKA_SASL_USERNAME: USER,
      KAFKA_SASL_PASSWORD_FILE: join(secrets, 'kafka-sasl-password'),
    },
    readFile: (path) => (path === join(secrets, 'kafka-sasl-password') ? `${PASSWORD}\n` : ''),
  });
  assert.is(config.kafka.sasl.mechanism, 'scram-sha-512', 'the default mechanism');
  const bus = await openBus({ ...config, kafka: { ...config.kafka, partitions: 1 } }, createLogger('silent'));
  const input = `auth-in-${randomUUID()}`;
  const output = `auth-out-${randomUUID()}`;
  try {
    assert.is(bus.kind, 'kafka');
    assert.ok(bus.health().ok, bus.health().detail);
    await bus.ensureTopics([{ name: input }, { name: output }]);
    await bus.publish(input, [{ key: 'BTC-USD', value: 'tick-1' }]);
    // As the processor works: read, write the output and the position in one transaction.
    const processing = await bus.consume({
      topics: [input],
      group: `auth-processor-${randomUUID()}`,
      from: 'earliest',
      transactional: true,
      handler: async (messages, context) => {
        for (const message of messages) context.publish(output, [{ key: message.key, value: `${message.value}:processed` }]);
      },
    });
    const seen: BusMessage[] = [];
    const reading = await bus.consume({
      topics: [output],
      group: `auth-reader-${randomUUID()}`,
      from: 'earliest',
      handler: async (messages) => void seen.push(...messages),
    });
    await eventually(
      () =>
        assert.equal(
          seen.map((message) => message.value),
          ['tick-1:processed'],
        ),
      30_000,
    );
    await Promise.all([processing.stop(), reading.stop()]);
  } finally {
    await bus.close();
  }
});

test('a wrong password: refused at start with one line naming the user and what to set, without the password', async ({ kafka }) => {
  const lines: string[] = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  const error = await refusal(() =>
    KafkaBus.connect({
      brokers: kafka.brokers,
      clientId: 'auth-wrong',
      logger,
      connectTimeoutMs: 15_000,
      sasl: { mechanism: 'scram-sha-512', username: USER, password: 'wrong-pw-3' },
    }),
  );
  assert.is(error.code, 'ERR_BUS_AUTH');
  assert.match(error.message, new RegExp(`^Kafka at ${kafka.brokers[0]} refused our credentials \\(user "${USER}", SCRAM-SHA-512\\)`));
  assert.match(error.message, /KAFKA_SASL_PASSWORD/);
  assert.not.match(error.message, /wrong-pw-3/);
  assert.ok(lines.length > 0, 'the client logged the refusal');
  assert.not.match(lines.join(''), /wrong-pw-3/, 'nor does any log line');
});

test('an unknown user is refused the same way', async ({ kafka }) => {
  const error = await refusal(() =>
    KafkaBus.connect({
      brokers: kafka.brokers,
      clientId: 'auth-unknown',
      logger: createLogger('silent'),
      connectTimeoutMs: 15_000,
      sasl: { mechanism: 'scram-sha-512', username: 'mallory', password: PASSWORD },
    }),
  );
  assert.is(error.code, 'ERR_BUS_AUTH');
});

test('no password: the broker hangs up, and the one line says SASL may be what is missing', async ({ kafka }) => {
  const error = await refusal(() =>
    KafkaBus.connect({ brokers: kafka.brokers, clientId: 'auth-none', logger: createLogger('silent'), connectTimeoutMs: 4000 }),
  );
  assert.is(error.code, 'ERR_BUS_UNREACHABLE');
  assert.match(
    error.message,
    new RegExp(`^cannot reach Kafka at ${kafka.brokers[0]}: .*\\(if the brokers require SASL/SCRAM, set kafka.sasl.username`),
  );
});

test('a username without its password is refused before any connection, naming what to set', async ({ kafka }) => {
  const config = loadConfig({ env: { KAFKA_BOOTSTRAP_SERVERS: kafka.brokers.join(','), KAFKA_SASL_USERNAME: USER } });
  const error = await refusal(() => openBus(config, createLogger('silent')));
  assert.is(error.code, 'ERR_BUS_AUTH');
  assert.is(error.message, `kafka.sasl.username is "${USER}" but no password is set: set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE`);
});

test.run();
