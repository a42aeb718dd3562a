// Tick → record and tick → recommendation latency measured from outside, as a user's probe would:
// `stock-stream process` runs as its own process (the built CLI, the tests' strategy so that
// recommendations come every few ticks, warm start off) on a real Kafka broker started here, and a
// separate kafkajs client publishes one tick every 10 ms to the ticks topic and times each until its
// record arrives on the indicators topic, and its recommendation (when it makes one) on the signals
// topic (read_committed, kafkajs' defaults). The same client reads the ticks topic too: the time to
// see its own tick is the broker round trip without the processor, the floor, measured on the same
// ticks in the same run.
//
// Windows of the same run: the first 30 s after the broker has started (its JIT compiler is still
// busy, about 40 % of a core on this machine), 30 s after 90 s of traffic (the steady state of a
// broker that runs for days), and the whole two minutes, as a probe timing all of them would see.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { startKafka } from '../test/services/kafka.js';
import { percentile, refusedTransactions, type BenchRow } from './bench.js';
import { TEST_SETTINGS_YAML } from '../test/support/ticks.js';
import { ensureBuilt, sleep, startRole } from './roles.js';

const WARM_UP_TICKS = 300;
/** Each timed window: 30 s at 100 ticks/s. */
const WINDOW_TICKS = 3000;
/** Between the windows: 60 s more at the same rate. */
const SETTLE_TICKS = 6000;
const TOTAL_TICKS = WARM_UP_TICKS + WINDOW_TICKS + SETTLE_TICKS + WINDOW_TICKS;
const WINDOWS = [
  { name: 'first 30 s', from: WARM_UP_TICKS, ticks: WINDOW_TICKS },
  { name: 'steady', from: TOTAL_TICKS - WINDOW_TICKS, ticks: WINDOW_TICKS },
  { name: 'whole run', from: WARM_UP_TICKS, ticks: TOTAL_TICKS - WARM_UP_TICKS },
];
const TICKS_TOPIC = 'stock.ticks';
const RECORDS_TOPIC = 'stock.indicators';
const SIGNALS_TOPIC = 'stock.signals';
/** The ticks' own timestamps are a minute apart (the tests' strategy reads 1-minute candles). */
const TICK_STEP_MS = 60_000;

export async function probeBench(): Promise<BenchRow[]> {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'bench-probe-'));
  const broker = await startKafka(dir);
  const client = new kafkajs.Kafka({ clientId: 'probe', brokers: broker.brokers, logLevel: kafkajs.logLevel.NOTHING });
  const admin = client.admin();
  const producer = client.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  // One reader per topic, as separate probes would be (one reader of all would wait for one topic's
  // answer before it asks again for the others).
  const readers = [TICKS_TOPIC, RECORDS_TOPIC, SIGNALS_TOPIC].map((topic) => ({
    topic,
    consumer: client.consumer({ groupId: `probe-${topic}-${Date.now()}` }),
  }));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `warmup: { enabled: false }\n${TEST_SETTINGS_YAML}`);
  const processLog = join(dir, 'process.log');
  const processor = await startRole(
    'process',
    ['process', '--config', config],
    { KAFKA_BOOTSTRAP_SERVERS: broker.brokers.join(','), STOCK_STREAM_DATA_DIR: mkdtempSync(join(dir, 'data-')) },
    processLog,
  );
  try {
    await Promise.all([admin.connect(), producer.connect(), ...readers.map(({ consumer }) => consumer.connect())]);
    // The processor creates its topics as it starts.
    for (let i = 0; ; i++) {
      const topics = new Set(await admin.listTopics());
      if (topics.has(RECORDS_TOPIC) && topics.has(SIGNALS_TOPIC)) break;
      if (i > 120) throw new Error(`bench: ${RECORDS_TOPIC} and ${SIGNALS_TOPIC} never appeared`);
      await sleep(500);
    }
    const seen = { ticks: new Map<number, number>(), records: new Map<number, number>(), recommendations: new Map<number, number>() };
    for (const { topic, consumer } of readers) {
      await consumer.subscribe({ topics: [topic], fromBeginning: false });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const at = performance.now();
          const { ts, kind } = JSON.parse(message.value!.toString()) as { ts: number; kind?: string };
          if (topic === TICKS_TOPIC) seen.ticks.set(ts, at);
          else if (topic === RECORDS_TOPIC) seen.records.set(ts, at);
          else if (kind === 'recommendation') seen.recommendations.set(ts, at);
        },
      });
    }
    await sleep(3000);
    /** Each tick as published: its ts, then, and on the wall clock (to place the processor's log lines in the windows). */
    const sent: Array<{ ts: number; at: number; wall: number }> = [];
    // A random walk at about Bitcoin's volatility, a minute apart, ending now: a feed replayed at
    // 100 ticks a second.
    const firstTs = Date.now() - TOTAL_TICKS * TICK_STEP_MS;
    let price = 97_000;
    for (let i = 0; i < TOTAL_TICKS; i++) {
      const next = performance.now() + 10;
      price *= 1 + (Math.random() - 0.5) * 0.003;
      const ts = firstTs + i * TICK_STEP_MS;
      const tick = { symbol: 'BTC-USD', price: Math.round(price * 100) / 100, ts, source: 'probe', volume: 0.01 };
      sent.push({ ts, at: performance.now(), wall: Date.now() });
      await producer.send({ topic: TICKS_TOPIC, messages: [{ key: tick.symbol, value: JSON.stringify(tick) }] });
      await sleep(Math.max(0, next - performance.now()));
    }
    await sleep(3000);
    const refusedAt = refusedTransactions(readFileSync(processLog, 'utf8'));
    const group = `from outside: tick → record and recommendation, stock-stream process as its own process, 100 ticks/s, Kafka ${broker.version}`;
    return WINDOWS.flatMap((window) => {
      const timed = sent.slice(window.from, window.from + window.ticks);
      const delays = (received: Map<number, number>) => timed.flatMap(({ ts, at }) => (received.has(ts) ? [received.get(ts)! - at] : []));
      const records = delays(seen.records);
      const recommendations = delays(seen.recommendations);
      const ticks = delays(seen.ticks);
      const missing = window.ticks - records.length;
      const [from, to] = [timed[0]!.wall, timed[timed.length - 1]!.wall + 1000];
      const refused = refusedAt.filter((at) => at >= from && at <= to).length;
      const row = (implementation: string, values: number[], note: string): BenchRow => ({
        group: `${group}, ${window.name}`,
        implementation,
        unit: 'ms p99',
        nsPerUpdate: percentile(values, 99) * 1e6,
        figures: { p50Ms: percentile(values, 50), p99Ms: percentile(values, 99), count: values.length, missing, refused },
        note: `p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms over ${values.length}: ${note}`,
      });
      return [
        row(
          'stock-stream',
          records,
          `ticks, each one's indicator record (exactly-once transaction)${missing > 0 ? `; ${missing} never arrived` : ''}; ` +
            `${refused} transaction request(s) refused with CONCURRENT_TRANSACTIONS (and retried)`,
        ),
        row('stock-stream (recommendations)', recommendations, "recommendations, from their tick's publication"),
        row('broker round trip', ticks, 'ticks, the probe reading its own tick back, no processor'),
      ];
    });
  } finally {
    await Promise.allSettled([...readers.map(({ consumer }) => consumer.disconnect()), producer.disconnect(), admin.disconnect()]);
    await processor.server.stop('SIGTERM');
    await broker.stop();
  }
}
