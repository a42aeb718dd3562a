// `stock-stream replay`: the same signals as the core (and so the processor), malformed rows reported
// by line with exit code 3, the summary and the hypothetical backtest on stderr.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from '../support/cli.js';
import { expectedSignals, tickPath } from '../support/ticks.js';

const dir = mkdtempSync(join(tmpdir(), 'replay-'));
const ticks = tickPath(3000);
const csv = join(dir, 'path.csv');
writeFileSync(csv, `ts,price,volume\n${ticks.map((t) => `${t.ts},${t.price},${t.volume}`).join('\n')}\n`);

test('one indicators line per row, then the signals the core gives for it', async () => {
  const run = await cli(['replay', '--input', csv]);
  assert.is(run.code, 0, run.stderr);
  const lines = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; ts: number; sma: number | null });
  const indicators = lines.filter((line) => line.type === 'indicators');
  assert.is(indicators.length, ticks.length);
  assert.is(indicators[0]!.sma, null, 'null while warming up');
  assert.is(typeof indicators[19]!.sma, 'number', 'SMA(20) from the 20th row');
  const signals = run.stdout
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{"type":"signal"'));
  assert.equal(signals, expectedSignals(ticks));
  // Each signal line follows its own tick's indicators line.
  lines.forEach((line, i) => {
    if (line.type === 'signal')
      assert.is(
        line.ts,
        lines
          .slice(0, i)
          .filter((l) => l.type === 'indicators')
          .at(-1)!.ts,
      );
  });
  assert.match(
    run.stderr,
    new RegExp(
      `^replay: ${ticks.length} ticks of BTC-USD, ${signals.length} signals \\(\\d+ buy, \\d+ sell\\), 0 rows skipped, [\\d.]+ s, \\d+ ticks/s$`,
      'm',
    ),
  );
  assert.match(
    run.stderr,
    /^hypothetical backtest, not advice: following the signals [+-][\d.]+ % \(\d+ trades at 0\.1 % fee(, still holding)?\); buying and holding [+-][\d.]+ %$/m,
  );
});

test('--signals-only, --symbol and --fee', async () => {
  const run = await cli(['replay', '--input', csv, '--signals-only', '--symbol', 'ETH-USD', '--fee', '0']);
  assert.is(run.code, 0);
  const lines = run.stdout.trim().split('\n');
  assert.ok(lines.every((line) => line.startsWith('{"type":"signal"') && line.includes('"symbol":"ETH-USD"')));
  assert.is(lines.length, expectedSignals(ticks).length);
  assert.match(run.stderr, /trades at 0 % fee/);
});

test('malformed and out-of-order rows: reported by line, the rest processed, exit code 3', async () => {
  const bad = join(dir, 'bad.csv');
  writeFileSync(
    bad,
    [
      'ts,price',
      '1767225600000,97000',
      'oops,1',
      '1767225660000,-3',
      '1767225600000,97001',
      '1767225720000,97002',
      '1767225780000,1e400',
    ].join('\n'),
  );
  const run = await cli(['replay', '--input', bad]);
  assert.is(run.code, 3);
  assert.is(run.stdout.trim().split('\n').length, 2);
  assert.match(run.stderr, /^line 3: ts: "oops" is neither epoch seconds, epoch milliseconds nor ISO 8601; skipped$/m);
  assert.match(run.stderr, /^line 4: price: must be a finite number above 0; skipped$/m);
  assert.match(run.stderr, /^line 5: ts: not later than the previous row; skipped$/m);
  assert.match(run.stderr, /^line 7: price: not a number; skipped$/m);
  assert.match(run.stderr, /2 ticks of BTC-USD, 0 signals .*, 4 rows skipped/);
});

test('standard input, and usage errors', async () => {
  const piped = await cli(
    ['replay', '--input', '-', '--signals-only'],
    {},
    `ts,price\n${ticks.map((t) => `${t.ts},${t.price}`).join('\n')}\n`,
  );
  assert.is(piped.code, 0);
  assert.is(piped.stdout.trim().split('\n').length, expectedSignals(ticks).length);
  for (const [args, pattern] of [
    [['replay'], /--input FILE is required/],
    [['replay', '--input', csv, '--fee', 'lots'], /--fee must be a percentage/],
    [['replay', '--input', csv, '--symbol', 'bitcoin'], /--symbol must look like BTC-USD/],
  ] as const) {
    const run = await cli([...args]);
    assert.is(run.code, 2);
    assert.match(run.stderr, pattern);
  }
  const missing = await cli(['replay', '--input', join(dir, 'nope.csv')]);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /cannot read .*nope\.csv \(ENOENT\)/);
  const folder = await cli(['replay', '--input', dir]);
  assert.is(folder.code, 1);
  assert.match(folder.stderr, /is not a file/);
});

test.run();
