// The outage test: a real Kafka broker (this test's own) is killed while ticks stream in. The
// ingestor keeps accepting into its outbox, /healthz's outbox check shows the backlog, and when the
// broker is back every tick arrives exactly once and, per symbol, in order.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Ingestor } from '../../cluster/ingest/ingestor.js';
import type { BusMessage } from '../../platform/bus/bus.js';
import { KafkaBus } from '../../platform/bus/kafka-bus.js';
import { createLogger } from '../../platform/log.js';
import { startKafka } from '../services/kafka.js';
import { eventually } from '../support/wait.js';
import { ScriptedSource, observe } from './test-source.js';

const test = suite('ingest outage');
const logger = createLogger('silent');
const SYMBOLS = ['BTC-USD', 'ETH-USD', 'SOL-USD'];

test('Kafka killed mid-stream: ingest keeps accepting, then every tick arrives once and in order per symbol', async () => {
  const kafka = await startKafka(mkdtempSync(join(tmpdir(), 'ingest-kafka-')));
  const bus = await KafkaBus.connect({ brokers: kafka.brokers, clientId: 'ingest-outage', logger, partitions: 3 });
  const source = new ScriptedSource({ live: true });
  const ingestor = new Ingestor({
    source,
    bus,
    logger,
    topics: { ticks: 'stock.ticks', dlq: 'stock.ticks.dlq' },
    symbols: SYMBOLS,
    maxClockSkewMs: 10_000,
    maxAgeMs: 3_600_000,
    outbox: { file: join(mkdtempSync(join(tmpdir(), 'ingest-outbox-')), 'ingest-outbox.sqlite'), maxTicks: 100_000 },
  });
  await ingestor.start();
  const outboxHealth = async () => ingestor.checks().find((check) => check.name === 'outbox')!.check();
  const base = Date.now() - 60_000;
  let sent = 0;
  const emit = async (count: number, pauseMs: number) => {
    for (let i = 0; i < count; i++, sent++) {
      source.push(observe({ symbol: SYMBOLS[sent % SYMBOLS.length]!, price: 60_000 + sent, ts: base + sent, source: 'test', volume: 0.01 }));
      if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };

  await emit(300, 10);
  await eventually(async () => assert.equal(await outboxHealth(), { ok: true, detail: '0 waiting' }), 30_000);

  await kafka.stop('SIGKILL');
  await emit(300, 10);
  // Accepted while the broker is gone: they wait on disk, and health shows how many.
  await eventually(async () => {
    const down = await outboxHealth();
    assert.is(down.ok, false, 'a publish the bus does not acknowledge turns the check red');
    const waiting = Number(/(\d+) waiting/.exec(down.detail)?.[1]);
    assert.ok(waiting >= 250, `the backlog holds the outage's ticks: ${down.detail}`);
  }, 20_000, 250);

  await kafka.start();
  await emit(300, 10);
  await eventually(async () => assert.equal(await outboxHealth(), { ok: true, detail: '0 waiting' }), 120_000, 250);
  source.end();
  await ingestor.finished();
  await ingestor.stop();

  const received: BusMessage[] = [];
  const reader = await bus.consume({ topics: ['stock.ticks'], from: 'earliest', handler: async (batch) => void received.push(...batch) });
  await eventually(() => assert.ok(received.length >= 900, `${received.length} of 900`), 60_000, 100);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await reader.stop();
  const ticks = received.map((m) => ({ key: m.key, ...(JSON.parse(m.value) as { symbol: string; ts: number; price: number }) }));
  assert.is(ticks.length, 900, 'none lost, none doubled');
  assert.is(new Set(ticks.map((t) => t.ts)).size, 900);
  for (const symbol of SYMBOLS) {
    const mine = received.filter((m) => m.key === symbol).sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
    const times = mine.map((m) => (JSON.parse(m.value) as { ts: number }).ts);
    assert.is(times.length, 300);
    assert.equal(times, [...times].sort((a, b) => a - b), `${symbol} in order`);
  }
  await bus.close();
  await kafka.stop();
});

test.run();
