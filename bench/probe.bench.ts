// Tick → record latency measured from outside, as a user's probe would: `stock-stream process` runs
// as its own process (the built CLI, default settings, warm start off) on a real Kafka broker started
// here, and a separate kafkajs client publishes one tick every 10 ms to the ticks topic and times
// each until its record arrives on the indicators topic (read_committed, kafkajs' defaults). The same
// client reads the ticks topic too: the time to see its own tick is the broker round trip without
// the processor, the floor, measured on the same ticks in the same run.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { startKafka } from '../test/services/kafka.js';
import { percentile, type BenchRow } from './bench.js';
import { ensureBuilt, sleep, startRole } from './roles.js';

const WARM_UP_TICKS = 300;
const TIMED_TICKS = 3000;
const TICKS_TOPIC = 'stock.ticks';
const RECORDS_TOPIC = 'stock.indicators';

export async function probeBench(): Promise<BenchRow[]> {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'bench-probe-'));
  const broker = await startKafka(dir);
  const client = new kafkajs.Kafka({ clientId: 'probe', brokers: broker.brokers, logLevel: kafkajs.logLevel.NOTHING });
  const admin = client.admin();
  const producer = client.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  // One reader per topic, as two separate probes would be (one reader of both would wait for one
  // topic's answer before it asks again for the other).
  const readers = [TICKS_TOPIC, RECORDS_TOPIC].map((topic) => ({
    topic,
    consumer: client.consumer({ groupId: `probe-${topic}-${Date.now()}` }),
  }));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'warmup: { enabled: false }\n');
  const processor = await startRole(
    'process',
    ['process', '--config', config],
    { KAFKA_BOOTSTRAP_SERVERS: broker.brokers.join(','), STOCK_STREAM_DATA_DIR: mkdtempSync(join(dir, 'data-')) },
    join(dir, 'process.log'),
  );
  try {
    await Promise.all([admin.connect(), producer.connect(), ...readers.map(({ consumer }) => consumer.connect())]);
    // The processor creates its topics as it starts.
    for (let i = 0; !(await admin.listTopics()).includes(RECORDS_TOPIC); i++) {
      if (i > 120) throw new Error(`bench: ${RECORDS_TOPIC} never appeared`);
      await sleep(500);
    }
    const seen = { ticks: new Map<number, number>(), records: new Map<number, number>() };
    for (const { topic, consumer } of readers) {
      await consumer.subscribe({ topics: [topic], fromBeginning: false });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const at = performance.now();
          const { ts } = JSON.parse(message.value!.toString()) as { ts: number };
          (topic === TICKS_TOPIC ? seen.ticks : seen.records).set(ts, at);
        },
      });
    }
    await sleep(3000);
    const sentAt = new Map<number, number>();
    const start = Date.now();
    let price = 97_000;
    for (let i = 0; i < WARM_UP_TICKS + TIMED_TICKS; i++) {
      const next = performance.now() + 10;
      // A random walk at about Bitcoin's volatility; live timestamps, 10 ms apart.
      price *= 1 + (Math.random() - 0.5) * 0.0008;
      const ts = start + i * 10;
      const tick = { symbol: 'BTC-USD', price: Math.round(price * 100) / 100, ts, source: 'probe', volume: 0.01 };
      if (i >= WARM_UP_TICKS) sentAt.set(ts, performance.now());
      await producer.send({ topic: TICKS_TOPIC, messages: [{ key: tick.symbol, value: JSON.stringify(tick) }] });
      await sleep(Math.max(0, next - performance.now()));
    }
    await sleep(3000);
    const delays = (received: Map<number, number>) => [...sentAt].flatMap(([ts, at]) => (received.has(ts) ? [received.get(ts)! - at] : []));
    const records = delays(seen.records);
    const ticks = delays(seen.ticks);
    const missing = TIMED_TICKS - records.length;
    const group = `from outside: tick → record, stock-stream process as its own process, 100 ticks/s, Kafka ${broker.version}`;
    const row = (implementation: string, values: number[], note: string): BenchRow => ({
      group,
      implementation,
      unit: 'ms p99',
      nsPerUpdate: percentile(values, 99) * 1e6,
      figures: { p50Ms: percentile(values, 50), p99Ms: percentile(values, 99), missing },
      note: `p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms over ${values.length} ticks: ${note}`,
    });
    return [
      row(
        'stock-stream',
        records,
        `each tick's indicator record (exactly-once transaction)${missing > 0 ? `; ${missing} never arrived` : ''}`,
      ),
      row('broker round trip', ticks, 'the probe reading its own tick back, no processor'),
    ];
  } finally {
    await Promise.allSettled([...readers.map(({ consumer }) => consumer.disconnect()), producer.disconnect(), admin.disconnect()]);
    await processor.server.stop('SIGTERM');
    await broker.stop();
  }
}
