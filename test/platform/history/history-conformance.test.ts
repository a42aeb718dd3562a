// One suite for every exchange candle history, each against a local server speaking its documented
// endpoint: ranges in pages, gaps, the forming candle, 429 and 5xx with backoff, malformed and
// oversized answers, timeouts, aborts, refusals, and the pace of requests.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CoinbaseCandleHistory, COINBASE_MIN_INTERVAL_MS, type ExchangeHistoryOptions } from '../../../platform/history/coinbase.js';
import { CandleHistoryError } from '../../../platform/history/errors.js';
import type { CandleHistory, CandleRequest, HistoricalCandle } from '../../../platform/history/history.js';
import { KrakenCandleHistory, KRAKEN_MIN_INTERVAL_MS } from '../../../platform/history/kraken.js';
import { CandleServer, candlePath } from '../../support/protocol-servers/candles-http.js';

const MINUTE = 60_000;
const START = Date.UTC(2025, 0, 1);
const COUNT = 1000;
const GAPS = [10, 11, 500, 501, 502];
const path = candlePath(START, MINUTE, COUNT, GAPS);
/** The exchange's clock: 20 s into the last candle, which is still forming. */
const NOW = START + (COUNT - 1) * MINUTE + 20_000;
/** Inside Kraken's most recent 720 one-minute candles. */
const FROM = START + 300 * MINUTE;
const request: CandleRequest = { symbol: 'BTC-USD', granularityMs: MINUTE, fromMs: FROM, toMs: NOW + MINUTE };
const expected = path.filter((c) => c.start >= FROM && c.start < START + (COUNT - 1) * MINUTE);
/** Fast retries for the tests that do not measure the pace. */
const quick: ExchangeHistoryOptions = { minIntervalMs: 5, backoff: { initialMs: 20, maxMs: 50 }, now: () => NOW };

interface Adapter {
  readonly name: 'coinbase' | 'kraken';
  readonly minIntervalMs: number;
  readonly pagesForRange: number;
  open(baseUrl: string, options: ExchangeHistoryOptions): CandleHistory;
  /** A 200 body holding these exchange rows. */
  body(rows: readonly unknown[]): string;
  row(candle: HistoricalCandle): unknown[];
  unknownSymbolError: RegExp;
}

const adapters: Adapter[] = [
  {
    name: 'coinbase',
    minIntervalMs: COINBASE_MIN_INTERVAL_MS,
    pagesForRange: Math.ceil((COUNT - 1 - 300) / 299),
    open: (baseUrl, options) => new CoinbaseCandleHistory({ ...options, baseUrl }),
    body: (rows) => JSON.stringify(rows),
    row: (c) => [c.start / 1000, c.low, c.high, c.open, c.close, c.volume],
    unknownSymbolError: /^coinbase: HTTP 404 for \/products\/ETH-XYZ\/candles \("NotFound"\)$/,
  },
  {
    name: 'kraken',
    minIntervalMs: KRAKEN_MIN_INTERVAL_MS,
    pagesForRange: 1,
    open: (baseUrl, options) => new KrakenCandleHistory({ ...options, baseUrl }),
    body: (rows) => JSON.stringify({ error: [], result: { XXBTZUSD: rows, last: 0 } }),
    row: (c) => [c.start / 1000, String(c.open), String(c.high), String(c.low), String(c.close), String(c.close), String(c.volume), 3],
    unknownSymbolError: /^kraken: EQuery:Unknown asset pair \(pair ETHXYZ\)$/,
  },
];

async function pagesOf(history: CandleHistory, asked: CandleRequest = request): Promise<HistoricalCandle[][]> {
  const pages: HistoricalCandle[][] = [];
  for await (const page of history.candles(asked)) pages.push([...page]);
  return pages;
}

/** The URL of a port nothing listens on (it was free a moment ago). */
async function closedPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

for (const adapter of adapters) {
  const test = suite(`candle history conformance: ${adapter.name}`);
  let server: CandleServer;
  test.before(async () => {
    server = await CandleServer.start({ exchange: adapter.name, candles: (g) => (g === MINUTE ? path : []), now: NOW });
  });
  test.after(() => server.close());
  test.before.each(() => {
    server.requests.length = 0;
    server.script.length = 0;
    server.beforeAnswer = undefined;
  });

  test('every closed candle of the range, oldest first, in pages; gaps stay gaps; the forming candle is left out', async () => {
    const pages = await pagesOf(adapter.open(server.url, quick));
    assert.is(pages.length, adapter.pagesForRange);
    assert.equal(pages.flat(), expected);
    assert.ok(!pages.flat().some((c) => c.start === START + (COUNT - 1) * MINUTE), 'not the candle holding now');
    assert.is(server.requests.length, adapter.pagesForRange, 'one request a page');
  });

  test('a range ending before now: only its candles', async () => {
    const to = FROM + 50 * MINUTE;
    const pages = await pagesOf(adapter.open(server.url, quick), { ...request, toMs: to });
    assert.equal(
      pages.flat(),
      path.filter((c) => c.start >= FROM && c.start < to),
    );
  });

  test('HTTP 429 with Retry-After: waits that long, then reads the answer', async () => {
    server.script.push({ status: 429, headers: { 'retry-after': '1' }, body: '{"message":"Too many requests"}' });
    const pages = await pagesOf(adapter.open(server.url, quick));
    assert.equal(pages.flat(), expected);
    assert.ok(server.requests[1]!.at - server.requests[0]!.at >= 990, 'the retry came after Retry-After');
  });

  test('HTTP 503 then 500 then the answer: retried with backoff', async () => {
    server.script.push({ status: 503, body: 'unavailable' }, { status: 500, body: '' });
    const pages = await pagesOf(adapter.open(server.url, quick));
    assert.equal(pages.flat(), expected);
    assert.is(server.requests.length, adapter.pagesForRange + 2);
  });

  test('gives up with one line after the last attempt', async () => {
    for (let i = 0; i < 3; i++) server.script.push({ status: 502, body: 'bad gateway' });
    const error = await failure(pagesOf(adapter.open(server.url, { ...quick, maxAttempts: 3 })));
    assert.instance(error, CandleHistoryError);
    assert.is(error.message, `${adapter.name}: HTTP 502; gave up after 3 attempts`);
  });

  test('a Retry-After beyond the limit is not waited out', async () => {
    server.script.push({ status: 429, headers: { 'retry-after': '3600' }, body: '' });
    const error = await failure(pagesOf(adapter.open(server.url, quick)));
    assert.is(error.message, `${adapter.name}: HTTP 429 with Retry-After 3600 s, over 60 s: try later`);
  });

  const malformed: Array<[string, () => string, RegExp]> = [
    ['not JSON', () => '<html>rate limited</html>', /: the answer to \/[^ ]+ is not JSON: "<html>rate limited<\/html>"$/],
    [
      'a wrong shape',
      () => '{"candles":"none"}',
      /: (malformed candles: expected an array of rows|malformed OHLC answer: error is not a list of strings)$/,
    ],
    [
      'a row of the wrong shape',
      () => adapter.body([[START / 1000 + 60 * 300, 'x']]),
      /: malformed (candles|OHLC answer): row 0 is not \[time, /,
    ],
    [
      'a negative price',
      () => adapter.body([adapter.row({ ...path[400]!, low: -1 })]),
      /: malformed (candles|OHLC answer): row 0: low -1 is not a price above 0$/,
    ],
    [
      'a time off the granularity',
      () => adapter.body([adapter.row({ ...path[400]!, start: path[400]!.start + 1000 })]),
      /: malformed (candles|OHLC answer): row 0: time \d+ is not on a 60 s boundary$/,
    ],
    [
      'a high below the close',
      () => adapter.body([adapter.row({ ...path[400]!, high: path[400]!.close - 100 })]),
      /: malformed (candles|OHLC answer): row 0: low [\d.]+ and high [\d.]+ do not hold open/,
    ],
  ];
  for (const [what, body, message] of malformed) {
    test(`a malformed answer (${what}): one clear line, not retried`, async () => {
      server.script.push({ body: body() });
      const error = await failure(pagesOf(adapter.open(server.url, quick)));
      assert.instance(error, CandleHistoryError);
      assert.match(error.message, new RegExp(`^${adapter.name}`));
      assert.match(error.message, message);
      assert.is(server.requests.length, 1);
    });
  }

  test('an oversized answer by its Content-Length is refused before it is read', async () => {
    server.script.push({ headers: { 'content-length': '50000000' }, body: '[' });
    const error = await failure(pagesOf(adapter.open(server.url, quick)));
    assert.match(error.message, /is 50000000 bytes by its Content-Length, over the 2097152-byte limit$/);
  });

  test('an endless answer is cut at the limit', async () => {
    server.script.push({ endless: '[1,2,3],'.repeat(100), body: '' });
    const error = await failure(pagesOf(adapter.open(server.url, { ...quick, maxBodyBytes: 100_000 })));
    assert.match(error.message, /is over the 100000-byte limit$/);
  });

  test('a silent server: each attempt times out, then one line', async () => {
    server.script.push({ silent: true }, { silent: true });
    const error = await failure(pagesOf(adapter.open(server.url, { ...quick, timeoutMs: 300, maxAttempts: 2 })));
    assert.match(
      error.message,
      new RegExp(`^${adapter.name}: no complete answer from http://127.0.0.1:\\d+ within 0.3 s; gave up after 2 attempts$`),
    );
  });

  test('an unreachable server: one line naming it', async () => {
    const closed = await closedPortUrl();
    const error = await failure(pagesOf(adapter.open(closed, { ...quick, maxAttempts: 2 })));
    assert.is(error.message, `${adapter.name}: cannot reach ${closed} (ECONNREFUSED); gave up after 2 attempts`);
  });

  test('the abort signal stops a request in flight', async () => {
    server.script.push({ silent: true });
    const controller = new AbortController();
    server.beforeAnswer = () => controller.abort();
    const error = await failure(pagesOf(adapter.open(server.url, quick), { ...request, signal: controller.signal }));
    assert.is(error.name, 'AbortError');
  });

  test('an unknown symbol: the exchange says so, in one line', async () => {
    const error = await failure(pagesOf(adapter.open(server.url, quick), { ...request, symbol: 'ETH-XYZ' }));
    assert.instance(error, CandleHistoryError);
    assert.match(error.message, adapter.unknownSymbolError);
  });

  test('requests it cannot serve are refused before any is sent', async () => {
    const history = adapter.open(server.url, quick);
    assert.match(
      (await failure(pagesOf(history, { ...request, granularityMs: 7 * MINUTE }))).message,
      /no 420 s candles; it serves 60 s, 300 s/,
    );
    assert.match((await failure(pagesOf(history, { ...request, toMs: FROM }))).message, /from before to/);
    assert.match((await failure(pagesOf(history, { ...request, symbol: 'btc' }))).message, /symbol must look like BTC-USD/);
    assert.is(server.requests.length, 0);
  });

  test(`polite: requests at least ${adapter.minIntervalMs} ms apart (the exchange's public limit, with room)`, async () => {
    const history = adapter.open(server.url, { now: () => NOW });
    await pagesOf(history, { ...request, toMs: FROM + 600 * MINUTE });
    await pagesOf(history, { ...request, toMs: FROM + 10 * MINUTE });
    assert.ok(server.requests.length >= 2);
    for (let i = 1; i < server.requests.length; i++) {
      assert.ok(server.requests[i]!.at - server.requests[i - 1]!.at >= adapter.minIntervalMs, `request ${i} came too soon`);
    }
  });

  test.run();
}
