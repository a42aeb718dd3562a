// Kraken's OHLC specifics: only the most recent 720 entries (an older start is refused, saying from
// when it has data), errors in the `error` list (rate limits retried, the rest one line), XBT naming.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CandleRangeError } from '../../../platform/history/errors.js';
import { KrakenCandleHistory, krakenPair, parseKrakenOhlc } from '../../../platform/history/kraken.js';
import type { CandleRequest, HistoricalCandle } from '../../../platform/history/history.js';
import { CandleServer, candlePath } from '../../support/protocol-servers/candles-http.js';

const HOUR = 3_600_000;
const START = Date.UTC(2025, 0, 1);
const path = candlePath(START, HOUR, 1000);
const NOW = START + 999 * HOUR + 60_000;
const quick = { minIntervalMs: 5, backoff: { initialMs: 20, maxMs: 50 }, now: () => NOW };
const server = await CandleServer.start({ exchange: 'kraken', candles: (g) => (g === HOUR ? path : []), now: NOW });
const oldest = path.at(-720)!.start;

async function all(history: KrakenCandleHistory, request: CandleRequest): Promise<HistoricalCandle[]> {
  const candles: HistoricalCandle[] = [];
  for await (const page of history.candles(request)) candles.push(...page);
  return candles;
}

test.before.each(() => {
  server.requests.length = 0;
  server.script.length = 0;
});
test.after(() => server.close());

test('BTC-USD is XBTUSD; the interval in minutes; since one interval before the start', async () => {
  assert.is(krakenPair('BTC-USD'), 'XBTUSD');
  assert.is(krakenPair('ETH-BTC'), 'ETHXBT');
  const from = START + 500 * HOUR;
  const candles = await all(new KrakenCandleHistory({ ...quick, baseUrl: server.url }), {
    symbol: 'BTC-USD',
    granularityMs: HOUR,
    fromMs: from,
    toMs: from + 24 * HOUR,
  });
  assert.equal(
    candles,
    path.filter((c) => c.start >= from && c.start < from + 24 * HOUR),
  );
  const url = server.requests[0]!.url;
  assert.is(url.pathname, '/0/public/OHLC');
  assert.equal(Object.fromEntries(url.searchParams), { pair: 'XBTUSD', interval: '60', since: String((from - HOUR) / 1000) });
});

test('a start older than the most recent 720 candles is refused, naming the oldest there is', async () => {
  const history = new KrakenCandleHistory({ ...quick, baseUrl: server.url });
  let error: unknown;
  try {
    await all(history, { symbol: 'BTC-USD', granularityMs: HOUR, fromMs: START, toMs: NOW });
  } catch (caught) {
    error = caught;
  }
  assert.instance(error, CandleRangeError);
  assert.is((error as CandleRangeError).oldestAvailableMs, oldest);
  assert.is(
    (error as Error).message,
    `kraken: only the most recent 720 candles of 60 min are served (the oldest now ${new Date(oldest).toISOString().replace('.000', '')}); ` +
      '2025-01-01T00:00:00Z is older: start later, or use coinbase, which serves older candles',
  );
  // From the oldest it has, everything but the forming candle.
  const candles = await all(history, { symbol: 'BTC-USD', granularityMs: HOUR, fromMs: oldest, toMs: NOW });
  assert.is(candles.length, 719);
});

test('a rate limit said in the error list is retried; other errors are one line', async () => {
  server.script.push({ body: '{"error":["EAPI:Rate limit exceeded"]}' });
  const from = START + 900 * HOUR;
  const candles = await all(new KrakenCandleHistory({ ...quick, baseUrl: server.url }), {
    symbol: 'BTC-USD',
    granularityMs: HOUR,
    fromMs: from,
    toMs: NOW,
  });
  assert.is(candles.length, 99);
  assert.is(server.requests.length, 2);
  assert.throws(
    () => parseKrakenOhlc({ error: ['EGeneral:Invalid arguments'] }, 'XBTUSD', HOUR),
    /^kraken: EGeneral:Invalid arguments \(pair XBTUSD\)$/,
  );
});

test('the result is found under the canonical key, the name asked for, or the only key there is', () => {
  const row = [START / 1000, '1.5', '2', '1', '1.8', '1.6', '10', 3];
  const expected = [{ start: START, open: 1.5, high: 2, low: 1, close: 1.8, volume: 10 }];
  assert.equal(parseKrakenOhlc({ error: [], result: { XXBTZUSD: [row], last: 1 } }, 'XBTUSD', HOUR), expected);
  assert.equal(parseKrakenOhlc({ error: [], result: { SOLUSD: [row], last: 1 } }, 'SOLUSD', HOUR), expected);
  assert.equal(parseKrakenOhlc({ error: [], result: { XSOLZUSD: [row], last: 1 } }, 'SOLUSD', HOUR), expected);
  assert.throws(
    () => parseKrakenOhlc({ error: [], result: { A: [row], B: [row], last: 1 } }, 'SOLUSD', HOUR),
    /^kraken: malformed OHLC answer: no list of rows for SOLUSD \(keys: A, B\)$/,
  );
  assert.throws(
    () => parseKrakenOhlc({ error: [], result: { XXBTZUSD: [row, row], last: 1 } }, 'XBTUSD', HOUR),
    /row 1: not later than the row before/,
  );
  assert.throws(
    () => parseKrakenOhlc({ error: [], result: { XXBTZUSD: [[START / 1000, 'NaN', '2', '1', '1.8', '1.6', '10', 3]] } }, 'XBTUSD', HOUR),
    /row 0 is not \[time, "open"/,
  );
});

test.run();
