// The processor through a real Kafka broker on this machine: throughput draining a backlog, and
// tick-publish-to-output latency at 100 ticks/s. The peers are kafkajs consume-produce loops with
// no indicators (with the same transactions, and at least once without): what the client itself can do.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { Processor, type ProcessorTopics } from '../cluster/process/processor.js';
import { pipelineFactory } from '../core/pipeline.js';
import type { Bus, BusMessage } from '../platform/bus/bus.js';
import { KafkaBus } from '../platform/bus/kafka-bus.js';
import { createLogger } from '../platform/log.js';
import { startKafka, type KafkaService } from '../test/services/kafka.js';
import { asMessages, TEST_SETTINGS, tickPath } from '../test/support/ticks.js';
import { percentile, refusedTransactions, type BenchRow } from './bench.js';

const BACKLOG = 200_000;
const LATENCY_TICKS = 1500;
/**
 * The bus's and processor's warnings and errors, counted, not printed: kafkajs logs each transaction
 * request the coordinator refused with CONCURRENT_TRANSACTIONS (and retried) as an error.
 */
const logged = { concurrentTransactions: 0 };
const logger = createLogger('warn', {
  write(line: string) {
    logged.concurrentTransactions += refusedTransactions(line).length;
  },
});

let run = 0;
function topics(): ProcessorTopics {
  run++;
  return {
    ticks: `bench${run}.ticks`,
    indicators: `bench${run}.indicators`,
    signals: `bench${run}.signals`,
    dlq: `bench${run}.dlq`,
    state: `bench${run}.state`,
  };
}

/** Receive times (performance.now) of every message on `topic`, from the start. */
async function watch(bus: Bus, topic: string) {
  const received: Array<{ at: number; message: BusMessage }> = [];
  const subscription = await bus.consume({
    topics: [topic],
    from: 'earliest',
    handler: async (batch) => {
      const at = performance.now();
      for (const message of batch) received.push({ at, message });
    },
  });
  return { received, stop: () => subscription.stop() };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('bench: timed out waiting for output');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Throughput from the first to the last output seen, so group joins and start-up are left out. */
function rate(received: ReadonlyArray<{ at: number }>): number {
  const seconds = (received[received.length - 1]!.at - received[0]!.at) / 1000;
  return received.length / seconds;
}

async function processorThroughput(bus: Bus): Promise<number> {
  const t = topics();
  await bus.ensureTopics([
    { name: t.ticks, partitions: 3 },
    { name: t.indicators, partitions: 3 },
  ]);
  const messages = asMessages(tickPath(BACKLOG, ['BTC-USD', 'ETH-USD', 'SOL-USD']));
  for (let i = 0; i < messages.length; i += 5000) await bus.publish(t.ticks, messages.slice(i, i + 5000));
  const output = await watch(bus, t.indicators);
  const processor = new Processor({ bus, logger, topics: t, group: `bench-${run}`, pipelines: pipelineFactory() });
  await processor.start();
  await until(() => output.received.length >= BACKLOG, 300_000);
  await Promise.all([processor.stop(), output.stop()]);
  return rate(output.received);
}

async function plainLoopThroughput(brokers: string[], bus: Bus): Promise<number> {
  const t = topics();
  await bus.ensureTopics([
    { name: t.ticks, partitions: 3 },
    { name: t.indicators, partitions: 3 },
  ]);
  const messages = asMessages(tickPath(BACKLOG, ['BTC-USD', 'ETH-USD', 'SOL-USD']));
  for (let i = 0; i < messages.length; i += 5000) await bus.publish(t.ticks, messages.slice(i, i + 5000));
  const output = await watch(bus, t.indicators);
  const kafka = new kafkajs.Kafka({ clientId: 'bench-peer', brokers, logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `bench-peer-${run}`, maxWaitTimeInMs: 100 });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topics: [t.ticks], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
      const out = batch.messages.map((message) => {
        const tick = JSON.parse(message.value!.toString()) as { symbol: string; price: number; ts: number };
        return { key: tick.symbol, value: JSON.stringify({ type: 'indicators', ts: tick.ts, symbol: tick.symbol, price: tick.price }) };
      });
      for (let i = 0; i < out.length; i += 1000) await producer.send({ topic: t.indicators, messages: out.slice(i, i + 1000) });
      resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
      await commitOffsetsIfNecessary();
    },
  });
  await until(() => output.received.length >= BACKLOG, 300_000);
  await Promise.all([consumer.disconnect(), producer.disconnect(), output.stop()]);
  return rate(output.received);
}

/** Something that turns ticks on `t.ticks` into one output each on `t.indicators`; returns its stop. */
interface LatencyContender {
  readonly implementation: string;
  readonly note: string;
  start(t: ProcessorTopics, group: string): Promise<() => Promise<void>>;
}

const LATENCY_ROUNDS = 3;
const WARM_UP_TICKS = 200;

/**
 * Publishes one tick every 10 ms to a running contender and times each tick from before publish()
 * to the receipt of its output. Contenders take turns, round after round, so a burst of load on a
 * shared machine hits them alike, after a first round that warms up the broker.
 */
async function latencies(bus: Bus, contenders: readonly LatencyContender[]): Promise<Array<{ outputs: number[]; signals: number[] }>> {
  const results = contenders.map(() => ({ outputs: [] as number[], signals: [] as number[] }));
  const perRound = Math.ceil(LATENCY_TICKS / LATENCY_ROUNDS);
  // Round 0 only warms up the broker's JIT and is not counted; later rounds rotate who goes first.
  for (let round = 0; round <= LATENCY_ROUNDS; round++) {
    for (let turn = 0; turn < contenders.length; turn++) {
      const c = (turn + round) % contenders.length;
      const contender = contenders[c]!;
      const t = topics();
      await bus.ensureTopics([
        { name: t.ticks, partitions: 3 },
        { name: t.indicators, partitions: 3 },
        { name: t.signals, partitions: 3 },
      ]);
      const stop = await contender.start(t, `bench-${run}`);
      const outputs = await watch(bus, t.indicators);
      const signals = await watch(bus, t.signals);
      const ticks = tickPath(WARM_UP_TICKS + perRound, ['BTC-USD'], round);
      const sentAt = new Map<number, number>();
      for (const [i, tick] of ticks.entries()) {
        const next = performance.now() + 10;
        sentAt.set(tick.ts, performance.now());
        await bus.publish(t.ticks, [{ key: tick.symbol, value: JSON.stringify(tick) }]);
        // Warm up until the contender has joined its group and answers.
        if (i === WARM_UP_TICKS - 1) await until(() => outputs.received.length >= WARM_UP_TICKS, 60_000);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
      }
      await until(() => outputs.received.length >= ticks.length, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await Promise.all([stop(), outputs.stop(), signals.stop()]);
      const delays = (received: ReadonlyArray<{ at: number; message: BusMessage }>) =>
        received
          .map(({ at, message }) => ({ at, ts: (JSON.parse(message.value) as { ts: number }).ts }))
          .filter(({ ts }) => ts >= ticks[WARM_UP_TICKS]!.ts)
          .map(({ at, ts }) => at - sentAt.get(ts)!);
      if (round === 0) continue;
      results[c]!.outputs.push(...delays(outputs.received));
      results[c]!.signals.push(
        ...delays(signals.received.filter(({ message }) => (JSON.parse(message.value) as { kind?: string }).kind === 'recommendation')),
      );
    }
  }
  return results;
}

function latencyContenders(brokers: string[], bus: Bus): LatencyContender[] {
  const peer = (transactional: boolean): LatencyContender => ({
    implementation: transactional ? 'kafkajs txn loop' : 'kafkajs loop',
    note: transactional
      ? 'the same transaction per batch (outputs + consumed offset), no indicators or state'
      : 'produce, then commit the offset: at least once',
    async start(t, group) {
      const kafka = new kafkajs.Kafka({ clientId: 'bench-peer', brokers, logLevel: kafkajs.logLevel.NOTHING });
      const producers = new Map<number, kafkajs.Producer>();
      const producerFor = async (partition: number) => {
        let producer = producers.get(partition);
        if (!producer) {
          producer = kafka.producer({
            createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
            idempotent: true,
            maxInFlightRequests: 1,
            ...(transactional
              ? {
                  transactionalId: `${group}.${partition}`,
                  retry: { retries: 100, initialRetryTime: 5, multiplier: 1.5, maxRetryTime: 1000 },
                }
              : {}),
          });
          await producer.connect();
          producers.set(partition, producer);
        }
        return producer;
      };
      const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 20 });
      await consumer.connect();
      await consumer.subscribe({ topics: [t.ticks], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset }) => {
          const out = batch.messages.map((message) => {
            const tick = JSON.parse(message.value!.toString()) as { symbol: string; price: number; ts: number };
            return { key: tick.symbol, value: JSON.stringify({ type: 'indicators', ts: tick.ts, symbol: tick.symbol, price: tick.price }) };
          });
          const offset = (BigInt(batch.messages[batch.messages.length - 1]!.offset) + 1n).toString();
          const producer = await producerFor(batch.partition);
          if (transactional) {
            const transaction = await producer.transaction();
            await transaction.send({ topic: t.indicators, messages: out, acks: -1 });
            await transaction.sendOffsets({
              consumerGroupId: group,
              topics: [{ topic: t.ticks, partitions: [{ partition: batch.partition, offset }] }],
            });
            await transaction.commit();
          } else {
            await producer.send({ topic: t.indicators, messages: out, acks: -1 });
            await consumer.commitOffsets([{ topic: t.ticks, partition: batch.partition, offset }]);
          }
          resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
        },
      });
      return async () => {
        await consumer.disconnect();
        await Promise.all([...producers.values()].map((producer) => producer.disconnect()));
      };
    },
  });
  return [
    {
      implementation: 'stock-stream',
      note: 'indicators, strategy, state snapshot, exactly-once transaction',
      async start(t, group) {
        // The tests' strategy (1-minute candles, short periods; the ticks are a minute apart), so that
        // recommendations come every few ticks: the default one gives about two a day.
        const processor = new Processor({ bus, logger, topics: t, group, pipelines: pipelineFactory(TEST_SETTINGS) });
        await processor.start();
        return () => processor.stop();
      },
    },
    peer(true),
    peer(false),
  ];
}

/** Throughput draining a backlog, beside a plain kafkajs loop. */
export async function processorBench(): Promise<BenchRow[]> {
  return withKafka(async (kafka, bus) => {
    const oursRate = await processorThroughput(bus);
    const peerRate = await plainLoopThroughput(kafka.brokers, bus);
    const throughput = `throughput, ${BACKLOG / 1000}k-tick backlog, Kafka ${kafka.version}`;
    return [
      {
        group: throughput,
        implementation: 'stock-stream',
        nsPerUpdate: 1e9 / oursRate,
        figures: { ticksPerSecond: oursRate },
        note: `${Math.round(oursRate)} ticks/s (indicators, rules, exactly-once transactions)`,
      },
      {
        group: throughput,
        implementation: 'kafkajs loop',
        nsPerUpdate: 1e9 / peerRate,
        note: `${Math.round(peerRate)} ticks/s (parse and re-publish, at least once)`,
      },
    ];
  });
}

/** Tick-publish-to-output latency at 100 ticks/s, beside kafkajs loops with and without transactions. */
export async function latencyBench(): Promise<BenchRow[]> {
  return withKafka(async (kafka, bus) => {
    const contenders = latencyContenders(kafka.brokers, bus);
    const retriesBefore = logged.concurrentTransactions;
    const measured = await latencies(bus, contenders);
    const retries = logged.concurrentTransactions - retriesBefore;
    const ms = (values: number[]) => `p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms`;
    const lag = `tick-to-output latency at 100 ticks/s, Kafka ${kafka.version}`;
    const ours = measured[0]!;
    return [
      ...contenders.map((contender, i) => ({
        group: lag,
        implementation: contender.implementation,
        unit: 'ms p99' as const,
        nsPerUpdate: percentile(measured[i]!.outputs, 99) * 1e6,
        // Ours only: the peers' kafkajs clients log nothing.
        figures: {
          p50Ms: percentile(measured[i]!.outputs, 50),
          p99Ms: percentile(measured[i]!.outputs, 99),
          ...(i === 0 ? { concurrentTransactionRetries: retries } : {}),
        },
        note:
          `${ms(measured[i]!.outputs)} over ${measured[i]!.outputs.length} ticks: ${contender.note}` +
          (i === 0 ? `; ${retries} transaction request(s) refused with CONCURRENT_TRANSACTIONS and retried` : ''),
      })),
      {
        group: lag,
        implementation: 'stock-stream (recommendations)',
        unit: 'ms p99',
        nsPerUpdate: ours.signals.length > 0 ? percentile(ours.signals, 99) * 1e6 : Number.NaN,
        ...(ours.signals.length > 0 ? { figures: { p50Ms: percentile(ours.signals, 50), p99Ms: percentile(ours.signals, 99) } } : {}),
        note:
          ours.signals.length > 0
            ? `recommendations: ${ms(ours.signals)} over ${ours.signals.length} recommendations`
            : 'no recommendation in the window',
      },
    ];
  });
}

async function withKafka(body: (kafka: KafkaService, bus: Bus) => Promise<BenchRow[]>): Promise<BenchRow[]> {
  const kafka = await startKafka(mkdtempSync(join(tmpdir(), 'bench-kafka-')));
  const bus = await KafkaBus.connect({ brokers: kafka.brokers, clientId: 'bench', logger, partitions: 3 });
  try {
    return await body(kafka, bus);
  } finally {
    await bus.close();
    await kafka.stop();
  }
}
