// Coinbase's candles specifics: the request's parameters, pages of at most 300 buckets (the server
// rejects more, as Coinbase does), rows before the start or repeated across pages dropped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CoinbaseCandleHistory, parseCoinbaseCandles } from '../../../platform/history/coinbase.js';
import type { HistoricalCandle } from '../../../platform/history/history.js';
import { CandleServer, candlePath } from '../../support/protocol-servers/candles-http.js';

const DAY = 86_400_000;
const START = Date.UTC(2023, 0, 1);
const path = candlePath(START, DAY, 700, [3]);
const NOW = START + 699 * DAY + 3_600_000;
const server = await CandleServer.start({ exchange: 'coinbase', candles: (g) => (g === DAY ? path : []), now: NOW });
test.after(() => server.close());

test('pages of 299 days: granularity in seconds, start and end in ISO 8601, never more than 300 buckets', async () => {
  const history = new CoinbaseCandleHistory({ baseUrl: server.url, minIntervalMs: 5, now: () => NOW });
  const candles: HistoricalCandle[] = [];
  for await (const page of history.candles({ symbol: 'BTC-USD', granularityMs: DAY, fromMs: START, toMs: NOW + DAY }))
    candles.push(...page);
  assert.equal(candles, path.slice(0, -1));
  assert.is(server.requests.length, 3);
  const first = server.requests[0]!.url;
  assert.is(first.pathname, '/products/BTC-USD/candles');
  assert.equal(Object.fromEntries(first.searchParams), {
    granularity: '86400',
    start: '2023-01-01T00:00:00.000Z',
    end: new Date(START + 299 * DAY).toISOString(),
  });
  assert.is(history.requests, 3);
});

test('rows before the start (Coinbase may send some) and the forming candle are not yielded', async () => {
  server.script.push({
    body: JSON.stringify([path[5], path[4], path[2]].map((c) => [c!.start / 1000, c!.low, c!.high, c!.open, c!.close, c!.volume])),
  });
  const history = new CoinbaseCandleHistory({ baseUrl: server.url, minIntervalMs: 5, now: () => NOW });
  const candles: HistoricalCandle[] = [];
  for await (const page of history.candles({ symbol: 'BTC-USD', granularityMs: DAY, fromMs: path[4]!.start, toMs: path[6]!.start }))
    candles.push(...page);
  assert.equal(candles, [path[4], path[5]]);
});

test('an error body is quoted', () => {
  assert.throws(
    () => parseCoinbaseCandles({ message: 'Unsupported granularity' }, DAY),
    /^coinbase: the exchange answered "Unsupported granularity"$/,
  );
  assert.throws(
    () => parseCoinbaseCandles([[START / 1000, 1, 2, 1.5, 1.5]], DAY),
    /row 0 is not \[time, low, high, open, close, volume\] numbers/,
  );
  assert.throws(() => parseCoinbaseCandles([[START / 1000, 1, 2, 1.5, 1.5, -1]], DAY), /row 0: volume -1 is not 0 or more/);
});

test.run();
