// Validation at the front door: thousands of generated observations, good and broken in every way
// the tick contract forbids. No crash; each bad one rejected with its reason; each good one accepted;
// the same through the whole ingestor onto a real bus, with every rejection on the DLQ.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Registry } from 'prom-client';
import { Ingestor } from '../../../cluster/ingest/ingestor.js';
import { MAX_DLQ_VALUE_CHARS, type IngestDeadLetter } from '../../../core/contracts/index.js';
import { ingestMetrics } from '../../../cluster/ingest/metrics.js';
import { TickValidator } from '../../../cluster/ingest/validate.js';
import type { Bus, BusMessage } from '../../../platform/bus/bus.js';
import { EmbeddedLog } from '../../../platform/bus/embedded-log.js';
import { createLogger } from '../../../platform/log.js';
import { eventually } from '../../support/wait.js';
import { FUZZ_LIMITS, fuzzCases } from './fuzz.js';
import { ScriptedSource } from './test-source.js';

const test = suite('ingest validation');
const logger = createLogger('silent');

async function readAll(bus: Bus, topic: string, expected: number): Promise<BusMessage[]> {
  const received: BusMessage[] = [];
  const reader = await bus.consume({ topics: [topic], from: 'earliest', handler: async (batch) => void received.push(...batch) });
  await eventually(() => assert.ok(received.length >= expected, `${topic}: ${received.length} of ${expected}`), 30_000);
  await new Promise((resolve) => setTimeout(resolve, 100));
  await reader.stop();
  return received;
}

test('5000 generated observations: each good one accepted, each bad one rejected with its reason', () => {
  const now = Date.UTC(2026, 2, 1);
  const validator = new TickValidator(FUZZ_LIMITS);
  const cases = fuzzCases(5000, now, 42);
  const seen = new Set<string>();
  for (const [i, fuzz] of cases.entries()) {
    const verdict = validator.check(fuzz.candidate, now);
    const got = verdict.kind === 'reject' ? verdict.reason : verdict.kind;
    assert.is(got, fuzz.expected, `case ${i} (${fuzz.what}): ${JSON.stringify(fuzz.candidate)}`);
    if (verdict.kind === 'reject') assert.ok(verdict.detail.length > 0, 'a rejection says why');
    if (verdict.kind === 'accept') {
      // Only the contract's fields travel on: unknown ones are left behind.
      assert.equal(
        Object.keys(JSON.parse(verdict.value) as object).filter(
          (k) => !['symbol', 'price', 'ts', 'source', 'volume', 'bid', 'ask'].includes(k),
        ),
        [],
      );
    }
    seen.add(fuzz.expected);
  }
  assert.equal([...seen].sort(), ['accept', 'future', 'invalid', 'too-old', 'unknown-symbol'], 'every verdict was exercised');
});

test('values that are not objects at all, or hostile ones, are rejected and nothing throws', () => {
  const validator = new TickValidator(FUZZ_LIMITS);
  const now = Date.now();
  const hostile = new Proxy({}, { get: () => Number.NaN });
  for (const value of [null, undefined, 42, 'BTC-USD', [], [1, 2], () => 1, Symbol('x'), 10n, hostile, Object.create(null)]) {
    const verdict = validator.check(value, now);
    assert.is(verdict.kind, 'reject');
  }
});

test('through the ingestor onto the embedded log: ticks keyed by symbol, each rejection on the DLQ with its reason', async () => {
  const bus = new EmbeddedLog({ file: join(mkdtempSync(join(tmpdir(), 'ingest-')), 'bus.sqlite'), pollIntervalMs: 20 });
  const dir = mkdtempSync(join(tmpdir(), 'ingest-outbox-'));
  const now = Date.now();
  const cases = fuzzCases(3000, now, 7);
  const registry = new Registry();
  const source = new ScriptedSource({
    steps: [
      ...cases.map((fuzz) => ({ observe: fuzz.candidate, raw: fuzz.raw })),
      { reject: '{"type":"ticker","price":', reason: 'malformed', detail: 'not JSON: Unexpected end of input' },
    ],
  });
  const ingestor = new Ingestor({
    source,
    bus,
    logger,
    topics: { ticks: 'fz.ticks', dlq: 'fz.dlq' },
    symbols: FUZZ_LIMITS.symbols,
    maxClockSkewMs: FUZZ_LIMITS.maxClockSkewMs,
    maxAgeMs: FUZZ_LIMITS.maxAgeMs,
    outbox: { file: join(dir, 'outbox.sqlite'), maxTicks: 100_000 },
    metrics: ingestMetrics(registry),
  });
  await ingestor.start();
  assert.equal(await ingestor.finished(), {});
  await ingestor.drained();
  const good = cases.filter((c) => c.expected === 'accept');
  const bad = cases.filter((c) => c.expected !== 'accept');
  const ticks = await readAll(bus, 'fz.ticks', good.length);
  const dlq = await readAll(bus, 'fz.dlq', bad.length + 1);
  assert.is(ticks.length, good.length);
  assert.is(dlq.length, bad.length + 1);
  for (const message of ticks) assert.is(message.key, (JSON.parse(message.value) as { symbol: string }).symbol);
  assert.equal(
    ticks.map((m) => m.value).sort(),
    good
      .map((c) => JSON.stringify(JSON.parse(JSON.stringify(c.candidate)), ['symbol', 'price', 'ts', 'source', 'volume', 'bid', 'ask']))
      .sort(),
    'exactly the good ones, with only the contract fields',
  );
  const letters = dlq.map((m) => JSON.parse(m.value) as IngestDeadLetter);
  for (const [i, letter] of letters.slice(0, bad.length).entries()) {
    const fuzz = bad[i]!;
    assert.is(letter.reason, fuzz.expected, `DLQ ${i} (${fuzz.what})`);
    assert.is(letter.source, 'test');
    assert.ok(letter.value.length <= MAX_DLQ_VALUE_CHARS + 1, 'raw payload cut to the bound');
    if (fuzz.raw.length > MAX_DLQ_VALUE_CHARS) {
      assert.is(letter.truncatedFrom, fuzz.raw.length);
      assert.is(letter.value, `${fuzz.raw.slice(0, MAX_DLQ_VALUE_CHARS)}…`);
    } else assert.is(letter.value, fuzz.raw);
  }
  assert.equal(letters.at(-1), {
    reason: 'malformed',
    detail: 'not JSON: Unexpected end of input',
    source: 'test',
    key: null,
    value: '{"type":"ticker","price":',
    receivedAt: letters.at(-1)!.receivedAt,
  });

  const metrics = await registry.metrics();
  assert.match(metrics, new RegExp(`^stock_stream_ingest_observations_total\\{source="test",result="accepted"\\} ${good.length}$`, 'm'));
  assert.match(metrics, new RegExp(`^stock_stream_ingest_observations_total\\{source="test",result="rejected"\\} ${bad.length + 1}$`, 'm'));
  for (const reason of ['invalid', 'future', 'too-old', 'unknown-symbol', 'malformed']) {
    const count = bad.filter((c) => c.expected === reason).length + (reason === 'malformed' ? 1 : 0);
    assert.match(metrics, new RegExp(`^stock_stream_ingest_rejected_total\\{source="test",reason="${reason}"\\} ${count}$`, 'm'));
  }
  await ingestor.stop();
  await bus.close();
});

test.run();
