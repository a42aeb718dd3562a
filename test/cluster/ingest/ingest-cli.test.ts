// `stock-stream ingest` as a user runs it: a CSV replayed onto the embedded log (then `tail` shows
// the ticks and the DLQ holds the bad rows), the same onto Kafka, and clear failures for bad input.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cli, startService } from '../../support/cli.js';
import { eventually } from '../../support/wait.js';
import { services } from '../../support/services.js';
import { freePort } from '../../services/child.js';

const test = suite('ingest cli');
const T0 = Date.UTC(2026, 0, 1);

function csvFile(): { file: string; good: number } {
  const rows = ['ts,price,volume'];
  for (let i = 0; i < 40; i++) rows.push(`${T0 + i * 60_000},${60_000 + i},0.5`);
  rows.splice(11, 0, `${T0 + 600_001},not-a-price,1`); // malformed: the parser's rejection
  rows.splice(21, 0, `${T0 + 1_200_001},-5,1`); // parsed, fails the tick contract
  rows.push(`${Date.now() + 86_400_000},61000,1`); // a day in the future
  rows.push(`${T0 + 60_000},60001,0.5`); // an exact duplicate of the second row
  const dir = mkdtempSync(join(tmpdir(), 'ingest-cli-'));
  const file = join(dir, 'prices.csv');
  writeFileSync(file, `${rows.join('\n')}\n`);
  return { file, good: 40 };
}

async function env(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    STOCK_STREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'ingest-data-')),
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    ...extra,
  };
}

test('replay onto the embedded log: exit 0 when done; tail shows the ticks, the DLQ the bad rows with reasons', async () => {
  const { file, good } = csvFile();
  const vars = await env({ STOCK_STREAM_SOURCE: 'coinbase', LOG_LEVEL: 'warn' });
  const run = await cli(['ingest', '--source', `replay:${file}`, '--speed', '0'], { ...vars, STOCK_STREAM_SYMBOLS: 'BTC-USD' }, undefined);
  assert.is(run.code, 0, run.stderr);
  const ticks = await cli(['tail', 'stock.ticks', '--from-beginning', '--max', String(good), '--value-only'], vars);
  assert.is(ticks.code, 0, ticks.stderr);
  const values = ticks.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { symbol: string; price: number; ts: number; source: string });
  assert.is(values.length, good);
  assert.equal(values[0], { symbol: 'BTC-USD', price: 60_000, ts: T0, source: 'replay', volume: 0.5 });
  assert.equal(
    values.map((v) => v.ts),
    Array.from({ length: good }, (_, i) => T0 + i * 60_000),
    'in file order, each once',
  );
  const dlq = await cli(['tail', 'dlq', '--from-beginning', '--max', '3', '--value-only'], vars);
  assert.is(dlq.code, 0, dlq.stderr);
  const letters = dlq.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { reason: string; detail: string; source: string });
  assert.equal(
    letters.map((l) => l.reason),
    ['malformed', 'invalid', 'future'],
  );
  assert.ok(letters.every((l) => l.source === 'replay' && l.detail.length > 0));
  assert.match(letters[1]!.detail, /price/);
});

test('replay onto Kafka: the same ticks on the real broker', async () => {
  const { file, good } = csvFile();
  const { kafka } = await services();
  const topic = `ingest-cli-${randomUUID().slice(0, 8)}`;
  const vars = await env({ KAFKA_BOOTSTRAP_SERVERS: kafka.brokers.join(','), KAFKA_TOPIC: topic, LOG_LEVEL: 'warn' });
  const run = await cli(['ingest', '--source', `replay:${file}`, '--speed', '0'], vars);
  assert.is(run.code, 0, run.stderr);
  const ticks = await cli(['tail', topic, '--from-beginning', '--max', String(good), '--value-only'], vars);
  assert.is(ticks.code, 0, ticks.stderr);
  assert.is(ticks.stdout.trim().split('\n').length, good);
});

test('a live source as a service: /healthz names the bus, source and outbox; /metrics counts; SIGTERM exits 0', async () => {
  const vars = await env({ MESSAGE_INTERVAL: '0.05', LOG_LEVEL: 'info' });
  const service = await startService(['ingest', '--source', 'simulator'], vars);
  const base = `http://127.0.0.1:${vars.PORT}`;
  await eventually(async () => {
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^stock_stream_ingest_observations_total\{source="simulator",result="accepted",role="ingest"\} [1-9]\d*$/m);
  });
  const health = (await (await fetch(`${base}/healthz`)).json()) as {
    status: string;
    checks: Record<string, { ok: boolean; detail: string }>;
  };
  assert.is(health.status, 'ok');
  assert.equal(Object.keys(health.checks).sort(), ['embedded-log', 'outbox', 'source']);
  assert.match(health.checks.source!.detail, /SIMULATED data/);
  assert.match(health.checks.outbox!.detail, /waiting/);
  service.child.kill('SIGTERM');
  assert.is(await service.exit, 0);
});

test('bad --source: a usage error; a missing replay file: one clear line, exit 1', async () => {
  const bad = await cli(['ingest', '--source', 'bloomberg'], await env());
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /--source must be coinbase, kraken, alphavantage, simulator or replay:<file.csv>, got "bloomberg"/);
  for (const speed of ['fast', '-1', '', 'Infinity']) {
    const badSpeed = await cli(['ingest', '--source', 'simulator', `--speed=${speed}`], await env());
    assert.is(badSpeed.code, 2, speed);
    assert.match(badSpeed.stderr, /--speed must be a number from 0 to 1000000/);
  }
  const missing = await cli(['ingest', '--source', 'replay:/nonexistent/prices.csv'], await env({ LOG_LEVEL: 'silent' }));
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /stock-stream ingest: replay: cannot read \/nonexistent\/prices.csv \(ENOENT\)/);
});

test.run();
