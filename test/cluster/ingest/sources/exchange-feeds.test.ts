// The Coinbase and Kraken sources against a local websocket server speaking their protocols:
// subscriptions, ticks, malformed and oversized frames, sequence gaps, refusals, the exchange's own
// status, dropped connections (reconnect + resubscribe), backoff between attempts, and staleness.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createCoinbaseSource } from '../../../../cluster/ingest/sources/coinbase.js';
import { createKrakenSource } from '../../../../cluster/ingest/sources/kraken.js';
import type { WebSocketFeedOptions, WebSocketFeedSource } from '../../../../cluster/ingest/sources/websocket-feed.js';
import {
  coinbaseHeartbeat,
  coinbaseResponder,
  coinbaseTicker,
  ExchangeWsServer,
  krakenResponder,
  krakenStatus,
  krakenTicker,
  krakenTrade,
} from '../../../support/protocol-servers/exchange-ws.js';
import { capturedLogger, RecordingSink, type CapturedLogger } from '../../../support/protocol-servers/recording-sink.js';
import { eventually } from '../../../support/wait.js';

type Factory = (options: WebSocketFeedOptions, deps: { logger: CapturedLogger['logger']; symbols: string[] }) => WebSocketFeedSource;

interface Running {
  source: WebSocketFeedSource;
  sink: RecordingSink;
  log: CapturedLogger;
  stop(): Promise<void>;
}

function start(factory: Factory, server: ExchangeWsServer, symbols: string[], options: Partial<WebSocketFeedOptions> = {}): Running {
  const log = capturedLogger();
  const source = factory(
    { url: server.url, staleAfterSeconds: 30, backoff: { initialMs: 10, maxMs: 50 }, maxFrameChars: 4096, ...options },
    { logger: log.logger, symbols },
  );
  const sink = new RecordingSink();
  const controller = new AbortController();
  const running = source.run(sink, controller.signal);
  return {
    source,
    sink,
    log,
    async stop() {
      controller.abort();
      await running;
      await server.close();
    },
  };
}

const T = '2024-05-01T10:00:0';
const coinbase = suite('Coinbase source');

coinbase('subscribes to every product, turns tickers into ticks, rejects bad frames, reports gaps', async () => {
  const server = await ExchangeWsServer.start({ respond: coinbaseResponder() });
  const run = start(createCoinbaseSource, server, ['BTC-USD', 'ETH-USD']);
  try {
    await eventually(() => assert.is(server.received[0]?.length, 1));
    assert.equal(JSON.parse(server.received[0]![0]!), {
      type: 'subscribe',
      product_ids: ['BTC-USD', 'ETH-USD'],
      channels: ['ticker', 'heartbeat'],
    });
    await eventually(() => assert.ok(run.source.status().ok));

    server.send(coinbaseHeartbeat('BTC-USD', 100, 20, `${T}0.000000Z`));
    server.send(
      coinbaseTicker({
        product: 'BTC-USD',
        price: '64000.10',
        size: '0.5',
        sequence: 110,
        tradeId: 21,
        time: `${T}1.250000Z`,
        bid: '64000.00',
        ask: '64000.10',
      }),
    );
    server.send(coinbaseTicker({ product: 'ETH-USD', price: '3100.25', size: '2', sequence: 7, tradeId: 3, time: `${T}1.500000Z` }));
    server.send('not json at all');
    server.send({ type: 'ticker', product_id: 'BTC-USD', price: 'NaN', time: `${T}2Z` });
    server.send(JSON.stringify({ type: 'ticker', pad: 'x'.repeat(5000) }));
    server.send(coinbaseHeartbeat('BTC-USD', 130, 24, `${T}3.000000Z`));

    await eventually(() => assert.is(run.sink.rejected.length, 3));
    assert.equal(run.sink.ticks, [
      { symbol: 'BTC-USD', price: 64000.1, ts: Date.parse(`${T}1.250Z`), source: 'coinbase', volume: 0.5, bid: 64000, ask: 64000.1 },
      { symbol: 'ETH-USD', price: 3100.25, ts: Date.parse(`${T}1.500Z`), source: 'coinbase', volume: 2, bid: 3100.25, ask: 3100.25 },
    ]);
    assert.equal(
      run.sink.rejected.map((r) => [r.reason, r.raw.slice(0, 15)]),
      [
        ['malformed', 'not json at all'],
        ['malformed', '{"type":"ticker'],
        ['oversized', '{"type":"ticker'],
      ],
    );
    assert.match(run.sink.rejected[1]!.detail, /price is not a decimal/);
    await eventually(() => assert.is(run.source.gaps, 1));
    assert.match(run.source.status().detail, /1 sequence gap/);
    assert.ok(run.log.records().some((r) => /3 trade\(s\) up to id 24 arrived without a ticker/.test(String(r.msg))));
  } finally {
    await run.stop();
  }
});

coinbase('a dropped connection: reconnects, resubscribes, and ticks flow again', async () => {
  const server = await ExchangeWsServer.start({ respond: coinbaseResponder() });
  const run = start(createCoinbaseSource, server, ['BTC-USD']);
  try {
    await eventually(() => assert.ok(run.source.status().ok));
    server.send(coinbaseTicker({ product: 'BTC-USD', price: '64000', size: '0.1', sequence: 1, tradeId: 1, time: `${T}1Z` }));
    await eventually(() => assert.is(run.sink.ticks.length, 1));
    server.drop();
    await eventually(() => assert.is(server.received[1]?.length, 1), 5000);
    assert.equal(server.received[1], server.received[0], 'the same subscription again');
    await eventually(() => assert.ok(run.source.status().ok));
    // A new connection sets new baselines: a lower sequence after reconnecting is not a gap.
    server.send(coinbaseTicker({ product: 'BTC-USD', price: '64001', size: '0.2', sequence: 1, tradeId: 2, time: `${T}2Z` }));
    await eventually(() => assert.is(run.sink.ticks.length, 2));
    assert.is(run.source.reconnects, 1);
    assert.is(run.source.gaps, 0);
    assert.ok(run.log.records().some((r) => r.msg === 'coinbase: connection lost, reconnecting' && r.level === 40));
  } finally {
    await run.stop();
  }
});

coinbase('a refused subscription shows in status', async () => {
  const server = await ExchangeWsServer.start({ respond: coinbaseResponder(['FOO-USD']) });
  const run = start(createCoinbaseSource, server, ['FOO-USD']);
  try {
    await eventually(() =>
      assert.match(run.source.status().detail, /^subscription refused: Failed to subscribe: FOO-USD is not a valid product$/),
    );
    assert.is(run.source.status().ok, false);
    assert.is(run.sink.rejected.length, 0, 'the exchange refusing is not bad input');
  } finally {
    await run.stop();
  }
});

coinbase('silence: reported stale, then a fresh connection', async () => {
  const server = await ExchangeWsServer.start({ respond: () => {} });
  const run = start(createCoinbaseSource, server, ['BTC-USD'], { staleAfterSeconds: 0.15 });
  try {
    await eventually(() => {
      assert.is(run.source.status().ok, false);
      assert.match(run.source.status().detail, /stale: no message for over 0.15 s/);
    });
    await eventually(() => assert.ok(server.connections >= 2));
    assert.ok(run.log.records().some((r) => r.msg === 'coinbase: no message for too long, reconnecting'));
  } finally {
    await run.stop();
  }
});

coinbase('refused connections: exponential backoff up to the cap, reset once data flows', async () => {
  const server = await ExchangeWsServer.start({ respond: coinbaseResponder() });
  server.refuseConnections = true;
  // random() = 1 takes the top of each jitter range, so the delays are exact.
  const run = start(createCoinbaseSource, server, ['BTC-USD'], { backoff: { initialMs: 10, maxMs: 80 }, random: () => 1 });
  const delays = () =>
    run.log
      .records()
      .filter((r) => r.msg === 'coinbase: connection lost, reconnecting')
      .map((r) => r.delayMs);
  try {
    await eventually(() => assert.ok(delays().length >= 5));
    assert.equal(delays().slice(0, 5), [10, 20, 40, 80, 80]);
    assert.is(run.source.status().ok, false);
    assert.match(run.source.status().detail, /^disconnected \(closed with code 1013 try again later\); reconnecting in \d+ ms$/);
    server.refuseConnections = false;
    await eventually(() => assert.ok(run.source.status().ok), 5000);
    server.send(coinbaseTicker({ product: 'BTC-USD', price: '64000', size: '0.1', sequence: 1, tradeId: 1, time: `${T}1Z` }));
    await eventually(() => assert.is(run.sink.ticks.length, 1));
    const before = delays().length;
    server.drop();
    await eventually(() => assert.ok(delays().length > before));
    assert.is(delays()[before], 10, 'back to the first delay');
  } finally {
    await run.stop();
  }
});

const kraken = suite('Kraken source');

kraken('subscribes to trade and ticker with BTC/USD names; trades become ticks with the latest bid/ask', async () => {
  const server = await ExchangeWsServer.start({ respond: krakenResponder(), greeting: () => [krakenStatus('online')] });
  const run = start(createKrakenSource, server, ['BTC-USD', 'ETH-USD']);
  try {
    await eventually(() => assert.is(server.received[0]?.length, 2));
    assert.equal(
      server.received[0]!.map((text) => JSON.parse(text) as unknown),
      [
        { method: 'subscribe', params: { channel: 'trade', symbol: ['BTC/USD', 'ETH/USD'], snapshot: false }, req_id: 1 },
        { method: 'subscribe', params: { channel: 'ticker', symbol: ['BTC/USD', 'ETH/USD'] }, req_id: 2 },
      ],
    );
    await eventually(() => assert.ok(run.source.status().ok));
    server.send(krakenTrade([{ pair: 'BTC/USD', price: 64000.5, qty: 0.01, tradeId: 1, timestamp: `${T}1.000001Z` }]));
    server.send(krakenTicker('BTC/USD', 64000.4, 64000.6, 64000.5));
    server.send({ channel: 'heartbeat' });
    server.send(
      krakenTrade([
        { pair: 'BTC/USD', price: 64000.6, qty: 0.2, tradeId: 2, timestamp: `${T}2Z` },
        { pair: 'ETH/USD', price: 3100.1, qty: 1.5, tradeId: 9, timestamp: `${T}2Z` },
      ]),
    );
    server.send('{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","price":"free"}]}');
    await eventually(() => assert.is(run.sink.ticks.length, 3));
    assert.equal(run.sink.ticks, [
      { symbol: 'BTC-USD', price: 64000.5, ts: Date.parse(`${T}1Z`), source: 'kraken', volume: 0.01 },
      { symbol: 'BTC-USD', price: 64000.6, ts: Date.parse(`${T}2Z`), source: 'kraken', volume: 0.2, bid: 64000.4, ask: 64000.6 },
      { symbol: 'ETH-USD', price: 3100.1, ts: Date.parse(`${T}2Z`), source: 'kraken', volume: 1.5 },
    ]);
    await eventually(() => assert.is(run.sink.rejected.length, 1));
    assert.is(run.sink.rejected[0]!.reason, 'malformed');

    server.send(krakenStatus('maintenance'));
    await eventually(() => assert.equal([run.source.status().ok, run.source.status().detail], [false, 'kraken: maintenance']));
    server.drop();
    await eventually(() => assert.is(server.received[1]?.length, 2), 5000);
    await eventually(() => assert.ok(run.source.status().ok, 'online again after the new greeting'));
    server.send(krakenTrade([{ pair: 'BTC/USD', price: 64001, qty: 0.3, tradeId: 3, timestamp: `${T}3Z` }]));
    await eventually(() => assert.is(run.sink.ticks.length, 4));
    assert.not.ok('bid' in run.sink.ticks[3]!, 'quotes do not outlive the connection');
  } finally {
    await run.stop();
  }
});

kraken('a refused pair shows in status; the others still tick', async () => {
  const server = await ExchangeWsServer.start({ respond: krakenResponder(['FOO/USD']), greeting: () => [krakenStatus('online')] });
  const run = start(createKrakenSource, server, ['BTC-USD', 'FOO-USD']);
  try {
    await eventually(() =>
      assert.match(run.source.status().detail, /^subscription refused: subscribe: Currency pair not supported FOO\/USD$/),
    );
    server.send(krakenTrade([{ pair: 'BTC/USD', price: 64000, qty: 1, tradeId: 1, timestamp: `${T}1Z` }]));
    await eventually(() => assert.is(run.sink.ticks.length, 1));
  } finally {
    await run.stop();
  }
});

coinbase.run();
kraken.run();
