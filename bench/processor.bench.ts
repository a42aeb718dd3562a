// The processor through a real Kafka broker on this machine: throughput draining a backlog, and
// tick-publish-to-output latency at 100 ticks/s. The peer is a plain kafkajs consume-produce loop
// (at least once, no indicators, no transactions): the floor of what the client itself can do.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { Processor, type ProcessorTopics } from '../cluster/process/processor.js';
import { pipelineFactory } from '../core/pipeline.js';
import type { Bus, BusMessage } from '../platform/bus/bus.js';
import { KafkaBus } from '../platform/bus/kafka-bus.js';
import { createLogger } from '../platform/log.js';
import { startKafka } from '../test/services/kafka.js';
import { asMessages, tickPath } from '../test/support/ticks.js';
import type { BenchRow } from './bench.js';

const BACKLOG = 200_000;
const LATENCY_TICKS = 1500;
const logger = createLogger('silent');

let run = 0;
function topics(): ProcessorTopics {
  run++;
  return { ticks: `bench${run}.ticks`, indicators: `bench${run}.indicators`, signals: `bench${run}.signals`, dlq: `bench${run}.dlq`, state: `bench${run}.state` };
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
  await bus.ensureTopics([{ name: t.ticks, partitions: 3 }, { name: t.indicators, partitions: 3 }]);
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
  await bus.ensureTopics([{ name: t.ticks, partitions: 3 }, { name: t.indicators, partitions: 3 }]);
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

/** Publishes one tick every 10 ms to a running processor; latency from before publish() to receipt. */
async function latency(bus: Bus): Promise<{ indicators: number[]; signals: number[] }> {
  const t = topics();
  await bus.ensureTopics([{ name: t.ticks, partitions: 3 }, { name: t.indicators, partitions: 3 }, { name: t.signals, partitions: 3 }]);
  const processor = new Processor({ bus, logger, topics: t, group: `bench-${run}`, pipelines: pipelineFactory() });
  await processor.start();
  const indicators = await watch(bus, t.indicators);
  const signals = await watch(bus, t.signals);
  // Warm up until the processor has joined and answers.
  const ticks = tickPath(LATENCY_TICKS + 200);
  const sentAt = new Map<number, number>();
  for (const [i, tick] of ticks.entries()) {
    const next = performance.now() + 10;
    sentAt.set(tick.ts, performance.now());
    await bus.publish(t.ticks, [{ key: tick.symbol, value: JSON.stringify(tick) }]);
    if (i === 199) await until(() => indicators.received.length >= 200, 60_000);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  await until(() => indicators.received.length >= ticks.length, 60_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  await Promise.all([processor.stop(), indicators.stop(), signals.stop()]);
  const delays = (received: ReadonlyArray<{ at: number; message: BusMessage }>) =>
    received
      .map(({ at, message }) => ({ at, ts: (JSON.parse(message.value) as { ts: number }).ts }))
      .filter(({ ts }) => ts >= ticks[200]!.ts)
      .map(({ at, ts }) => at - sentAt.get(ts)!);
  return { indicators: delays(indicators.received), signals: delays(signals.received) };
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

export async function processorBench(): Promise<BenchRow[]> {
  const kafka = await startKafka(mkdtempSync(join(tmpdir(), 'bench-kafka-')));
  const bus = await KafkaBus.connect({ brokers: kafka.brokers, clientId: 'bench', logger, partitions: 3 });
  try {
    const ours = await processorThroughput(bus);
    const peer = await plainLoopThroughput(kafka.brokers, bus);
    const lat = await latency(bus);
    const ms = (values: number[]) => `p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms`;
    const throughput = `throughput, ${BACKLOG / 1000}k-tick backlog, Kafka ${kafka.version}`;
    const lag = 'tick-to-output latency at 100 ticks/s';
    return [
      { group: throughput, implementation: 'stock-stream', nsPerUpdate: 1e9 / ours, note: `${Math.round(ours)} ticks/s (indicators, rules, exactly-once transactions)` },
      { group: throughput, implementation: 'kafkajs loop', nsPerUpdate: 1e9 / peer, note: `${Math.round(peer)} ticks/s (parse and re-publish, at least once)` },
      { group: lag, implementation: 'stock-stream', unit: 'ms p99', nsPerUpdate: percentile(lat.indicators, 99) * 1e6, note: `indicators: ${ms(lat.indicators)} over ${lat.indicators.length} ticks` },
      {
        group: lag,
        implementation: 'stock-stream (signals)',
        unit: 'ms p99',
        nsPerUpdate: lat.signals.length > 0 ? percentile(lat.signals, 99) * 1e6 : Number.NaN,
        note: lat.signals.length > 0 ? `signals: ${ms(lat.signals)} over ${lat.signals.length} signals` : 'no signal in the window',
      },
    ];
  } finally {
    await bus.close();
    await kafka.stop();
  }
}
