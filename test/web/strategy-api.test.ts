// The Strategy view's doors through inject(): the strategy in words and its stance, the backtest over
// the store's candles and over a history file, each equal to what `stock-stream replay` prints for the
// same prices, empty history, and hostile input (bad numbers, unknown keys, path traversal, symlinks
// out of the directory, oversized files, a second run while one is going).
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_CURVE_POINTS, storeTimeframeFor } from '../../web/server/strategy.js';
import { historyDir } from '../../web/server/dashboard.js';
import { cli } from '../support/cli.js';
import { seedIndicators, seedStore, startWeb, type WebFixture } from '../support/web.js';
import type { Tick } from '../../core/contracts/index.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 0, 1);

/** Hourly closes that swing through their Bollinger bands, so the default strategy (Bollinger reversion on 1h) trades. */
function hourlyPath(count: number): Array<{ ts: number; price: number }> {
  return Array.from({ length: count }, (_, i) => ({
    ts: START + i * HOUR,
    price: Math.round((97_000 + 2500 * Math.sin(i / 6) + 900 * Math.sin(i / 1.7) - 8 * i) * 100) / 100,
  }));
}

function ohlcCsv(rows: ReadonlyArray<{ ts: number; price: number }>): string {
  return `ts,open,high,low,close,volume\n${rows.map((r) => `${r.ts},${r.price},${r.price},${r.price},${r.price},1`).join('\n')}\n`;
}

async function replay(file: string, extra: string[] = []): Promise<{ report: Record<string, unknown>; trades: unknown[] }> {
  const run = await cli(['replay', '--input', file, '--signals-only', '--summary-json', '--trades', ...extra]);
  assert.is(run.code, 0, run.stderr);
  const lines = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string });
  return { report: lines.find((l) => l.type === 'backtest') as Record<string, unknown>, trades: lines.filter((l) => l.type === 'trade') };
}

let web: WebFixture;

test.before(async () => {
  web = await startWeb({ backtestMaxMiB: 1 });
});
test.after(async () => {
  await web?.close();
});

test('the strategy in words, its stance from the latest record, and the history files listed', async () => {
  mkdirSync(historyDir(web.config), { recursive: true });
  writeFileSync(join(historyDir(web.config), 'btc-1h.csv'), ohlcCsv(hourlyPath(10)));
  await seedIndicators(web.store, {
    symbol: 'BTC-USD',
    ts: START + 5 * HOUR,
    price: 97_120,
    timeframe: '1h',
    closed: null,
    stance: { strategy: 'bollinger-1h', stance: 'long', since: START + 4 * HOUR, entryPrice: 97_120 },
    sma: null,
    ema: null,
    rsi: null,
    macd: null,
    macdSignal: null,
    macdHist: null,
    bbUpper: null,
    bbMiddle: null,
    bbLower: null,
  });
  const answer = (await web.role.app.inject('/api/strategy?symbol=BTC-USD')).json();
  assert.is(answer.name, 'bollinger-1h');
  assert.is(answer.timeframe, '1h');
  assert.is(answer.storeTimeframe, '1h');
  assert.equal(answer.stance, { strategy: 'bollinger-1h', stance: 'long', since: START + 4 * HOUR, entryPrice: 97_120 });
  const rules = (answer.rules as string[]).join('\n');
  assert.match(rules, /reads 1-hour candles/);
  assert.match(rules, /Buy when flat: the price comes back above the lower Bollinger band \(20 candles, 2 standard deviations\)/);
  assert.match(rules, /Sell when long: the price comes back below the upper Bollinger band/);
  assert.match(rules, /Stop-loss: sell when the price falls 5 % below the entry price/);
  assert.equal(
    answer.files.map((f: { name: string }) => f.name),
    ['btc-1h.csv'],
  );
  assert.is((await web.role.app.inject('/api/strategy?symbol=ETH-USD')).json().stance, null);
});

test('the store picks the longest stored timeframe dividing the strategy timeframe', () => {
  assert.is(storeTimeframeFor('1h'), '1h');
  assert.is(storeTimeframeFor('4h'), '1h');
  assert.is(storeTimeframeFor('1d'), '1h');
  assert.is(storeTimeframeFor('15m'), '5m');
  assert.is(storeTimeframeFor('5m'), '5m');
  assert.is(storeTimeframeFor('1m'), '1m');
});

test('over the store: the report and trades equal replay of the same candles as an OHLC file', async () => {
  const path = hourlyPath(400);
  const ticks: Tick[] = path.map((p) => ({ symbol: 'BTC-USD', ts: p.ts, price: p.price, source: 'coinbase', volume: 1 }));
  await seedStore(web.store, ticks);
  const answer = (await web.role.app.inject('/api/backtest?symbol=BTC-USD')).json();
  assert.equal(answer.source, { kind: 'store', timeframe: '1h', candles: 400 });
  assert.is(answer.report.note, 'hypothetical, not advice');
  assert.ok(answer.report.trades >= 3, `${answer.report.trades} trades`);
  const stored = (await web.store.candles('BTC-USD', '1h', 0, START + 400 * HOUR)).map((c) => ({ ts: c.start, price: c.close }));
  const file = join(web.dir, 'store-export.csv');
  writeFileSync(file, ohlcCsv(stored));
  const replayed = await replay(file);
  assert.equal(answer.report, replayed.report);
  assert.equal(answer.trades, [...replayed.trades].reverse());
  // Every closed candle is a point (fewer than the cap): the curve's deepest drawdowns are the report's.
  assert.is(answer.curve.length, answer.report.candles);
  const deepest = (key: 'drawdown' | 'holdDrawdown') => Math.max(...answer.curve.map((p: Record<string, number>) => p[key]));
  assert.is(deepest('drawdown'), answer.report.maxDrawdown);
  assert.is(deepest('holdDrawdown'), answer.report.buyAndHoldMaxDrawdown);
});

test('over a history file, with fee and slippage: equal to replay of that file; bad rows counted', async () => {
  const dir = historyDir(web.config);
  const rows = hourlyPath(3000).map((p) => `${p.ts},${p.price}`);
  rows.splice(100, 0, 'garbage,row', `${START},97000`); // a malformed row and one out of order
  writeFileSync(join(dir, 'long_run-2026.csv'), `ts,price\n${rows.join('\n')}\n`);
  const answer = (await web.role.app.inject('/api/backtest?symbol=BTC-USD&file=long_run-2026.csv&fee=0.2&slippage=0.05')).json();
  assert.is(answer.source.kind, 'file');
  assert.is(answer.source.rows, 3000);
  assert.is(answer.source.skipped, 2);
  assert.match(answer.source.problems[0], /^line 102: /);
  assert.is(answer.report.feePercent, 0.2);
  assert.is(answer.report.slippagePercent, 0.05);
  // replay exits 3 when it skips rows: it reads the clean rows here, which give the same figures.
  const clean = join(web.dir, 'clean.csv');
  writeFileSync(
    clean,
    `ts,price\n${hourlyPath(3000)
      .map((p) => `${p.ts},${p.price}`)
      .join('\n')}\n`,
  );
  const expected = await replay(clean, ['--fee', '0.2', '--slippage', '0.05']);
  assert.equal(answer.report, expected.report);
  assert.ok(answer.trades.length <= 200 && answer.trades.length === Math.min(200, expected.trades.length));
  assert.equal(answer.trades, [...expected.trades].reverse().slice(0, answer.trades.length));
  // 3000 closes: the curve is thinned to the cap and still ends at the last close.
  assert.ok(answer.curve.length <= MAX_CURVE_POINTS && answer.curve.length >= MAX_CURVE_POINTS / 2, `${answer.curve.length} points`);
  assert.is(answer.curve[answer.curve.length - 1].ts, START + 2998 * HOUR);
});

test('empty history: a report of nothing, not an error', async () => {
  const answer = (await web.role.app.inject('/api/backtest?symbol=ETH-USD')).json();
  assert.equal(answer.source, { kind: 'store', timeframe: '1h', candles: 0 });
  assert.is(answer.report.candles, 0);
  assert.is(answer.report.start, null);
  assert.is(answer.report.totalReturn, 0);
  assert.equal(answer.trades, []);
  assert.equal(answer.curve, []);
  writeFileSync(join(historyDir(web.config), 'empty.csv'), 'ts,price\n');
  const empty = (await web.role.app.inject('/api/backtest?symbol=BTC-USD&file=empty.csv')).json();
  assert.equal([empty.source.rows, empty.report.candles, empty.curve], [0, 0, []]);
});

test('hostile queries: one-line 400s naming the parameter; unknown symbols 404', async () => {
  const { app } = web.role;
  const bad: Array<[string, RegExp]> = [
    ['/api/backtest', /symbol/],
    ['/api/backtest?symbol=btc', /symbol/],
    ['/api/backtest?symbol=BTC-USD&fee=abc', /fee/],
    ['/api/backtest?symbol=BTC-USD&fee=-1', /fee/],
    ['/api/backtest?symbol=BTC-USD&fee=100', /fee/],
    ['/api/backtest?symbol=BTC-USD&fee=1e3', /fee/],
    ['/api/backtest?symbol=BTC-USD&slippage=0.00001', /slippage/],
    ['/api/backtest?symbol=BTC-USD&fee=1&fee=2', /fee/],
    ['/api/backtest?symbol=BTC-USD&path=/etc/passwd', /additional/],
    ['/api/strategy?symbol=BTC-USD&x=1', /additional/],
  ];
  for (const [url, message] of bad) {
    const answer = await app.inject(url);
    assert.is(answer.statusCode, 400, url);
    assert.is(answer.json().error, 'ERR_BAD_REQUEST', url);
    assert.match(answer.json().message, message, url);
    assert.not.match(answer.json().message, /\n/);
  }
  for (const url of ['/api/backtest?symbol=DOGE-USD', '/api/strategy?symbol=DOGE-USD']) {
    assert.is((await app.inject(url)).statusCode, 404, url);
    assert.is((await app.inject(url)).json().error, 'ERR_UNKNOWN_SYMBOL');
  }
});

test('file names: traversal, separators, hidden files, NUL, symlinks out and directories never read', async () => {
  const { app } = web.role;
  const dir = historyDir(web.config);
  writeFileSync(join(web.dir, 'secret.csv'), ohlcCsv(hourlyPath(50)));
  symlinkSync(join(web.dir, 'secret.csv'), join(dir, 'link-out.csv'));
  symlinkSync('/etc/passwd', join(dir, 'passwd.csv'));
  mkdirSync(join(dir, 'folder.csv'));
  writeFileSync(join(dir, '.hidden.csv'), ohlcCsv(hourlyPath(50)));
  const names = [
    '../secret.csv',
    '..%2Fsecret.csv',
    '%2E%2E%2Fsecret.csv',
    '..%5Csecret.csv',
    '%2Fetc%2Fpasswd',
    'btc-1h.csv%00.txt',
    'btc-1h.csv%00',
    '.hidden.csv',
    'btc-1h.txt',
    'btc-1h',
    `${'a'.repeat(130)}.csv`,
    'a%20b.csv',
    '%C3%A9t%C3%A9.csv',
  ];
  for (const name of names) {
    const answer = await app.inject(`/api/backtest?symbol=BTC-USD&file=${name}`);
    assert.is(answer.statusCode, 400, name);
    assert.match(answer.json().message, /file/, name);
  }
  for (const name of ['link-out.csv', 'passwd.csv', 'folder.csv', 'missing.csv']) {
    const answer = await app.inject(`/api/backtest?symbol=BTC-USD&file=${name}`);
    assert.is(answer.statusCode, 404, name);
    assert.equal(answer.json(), { error: 'ERR_NO_SUCH_FILE', message: `file: no ${name} in the history directory` });
  }
  const listed = (await app.inject('/api/strategy?symbol=BTC-USD')).json().files.map((f: { name: string }) => f.name);
  assert.equal(listed, ['btc-1h.csv', 'empty.csv', 'long_run-2026.csv']);
});

test('bounded work: a file over web.backtestMaxMiB is refused; a second run while one goes gets 503', async () => {
  const { app } = web.role;
  const dir = historyDir(web.config);
  writeFileSync(join(dir, 'huge.csv'), `ts,price\n${'1767225600000,97000\n'.repeat(60_000)}`); // 1.2 MB
  const huge = await app.inject('/api/backtest?symbol=BTC-USD&file=huge.csv');
  assert.is(huge.statusCode, 413);
  assert.equal(huge.json(), { error: 'ERR_FILE_TOO_LARGE', message: 'file: huge.csv is larger than 1 MiB' });
  const [first, second] = await Promise.all([
    app.inject('/api/backtest?symbol=BTC-USD&file=long_run-2026.csv'),
    app.inject('/api/backtest?symbol=BTC-USD&file=long_run-2026.csv'),
  ]);
  assert.equal([first.statusCode, second.statusCode].sort(), [200, 503]);
  const busy = first.statusCode === 503 ? first : second;
  assert.is(busy.json().error, 'ERR_BUSY');
  assert.is(busy.headers['retry-after'], '2');
  assert.is((await app.inject('/api/backtest?symbol=BTC-USD&file=long_run-2026.csv')).statusCode, 200, 'free again');
});

test.run();
