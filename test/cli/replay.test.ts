// `stock-stream replay`: candle lines and the same signals as the core (and so the processor),
// malformed rows reported by line with exit code 3, the summary and the hypothetical backtest on stderr.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from '../support/cli.js';
import { expectedSignals, TEST_SETTINGS_YAML, tickPath } from '../support/ticks.js';

const dir = mkdtempSync(join(tmpdir(), 'replay-'));
const ticks = tickPath(3000);
const csv = join(dir, 'path.csv');
writeFileSync(csv, `ts,price,volume\n${ticks.map((t) => `${t.ts},${t.price},${t.volume}`).join('\n')}\n`);
const config = join(dir, 'config.yaml');
writeFileSync(config, TEST_SETTINGS_YAML);

interface Line {
  type: string;
  ts: number;
  timeframe: string;
  start: number;
  close: number;
  kind?: string;
  side?: string;
  indicators: { sma: number | null };
}

test('a candle line per closed candle and timeframe, then the signals the core gives, with kind and timeframe', async () => {
  const run = await cli(['replay', '--input', csv, '--config', config]);
  assert.is(run.code, 0, run.stderr);
  const lines = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Line);
  const candles = lines.filter((line) => line.type === 'candle');
  // Ticks a minute apart: each tick but the last closes a 1-minute candle; every fifth a 5-minute one.
  assert.is(candles.filter((c) => c.timeframe === '1m').length, ticks.length - 1);
  const fives = candles.filter((c) => c.timeframe === '5m');
  assert.is(fives.length, Math.floor((ticks.length - 1) / 5));
  assert.equal(Object.keys(candles[0]!), [
    'type',
    'symbol',
    'timeframe',
    'start',
    'open',
    'high',
    'low',
    'close',
    'volume',
    'ticks',
    'indicators',
  ]);
  assert.is(candles[0]!.indicators.sma, null, 'null while warming up');
  assert.is(typeof candles[4]!.indicators.sma, 'number', 'SMA(5) from the fifth closed candle');
  assert.is(fives[0]!.close, ticks[4]!.price, 'a 5-minute candle closes at its last tick');
  const signals = run.stdout
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{"type":"signal"'));
  assert.equal(signals, expectedSignals(ticks));
  const recommendations = lines.filter((line) => line.kind === 'recommendation');
  recommendations.forEach((rec, i) => assert.is(rec.side, i % 2 === 0 ? 'buy' : 'sell', 'recommendations alternate'));
  assert.ok(lines.some((line) => line.kind === 'crossing'));
  assert.ok(
    lines.filter((line) => line.type === 'signal').every((line) => line.timeframe === '1m'),
    'every signal says its timeframe',
  );
  assert.match(
    run.stderr,
    new RegExp(
      `^replay: ${ticks.length} ticks of BTC-USD, ${recommendations.length} recommendations \\(\\d+ buy, \\d+ sell\\) by test-1m on 1m candles, \\d+ crossings, 0 alerts, ${candles.length} candles closed, 0 rows skipped, [\\d.]+ s, \\d+ ticks/s$`,
      'm',
    ),
  );
  assert.match(
    run.stderr,
    /^hypothetical backtest, not advice: following the signals [+-][\d.]+ % \(\d+ trades at 0\.1 % fee(, still holding)?\); buying and holding [+-][\d.]+ %$/m,
  );
});

test('--signals-only prints the recommendations only; --symbol and --fee', async () => {
  const run = await cli(['replay', '--input', csv, '--config', config, '--signals-only', '--symbol', 'ETH-USD', '--fee', '0']);
  assert.is(run.code, 0);
  const lines = run.stdout.trim().split('\n');
  assert.ok(
    lines.every(
      (line) => line.startsWith('{"type":"signal"') && line.includes('"symbol":"ETH-USD"') && line.includes('"kind":"recommendation"'),
    ),
  );
  assert.is(lines.length, expectedSignals(ticks).filter((line) => line.includes('"kind":"recommendation"')).length);
  assert.match(run.stderr, /trades at 0 % fee/);
});

test('the default strategy reads 1-hour candles: a day and a half of minutes gives 1-hour candle lines', async () => {
  const run = await cli(['replay', '--input', csv]);
  assert.is(run.code, 0, run.stderr);
  const candles = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Line)
    .filter((line) => line.type === 'candle');
  assert.is(candles.length, Math.floor(((ticks.length - 1) * 60_000) / 3_600_000));
  assert.ok(candles.every((c) => c.timeframe === '1h' && c.start % 3_600_000 === 0));
});

test('--trades and --summary-json: a line per round trip, then the report, consistent with the candles and signals', async () => {
  const small = join(dir, 'small.csv');
  const some = ticks.slice(0, 600);
  writeFileSync(small, `ts,price\n${some.map((t) => `${t.ts},${t.price}`).join('\n')}\n`);
  const run = await cli(['replay', '--input', small, '--config', config, '--trades', '--summary-json', '--slippage', '0.5']);
  assert.is(run.code, 0, run.stderr);
  const lines = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const report = lines.at(-1)!;
  assert.is(report.type, 'backtest', 'the report comes last');
  assert.is(report.note, 'hypothetical, not advice');
  const trades = lines.filter((line) => line.type === 'trade');
  assert.equal(Object.keys(trades[0]!), ['type', 'entryTs', 'entryPrice', 'exitTs', 'exitPrice', 'return', 'open']);
  assert.ok(
    lines.slice(-1 - trades.length, -1).every((line) => line.type === 'trade'),
    'trades just before the report',
  );
  const recommendations = lines.filter((line) => line.kind === 'recommendation');
  assert.is(report.recommendations, recommendations.length);
  assert.is(report.trades, trades.length);
  assert.is(report.trades, Math.ceil(recommendations.length / 2));
  assert.is(report.candles, lines.filter((line) => line.type === 'candle' && line.timeframe === '1m').length);
  assert.equal([report.start, report.end, report.timeframe], [some[0]!.ts, some.at(-1)!.ts, '1m']);
  assert.equal([report.feePercent, report.slippagePercent], [0.1, 0.5]);
  trades.forEach((trade, i) => {
    const buy = recommendations[2 * i]!;
    assert.is(trade.entryTs, buy.ts);
    assert.ok(Math.abs((trade.entryPrice as number) - (buy.price as number) * 1.005) < 1e-6, 'buys fill 0.5 % higher');
    assert.is(trade.open, 2 * i + 1 >= recommendations.length);
  });
  // All in, all out: the account's return compounds the trades' returns.
  const compounded = trades.reduce((value, trade) => value * (1 + (trade.return as number)), 1) - 1;
  assert.ok(Math.abs(compounded - (report.totalReturn as number)) < 1e-12);
  for (const key of ['maxDrawdown', 'buyAndHoldMaxDrawdown', 'winRate', 'profitFactor', 'exposure', 'sharpe', 'sortino']) {
    assert.ok(key in report, key);
  }
  assert.match(run.stderr, /^hypothetical backtest, not advice: following the signals .* at 0\.1 % fee, 0\.5 % slippage/m);
  assert.match(run.stderr, /^hypothetical backtest, not advice: max drawdown -?[\d.]+ % \(buying and holding -?[\d.]+ %\), Sharpe /m);
});

test("an exchange's newest-first OHLC export with a banner line gives the same output as the oldest-first file, exit code 0", async () => {
  // CryptoDataDownload's layout: a banner, a header with unix and date columns, the newest row first.
  const exported = join(dir, 'export.csv');
  writeFileSync(
    exported,
    'https://www.CryptoDataDownload.com\nunix,date,symbol,open,high,low,close,Volume BTC\n' +
      [...ticks]
        .reverse()
        .map(
          (t) =>
            `${t.ts / 1000},${new Date(t.ts).toISOString().slice(0, 19).replace('T', ' ')},BTC/USD,${t.price},${t.price},${t.price},${t.price},${t.volume}`,
        )
        .join('\n') +
      '\n',
  );
  const [plain, fromExport] = await Promise.all([
    cli(['replay', '--input', csv, '--config', config]),
    cli(['replay', '--input', exported, '--config', config]),
  ]);
  assert.is(fromExport.code, 0, fromExport.stderr);
  assert.match(fromExport.stderr, /line 1, before the header, passed over/);
  assert.match(fromExport.stderr, /newest first/);
  // The export has no volume column by that name: candles differ only in volume.
  const withoutVolume = (stdout: string) => stdout.replace(/"volume":[^,]*,/g, '');
  assert.ok(plain.stdout.includes('"kind":"recommendation"'));
  assert.is(withoutVolume(fromExport.stdout), withoutVolume(plain.stdout));
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
  assert.is(run.stdout, '', 'no candle closed, no signal');
  assert.match(run.stderr, /^line 3: ts: "oops" is neither epoch seconds, epoch milliseconds nor ISO 8601; skipped$/m);
  assert.match(run.stderr, /^line 4: price: must be a finite number above 0; skipped$/m);
  assert.match(run.stderr, /^line 5: ts: not later than the previous row; skipped$/m);
  assert.match(run.stderr, /^line 7: price: not a number; skipped$/m);
  assert.match(run.stderr, /2 ticks of BTC-USD, 0 recommendations .*, 4 rows skipped/);
});

test('standard input, and usage errors', async () => {
  const piped = await cli(
    ['replay', '--input', '-', '--signals-only', '--config', config],
    {},
    `ts,price\n${ticks.map((t) => `${t.ts},${t.price}`).join('\n')}\n`,
  );
  assert.is(piped.code, 0);
  assert.is(
    piped.stdout.trim().split('\n').length,
    expectedSignals(ticks).filter((line) => line.includes('"kind":"recommendation"')).length,
  );
  for (const [args, pattern] of [
    [['replay'], /--input FILE is required/],
    [['replay', '--input', csv, '--fee', 'lots'], /--fee must be a percentage/],
    [['replay', '--input', csv, '--slippage', '100'], /--slippage must be a percentage/],
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
