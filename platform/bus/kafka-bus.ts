// The cluster bus: Apache Kafka through kafkajs, behind the same Bus contract as the embedded log.
import { randomUUID } from 'node:crypto';
import kafkajs, { type Admin, type Consumer, type Kafka, type LogEntry, type Producer, type SASLOptions } from 'kafkajs';
import type { Logger } from '../log.js';
import {
  BusError,
  type Bus,
  type BusHealth,
  type BusMessage,
  type ConsumeOptions,
  type OutgoingMessage,
  type Subscription,
  type TopicSpec,
} from './bus.js';
import { checkConsumeOptions, checkMessageSizes, collectingContext, type BatchOutputs } from './limits.js';
import { cacheTransactionCoordinators } from './kafkajs-coordinator-cache.js';
import { partitionForKey } from './partitioner.js';
import { sleep } from '../retry.js';

const { Kafka: KafkaClient, Partitioners, logLevel: LogLevel } = kafkajs;

const STALE_AFTER_MS = 5000;
/** The transactional ids of one input partition's producers, which take turns (see consume()). */
export const partitionTransactionalIds = (group: string, topic: string, partition: number): string[] =>
  ['', '.b', '.c'].map((suffix) => `${group}.${topic}.${partition}${suffix}`);

export interface KafkaBusOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /** Partitions and replication for topics this bus creates. */
  readonly partitions?: number;
  readonly replicationFactor?: number;
  /** How long `connect` waits for the cluster before giving up. */
  readonly connectTimeoutMs?: number;
  /** SASL/SCRAM credentials; unset: no authentication (a plaintext listener). */
  readonly sasl?: KafkaSasl;
}

export interface KafkaSasl {
  readonly mechanism: 'scram-sha-512' | 'scram-sha-256';
  readonly username: string;
  readonly password: string;
}

/** What a person should set, said in the error they read. */
const SASL_HINT = 'set kafka.sasl.username (KAFKA_SASL_USERNAME) and KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE';

export class KafkaBus implements Bus {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private producer: Producer | undefined;
  private producerReady: Promise<Producer> | undefined;
  private readonly subscriptions = new Set<Subscription>();
  private state: { ok: boolean; detail: string } = { ok: false, detail: 'not connected' };
  /** When a consumer last heard from the cluster (a fetch answered), for staleness in health(). */
  private lastFetchAt = 0;
  private readonly now: () => number = Date.now;
  private closed = false;
  private readonly log: Logger;
  /** Set when a consumer stopped for good (kafkajs would not restart it): health stays failed. */
  private stoppedForGood: string | undefined;
  /** Per topic written to: its partitions, and the brokers that hold their replicas (see produceRequests). */
  private readonly layouts = new Map<string, { partitions: number; brokers: ReadonlySet<number> }>();
  private unkeyedCursor = 0;

  /** Connects and checks that the cluster answers; a clear error when it does not. */
  static async connect(options: KafkaBusOptions): Promise<KafkaBus> {
    const bus = new KafkaBus(options);
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        bus.admin.connect().then(() => bus.admin.describeCluster()),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      await bus.admin.disconnect().catch(() => {});
      throw describeConnectFailure(options, error as Error);
    } finally {
      clearTimeout(timer);
    }
    bus.state = { ok: true, detail: `connected to ${options.brokers.join(',')}` };
    return bus;
  }

  private constructor(private readonly options: KafkaBusOptions) {
    // Two round trips fewer per transaction (see kafkajs-coordinator-cache.ts).
    cacheTransactionCoordinators();
    const logger = options.logger.child({ component: 'kafka' });
    this.log = logger;
    this.kafka = new KafkaClient({
      clientId: options.clientId,
      brokers: [...options.brokers],
      connectionTimeout: 3000,
      requestTimeout: 30_000,
      retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 8 },
      ...(options.sasl ? { sasl: saslOptions(options.sasl) } : {}),
      logLevel: LogLevel.WARN,
      logCreator:
        () =>
        ({ namespace, level, log }: LogEntry) => {
          const { message, ...rest } = log;
          const method = level <= LogLevel.ERROR ? 'error' : level === LogLevel.WARN ? 'warn' : 'debug';
          logger[method]({ namespace, ...rest }, message);
        },
    });
    this.admin = this.kafka.admin();
  }

  async listTopics(): Promise<string[]> {
    this.assertOpen();
    return (await this.admin.listTopics()).filter((name) => !name.startsWith('__')).sort();
  }

  async partitionCount(topic: string): Promise<number | undefined> {
    this.assertOpen();
    return (await this.partitionsOf(topic))?.length;
  }

  /** The topic's partitions as the cluster describes them, or undefined when there is no such topic. */
  private async partitionsOf(topic: string): Promise<kafkajs.PartitionMetadata[] | undefined> {
    if (!(await this.admin.listTopics()).includes(topic)) return undefined;
    return (await this.admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions;
  }

  async committedOffsets(group: string, topic: string): Promise<Map<number, string>> {
    this.assertOpen();
    const [offsets] = await this.admin.fetchOffsets({ groupId: group, topics: [topic] });
    const result = new Map<number, string>();
    for (const { partition, offset } of offsets?.partitions ?? []) if (offset !== '-1') result.set(partition, offset);
    return result;
  }

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    this.assertOpen();
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic.name));
    if (missing.length > 0) await this.createTopics(missing);
    // Another process may have created a topic a moment ago: it is listed before its partitions
    // have leaders, and a caller that counts them then would see none.
    await this.untilLed(topics.map((topic) => topic.name));
  }

  private async createTopics(missing: readonly TopicSpec[]): Promise<void> {
    await this.admin
      .createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic: topic.name,
          numPartitions: topic.partitions ?? this.options.partitions ?? 3,
          replicationFactor: this.options.replicationFactor ?? 1,
          ...(topic.compact
            ? {
                configEntries: [
                  // Compaction only: the latest record of a key (a processor's state) is kept however old it
                  // is. No time or size retention either, should someone add "delete" to the policy.
                  { name: 'cleanup.policy', value: 'compact' },
                  { name: 'retention.ms', value: '-1' },
                  { name: 'retention.bytes', value: '-1' },
                  // Roll and clean often: a restoring processor reads what compaction has not yet removed.
                  { name: 'segment.ms', value: String(10 * 60_000) },
                  { name: 'min.cleanable.dirty.ratio', value: '0.1' },
                ],
              }
            : {}),
        })),
      })
      .catch((error: unknown) => {
        // Created by another process between the listing and now: what we wanted exists. Or created,
        // and the broker does not serve its metadata yet while kafkajs waits for leaders: untilLed waits.
        const type = (error as { type?: string }).type;
        if (type !== 'TOPIC_ALREADY_EXISTS' && type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
      });
  }

  private async untilLed(names: readonly string[], timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // A topic another process has just created may be listed before the broker serves its metadata.
      const { topics } = await this.admin.fetchTopicMetadata({ topics: [...names] }).catch((error: unknown) => {
        if ((error as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return { topics: [] };
        throw error;
      });
      const led =
        topics.length === names.length &&
        topics.every((topic) => topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0));
      if (led) return;
      if (Date.now() > deadline)
        throw new BusError('ERR_BUS_UNREACHABLE', `topics ${names.join(', ')} have no partition leaders after ${timeoutMs / 1000} s`);
      await sleep(100);
    }
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.assertOpen();
    checkMessageSizes(topic, messages);
    const producer = await this.readyProducer();
    try {
      const requests = await this.produceRequests([{ topic, messages }]);
      for (const topicMessages of requests) await producer.sendBatch({ topicMessages, acks: -1 });
      this.state = { ok: true, detail: `connected to ${this.options.brokers.join(',')}` };
    } catch (error) {
      this.state = { ok: false, detail: `publish failed: ${(error as Error).message}` };
      throw error;
    }
  }

  async consume(options: ConsumeOptions): Promise<Subscription> {
    this.assertOpen();
    checkConsumeOptions(options);
    const from = options.from ?? 'committed';
    const group = options.group;
    const transactional = options.transactional === true;
    const positionInTransaction = options.commitPosition !== 'after-outputs';
    const groupId = group ?? `stock-stream-reader-${randomUUID()}`;
    // Each join of the group (a rebalance, a restart after a crash) starts a new generation. What was
    // true of a partition before it may no longer be: another member may have owned it in between.
    let generation = 0;
    // The generation in which each partition's last batch was committed; absent after a failed attempt.
    const committedIn = new Map<string, number>();
    // Three transactional producers per input partition, with ids that survive restarts: a new owner
    // of the partition fences them all and finishes whatever they left open. They take turns, one
    // transaction each: the coordinator answers a commit once it has decided it, then writes the
    // commit markers to every partition the transaction touched, and refuses the same id's next
    // transaction until they are written (CONCURRENT_TRANSACTIONS, retried by kafkajs, a few
    // milliseconds each time). Taking turns gives each id two whole transactions' time for that
    // (with two ids, one transaction's time was not always enough while the broker was slow). Order
    // holds: the next transaction begins after the last one's commit was decided, so its records
    // follow that one's in every partition and no read_committed reader sees them first. The ring is
    // initialised again in each generation, so a member that gets a partition back (from a member
    // that owned it meanwhile) fences that member too, before its handler reads any state.
    const producers = new Map<string, { ring: readonly Producer[]; turn: number; generation: number }>();
    const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;
    const transactionalProducer = async (topic: string, partition: number): Promise<Producer> => {
      const key = partitionKey(topic, partition);
      let held = producers.get(key);
      if (held && held.generation !== generation) {
        dropProducer(topic, partition);
        held = undefined;
      }
      if (!held) {
        const born = generation;
        const ids = partitionTransactionalIds(groupId, topic, partition);
        const ring = await Promise.all(ids.map((transactionalId) => this.fencingProducer(transactionalId)));
        held = { ring, turn: 0, generation: born };
        producers.set(key, held);
      }
      return held.ring[held.turn]!;
    };
    /** After a commit: the partition's next transaction goes to the next producer of its ring. */
    const nextTurn = (topic: string, partition: number) => {
      const held = producers.get(partitionKey(topic, partition));
      if (held) held.turn = (held.turn + 1) % held.ring.length;
    };
    const dropProducer = (topic: string, partition: number) => {
      const key = partitionKey(topic, partition);
      const held = producers.get(key);
      producers.delete(key);
      for (const producer of held?.ring ?? []) void producer.disconnect().catch(() => {});
    };
    // Positions committed after the outputs ('after-outputs'): when each partition was last committed.
    const positionCommittedAt = new Map<string, number>();
    const POSITION_COMMIT_INTERVAL_MS = 1000;
    if (group !== undefined && from !== 'committed') {
      for (const topic of options.topics) await this.admin.resetOffsets({ groupId, topic, earliest: from === 'earliest' });
    }
    const consumer: Consumer = this.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      // A read_committed fetch is not always woken when a transaction commits; waiting at most 20 ms
      // bounds that delay (p50 16 -> 8 ms at 100 ticks/s) for a few idle fetches a second.
      maxWaitTimeInMs: 20,
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      if (restart) this.state = { ok: false, detail: `consumer crashed, restarting: ${error.message}` };
      // Nothing restarts it: a process that looks alive but consumes nothing must say so until it is replaced.
      else if (!this.closed) this.stoppedForGood = `a consumer of ${options.topics.join(', ')} stopped: ${error.message}`;
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      generation++;
    });
    // A reader outside any group commits nothing: when kafkajs restarts its consumer (after the
    // cluster was away for a while) it would start over from the earliest or the latest message,
    // repeating or skipping what came meanwhile. It resumes where it was instead, and what was
    // delivered is never delivered twice. 'latest' means the end of each partition at subscription.
    const deliveredTo = new Map<string, bigint>();
    if (group === undefined) {
      if (from === 'latest') {
        for (const topic of options.topics)
          for (const { partition, high } of await this.admin.fetchTopicOffsets(topic))
            deliveredTo.set(`${topic}:${partition}`, BigInt(high));
      }
      consumer.on(consumer.events.GROUP_JOIN, () => {
        for (const [key, offset] of deliveredTo) {
          const at = key.lastIndexOf(':');
          consumer.seek({ topic: key.slice(0, at), partition: Number(key.slice(at + 1)), offset: offset.toString() });
        }
      });
    }
    consumer.on(consumer.events.FETCH, () => {
      this.lastFetchAt = this.now();
      this.state = { ok: true, detail: `connected to ${this.options.brokers.join(',')}` };
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: from !== 'latest' });
    const handleBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: kafkajs.EachBatchPayload): Promise<void> => {
      if (batch.messages.length === 0 || !isRunning() || isStale()) return;
      const key = `${batch.topic}:${batch.partition}`;
      let fetched = batch.messages;
      if (group === undefined) {
        const seen = deliveredTo.get(key) ?? -1n;
        fetched = fetched.filter((message) => BigInt(message.offset) >= seen);
        if (fetched.length === 0) return resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
      }
      const messages: BusMessage[] = fetched.map((message) => ({
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key === null ? null : message.key.toString('utf8'),
        value: message.value === null ? '' : message.value.toString('utf8'),
        timestamp: Number(message.timestamp),
      }));
      const batchGeneration = generation;
      const followsCommitted = committedIn.get(key) === batchGeneration;
      committedIn.delete(key);
      // Connecting the partition's transactional producer fences any earlier owner and finishes
      // its open transaction: done before the handler reads state that transaction may have written.
      const producer = transactional ? await transactionalProducer(batch.topic, batch.partition) : undefined;
      const { context, outputs } = collectingContext(followsCommitted);
      await options.handler(messages, context);
      const last = messages[messages.length - 1]!.offset;
      const next = (BigInt(last) + 1n).toString();
      const requests = await this.produceRequests(outputs);
      if (producer) {
        const transaction = await producer.transaction();
        try {
          for (const topicMessages of requests) await transaction.sendBatch({ topicMessages, acks: -1 });
          if (positionInTransaction) {
            await transaction.sendOffsets({
              consumerGroupId: groupId,
              topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
            });
          }
          await transaction.commit();
        } catch (error) {
          await transaction.abort().catch(() => {});
          // Fenced by a new owner, or the cluster failed mid-transaction: a new producer (a new
          // epoch, after the coordinator has finished this one) for the delivery that follows.
          dropProducer(batch.topic, batch.partition);
          throw error;
        }
        nextTurn(batch.topic, batch.partition);
        committedIn.set(key, batchGeneration);
        if (!positionInTransaction && this.now() - (positionCommittedAt.get(key) ?? 0) >= POSITION_COMMIT_INTERVAL_MS) {
          positionCommittedAt.set(key, this.now());
          // Only a lower bound now (the outputs carry the truth), so a failure here loses nothing.
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]).catch(() => {});
        }
      } else {
        const producer = await this.readyProducer();
        for (const topicMessages of requests) await producer.sendBatch({ topicMessages, acks: -1 });
        if (group !== undefined) {
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
        } else deliveredTo.set(key, BigInt(next));
        committedIn.set(key, batchGeneration);
      }
      resolveOffset(last);
      await heartbeat();
    };
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        try {
          await handleBatch(payload);
        } catch (error) {
          // kafkajs gives up on a consumer for good after an error it calls non-retriable (a producer
          // fenced by a partition's new owner after a rebalance, say), leaving the process consuming
          // nothing. Any failed batch is delivered again instead, after kafkajs restarts the consumer.
          // kafkajs logs only errors of other libraries, and the wrapped one is its own: said here.
          const { topic, partition } = payload.batch;
          this.log.error({ err: error, topic, partition, offset: payload.batch.firstOffset() }, 'batch failed; it will be delivered again');
          throw retriable(error as Error);
        }
      },
    });
    let stopped: Promise<void> | undefined;
    const subscription: Subscription = {
      stop: () => {
        stopped ??= consumer
          .disconnect()
          .then(() => Promise.allSettled([...producers.values()].flatMap((held) => held.ring.map((producer) => producer.disconnect()))))
          .then(() => undefined)
          .finally(() => this.subscriptions.delete(subscription));
        return stopped;
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * A transactional producer, registered with the coordinator before it is returned: kafkajs does
   * that (InitProducerId: the fence, which also finishes an earlier holder's open transaction) only
   * when a first transaction begins, so one begins and ends here, empty (nothing is sent). The fence
   * is then up before a handler reads any state the earlier holder could still have changed.
   */
  private async fencingProducer(transactionalId: string): Promise<Producer> {
    const producer = this.kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      // Should the coordinator still refuse a transaction (CONCURRENT_TRANSACTIONS), it is asked again
      // within milliseconds (as the Java client does), not after kafkajs' default 300 ms.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 5, multiplier: 1.5, maxRetryTime: 1000 },
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    await (await producer.transaction()).abort();
    return producer;
  }

  /**
   * The produce requests for some outputs, in order. kafkajs sends a request that spans several
   * partition leaders as parallel requests, one per broker; when one of them fails (a
   * transaction's partitions registered by two of them at once are refused with
   * CONCURRENT_TRANSACTIONS, or a leader moved) it retries every request that has not answered
   * yet, in-flight ones included, with new sequence numbers: the broker then keeps both copies,
   * inside one transaction that commits. So each request goes to one topic-partition, which leaves
   * nothing in flight beside a failure (a leader map of our own would not do: it is stale exactly
   * when leaders move), unless every replica of every partition written to is on one broker (a
   * cluster of one broker): then every request has one leader whatever happens, and all
   * partitions go in one request. A transaction then costs one AddPartitionsToTxn and one Produce
   * round trip instead of one of each per partition (docs/processing.md#speed). Partitions are
   * chosen as kafkajs' default partitioner would (Kafka's murmur2).
   */
  private async produceRequests(outputs: Readonly<BatchOutputs>) {
    const byPartition = new Map<string, { topic: string; messages: OutgoingMessage[] }>();
    const brokers = new Set<number>();
    for (const { topic, messages } of outputs) {
      const layout = await this.layoutOf(topic);
      for (const broker of layout.brokers) brokers.add(broker);
      const partitions = layout.partitions;
      for (const message of messages) {
        let partition = message.partition;
        if (partition === undefined) {
          partition = message.key === null ? this.unkeyedCursor++ % partitions : partitionForKey(message.key, partitions);
        }
        const key = `${partition}:${topic}`;
        let entry = byPartition.get(key);
        if (!entry) byPartition.set(key, (entry = { topic, messages: [] }));
        entry.messages.push({ ...message, partition });
      }
    }
    const entries = [...byPartition.values()];
    return brokers.size === 1 ? sizedRequests(entries) : entries.flatMap((entry) => sizedRequests([entry]));
  }

  /**
   * A topic this bus writes to: its partitions and the brokers holding their replicas, asked once
   * (topics are created before they are written to, and replicas move only when an operator
   * reassigns them).
   */
  private async layoutOf(topic: string): Promise<{ partitions: number; brokers: ReadonlySet<number> }> {
    let layout = this.layouts.get(topic);
    if (layout === undefined) {
      const partitions = await this.partitionsOf(topic);
      if (!partitions?.length) throw new BusError('ERR_BUS_USAGE', `topic ${topic} does not exist`);
      layout = { partitions: partitions.length, brokers: new Set(partitions.flatMap((p) => p.replicas)) };
      this.layouts.set(topic, layout);
    }
    return layout;
  }

  health(): BusHealth {
    if (this.closed) return { kind: 'kafka', ok: false, detail: 'closed' };
    if (this.stoppedForGood) return { kind: 'kafka', ok: false, detail: this.stoppedForGood };
    // A consumer fetches at least every 100 ms while the cluster answers; silence means it does not.
    const silentMs = this.now() - this.lastFetchAt;
    if (this.subscriptions.size > 0 && this.lastFetchAt > 0 && silentMs > STALE_AFTER_MS) {
      return { kind: 'kafka', ok: false, detail: `no answer from Kafka for ${Math.round(silentMs / 1000)} s (retrying)` };
    }
    return { kind: 'kafka', ok: this.state.ok, detail: this.state.detail };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((subscription) => subscription.stop()));
    await this.producer?.disconnect();
    await this.admin.disconnect();
  }

  private readyProducer(): Promise<Producer> {
    this.producerReady ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        // An idempotent producer must not give up while the cluster is away, or order and
        // de-duplication are lost; publish waits (with backoff) until Kafka is back.
        retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 10_000 },
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      this.producer = producer;
      return producer;
    })().catch((error: unknown) => {
      this.producerReady = undefined;
      throw error;
    });
    return this.producerReady;
  }

  private assertOpen(): void {
    if (this.closed) throw new BusError('ERR_BUS_CLOSED', 'the Kafka bus is closed');
  }
}

/** The error as kafkajs' retriable kind, its message kept (no `cause`: kafkajs would judge by that). */
function retriable(error: Error): Error {
  if ((error as { retriable?: boolean }).retriable === true) return error;
  const wrapped = new kafkajs.KafkaJSError(`${error.name}: ${error.message}`, { retriable: true });
  if (error.stack) wrapped.stack = error.stack;
  return wrapped;
}

/** kafkajs' options, one mechanism at a time (its type is a union by mechanism). */
function saslOptions({ mechanism, username, password }: KafkaSasl): SASLOptions {
  return mechanism === 'scram-sha-512' ? { mechanism, username, password } : { mechanism, username, password };
}

/**
 * One line for a failed first connection: refused credentials (a wrong user or password) apart from
 * an unreachable cluster, and a hint when the broker hung up on a client that brought no credentials.
 */
function describeConnectFailure(options: KafkaBusOptions, error: Error): BusError {
  const where = options.brokers.join(',');
  const why = error.message;
  if (error.name === 'KafkaJSSASLAuthenticationError' || /SASL .*authentication failed/i.test(why)) {
    const who = options.sasl ? `user ${JSON.stringify(options.sasl.username)}, ${options.sasl.mechanism.toUpperCase()}` : 'no credentials';
    return new BusError('ERR_BUS_AUTH', `Kafka at ${where} refused our credentials (${who}): ${why}; ${SASL_HINT}`);
  }
  // A SASL listener closes the connection on a client that starts without the handshake.
  const hint = options.sasl ? '' : ` (if the brokers require SASL/SCRAM, ${SASL_HINT})`;
  return new BusError('ERR_BUS_UNREACHABLE', `cannot reach Kafka at ${where}: ${why}${hint}`);
}

function toKafkaMessage(message: OutgoingMessage) {
  return {
    key: message.key,
    value: message.value,
    timestamp: String(message.timestamp ?? Date.now()),
    ...(message.partition !== undefined ? { partition: message.partition } : {}),
  };
}

/** Below the broker's message.max.bytes, which limits a whole record batch (one partition's share of a request). */
const MAX_REQUEST_BYTES = 512 * 1024;

/** Splits messages into produce requests small enough for the broker, keeping their order. */
function sizedRequests(outputs: Readonly<BatchOutputs>) {
  const requests: Array<Array<{ topic: string; messages: ReturnType<typeof toKafkaMessage>[] }>> = [];
  let current: Array<{ topic: string; messages: ReturnType<typeof toKafkaMessage>[] }> = [];
  let bytes = 0;
  for (const output of outputs) {
    let entry: { topic: string; messages: ReturnType<typeof toKafkaMessage>[] } | undefined;
    for (const message of output.messages) {
      const size = message.value.length * 3 + (message.key?.length ?? 0) * 3 + 64;
      if (bytes > 0 && bytes + size > MAX_REQUEST_BYTES) {
        requests.push(current);
        current = [];
        entry = undefined;
        bytes = 0;
      }
      if (!entry) current.push((entry = { topic: output.topic, messages: [] }));
      entry.messages.push(toKafkaMessage(message));
      bytes += size;
    }
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
