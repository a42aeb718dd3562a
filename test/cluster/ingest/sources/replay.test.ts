// The CSV replay source: rows in order as ticks of the first symbol, unparseable rows rejected with
// their line number, back-pressure from the sink respected, speed 0 or N, and a missing file refused.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSource } from '../../../../cluster/ingest/sources/index.js';
import { ReplaySource } from '../../../../cluster/ingest/sources/replay.js';
import type { RejectReason, SourceSink } from '../../../../cluster/ingest/source.js';
import { loadConfig } from '../../../../platform/config/load.js';
import { capturedLogger, RecordingSink } from '../../../support/protocol-servers/recording-sink.js';

const dir = mkdtempSync(join(tmpdir(), 'replay-source-'));
const T0 = Date.UTC(2024, 4, 1);

function csv(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

test('rows become ticks of the first symbol; bad rows are rejected with their line number', async () => {
  const file = csv('mixed.csv', [
    'ts,price,volume',
    `${T0},64000,0.5`,
    'oops,1,1',
    `${T0 + 1000},64001.5,`,
    `2024-05-01T00:00:02Z,64002,0.25`,
    `${T0 + 3000},-5,1`,
  ]);
  const { logger, records } = capturedLogger();
  const source = new ReplaySource({ file, speed: 0 }, { logger, symbols: ['BTC-USD', 'ETH-USD'] });
  const sink = new RecordingSink();
  await source.run(sink, new AbortController().signal);
  assert.equal(sink.ticks, [
    { symbol: 'BTC-USD', price: 64000, ts: T0, source: 'replay', volume: 0.5 },
    { symbol: 'BTC-USD', price: 64001.5, ts: T0 + 1000, source: 'replay' },
    { symbol: 'BTC-USD', price: 64002, ts: T0 + 2000, source: 'replay', volume: 0.25 },
    // A negative price parses: the ingestor, not the source, refuses it.
    { symbol: 'BTC-USD', price: -5, ts: T0 + 3000, source: 'replay', volume: 1 },
  ]);
  assert.equal(sink.observed[0]!.raw, `${T0},64000,0.5`);
  assert.is(sink.rejected.length, 1);
  assert.equal([sink.rejected[0]!.raw, sink.rejected[0]!.reason], [`${file}:3`, 'malformed']);
  assert.match(sink.rejected[0]!.detail, /^line 3: ts: "oops"/);
  assert.match(source.status().detail, /^finished .*: 4 rows, 1 rejected$/);
  assert.ok(
    records().some((r) => /no symbol column/.test(String(r.msg))),
    'several symbols configured: says which one the file feeds',
  );
});

test('hostile files: no header, an overlong line, binary junk — rejected, no crash', async () => {
  const noHeader = csv('no-header.csv', ['not a header', `${T0},64000`]);
  const sink = new RecordingSink();
  await new ReplaySource({ file: noHeader, speed: 0 }, { logger: capturedLogger().logger, symbols: ['BTC-USD'] }).run(
    sink,
    new AbortController().signal,
  );
  assert.ok(sink.rejected.length >= 1 && sink.rejected.every((r) => r.reason === 'malformed'));
  assert.is(sink.ticks.length, 0);

  // An export without a header whose first line is a row: read by position, and the log says so.
  const byPosition = csv('by-position.csv', [`${T0},64000`, `${T0 + 1000},64001`]);
  const logged = capturedLogger();
  const sink1 = new RecordingSink();
  await new ReplaySource({ file: byPosition, speed: 0 }, { logger: logged.logger, symbols: ['BTC-USD'] }).run(
    sink1,
    new AbortController().signal,
  );
  assert.equal(
    sink1.ticks.map((tick) => [tick.ts, tick.price]),
    [
      [T0, 64000],
      [T0 + 1000, 64001],
    ],
  );
  assert.ok(logged.records().some((r) => /no header: columns read by position as ts,price/.test(String(r.msg))));

  const junk = csv('junk.csv', ['ts,price', 'x'.repeat(10_000), '\u0000\u0001\u00ff,NaN', `${T0},64000`, `${T0 + 1},Infinity`]);
  const sink2 = new RecordingSink();
  await new ReplaySource({ file: junk, speed: 0 }, { logger: capturedLogger().logger, symbols: ['BTC-USD'] }).run(
    sink2,
    new AbortController().signal,
  );
  assert.equal(
    sink2.ticks.map((t) => t.price),
    [64000],
  );
  assert.equal(
    sink2.rejected.map((r) => r.detail.slice(0, 7)),
    ['line 2:', 'line 3:', 'line 5:'],
  );
});

test('back-pressure: the next row waits until the sink has taken the previous one', async () => {
  const rows = Array.from({ length: 200 }, (_, i) => `${T0 + i * 1000},${64000 + i}`);
  const file = csv('many.csv', ['ts,price', ...rows]);
  let inFlight = 0;
  let maxInFlight = 0;
  const prices: number[] = [];
  const slowSink: SourceSink = {
    async observe(candidate) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      prices.push(candidate.price as number);
      inFlight--;
    },
    reject(_raw: string, reason: RejectReason) {
      throw new Error(`unexpected reject: ${reason}`);
    },
  };
  await new ReplaySource({ file, speed: 0 }, { logger: capturedLogger().logger, symbols: ['BTC-USD'] }).run(
    slowSink,
    new AbortController().signal,
  );
  assert.is(maxInFlight, 1);
  assert.equal(
    prices,
    rows.map((_, i) => 64000 + i),
  );
});

test('speed N: paced by the file times, all rows delivered in order; abort stops it', async () => {
  const file = csv('paced.csv', ['ts,price', ...Array.from({ length: 5 }, (_, i) => `${T0 + i * 1000},${64000 + i}`)]);
  const sink = new RecordingSink();
  // 1000x: a second of file time is a millisecond.
  await new ReplaySource({ file, speed: 1000 }, { logger: capturedLogger().logger, symbols: ['BTC-USD'] }).run(
    sink,
    new AbortController().signal,
  );
  assert.equal(
    sink.ticks.map((t) => t.price),
    [64000, 64001, 64002, 64003, 64004],
  );

  const slow = csv('slow.csv', ['ts,price', `${T0},1`, `${T0 + 3_600_000},2`]);
  const sink2 = new RecordingSink();
  const controller = new AbortController();
  const running = new ReplaySource({ file: slow, speed: 1 }, { logger: capturedLogger().logger, symbols: ['BTC-USD'] }).run(
    sink2,
    controller.signal,
  );
  while (sink2.ticks.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
  controller.abort();
  await running;
  assert.is(sink2.ticks.length, 1, 'the row due in an hour never came');
});

test('createSource: replay:<file> with the configured speed; a missing file is a clear error', async () => {
  const file = csv('config.csv', ['ts,price', `${T0},64000`]);
  const config = loadConfig({ env: { STOCK_STREAM_SOURCE: `replay:${file}` } });
  const source = createSource({ ...config.ingest, replay: { speed: 0 } }, { logger: capturedLogger().logger, symbols: config.symbols });
  assert.is(source.name, 'replay');
  const sink = new RecordingSink();
  await source.run(sink, new AbortController().signal);
  assert.is(sink.ticks.length, 1);

  const missing = new ReplaySource({ file: join(dir, 'nope.csv'), speed: 0 }, { logger: capturedLogger().logger, symbols: ['BTC-USD'] });
  try {
    await missing.run(new RecordingSink(), new AbortController().signal);
    assert.unreachable('should have refused');
  } catch (error) {
    assert.match((error as Error).message, /^replay: cannot read .*nope\.csv \(ENOENT\)$/);
  }
  assert.throws(() => new ReplaySource({ file, speed: -1 }, { logger: capturedLogger().logger, symbols: ['BTC-USD'] }), /speed/);
});

test.run();
