// A real Apache Kafka 4.x in KRaft mode, run with `java` from the jars that fetch-kafka.sh takes from
// Maven Central: one combined broker+controller (startKafka), or a cluster of three (startKafkaCluster)
// with the replication the k3s manifests use. Ready once a produce/consume round trip works.
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
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
  const { version, java } = await kafkaJars(dir, options.heapMb);
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dataDir = join(dir, 'kafka-data');
  mkdirSync(dataDir, { recursive: true });
  const properties = join(dir, 'server.properties');
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
      await waitUntil('kafka broker', () => roundTrip(brokers, 1, sasl), 90_000, server);
    },
    async stop(signal) {
      await server?.stop(signal);
    },
  };
  await service.start();
  return service;
}

/** One node of a cluster: a combined broker and controller that a test may kill and start again. */
export interface KafkaNode {
  readonly id: number;
  /** host:port of its broker listener. */
  readonly broker: string;
  readonly logFile: string;
  running(): boolean;
  /** Starts the node's JVM again on its data (after a stop or a kill); resolves once its port answers. */
  start(): Promise<void>;
  /** SIGKILL: the node dies as a Pi losing power would, nothing flushed. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface KafkaCluster {
  readonly brokers: string[];
  readonly nodes: readonly KafkaNode[];
  readonly version: string;
  /** The replication every topic gets, and how many replicas must have a write before it counts. */
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  stop(): Promise<void>;
}

/**
 * Three combined broker+controller nodes with a static controller quorum, as cdk8s/kafka.ts deploys
 * them: replication factor 3 and min.insync.replicas 2 for every topic, the consumer offsets and the
 * transaction state, so any one node may die without losing a write or stopping the cluster.
 * Fewer internal partitions than the manifests' defaults (4, not 50): they only make start-up slower.
 */
export async function startKafkaCluster(dir: string, options: { heapMb?: number } = {}): Promise<KafkaCluster> {
  const nodeCount = 3;
  const minIsr = 2;
  const { version, java } = await kafkaJars(dir, options.heapMb ?? 512);
  const ports = await Promise.all(Array.from({ length: nodeCount * 2 }, () => freePort()));
  const clientPort = (i: number) => ports[i * 2]!;
  const controllerPort = (i: number) => ports[i * 2 + 1]!;
  const voters = Array.from({ length: nodeCount }, (_, i) => `${i + 1}@127.0.0.1:${controllerPort(i)}`).join(',');
  const clusterId = randomBytes(16).toString('base64url');
  const brokers = Array.from({ length: nodeCount }, (_, i) => `127.0.0.1:${clientPort(i)}`);
  const nodes = await Promise.all(
    Array.from({ length: nodeCount }, async (_, i): Promise<KafkaNode> => {
      const id = i + 1;
      const nodeDir = join(dir, `node-${id}`);
      const dataDir = join(nodeDir, 'data');
      mkdirSync(dataDir, { recursive: true });
      const properties = join(nodeDir, 'server.properties');
      writeFileSync(
        properties,
        [
          'process.roles=broker,controller',
          `node.id=${id}`,
          `controller.quorum.voters=${voters}`,
          `listeners=PLAINTEXT://127.0.0.1:${clientPort(i)},CONTROLLER://127.0.0.1:${controllerPort(i)}`,
          `advertised.listeners=PLAINTEXT://127.0.0.1:${clientPort(i)}`,
          'controller.listener.names=CONTROLLER',
          'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
          'inter.broker.listener.name=PLAINTEXT',
          `log.dirs=${dataDir}`,
          'num.partitions=3',
          `default.replication.factor=${nodeCount}`,
          `min.insync.replicas=${minIsr}`,
          'auto.create.topics.enable=false',
          `offsets.topic.replication.factor=${nodeCount}`,
          'offsets.topic.num.partitions=4',
          `transaction.state.log.replication.factor=${nodeCount}`,
          `transaction.state.log.min.isr=${minIsr}`,
          'transaction.state.log.num.partitions=4',
          'group.initial.rebalance.delay.ms=0',
          '',
        ].join('\n'),
      );
      // A static quorum (controller.quorum.voters): every node is formatted alike, no --standalone.
      await run('java', [...java, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', properties]).catch(
        (error: { stderr?: string; message: string }) => {
          throw new Error(`kafka storage format of node ${id} failed: ${error.stderr?.trim() || error.message}`);
        },
      );
      let server: Server | undefined;
      const logFile = join(nodeDir, 'kafka.log');
      return {
        id,
        broker: brokers[i]!,
        logFile,
        running: () => server !== undefined && !server.exited(),
        async start() {
          server = startServer('java', [...java, 'kafka.Kafka', properties], logFile);
          // A broker opens its port once the quorum has formed, which on a loaded machine takes minutes.
          await waitUntil(`kafka node ${id}`, () => portAnswers(clientPort(i)), 240_000, server);
        },
        async stop(signal = 'SIGKILL') {
          await server?.stop(signal);
        },
      };
    }),
  );
  const cluster: KafkaCluster = {
    brokers,
    nodes,
    version,
    replicationFactor: nodeCount,
    minInsyncReplicas: minIsr,
    async stop() {
      await Promise.allSettled(nodes.map((node) => node.stop('SIGTERM')));
    },
  };
  try {
    await Promise.all(nodes.map((node) => node.start()));
    // A topic with three replicas needs all three brokers registered with the quorum.
    await waitUntil('kafka cluster', () => roundTrip(brokers, nodeCount), 120_000);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

function portAnswers(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

/** The broker's jars (fetched once, cached) and the JVM arguments that run them with quiet logs. */
async function kafkaJars(dir: string, heapMb = 768): Promise<{ version: string; java: string[] }> {
  requireProgram('java', 'install a Java 17+ runtime (Debian: apt-get install default-jdk-headless)');
  requireProgram('mvn', 'install Maven (Debian: apt-get install maven)');
  const libs = await run('bash', [join(here, 'kafka', 'fetch-kafka.sh')]).then(
    (result) => result.stdout.trim(),
    (error: { stderr?: string; message: string }) => {
      throw new Error(`could not fetch the Kafka broker: ${error.stderr?.trim() || error.message}`);
    },
  );
  const version = /kafka-([^/]+)\/libs$/.exec(libs)?.[1] ?? 'unknown';
  const log4j = join(dir, 'log4j2.yaml');
  writeFileSync(
    log4j,
    'Configuration:\n  Appenders:\n    Console:\n      name: STDOUT\n      PatternLayout:\n        Pattern: "[%d] %p %m (%c)%n"\n  Loggers:\n    Root:\n      level: WARN\n      AppenderRef:\n        - ref: STDOUT\n',
  );
  const java = [
    `-Xms${Math.min(256, heapMb)}m`,
    `-Xmx${heapMb}m`,
    // Kafka's own launcher options (kafka-run-class.sh's KAFKA_JVM_PERFORMANCE_OPTS), which the
    // apache/kafka image runs with: the broker here behaves as the deployed one does.
    '-server',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-XX:MaxInlineLevel=15',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4j}`,
    '-cp',
    `${libs}/*`,
  ];
  return { version, java };
}

/** Creates a topic with `replicas` replicas, produces one message and reads it back: the brokers really serve. */
async function roundTrip(brokers: string[], replicas: number, sasl?: SASLOptions): Promise<void> {
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
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: replicas }], waitForLeaders: true });
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
