// A real Apache Kafka 4.x broker in KRaft mode (one combined broker+controller), run with `java` from
// the jars that fetch-kafka.sh takes from Maven Central. Ready once a produce/consume round trip works.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs, { type SASLOptions } from 'kafkajs';
import { freePort, requireProgram, startServer, waitUntil, type Server } from './child.js';

const here = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

export interface KafkaService {
  readonly brokers: string[];
  readonly version: string;
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface KafkaOptions {
  /**
   * The client listener speaks SASL_PLAINTEXT with this SCRAM mechanism and only these users (name ->
   * password), created at format time as `kafka-storage format --add-scram` does; the broker talks to
   * itself as one more user of its own. Unset: a PLAINTEXT listener anyone may use.
   */
  readonly scram?: { readonly mechanism: 'SCRAM-SHA-512' | 'SCRAM-SHA-256'; readonly users: Readonly<Record<string, string>> };
  /** The JVM's heap, MB (default 768). */
  readonly heapMb?: number;
}

export async function startKafka(dir: string, options: KafkaOptions = {}): Promise<KafkaService> {
  requireProgram('java', 'install a Java 17+ runtime (Debian: apt-get install default-jdk-headless)');
  requireProgram('mvn', 'install Maven (Debian: apt-get install maven)');
  const libs = await run('bash', [join(here, 'kafka', 'fetch-kafka.sh')]).then(
    (result) => result.stdout.trim(),
    (error: { stderr?: string; message: string }) => {
      throw new Error(`could not fetch the Kafka broker: ${error.stderr?.trim() || error.message}`);
    },
  );
  const version = /kafka-([^/]+)\/libs$/.exec(libs)?.[1] ?? 'unknown';
  const classpath = `${libs}/*`;
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dataDir = join(dir, 'kafka-data');
  mkdirSync(dataDir, { recursive: true });
  const properties = join(dir, 'server.properties');
  const log4j = join(dir, 'log4j2.yaml');
  const scram = options.scram;
  const brokerUser = { name: 'harness-broker', password: randomBytes(12).toString('hex') };
  const client = scram ? 'SASL_PLAINTEXT' : 'PLAINTEXT';
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
      `listeners=${client}://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=${client}://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      'controller.listener.names=CONTROLLER',
      `listener.security.protocol.map=${client}:${client},CONTROLLER:PLAINTEXT`,
      `inter.broker.listener.name=${client}`,
      ...(scram
        ? [
            `sasl.enabled.mechanisms=${scram.mechanism}`,
            `sasl.mechanism.inter.broker.protocol=${scram.mechanism}`,
            `listener.name.sasl_plaintext.${scram.mechanism.toLowerCase()}.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${brokerUser.name}" password="${brokerUser.password}";`,
          ]
        : []),
      `log.dirs=${dataDir}`,
      'num.partitions=1',
      'auto.create.topics.enable=false',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=4',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=4',
      'group.initial.rebalance.delay.ms=0',
      '',
    ].join('\n'),
  );
  writeFileSync(
    log4j,
    'Configuration:\n  Appenders:\n    Console:\n      name: STDOUT\n      PatternLayout:\n        Pattern: "[%d] %p %m (%c)%n"\n  Loggers:\n    Root:\n      level: WARN\n      AppenderRef:\n        - ref: STDOUT\n',
  );
  const java = ['-Xms256m', `-Xmx${options.heapMb ?? 768}m`, '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${log4j}`, '-cp', classpath];
  // Any 16 random bytes in base64url make a valid KRaft cluster id; no second JVM start needed for it.
  // Passed as --cluster-id=ID: an id that starts with "-" would otherwise read as an option.
  const clusterId = randomBytes(16).toString('base64url');
  // SCRAM users live in the cluster metadata: written into its first records at format time.
  const users = scram ? [brokerUser, ...Object.entries(scram.users).map(([name, password]) => ({ name, password }))] : [];
  const addScram = users.flatMap((user) => ['--add-scram', `${scram!.mechanism}=[name=${user.name},password=${user.password}]`]);
  const format = ['kafka.tools.StorageTool', 'format', '--standalone', `--cluster-id=${clusterId}`, '-c', properties, ...addScram];
  await run('java', [...java, ...format]).catch((error: { stderr?: string; message: string }) => {
    throw new Error(`kafka storage format failed: ${error.stderr?.trim() || error.message}`);
  });

  let server: Server | undefined;
  const brokers = [`127.0.0.1:${port}`];
  const service: KafkaService = {
    brokers,
    version,
    async start() {
      server = startServer('java', [...java, 'kafka.Kafka', properties], join(dir, 'kafka.log'));
      const login = { username: brokerUser.name, password: brokerUser.password };
      const sasl: SASLOptions | undefined =
        scram === undefined
          ? undefined
          : scram.mechanism === 'SCRAM-SHA-512'
            ? { mechanism: 'scram-sha-512', ...login }
            : { mechanism: 'scram-sha-256', ...login };
      await waitUntil('kafka broker', () => roundTrip(brokers, sasl), 90_000, server);
    },
    async stop(signal) {
      await server?.stop(signal);
    },
  };
  await service.start();
  return service;
}

/** Creates a topic, produces one message and reads it back: the broker really serves. */
async function roundTrip(brokers: string[], sasl: SASLOptions | undefined): Promise<void> {
  const kafka = new kafkajs.Kafka({
    clientId: 'harness',
    brokers,
    ...(sasl ? { sasl } : {}),
    logLevel: kafkajs.logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1000,
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `harness-${Date.now()}`, maxWaitTimeInMs: 100 });
  const topic = 'harness.ready';
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    await producer.connect();
    const marker = `ready-${Date.now()}`;
    await producer.send({ topic, messages: [{ value: marker }] });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      // A broker that has just started may still be creating __consumer_offsets: give up on this
      // try quickly (the caller tries again) rather than wait out the client's own retries.
      const timer = setTimeout(() => reject(new Error('round trip timed out')), 4000);
      consumer.on(consumer.events.CRASH, (event) => {
        clearTimeout(timer);
        reject(event.payload.error);
      });
      consumer
        .run({
          eachMessage: async ({ message }) => {
            if (message.value?.toString() === marker) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  }
}
