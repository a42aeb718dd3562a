// The ingestor's policies: exact duplicates dropped (bounded memory), late ticks forwarded and
// counted, the outbox's bound with its drop-oldest policy, a restart that drains what a previous run
// left on disk, and the source's health and staleness.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Registry } from 'prom-client';
import { Ingestor, type IngestorOptions } from '../../../cluster/ingest/ingestor.js';
import { ingestMetrics } from '../../../cluster/ingest/metrics.js';
import { Outbox } from '../../../cluster/ingest/outbox.js';
import { TickValidator } from '../../../cluster/ingest/validate.js';
import type { Bus, BusMessage } from '../../../platform/bus/bus.js';
import { EmbeddedLog } from '../../../platform/bus/embedded-log.js';
import { createLogger } from '../../../platform/log.js';
import { eventually } from '../../support/wait.js';
import { ScriptedSource, observe } from './test-source.js';

const test = suite('ingestor');
const logger = createLogger('silent');
const tempFile = (name: string) => join(mkdtempSync(join(tmpdir(), 'ingest-')), name);

function capturingLogger() {
  const lines: Array<{ level: number; msg: string; [key: string]: unknown }> = [];
  return { lines, logger: createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as never) }) };
}

async function readAll(bus: Bus, topic: string, expected: number): Promise<BusMessage[]> {
  const received: BusMessage[] = [];
  const reader = await bus.consume({ topics: [topic], from: 'earliest', handler: async (batch) => void received.push(...batch) });
  await eventually(() => assert.ok(received.length >= expected, `${topic}: ${received.length} of ${expected}`), 30_000);
  await new Promise((resolve) => setTimeout(resolve, 100));
  await reader.stop();
  return received;
}

function ingestor(bus: Bus, source: ScriptedSource, extra: Partial<IngestorOptions> = {}): Ingestor {
  return new Ingestor({
    source,
    bus,
    logger,
    topics: { ticks: 'stock.ticks', dlq: 'stock.ticks.dlq' },
    symbols: ['BTC-USD', 'ETH-USD'],
    maxClockSkewMs: 10_000,
    maxAgeMs: undefined,
    outbox: { file: tempFile('outbox.sqlite'), maxTicks: 1000 },
    ...extra,
  });
}

const tick = (ts: number, price = 100, symbol = 'BTC-USD') => ({ symbol, price, ts, source: 'test' });
const T0 = Date.UTC(2026, 0, 1);

test('exact duplicates are dropped and counted; a tick differing in any field is not a duplicate', async () => {
  const bus = new EmbeddedLog({ file: ':memory:', pollIntervalMs: 20 });
  const registry = new Registry();
  const source = new ScriptedSource({
    steps: [tick(T0), tick(T0), tick(T0, 101), { ...tick(T0), volume: 1 }, tick(T0, 100, 'ETH-USD'), { ...tick(T0), extra: 'ignored' }].map(
      (t) => observe(t),
    ),
  });
  const ing = ingestor(bus, source, { metrics: ingestMetrics(registry) });
  await ing.start();
  await ing.finished();
  await ing.drained();
  const ticks = await readAll(bus, 'stock.ticks', 4);
  assert.equal(
    ticks.map((m) => m.value),
    [tick(T0), tick(T0, 101), { ...tick(T0), volume: 1 }, tick(T0, 100, 'ETH-USD')].map((t) => JSON.stringify(t)),
    'the repeat, and the repeat with an unknown field (the same tick once cleaned), are dropped',
  );
  assert.match(await registry.metrics(), /^stock_stream_ingest_observations_total\{source="test",result="duplicate"\} 2$/m);
  await ing.stop();
  await bus.close();
});

test('dedupe memory is bounded per symbol: a repeat older than the window is forwarded again', () => {
  const validator = new TickValidator({ symbols: ['BTC-USD', 'ETH-USD'], maxClockSkewMs: 0, maxAgeMs: undefined, dedupeWindow: 3 });
  const now = T0 + 60_000;
  const kinds = (ticks: object[]) => ticks.map((t) => validator.check(t, now).kind);
  assert.equal(kinds([tick(T0), tick(T0 + 1), tick(T0 + 2), tick(T0 + 2)]), ['accept', 'accept', 'accept', 'duplicate']);
  // Another symbol has its own window: it does not push BTC-USD's out.
  assert.equal(kinds([tick(T0, 1, 'ETH-USD'), tick(T0 + 1, 1, 'ETH-USD'), tick(T0 + 2, 1, 'ETH-USD'), tick(T0)]), [
    'accept',
    'accept',
    'accept',
    'duplicate',
  ]);
  assert.equal(kinds([tick(T0 + 3), tick(T0)]), ['accept', 'accept'], 'T0 fell out of the 3-tick window');
});

test('out-of-order ticks are forwarded in arrival order and counted', async () => {
  const bus = new EmbeddedLog({ file: ':memory:', pollIntervalMs: 20 });
  const registry = new Registry();
  const order = [0, 2, 1, 3, 3, 2.5].map((n) => T0 + n * 1000);
  const source = new ScriptedSource({ steps: order.map((ts, i) => observe(tick(ts, 100 + i))) });
  const ing = ingestor(bus, source, { metrics: ingestMetrics(registry) });
  await ing.start();
  await ing.finished();
  await ing.drained();
  const ticks = await readAll(bus, 'stock.ticks', 6);
  assert.equal(
    ticks.map((m) => (JSON.parse(m.value) as { ts: number }).ts),
    order,
  );
  assert.match(
    await registry.metrics(),
    /^stock_stream_ingest_out_of_order_total\{source="test"\} 2$/m,
    'older than the newest: 1 s and 2.5 s (an equal time is not older)',
  );
  await ing.stop();
  await bus.close();
});

test('a live source: too-old and future ticks go to the DLQ; a replayed file (no maxAge) keeps its old times', () => {
  const now = T0 + 86_400_000;
  const live = new TickValidator({ symbols: ['BTC-USD'], maxClockSkewMs: 5000, maxAgeMs: 3_600_000 });
  assert.is(live.check(tick(now - 3_600_001), now).kind, 'reject');
  assert.is(live.check(tick(now - 3_600_000), now).kind, 'accept');
  assert.is(live.check(tick(now + 5000), now).kind, 'accept');
  const future = live.check(tick(now + 5001), now);
  assert.ok(future.kind === 'reject' && future.reason === 'future' && /5001 ms ahead/.test(future.detail));
  const replay = new TickValidator({ symbols: ['BTC-USD'], maxClockSkewMs: 5000, maxAgeMs: undefined });
  assert.is(replay.check(tick(Date.UTC(2015, 0, 1)), now).kind, 'accept');
  assert.is(replay.check(tick(now + 5001), now).kind, 'reject', 'a replayed row from the future is still refused');
});

test('outbox bound: past maxTicks the oldest are dropped, counted, and logged at error level with counts', () => {
  const { lines, logger: loud } = capturingLogger();
  const drops: number[] = [];
  const outbox = new Outbox({ file: tempFile('outbox.sqlite'), maxTicks: 100, logger: loud, flushBatch: 30, onDrop: (n) => drops.push(n) });
  for (let i = 0; i < 250; i++) outbox.add('stock.ticks', 'BTC-USD', String(i), T0 + i);
  outbox.flush();
  assert.is(outbox.size(), 100);
  assert.is(outbox.dropped(), 150);
  assert.is(
    drops.reduce((a, b) => a + b, 0),
    150,
  );
  assert.equal(
    outbox.take(1000).map((e) => e.value),
    Array.from({ length: 100 }, (_, i) => String(150 + i)),
    'the newest 100 kept, in order',
  );
  const errors = lines.filter((line) => line.level === 50);
  assert.ok(errors.length >= 1, 'logged at error level');
  assert.match(errors[0]!.msg, /outbox full \(ingest\.outbox\.maxTicks = 100\)/);
  assert.ok(typeof errors[0]!.dropped === 'number' && errors[0]!.waiting !== undefined && errors[0]!.droppedTotal !== undefined);
  assert.ok(errors.length < 5, 'not once per drop: at most every 10 s');
  outbox.close();
});

test('outbox bound: entries being published are not the ones dropped', () => {
  const outbox = new Outbox({ file: tempFile('outbox.sqlite'), maxTicks: 100, logger, flushBatch: 1000 });
  for (let i = 0; i < 100; i++) outbox.add('stock.ticks', 'BTC-USD', String(i));
  outbox.flush();
  const inFlight = outbox.take(20);
  for (let i = 100; i < 130; i++) outbox.add('stock.ticks', 'BTC-USD', String(i));
  outbox.flush();
  assert.is(outbox.size(), 100);
  const kept = outbox.take(1000).map((e) => Number(e.value));
  assert.equal(
    kept.slice(0, 20),
    inFlight.map((e) => Number(e.value)),
    'the round in hand survives',
  );
  assert.equal(
    kept.slice(20),
    Array.from({ length: 80 }, (_, i) => 50 + i),
    '20..49 dropped instead',
  );
  outbox.close();
});

test('restart: what a previous run left in the outbox is published first, in order, then the new ticks', async () => {
  const file = tempFile('outbox.sqlite');
  const left = new Outbox({ file, maxTicks: 1000, logger });
  for (let i = 0; i < 300; i++) left.add('stock.ticks', 'BTC-USD', JSON.stringify(tick(T0 + i, 100 + i)));
  left.close();
  const bus = new EmbeddedLog({ file: ':memory:', pollIntervalMs: 20 });
  const source = new ScriptedSource({ steps: [observe(tick(T0 + 1000, 1))] });
  const ing = ingestor(bus, source, { outbox: { file, maxTicks: 1000 } });
  await ing.start();
  await ing.finished();
  await ing.drained();
  const ticks = await readAll(bus, 'stock.ticks', 301);
  assert.is(ticks.length, 301);
  assert.equal(
    ticks.map((m) => (JSON.parse(m.value) as { ts: number }).ts),
    [...Array.from({ length: 300 }, (_, i) => T0 + i), T0 + 1000],
  );
  assert.equal(await ing.checks()[1]!.check(), { ok: true, detail: '0 waiting' });
  await ing.stop();
  const reopened = new Outbox({ file, maxTicks: 1000, logger });
  assert.is(reopened.size(), 0, 'the outbox is empty once the bus has everything');
  reopened.close();
  await bus.close();
});

test('a replayed file waits for the outbox rather than dropping (back-pressure), and ends with all of it on the bus', async () => {
  const bus = new EmbeddedLog({ file: ':memory:', pollIntervalMs: 20 });
  const steps = Array.from({ length: 2000 }, (_, i) => observe(tick(T0 + i, 100 + (i % 50))));
  const ing = ingestor(bus, new ScriptedSource({ steps }), { outbox: { file: tempFile('o.sqlite'), maxTicks: 200 }, backpressureAt: 100 });
  await ing.start();
  await ing.finished();
  await ing.drained();
  const ticks = await readAll(bus, 'stock.ticks', 2000);
  assert.is(ticks.length, 2000);
  assert.equal(await ing.checks()[1]!.check(), { ok: true, detail: '0 waiting' });
  await ing.stop();
  await bus.close();
});

test('health: the source detail, stale after silence, SIMULATED shown, a failing source reported', async () => {
  const bus = new EmbeddedLog({ file: ':memory:', pollIntervalMs: 20 });
  let now = T0;
  const source = new ScriptedSource({ live: true });
  source.statusOverride = { simulated: true };
  const ing = ingestor(bus, source, { staleAfterMs: 30_000, now: () => now });
  await ing.start();
  assert.equal(ing.sourceHealth(), { ok: true, detail: 'test: scripted; SIMULATED data' });
  now += 30_001;
  assert.equal(ing.sourceHealth(), { ok: false, detail: 'test: scripted; stale: nothing for 30 s; SIMULATED data' });
  source.lastMessageAt = now;
  assert.is(ing.sourceHealth().ok, true);
  source.statusOverride = { ok: false, detail: 'reconnecting in 2 s (attempt 3)' };
  assert.equal(ing.sourceHealth(), { ok: false, detail: 'test: reconnecting in 2 s (attempt 3)' });
  await ing.stop();

  const failing = new Ingestor({
    source: {
      name: 'broken',
      run: async () => Promise.reject(new Error('no API key')),
      status: () => ({ ok: false, detail: 'x', lastMessageAt: 0, simulated: false }),
    },
    bus,
    logger,
    topics: { ticks: 'stock.ticks', dlq: 'stock.ticks.dlq' },
    symbols: ['BTC-USD'],
    maxClockSkewMs: 0,
    maxAgeMs: undefined,
    outbox: { file: tempFile('o.sqlite'), maxTicks: 100 },
  });
  await failing.start();
  assert.is((await failing.finished()).error?.message, 'no API key');
  assert.equal(failing.sourceHealth(), { ok: false, detail: 'broken failed: no API key' });
  await failing.stop();
  await bus.close();
});

test.run();
