// `stock-stream download` as a user runs it, against local servers speaking Coinbase's and Kraken's
// candle endpoints: the file replay reads, gaps, resuming (after Ctrl-C, after a crash's torn line,
// with a later --to) to the same bytes as one run, and refusals in one line.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CANDLE_CSV_HEADER, candleCsvLines } from '../../platform/history/candle-csv.js';
import { cli } from '../support/cli.js';
import { CandleServer, candlePath } from '../support/protocol-servers/candles-http.js';
import { TEST_SETTINGS_YAML } from '../support/ticks.js';

const dir = mkdtempSync(join(tmpdir(), 'download-'));
const config = join(dir, 'config.yaml');
writeFileSync(config, TEST_SETTINGS_YAML);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.UTC(2025, 0, 1);
const minutes = candlePath(START, MINUTE, 1300, [100, 101, 700]);
const coinbase = await CandleServer.start({
  exchange: 'coinbase',
  candles: (g) => (g === MINUTE ? minutes : []),
  now: START + 1300 * MINUTE,
});
const hours = candlePath(START, HOUR, 1000);
const krakenNow = START + 999 * HOUR + 30 * MINUTE;
const kraken = await CandleServer.start({ exchange: 'kraken', candles: (g) => (g === HOUR ? hours : []), now: krakenNow });
test.after(async () => {
  await coinbase.close();
  await kraken.close();
});
test.before.each(() => {
  coinbase.requests.length = 0;
  coinbase.beforeAnswer = undefined;
});

const TO = '2025-01-01T20:00:00Z';
const inRange = minutes.filter((c) => c.start < Date.parse(TO));
const wholeFile = `${CANDLE_CSV_HEADER}\n${candleCsvLines(inRange)}`;
const download = (output: string, ...extra: string[]) =>
  ['download', '--source', 'coinbase', '--symbol', 'BTC-USD', '--timeframe', '1m', '--from', '2025-01-01', '--to', TO, '--output', output]
    .concat(['--base-url', coinbase.url, '--config', config])
    .concat(extra);

test('coinbase, 20 hours of 1m candles in 5 pages: the file oldest first, gaps left out, and a summary line', async () => {
  const output = join(dir, 'whole.csv');
  const run = await cli(download(output));
  assert.is(run.code, 0, run.stderr);
  assert.is(readFileSync(output, 'utf8'), wholeFile);
  assert.is(coinbase.requests.length, 5, '1200 buckets at 299 a request');
  assert.is(
    run.stderr,
    `download: ${inRange.length} 1m candles of BTC-USD from coinbase (2025-01-01T00:00:00Z to 2025-01-01T19:59:00Z) written to ${output}, ` +
      `2 gaps (3 candles without trades), 5 requests, ${/[\d.]+ s\n$/.exec(run.stderr)![0]}`,
  );
  assert.is(run.stdout, '');
});

test('replay reads the downloaded file: one tick a candle, at its close', async () => {
  const output = join(dir, 'for-replay.csv');
  assert.is((await cli(download(output))).code, 0);
  const run = await cli(['replay', '--input', output, '--config', config]);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stderr, new RegExp(`^replay: ${inRange.length} ticks of BTC-USD`, 'm'));
  const first = JSON.parse(run.stdout.split('\n')[0]!) as { type: string; timeframe: string; start: number; close: number };
  assert.equal([first.type, first.timeframe, first.start, first.close], ['candle', '1m', START, inRange[0]!.close]);
});

test('Ctrl-C between pages leaves a valid file; the same command again makes it the same as one run', async () => {
  const output = join(dir, 'interrupted.csv');
  let child: { kill(signal: NodeJS.Signals): boolean } | undefined;
  coinbase.beforeAnswer = async (index) => {
    if (index !== 2) return;
    child?.kill('SIGINT');
    await delay(500);
  };
  const stopped = await cli(download(output), {}, undefined, (spawned) => (child = spawned));
  assert.is(stopped.code, 130, stopped.stderr);
  const twoPages = inRange.filter((c) => c.start < START + 2 * 299 * MINUTE);
  assert.match(stopped.stderr, new RegExp(`^download: ${twoPages.length} 1m candles of BTC-USD from coinbase .* written to `, 'm'));
  assert.match(stopped.stderr, /^download: interrupted; .* run the same command again to resume$/m);
  assert.is(readFileSync(output, 'utf8'), `${CANDLE_CSV_HEADER}\n${candleCsvLines(twoPages)}`, 'two whole pages');

  coinbase.beforeAnswer = undefined;
  coinbase.requests.length = 0;
  const resumed = await cli(download(output));
  assert.is(resumed.code, 0, resumed.stderr);
  assert.is(readFileSync(output, 'utf8'), wholeFile);
  assert.is(
    coinbase.requests[0]!.url.searchParams.get('start'),
    new Date(twoPages.at(-1)!.start + MINUTE).toISOString(),
    'from after its last candle',
  );
  assert.match(resumed.stderr, /appended to .* after its last of 2025-01-01T09:57:00Z, /);
});

test('a torn last line (a crash mid-write) is dropped, then the rest appended', async () => {
  const output = join(dir, 'torn.csv');
  writeFileSync(output, `${CANDLE_CSV_HEADER}\n${candleCsvLines(inRange.slice(0, 300))}2025-01-01T05:`);
  const run = await cli(download(output));
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stderr, /^download: dropped the torn last line of .*torn\.csv \(14 bytes\)$/m);
  assert.is(readFileSync(output, 'utf8'), wholeFile);
});

test('a later --to appends only what is missing; nothing missing, nothing asked', async () => {
  const output = join(dir, 'growing.csv');
  const early = download(output);
  early[early.indexOf('--to') + 1] = '2025-01-01T07:00:00Z';
  assert.is((await cli(early)).code, 0);
  assert.is((await cli(download(output))).code, 0);
  assert.is(readFileSync(output, 'utf8'), wholeFile);
  coinbase.requests.length = 0;
  const again = await cli(download(output));
  assert.is(again.code, 0);
  assert.is(again.stderr, `download: ${output} already holds ${inRange.length} 1m candles up to 2025-01-01T19:59:00Z; nothing to add\n`);
  assert.is(coinbase.requests.length, 0);
});

test('the default output name comes from the source, symbol and timeframe', async () => {
  const args = download('x').filter((arg, i, all) => arg !== '--output' && all[i - 1] !== '--output');
  args[args.indexOf('--to') + 1] = '2025-01-01T00:10:00Z';
  const run = await cli(args);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stderr, /\) written to coinbase-btc-usd-1m\.csv, 0 gaps/);
});

test('kraken: the hours it still has, the forming one left out; an older --from refused in one line', async () => {
  const output = join(dir, 'kraken.csv');
  const base = ['download', '--source', 'kraken', '--symbol', 'BTC-USD', '--timeframe', '1h', '--base-url', kraken.url, '--config', config];
  const from = new Date(START + 900 * HOUR).toISOString();
  const run = await cli([...base, '--from', from, '--output', output]);
  assert.is(run.code, 0, run.stderr);
  assert.is(readFileSync(output, 'utf8'), `${CANDLE_CSV_HEADER}\n${candleCsvLines(hours.slice(900, 999))}`);
  assert.is(kraken.requests.at(-1)!.url.searchParams.get('pair'), 'XBTUSD');

  const old = await cli([...base, '--from', '2025-01-01', '--output', join(dir, 'kraken-old.csv')]);
  assert.is(old.code, 1);
  assert.match(
    old.stderr,
    /^stock-stream download: kraken: only the most recent 720 candles of 60 min are served \(the oldest now [^)]+\); 2025-01-01T00:00:00Z is older: start later, or use coinbase, which serves older candles\n$/,
  );
});

test('refusals: one line each and a non-zero exit, nothing asked of the exchange', async () => {
  const hourly = join(dir, 'hourly.csv');
  writeFileSync(hourly, `${CANDLE_CSV_HEADER}\n${candleCsvLines(hours.slice(0, 5))}`);
  const prices = join(dir, 'prices.csv');
  writeFileSync(prices, 'ts,price\n2025-01-01T00:00:00Z,1\n');
  const base = (...args: string[]) => ['download', '--base-url', coinbase.url, '--config', config, ...args];
  const cases: Array<[string[], number, RegExp]> = [
    [base('--source', 'binance', '--from', '2025-01-01'), 2, /--source must be coinbase or kraken, got "binance"/],
    [base('--from', '2025-01-01'), 2, /--source coinbase\|kraken is required/],
    [base('--source', 'coinbase'), 2, /--from TIME is required/],
    [
      base('--source', 'coinbase', '--from', '2025-01-01', '--timeframe', '2h'),
      2,
      /--timeframe must be one of 1m, 5m, 15m, 1h, 4h, 6h, 1d, got "2h"/,
    ],
    [
      base('--source', 'coinbase', '--from', '2025-01-01', '--timeframe', '4h'),
      2,
      /coinbase has no 4h candles; it serves 1m, 5m, 15m, 1h, 6h, 1d/,
    ],
    [
      base('--source', 'kraken', '--from', '2025-01-01', '--timeframe', '6h'),
      2,
      /kraken has no 6h candles; it serves 1m, 5m, 15m, 1h, 4h, 1d/,
    ],
    [base('--source', 'coinbase', '--from', '2025-01-01', '--symbol', 'bitcoin'), 2, /--symbol must look like BTC-USD, got "bitcoin"/],
    [base('--source', 'coinbase', '--from', 'yesterday'), 2, /--from must be a date like 2025-01-01 or an ISO 8601 time, got "yesterday"/],
    [base('--source', 'coinbase', '--from', '2025-02-30'), 2, /--from must be a date like/],
    [base('--source', 'coinbase', '--from', '2025-01-02', '--to', '2025-01-01'), 2, /--from 2025-01-02 must be before --to 2025-01-01/],
    [base('--source', 'coinbase', '--from', '2999-01-01'), 2, /--from 2999-01-01 is in the future/],
    [base('--source', 'coinbase', '--from', '2025-01-01', '--base-url', 'ftp://x'), 2, /--base-url must be an http\(s\) URL/],
    [
      base('--source', 'coinbase', '--timeframe', '1m', '--from', '2025-01-01', '--to', TO, '--output', hourly),
      1,
      /hourly\.csv: its candles are at least 3600 s apart; not a 1m candle file from download/,
    ],
    [
      base('--source', 'coinbase', '--timeframe', '1m', '--from', '2025-01-01', '--to', TO, '--output', prices),
      1,
      /prices\.csv: line 1: expected the header ts,open,high,low,close,volume/,
    ],
    [
      base(
        '--source',
        'coinbase',
        '--symbol',
        'ETH-XYZ',
        '--timeframe',
        '1m',
        '--from',
        '2025-01-01',
        '--to',
        TO,
        '--output',
        join(dir, 'eth.csv'),
      ),
      1,
      /^stock-stream download: coinbase: HTTP 404 for \/products\/ETH-XYZ\/candles \("NotFound"\)$/m,
    ],
  ];
  for (const [args, code, message] of cases) {
    const run = await cli(args);
    assert.is(run.code, code, `${args.join(' ')}: ${run.stderr}`);
    assert.is(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, message);
  }
  assert.is(coinbase.requests.length, 1, 'only the unknown symbol reached the exchange');
  assert.is(readFileSync(hourly, 'utf8'), `${CANDLE_CSV_HEADER}\n${candleCsvLines(hours.slice(0, 5))}`, 'a refused file is left as it was');
  assert.ok(existsSync(join(dir, 'eth.csv')));
});

test.run();
