// `stock-stream ingest` with each live source, as a user runs it, against local servers that speak
// each source's protocol: the validated ticks land on the real Kafka broker and what is not a tick
// lands on the DLQ with its reason (read back with `stock-stream tail`).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort } from '../../services/child.js';
import { cli, startService } from '../../support/cli.js';
import { AlphaVantageServer, ERROR_MESSAGE_BODY, exchangeRateBody } from '../../support/protocol-servers/alphavantage-http.js';
import {
  coinbaseResponder,
  coinbaseTicker,
  ExchangeWsServer,
  krakenResponder,
  krakenTrade,
} from '../../support/protocol-servers/exchange-ws.js';
import { services } from '../../support/services.js';
import { eventually } from '../../support/wait.js';

const test = suite('ingest cli: live sources onto Kafka');

interface Tick {
  symbol: string;
  price: number;
  ts: number;
  source: string;
  volume?: number;
}

/** A user's setup: a config file naming the source's URL, Kafka from the environment, own topics. */
async function setup(source: string, ingest: string) {
  const { kafka } = await services();
  const id = randomUUID().slice(0, 8);
  const dir = mkdtempSync(join(tmpdir(), 'ingest-live-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `symbols: [BTC-USD]\ntopics:\n  ticks: live.${id}.ticks\n  dlq: live.${id}.dlq\ningest:\n${ingest}`);
  const env = {
    KAFKA_BOOTSTRAP_SERVERS: kafka.brokers.join(','),
    STOCK_STREAM_DATA_DIR: dir,
    STOCK_STREAM_SOURCE: source,
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info', // startService waits for the 'ingest running' line
  };
  const read = async (topic: 'ticks' | 'dlq', count: number) => {
    const tail = await cli(['tail', `live.${id}.${topic}`, '--from-beginning', '--max', String(count), '--value-only'], env);
    assert.is(tail.code, 0, tail.stderr);
    return tail.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  };
  return { config, env, read };
}

const isoNow = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString();

test('coinbase: tickers become ticks with trade sizes as volume; a malformed frame goes to the DLQ', async () => {
  const server = await ExchangeWsServer.start({ respond: coinbaseResponder() });
  const { config, env, read } = await setup('coinbase', `  coinbase:\n    url: ${server.url}\n`);
  const service = await startService(['ingest', '--config', config], env);
  try {
    await eventually(() =>
      assert.ok(
        server.received.some((frames) => frames.some((f) => f.includes('subscribe'))),
        'subscribed',
      ),
    );
    server.send(coinbaseTicker({ product: 'BTC-USD', price: '61000.50', size: '0.25', sequence: 1, tradeId: 10, time: isoNow(-2000) }));
    server.send('{"type":"ticker", not json');
    server.send(coinbaseTicker({ product: 'BTC-USD', price: '61010.00', size: '0.5', sequence: 2, tradeId: 11, time: isoNow(-1000) }));
    const ticks = (await read('ticks', 2)) as unknown as Tick[];
    assert.equal(
      ticks.map((t) => [t.symbol, t.price, t.volume, t.source]),
      [
        ['BTC-USD', 61000.5, 0.25, 'coinbase'],
        ['BTC-USD', 61010, 0.5, 'coinbase'],
      ],
    );
    const [letter] = await read('dlq', 1);
    assert.is(letter!.reason, 'malformed');
    assert.is(letter!.value, '{"type":"ticker", not json');
  } finally {
    service.child.kill('SIGTERM');
    assert.is(await service.exit, 0);
    await server.close();
  }
});

test('kraken: trades become ticks (BTC/USD -> BTC-USD); a trade from the future goes to the DLQ', async () => {
  const server = await ExchangeWsServer.start({ respond: krakenResponder() });
  const { config, env, read } = await setup('kraken', `  kraken:\n    url: ${server.url}\n`);
  const service = await startService(['ingest', '--config', config], env);
  try {
    await eventually(() =>
      assert.ok(
        server.received.some((frames) => frames.some((f) => f.includes('subscribe'))),
        'subscribed',
      ),
    );
    server.send(krakenTrade([{ pair: 'BTC/USD', price: 60500.1, qty: 0.1, tradeId: 1, timestamp: isoNow(-1500) }]));
    server.send(krakenTrade([{ pair: 'BTC/USD', price: 60600, qty: 1, tradeId: 2, timestamp: isoNow(3_600_000) }]));
    server.send(krakenTrade([{ pair: 'BTC/USD', price: 60501, qty: 0.2, tradeId: 3, timestamp: isoNow(-500) }]));
    const ticks = (await read('ticks', 2)) as unknown as Tick[];
    assert.equal(
      ticks.map((t) => [t.symbol, t.price, t.volume, t.source]),
      [
        ['BTC-USD', 60500.1, 0.1, 'kraken'],
        ['BTC-USD', 60501, 0.2, 'kraken'],
      ],
    );
    const [letter] = await read('dlq', 1);
    assert.is(letter!.reason, 'future');
  } finally {
    service.child.kill('SIGTERM');
    assert.is(await service.exit, 0);
    await server.close();
  }
});

test('alphavantage: each new "Last Refreshed" is one tick; an error body is surfaced, never a tick', async () => {
  const server = await AlphaVantageServer.start();
  const utc = (offsetMs: number) => isoNow(offsetMs).replace('T', ' ').slice(0, 19);
  const first = utc(-60_000);
  const second = utc(-1000);
  server.serve(
    { body: exchangeRateBody('61000.10', first, '61000.00', '61000.20') },
    { body: ERROR_MESSAGE_BODY },
    { body: exchangeRateBody('61000.10', first, '61000.00', '61000.20') },
    { body: exchangeRateBody('61050.00', second, '61049.90', '61050.10') },
  );
  const { config, env, read } = await setup('alphavantage', '  intervalSeconds: 0.2\n');
  const service = await startService(['ingest', '--config', config], {
    ...env,
    ALPHAVANTAGE_URL: server.url,
    ALPHAVANTAGE_API_KEY: 'test-key-123',
  });
  try {
    const ticks = (await read('ticks', 2)) as unknown as Array<Tick & { bid: number; ask: number }>;
    assert.equal(
      ticks.map((t) => [t.symbol, t.price, t.bid, t.ask, t.source]),
      [
        ['BTC-USD', 61000.1, 61000, 61000.2, 'alphavantage'],
        ['BTC-USD', 61050, 61049.9, 61050.1, 'alphavantage'],
      ],
    );
    assert.ok(server.requests.length >= 4, 'the error was backed off and polling went on');
    assert.ok(server.requests.every((url) => url.searchParams.get('function') === 'CURRENCY_EXCHANGE_RATE'));
  } finally {
    service.child.kill('SIGTERM');
    assert.is(await service.exit, 0);
    await server.close();
  }
  assert.not.match(service.stderr(), /test-key-123/, 'the API key is never logged');
});

test.run();
