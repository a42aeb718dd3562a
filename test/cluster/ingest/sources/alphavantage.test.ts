// The Alpha Vantage source against a local HTTP server answering like /query: rates become ticks,
// an unchanged "Last Refreshed" does not, and every error form (Note, Information, Error Message,
// HTTP 500, timeouts, garbage, huge bodies) is backed off from, shown in status and never a tick.
// The API key appears in requests only: never in logs, status or rejects.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AlphaVantageSource, type AlphaVantageSourceOptions } from '../../../../cluster/ingest/sources/alphavantage.js';
import { createSource } from '../../../../cluster/ingest/sources/index.js';
import { loadConfig } from '../../../../platform/config/load.js';
import {
  AlphaVantageServer,
  ERROR_MESSAGE_BODY,
  exchangeRateBody,
  informationBody,
  NOTE_BODY,
} from '../../../support/protocol-servers/alphavantage-http.js';
import { capturedLogger, RecordingSink } from '../../../support/protocol-servers/recording-sink.js';
import { eventually } from '../../../support/wait.js';

const KEY = 'SECRET-KEY-4242';

async function start(server: AlphaVantageServer, options: Partial<AlphaVantageSourceOptions> = {}, symbols = ['BTC-USD']) {
  const log = capturedLogger();
  const source = new AlphaVantageSource(
    {
      url: server.url,
      apiKey: KEY,
      intervalSeconds: 0.01,
      timeoutMs: 2000,
      backoff: { initialMs: 10, maxMs: 40 },
      random: () => 1,
      ...options,
    },
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
      const everything = [
        ...log.lines,
        ...sink.rejected.map((r) => r.raw + r.detail),
        ...sink.observed.map((o) => o.raw),
        source.status().detail,
      ].join('\n');
      assert.not.ok(everything.includes(KEY), 'the API key leaked');
    },
  };
}

test('asks for BTC to USD with the key; a rate is a tick; the same Last Refreshed is not a new one', async () => {
  const server = await AlphaVantageServer.start();
  server.serve(
    { body: exchangeRateBody('64012.34000000', '2024-05-01 10:00:02', '64010.00000000', '64015.50000000') },
    { body: exchangeRateBody('64012.34000000', '2024-05-01 10:00:02', '64010.00000000', '64015.50000000') },
    { body: exchangeRateBody('64020.00000000', '2024-05-01 10:01:02') },
  );
  const run = await start(server);
  try {
    await eventually(() => assert.ok(server.requests.length >= 4));
    const query = Object.fromEntries(server.requests[0]!.searchParams);
    assert.equal(query, { function: 'CURRENCY_EXCHANGE_RATE', from_currency: 'BTC', to_currency: 'USD', apikey: KEY });
    assert.equal(run.sink.ticks, [
      { symbol: 'BTC-USD', price: 64012.34, ts: Date.UTC(2024, 4, 1, 10, 0, 2), source: 'alphavantage', bid: 64010, ask: 64015.5 },
      { symbol: 'BTC-USD', price: 64020, ts: Date.UTC(2024, 4, 1, 10, 1, 2), source: 'alphavantage', bid: 64020, ask: 64020 },
    ]);
    assert.ok(run.source.status().ok);
    assert.match(run.source.status().detail, /^BTC-USD unchanged since 2024-05-01 10:01:02 UTC$/);
  } finally {
    await run.stop();
  }
});

test('several symbols: one request each per round', async () => {
  const server = await AlphaVantageServer.start();
  server.serve({ body: exchangeRateBody('64000', '2024-05-01 10:00:00') });
  const run = await start(server, {}, ['BTC-USD', 'ETH-USD']);
  try {
    await eventually(() => assert.ok(server.requests.length >= 2));
    assert.equal(
      server.requests.slice(0, 2).map((url) => url.searchParams.get('from_currency')),
      ['BTC', 'ETH'],
    );
    // The server answers BTC for ETH too: that is not ETH's rate, so it is refused, not mislabelled.
    await eventually(() => assert.ok(run.sink.rejected.some((r) => /not the rate of ETH-USD/.test(r.detail))));
    assert.ok(run.sink.ticks.every((t) => t.symbol === 'BTC-USD'));
  } finally {
    await run.stop();
  }
});

for (const [name, response, status] of [
  ['Note (rate limit)', { body: NOTE_BODY }, /^BTC-USD: rate limited \(Note: Thank you for using Alpha Vantage!/],
  [
    'Information (daily limit, quoting the key)',
    { body: informationBody(KEY) },
    /^BTC-USD: rate limited \(Information: We have detected your API key as \[redacted\]/,
  ],
  ['Error Message', { body: ERROR_MESSAGE_BODY }, /^BTC-USD: refused \(Error Message: Invalid API call/],
  ['HTTP 500', { status: 500, body: '{"error":"internal"}' }, /^BTC-USD: HTTP 500/],
  ['HTTP 503 with HTML', { status: 503, body: '<html>Service Unavailable</html>' }, /^BTC-USD: HTTP 503/],
  ['a timeout', { body: exchangeRateBody('1', '2024-05-01 10:00:00'), delayMs: 1000 }, /^BTC-USD: no answer within 100 ms/],
] as const) {
  test(`${name}: no tick, backed off, shown in status, then recovery`, async () => {
    const server = await AlphaVantageServer.start();
    server.serve(response, response, response, { body: exchangeRateBody('64000', '2024-05-01 10:00:00') });
    const run = await start(server, { timeoutMs: 100 });
    try {
      await eventually(() => assert.ok(run.log.records().filter((r) => r.failures === 3).length === 1));
      const failing = run.source.status();
      assert.is(failing.ok, false);
      assert.match(failing.detail, status);
      assert.match(failing.detail, /; retrying in \d+ s$/);
      assert.equal(
        run.log
          .records()
          .filter((r) => r.failures !== undefined)
          .map((r) => r.failures),
        [1, 2, 3],
      );
      await eventually(() => assert.is(run.sink.ticks.length, 1));
      assert.is(run.sink.ticks[0]!.price, 64000);
      await eventually(() => assert.ok(run.source.status().ok));
      assert.is(run.sink.rejected.length, 0, 'answers that are not price data are not DLQ material');
    } finally {
      await run.stop();
    }
  });
}

test('garbage, wrong shapes and huge bodies: rejected as malformed or oversized, never ticks', async () => {
  const server = await AlphaVantageServer.start();
  server.serve(
    { body: 'not json' },
    { body: '{"Realtime Currency Exchange Rate": {"5. Exchange Rate": "NaN"}}' },
    { body: JSON.stringify({ pad: 'x'.repeat(2000) }) },
    { body: exchangeRateBody('64000', '2024-05-01 10:00:00') },
  );
  const run = await start(server, { maxBodyBytes: 1000 });
  try {
    await eventually(() => assert.is(run.sink.ticks.length, 1));
    assert.equal(
      run.sink.rejected.map((r) => r.reason),
      ['malformed', 'malformed', 'oversized'],
    );
    assert.match(run.sink.rejected[0]!.detail, /^alphavantage BTC-USD: not JSON$/);
    assert.is(run.sink.rejected[2]!.raw.length, 1000, 'a huge body is cut to the bound');
  } finally {
    await run.stop();
  }
});

test('a body over the bound is refused as it arrives: by its Content-Length, or by what has come, before the timeout', async () => {
  const server = await AlphaVantageServer.start();
  server.serve(
    // Claims 50 MB, sends 100 bytes and stalls: refused on the header, without waiting for the rest.
    { body: 'x'.repeat(100), claimedLength: 50_000_000 },
    // No length, and it never ends: refused once the bound is passed.
    { body: '{"pad":"', endless: 'y'.repeat(512) },
    { body: exchangeRateBody('64000', '2024-05-01 10:00:00') },
  );
  const began = Date.now();
  const run = await start(server, { maxBodyBytes: 4096, timeoutMs: 5000 });
  try {
    await eventually(() => assert.is(run.sink.ticks.length, 1));
    assert.ok(Date.now() - began < 4000, `refused as it arrived, not at the 5 s timeout (${Date.now() - began} ms)`);
    assert.equal(
      run.sink.rejected.map((r) => [r.reason, r.detail]),
      [
        ['oversized', 'alphavantage BTC-USD: Content-Length 50000000, over 4096 bytes'],
        ['oversized', 'alphavantage BTC-USD: body over 4096 bytes'],
      ],
    );
    assert.is(run.sink.rejected[0]!.raw, '', 'nothing of a refused Content-Length is read');
    assert.is(run.sink.rejected[1]!.raw.length, 4096);
  } finally {
    await run.stop();
  }
});

test('the key is redacted in an oversized dead letter too, even where the cut splits it', async () => {
  const server = await AlphaVantageServer.start();
  const quoting = JSON.stringify({ Information: `We have detected your API key as ${KEY} and ...`, pad: 'z'.repeat(3000) });
  // Cut in the middle of the key: its first half must not be left at the end of the dead letter.
  const cutAt = 1000;
  const split = `${'a'.repeat(cutAt - 6)}${KEY}${'b'.repeat(2000)}`;
  server.serve({ body: quoting }, { body: split }, { body: exchangeRateBody('64000', '2024-05-01 10:00:00') });
  const run = await start(server, { maxBodyBytes: cutAt });
  try {
    await eventually(() => assert.is(run.sink.ticks.length, 1));
    assert.equal(
      run.sink.rejected.map((r) => r.reason),
      ['oversized', 'oversized'],
    );
    assert.match(run.sink.rejected[0]!.raw, /your API key as \[redacted\] and/);
    assert.not.ok(run.sink.rejected[1]!.raw.includes(KEY.slice(0, 6)), run.sink.rejected[1]!.raw.slice(-20));
  } finally {
    await run.stop();
  }
});

test('an unreachable server: a network error in status, no crash', async () => {
  const server = await AlphaVantageServer.start();
  const url = server.url;
  await server.close();
  const log = capturedLogger();
  const source = new AlphaVantageSource(
    { url, apiKey: KEY, intervalSeconds: 0.01, backoff: { initialMs: 10, maxMs: 20 } },
    { logger: log.logger, symbols: ['BTC-USD'] },
  );
  const controller = new AbortController();
  const running = source.run(new RecordingSink(), controller.signal);
  await eventually(() => assert.match(source.status().detail, /^BTC-USD: request failed: fetch failed/));
  controller.abort();
  await running;
  assert.not.ok(log.lines.join('').includes(KEY));
});

test('the pace: the plan by default, MESSAGE_INTERVAL faster than the plan warns', () => {
  const config = loadConfig({ env: { STOCK_STREAM_SOURCE: 'alphavantage', ALPHAVANTAGE_API_KEY: KEY } });
  const free = createSource(config.ingest, { logger: capturedLogger().logger, symbols: config.symbols }) as AlphaVantageSource;
  assert.is(free.plan.intervalSeconds, 3456, 'free tier, 25 a day');
  assert.is(free.plan.warning, undefined);
  const fast = loadConfig({ env: { STOCK_STREAM_SOURCE: 'alphavantage', ALPHAVANTAGE_API_KEY: KEY, MESSAGE_INTERVAL: '60' } });
  const source = createSource(fast.ingest, { logger: capturedLogger().logger, symbols: fast.symbols }) as AlphaVantageSource;
  assert.is(source.plan.intervalSeconds, 60);
  assert.match(source.plan.warning ?? '', /more requests than the plan allows/);
});

test('the warning is logged when polling starts', async () => {
  const server = await AlphaVantageServer.start();
  server.serve({ body: exchangeRateBody('64000', '2024-05-01 10:00:00') });
  const run = await start(server, { intervalSeconds: 0.01, requestsPerMinute: 75 });
  try {
    await eventually(() =>
      assert.ok(run.log.records().some((r) => r.level === 40 && /MESSAGE_INTERVAL 0.01 s asks for more/.test(String(r.msg)))),
    );
  } finally {
    await run.stop();
  }
});

test('no API key: a clear error when the source is made', () => {
  const config = loadConfig({ env: { STOCK_STREAM_SOURCE: 'alphavantage' } });
  assert.throws(
    () => createSource(config.ingest, { logger: capturedLogger().logger, symbols: config.symbols }),
    /no API key; set ALPHAVANTAGE_API_KEY/,
  );
});

test.run();
