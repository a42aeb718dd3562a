// The pure parsers against frames shaped like the exchanges' documented messages:
//  Coinbase Exchange: https://docs.cdp.coinbase.com/exchange/websocket-feed/channels (ticker, heartbeat)
//    and https://docs.cdp.coinbase.com/exchange/websocket-feed/overview (subscriptions, error)
//  Kraken v2: https://docs.kraken.com/api/docs/websocket-v2/trade, .../ticker, .../heartbeat, .../status
//  Alpha Vantage: https://www.alphavantage.co/documentation/#currency-exchange
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAlphaVantageBody, pollPlan } from '../../../../core/ingest/alphavantage.js';
import {
  coinbaseSubscribe,
  parseCoinbaseFrame,
  trackCoinbaseSequence,
  type CoinbaseSequenceState,
} from '../../../../core/ingest/coinbase.js';
import { krakenPair, krakenSubscribes, parseKrakenFrame, symbolFromKrakenPair } from '../../../../core/ingest/kraken.js';
import { checkTick } from '../../../../core/contracts/index.js';
import { ERROR_MESSAGE_BODY, exchangeRateBody, informationBody, NOTE_BODY } from '../../../support/protocol-servers/alphavantage-http.js';
import {
  coinbaseHeartbeat,
  coinbaseTicker,
  krakenStatus,
  krakenTicker,
  krakenTrade,
} from '../../../support/protocol-servers/exchange-ws.js';

const RECEIVED = Date.UTC(2024, 4, 1, 10, 0, 5);
const coinbase = suite('Coinbase frames');

coinbase('a ticker becomes a tick: last_size is the volume, best bid/ask kept, microseconds cut', () => {
  const frame = coinbaseTicker({
    product: 'BTC-USD',
    price: '64000.01',
    size: '0.00026100',
    sequence: 93525999403,
    tradeId: 734680334,
    time: '2024-05-01T10:00:00.542551Z',
    bid: '63999.50',
    ask: '64000.01',
  });
  const parsed = parseCoinbaseFrame(JSON.stringify(frame), RECEIVED);
  assert.equal(parsed.events, [
    {
      kind: 'tick',
      tick: {
        symbol: 'BTC-USD',
        price: 64000.01,
        ts: Date.UTC(2024, 4, 1, 10, 0, 0, 542),
        source: 'coinbase',
        volume: 0.000261,
        bid: 63999.5,
        ask: 64000.01,
      },
    },
  ]);
  assert.equal(parsed.sequence, { product: 'BTC-USD', sequence: 93525999403, tradeId: 734680334, heartbeat: false });
  const tick = parsed.events[0]!.kind === 'tick' ? parsed.events[0]!.tick : undefined;
  assert.ok(checkTick(tick).ok, 'what the parser makes passes the tick contract');
});

coinbase('heartbeat, subscriptions, error and other types', () => {
  const heartbeat = parseCoinbaseFrame(JSON.stringify(coinbaseHeartbeat('BTC-USD', 90, 20, '2014-11-07T08:19:28.464459Z')), RECEIVED);
  assert.equal(heartbeat.events, [{ kind: 'heartbeat', symbol: 'BTC-USD' }]);
  assert.equal(heartbeat.sequence, { product: 'BTC-USD', sequence: 90, tradeId: 20, heartbeat: true });
  const subscriptions = {
    type: 'subscriptions',
    channels: [
      { name: 'ticker', product_ids: ['BTC-USD'] },
      { name: 'heartbeat', product_ids: ['BTC-USD'] },
    ],
  };
  assert.equal(parseCoinbaseFrame(JSON.stringify(subscriptions), RECEIVED).events, [
    { kind: 'subscribed', detail: 'subscribed to ticker, heartbeat' },
  ]);
  const error = { type: 'error', message: 'Failed to subscribe', reason: 'FOO-USD is not a valid product' };
  assert.equal(parseCoinbaseFrame(JSON.stringify(error), RECEIVED).events, [
    { kind: 'error', detail: 'Failed to subscribe: FOO-USD is not a valid product' },
  ]);
  assert.equal(parseCoinbaseFrame('{"type":"l2update","product_id":"BTC-USD"}', RECEIVED).events, [{ kind: 'ignored' }]);
});

coinbase('malformed frames say why, and never become ticks', () => {
  const good = coinbaseTicker({
    product: 'BTC-USD',
    price: '64000.01',
    size: '0.1',
    sequence: 1,
    tradeId: 1,
    time: '2024-05-01T10:00:00Z',
  });
  const cases: Array<[string, RegExp]> = [
    ['not json', /not JSON/],
    ['[1,2]', /not a JSON object/],
    ['null', /not a JSON object/],
    ['{"price":"1"}', /no "type"/],
    ['{"type":7}', /not a string/],
    [JSON.stringify({ ...good, product_id: undefined }), /no product_id/],
    [JSON.stringify({ ...good, price: 'abc' }), /price/],
    [JSON.stringify({ ...good, price: '1e400' }), /price/],
    [JSON.stringify({ ...good, price: null }), /price/],
    [JSON.stringify({ ...good, price: { value: 1 } }), /price/],
    [JSON.stringify({ ...good, time: 'yesterday' }), /time/],
    [JSON.stringify({ ...good, time: 1714557600 }), /time/],
    [JSON.stringify({ ...good, last_size: 'NaN' }), /last_size/],
    [JSON.stringify({ ...good, best_bid: 'Infinity' }), /best_bid/],
    ['{"type":"heartbeat","product_id":"BTC-USD"}', /heartbeat/],
    ['{"type":"subscriptions","channels":"ticker"}', /channels/],
  ];
  for (const [text, detail] of cases) {
    const events = parseCoinbaseFrame(text, RECEIVED).events;
    assert.is(events.length, 1, text);
    assert.is(events[0]!.kind, 'malformed', text);
    assert.match((events[0] as { detail: string }).detail, detail, text);
  }
});

coinbase('a negative price is passed on for the ingestor to refuse (sources translate, they do not validate)', () => {
  const frame = coinbaseTicker({ product: 'BTC-USD', price: '-5', size: '0.1', sequence: 1, tradeId: 1, time: '2024-05-01T10:00:00Z' });
  const [event] = parseCoinbaseFrame(JSON.stringify(frame), RECEIVED).events;
  assert.is(event!.kind, 'tick');
});

coinbase('the subscribe request names every product and both channels', () => {
  assert.equal(JSON.parse(coinbaseSubscribe(['BTC-USD', 'ETH-USD'])), {
    type: 'subscribe',
    product_ids: ['BTC-USD', 'ETH-USD'],
    channels: ['ticker', 'heartbeat'],
  });
});

coinbase('sequence tracking: missed tickers, a sequence going back, and nothing for normal jumps', () => {
  let state: CoinbaseSequenceState = {};
  const step = (facts: Parameters<typeof trackCoinbaseSequence>[1]) => {
    const result = trackCoinbaseSequence(state, facts);
    state = result.state;
    return result.gap;
  };
  assert.is(step({ product: 'BTC-USD', sequence: 100, tradeId: 20, heartbeat: true }), undefined, 'the first frame sets the baseline');
  assert.is(
    step({ product: 'BTC-USD', sequence: 180, tradeId: 21, heartbeat: false }),
    undefined,
    'sequences jump between tickers: other messages use them',
  );
  assert.is(
    step({ product: 'BTC-USD', sequence: 190, tradeId: 21, heartbeat: true }),
    undefined,
    'the heartbeat agrees with the last ticker',
  );
  assert.equal(step({ product: 'BTC-USD', sequence: 200, tradeId: 24, heartbeat: true }), {
    product: 'BTC-USD',
    detail: '3 trade(s) up to id 24 arrived without a ticker',
  });
  assert.is(step({ product: 'BTC-USD', sequence: 210, tradeId: 24, heartbeat: true }), undefined, 'a gap is reported once');
  assert.equal(step({ product: 'BTC-USD', sequence: 150, tradeId: 24, heartbeat: false }), {
    product: 'BTC-USD',
    detail: 'sequence went back from 210 to 150',
  });
  assert.is(step({ product: 'ETH-USD', sequence: 5, tradeId: 1, heartbeat: true }), undefined, 'products are tracked apart');
  assert.equal(JSON.parse(JSON.stringify(state)), state, 'the state is plain JSON');
});

const kraken = suite('Kraken v2 frames');

kraken('pairs: BTC-USD <-> BTC/USD, and the subscribe requests', () => {
  assert.is(krakenPair('BTC-USD'), 'BTC/USD');
  assert.is(symbolFromKrakenPair('ETH/EUR'), 'ETH-EUR');
  assert.is(symbolFromKrakenPair('XBTUSD'), undefined);
  const [trade, ticker] = krakenSubscribes(['BTC-USD', 'ETH-USD']).map((text) => JSON.parse(text) as unknown);
  assert.equal(trade, { method: 'subscribe', params: { channel: 'trade', symbol: ['BTC/USD', 'ETH/USD'], snapshot: false }, req_id: 1 });
  assert.equal(ticker, { method: 'subscribe', params: { channel: 'ticker', symbol: ['BTC/USD', 'ETH/USD'] }, req_id: 2 });
});

kraken('each trade becomes a tick with its qty as volume; ticker updates are quotes', () => {
  const trades = krakenTrade([
    { pair: 'BTC/USD', price: 64000.1, qty: 0.25, tradeId: 101, timestamp: '2024-05-01T10:00:01.123456Z' },
    { pair: 'BTC/USD', price: 64000.2, qty: 0.0001, tradeId: 102, timestamp: '2024-05-01T10:00:01.200000Z' },
  ]);
  assert.equal(parseKrakenFrame(JSON.stringify(trades), RECEIVED), [
    { kind: 'tick', tick: { symbol: 'BTC-USD', price: 64000.1, ts: Date.UTC(2024, 4, 1, 10, 0, 1, 123), source: 'kraken', volume: 0.25 } },
    {
      kind: 'tick',
      tick: { symbol: 'BTC-USD', price: 64000.2, ts: Date.UTC(2024, 4, 1, 10, 0, 1, 200), source: 'kraken', volume: 0.0001 },
    },
  ]);
  assert.equal(parseKrakenFrame(JSON.stringify(krakenTicker('BTC/USD', 63999.9, 64000.3, 64000.2)), RECEIVED), [
    { kind: 'quote', symbol: 'BTC-USD', bid: 63999.9, ask: 64000.3 },
  ]);
});

kraken('heartbeat, status, acknowledgements and refusals', () => {
  assert.equal(parseKrakenFrame('{"channel":"heartbeat"}', RECEIVED), [{ kind: 'heartbeat' }]);
  assert.equal(parseKrakenFrame(JSON.stringify(krakenStatus('online')), RECEIVED), [
    { kind: 'status', ok: true, detail: 'kraken: online' },
  ]);
  assert.equal(parseKrakenFrame(JSON.stringify(krakenStatus('maintenance')), RECEIVED), [
    { kind: 'status', ok: false, detail: 'kraken: maintenance' },
  ]);
  const ack = {
    method: 'subscribe',
    result: { channel: 'trade', snapshot: false, symbol: 'BTC/USD' },
    success: true,
    time_in: '2024-05-01T10:00:00.000000Z',
    time_out: '2024-05-01T10:00:00.000100Z',
  };
  assert.equal(parseKrakenFrame(JSON.stringify(ack), RECEIVED), [{ kind: 'subscribed', detail: 'subscribe trade BTC/USD' }]);
  const refused = {
    error: 'Currency pair not supported FOO/USD',
    method: 'subscribe',
    success: false,
    symbol: 'FOO/USD',
    time_in: 'x',
    time_out: 'y',
  };
  assert.equal(parseKrakenFrame(JSON.stringify(refused), RECEIVED), [
    { kind: 'error', detail: 'subscribe: Currency pair not supported FOO/USD' },
  ]);
  assert.equal(parseKrakenFrame('{"method":"pong","req_id":3}', RECEIVED), [{ kind: 'ignored' }]);
  assert.equal(parseKrakenFrame('{"channel":"book","type":"update","data":[]}', RECEIVED), [{ kind: 'ignored' }]);
});

kraken('malformed frames say why', () => {
  const trade = krakenTrade([{ pair: 'BTC/USD', price: 1, qty: 1, tradeId: 1, timestamp: '2024-05-01T10:00:00Z' }]);
  const item = trade.data[0]!;
  const cases: Array<[string, RegExp]> = [
    ['{', /not JSON/],
    ['"text"', /not a JSON object/],
    ['{"data":[]}', /neither/],
    ['{"channel":["trade"]}', /not a string/],
    ['{"channel":"trade","type":"update","data":{}}', /data is not a list/],
    ['{"channel":"ticker","type":"update","data":"x"}', /data is not a list/],
    [JSON.stringify({ ...trade, data: [{ ...item, symbol: 'XBTUSD' }] }), /symbol/],
    [JSON.stringify({ ...trade, data: [{ ...item, price: 'lots' }] }), /price/],
    [JSON.stringify({ ...trade, data: [{ ...item, price: null }] }), /price/],
    [JSON.stringify({ ...trade, data: [{ ...item, qty: [1] }] }), /qty/],
    [JSON.stringify({ ...trade, data: [{ ...item, timestamp: '1714557600' }] }), /timestamp/],
    [JSON.stringify({ ...trade, data: [7] }), /symbol/],
    ['{"channel":"status","data":[]}', /status/],
    ['{"method":"subscribe"}', /success/],
  ];
  for (const [text, detail] of cases) {
    const events = parseKrakenFrame(text, RECEIVED);
    assert.is(events.length, 1, text);
    assert.is(events[0]!.kind, 'malformed', text);
    assert.match((events[0] as { detail: string }).detail, detail, text);
  }
});

const alpha = suite('Alpha Vantage bodies');

alpha('a rate: price, bid, ask, and Last Refreshed read as UTC', () => {
  const result = parseAlphaVantageBody(
    exchangeRateBody('64012.34000000', '2024-05-01 10:00:02', '64010.00000000', '64015.50000000'),
    'BTC-USD',
  );
  assert.equal(result, {
    kind: 'rate',
    lastRefreshed: '2024-05-01 10:00:02',
    tick: { symbol: 'BTC-USD', price: 64012.34, ts: Date.UTC(2024, 4, 1, 10, 0, 2), source: 'alphavantage', bid: 64010, ask: 64015.5 },
  });
});

alpha('each error form is typed, never a rate', () => {
  assert.is(parseAlphaVantageBody(NOTE_BODY, 'BTC-USD').kind, 'rate-limited');
  const information = parseAlphaVantageBody(informationBody('demo'), 'BTC-USD');
  assert.is(information.kind, 'rate-limited');
  assert.match((information as { detail: string }).detail, /^Information: We have detected/);
  assert.is(parseAlphaVantageBody(ERROR_MESSAGE_BODY, 'BTC-USD').kind, 'api-error');
});

alpha('malformed bodies', () => {
  const rate = JSON.parse(exchangeRateBody('64012.34', '2024-05-01 10:00:02')) as {
    'Realtime Currency Exchange Rate': Record<string, unknown>;
  };
  const fields = rate['Realtime Currency Exchange Rate'];
  const variant = (changes: Record<string, unknown>) => JSON.stringify({ 'Realtime Currency Exchange Rate': { ...fields, ...changes } });
  const cases: Array<[string, RegExp]> = [
    ['<html>502 Bad Gateway</html>', /not JSON/],
    ['[]', /not a JSON object/],
    ['{}', /Realtime Currency Exchange Rate/],
    ['{"Realtime Currency Exchange Rate":"x"}', /Realtime Currency Exchange Rate/],
    [variant({ '3. To_Currency Code': 'EUR' }), /not the rate of BTC-USD/],
    [variant({ '5. Exchange Rate': 'N/A' }), /Exchange Rate/],
    [variant({ '5. Exchange Rate': undefined }), /Exchange Rate/],
    [variant({ '6. Last Refreshed': '01/05/2024 10:00' }), /not a time/],
    [variant({ '6. Last Refreshed': '2024-13-01 10:00:00' }), /not a time/],
    [variant({ '7. Time Zone': 'US/Eastern' }), /Time Zone/],
  ];
  for (const [text, detail] of cases) {
    const result = parseAlphaVantageBody(text, 'BTC-USD');
    assert.is(result.kind, 'malformed', text);
    assert.match((result as { detail: string }).detail, detail, text);
  }
  const noBid = parseAlphaVantageBody(variant({ '8. Bid Price': '-', '9. Ask Price': '' }), 'BTC-USD');
  assert.is(noBid.kind, 'rate', 'a missing bid/ask leaves them out');
  assert.not.ok('bid' in (noBid as { tick: object }).tick);
});

alpha('the poll interval follows the plan, split over the symbols', () => {
  assert.equal(pollPlan({ symbols: 1 }), { intervalSeconds: 3456, planSeconds: 3456 }, 'free tier: 25 a day');
  assert.equal(pollPlan({ symbols: 1, requestsPerMinute: 75 }), { intervalSeconds: 0.8, planSeconds: 0.8 });
  assert.equal(pollPlan({ symbols: 2, requestsPerMinute: 75 }).intervalSeconds, 1.6);
  assert.equal(pollPlan({ symbols: 1, requestsPerMinute: 75, requestsPerDay: 1000 }).intervalSeconds, 86.4, 'the tighter bound rules');
  assert.equal(pollPlan({ symbols: 1, explicitSeconds: 7200 }), { intervalSeconds: 7200, planSeconds: 3456 });
  const tooFast = pollPlan({ symbols: 1, explicitSeconds: 60 });
  assert.is(tooFast.intervalSeconds, 60, 'MESSAGE_INTERVAL wins');
  assert.match(tooFast.warning ?? '', /MESSAGE_INTERVAL 60 s asks for more requests than the plan allows/);
});

coinbase.run();
kraken.run();
alpha.run();
