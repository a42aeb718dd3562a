// The dashboard's HTTP doors through fastify's inject() (and a real socket for SSE): the JSON API,
// the security headers, compressed and cached files, hostile requests, the token, bounded live clients.
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { gunzipSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { notificationRecord } from '../../core/contracts/index.js';
import { MAX_CANDLES } from '../../web/server/app.js';
import { defaultAssetsDir } from '../../web/server/assets.js';
import { eventually } from '../support/wait.js';
import { recentTicks, seedStore, startWeb, type WebFixture } from '../support/web.js';

const END = Date.UTC(2026, 0, 5, 12, 0);
const TOKEN = 'correct-horse-battery-staple';

async function seeded(web: Record<string, unknown> = {}): Promise<WebFixture> {
  const fixture = await startWeb(web);
  const ticks = recentTicks(180, END);
  await seedStore(fixture.store, ticks, [
    {
      id: 'sig-1',
      symbol: 'BTC-USD',
      ts: ticks[100]!.ts,
      side: 'buy',
      rule: 'rsi',
      price: ticks[100]!.price,
      reason: 'RSI crossed above 30',
      kind: 'recommendation',
      timeframe: '1h',
    },
    {
      id: 'sig-2',
      symbol: 'BTC-USD',
      ts: ticks[150]!.ts,
      side: 'sell',
      rule: 'rsi',
      price: ticks[150]!.price,
      reason: 'RSI crossed below 70',
      kind: 'recommendation',
      timeframe: '1h',
    },
  ]);
  return fixture;
}

test('the API answers candles, daily figures, the latest snapshot and signals from the store', async () => {
  const web = await seeded();
  try {
    const { app } = web.role;
    const meta = (await app.inject('/api/meta')).json();
    assert.equal(meta.symbols, ['BTC-USD', 'ETH-USD']);
    assert.is(meta.indicators.rsi, 14);
    assert.is(meta.controls.enabled, false);

    const candles = (await app.inject('/api/candles?symbol=BTC-USD&timeframe=5m')).json();
    assert.is(candles.candles.length, 37); // 180 one-minute ticks from 09:01 to 12:00 fall in 37 five-minute buckets
    assert.ok(
      candles.candles.every(
        (c: { high: number; low: number; open: number; close: number }) =>
          c.high >= Math.max(c.open, c.close) && c.low <= Math.min(c.open, c.close),
      ),
    );

    const latest = (await app.inject('/api/latest?symbol=BTC-USD')).json();
    assert.is(latest.tick.ts, END);
    assert.is(latest.today.ticks, 180);
    assert.is(latest.today.buys, 1);
    assert.is(latest.today.sells, 1);

    const daily = (await app.inject('/api/daily?symbol=BTC-USD&days=3')).json();
    assert.equal(
      daily.days.map((d: { day: string }) => d.day),
      ['2026-01-05'],
    );

    const signals = (await app.inject('/api/signals?symbol=BTC-USD')).json();
    assert.equal(
      signals.signals.map((s: { id: string }) => s.id),
      ['sig-2', 'sig-1'],
    );

    const empty = (await app.inject('/api/latest?symbol=ETH-USD')).json();
    assert.is(empty.tick, null);
    const panel = (await app.inject('/api/panel')).json();
    assert.is(panel.width, 128);
    assert.is(typeof panel.frame, 'string');
    const health = (await app.inject('/api/health')).json();
    assert.is(health.bus.kind, 'embedded');
    assert.is(health.store.kind, 'sqlite');
  } finally {
    await web.close();
  }
});

test('candles of every timeframe: 15m, 4h and 1d rolled up from the stored ones, equal to candles computed from the ticks', async () => {
  const web = await seeded();
  try {
    const { app } = web.role;
    assert.equal((await app.inject('/api/meta')).json().timeframes, ['1m', '5m', '15m', '1h', '4h', '1d']);
    const ticks = recentTicks(180, END);
    const direct = (sizeMs: number) => {
      const out: Array<{ start: number; open: number; high: number; low: number; close: number; ticks: number }> = [];
      for (const tick of ticks) {
        const start = tick.ts - (tick.ts % sizeMs);
        const last = out[out.length - 1];
        if (last?.start === start) {
          last.high = Math.max(last.high, tick.price);
          last.low = Math.min(last.low, tick.price);
          last.close = tick.price;
          last.ticks += 1;
        } else out.push({ start, open: tick.price, high: tick.price, low: tick.price, close: tick.price, ticks: 1 });
      }
      return out;
    };
    const counts: Record<string, number> = { '1m': 180, '5m': 37, '15m': 13, '1h': 4, '4h': 2, '1d': 1 };
    for (const [timeframe, sizeMs] of Object.entries({
      '1m': 60_000,
      '5m': 300_000,
      '15m': 900_000,
      '1h': 3_600_000,
      '4h': 14_400_000,
      '1d': 86_400_000,
    })) {
      const response = await app.inject(`/api/candles?symbol=BTC-USD&timeframe=${timeframe}`);
      assert.is(response.statusCode, 200, timeframe);
      const body = response.json();
      assert.is(body.timeframe, timeframe);
      assert.is(body.candles.length, counts[timeframe], timeframe);
      const shown = body.candles.map(({ start, open, high, low, close, ticks }: Record<string, number>) => ({
        start,
        open,
        high,
        low,
        close,
        ticks,
      }));
      assert.equal(shown, direct(sizeMs), timeframe);
    }
    // A range starting inside a 15-minute bucket starts at the bucket, so its first candle is whole.
    const cut = (await app.inject(`/api/candles?symbol=BTC-USD&timeframe=15m&from=${END - 20 * 60_000}&to=${END}`)).json();
    assert.is(cut.from, END - 30 * 60_000);
    assert.equal(
      cut.candles.map((c: { start: number; ticks: number }) => [c.start, c.ticks]),
      [
        [END - 30 * 60_000, 15],
        [END - 15 * 60_000, 15],
        [END, 1],
      ],
    );
    for (const timeframe of ['2m', '15M', '4H', '1w', '', '1h%00', '5m,1h']) {
      const response = await app.inject(`/api/candles?symbol=BTC-USD&timeframe=${timeframe}`);
      assert.is(response.statusCode, 400, timeframe);
      assert.is(response.json().error, 'ERR_BAD_REQUEST');
      assert.match(response.json().message, /^querystring\/timeframe must be .*\(1m, 5m, 15m, 1h, 4h, 1d\)$/, timeframe);
    }
  } finally {
    await web.close();
  }
});

test('every answer carries the security headers; the CSP allows no inline code and no framing', async () => {
  const web = await startWeb();
  try {
    for (const url of ['/', '/api/meta', '/api/nothing', '/assets/nope.js', '/api/candles?symbol=bad']) {
      const response = await web.role.app.inject(url);
      const csp = String(response.headers['content-security-policy']);
      assert.match(csp, /default-src 'none'/, url);
      assert.match(csp, /script-src 'self'(;|$)/, url);
      assert.match(csp, /style-src 'self' 'sha256-[A-Za-z0-9+/]{43}='(;|$)/, url);
      assert.match(csp, /frame-ancestors 'none'/, url);
      assert.not.match(csp, /unsafe-inline|unsafe-eval/, url);
      assert.is(response.headers['x-content-type-options'], 'nosniff', url);
      assert.is(response.headers['referrer-policy'], 'no-referrer', url);
    }
    const html = (await web.role.app.inject('/')).body;
    assert.not.match(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    assert.not.match(html, /<style|\sstyle=/, 'no inline style');
    assert.match(html, /href="https:\/\/www\.tradingview\.com\/"/, 'the chart library attribution');
  } finally {
    await web.close();
  }
});

test('built files: brotli or gzip as accepted, ETag and 304, immutable when hashed, no-cache for the page', async () => {
  const web = await startWeb();
  try {
    const { app } = web.role;
    const manifest = JSON.parse(readFileSync(join(defaultAssetsDir(), 'manifest.json'), 'utf8')) as Record<string, string>;
    const url = `/assets/${manifest['app.js']}`;
    const plain = await app.inject(url);
    assert.is(plain.statusCode, 200);
    assert.is(plain.headers['content-encoding'], undefined);
    assert.match(String(plain.headers['content-type']), /text\/javascript/);
    assert.is(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    const br = await app.inject({ url, headers: { 'accept-encoding': 'gzip, br' } });
    assert.is(br.headers['content-encoding'], 'br');
    assert.is(brotliDecompressSync(br.rawPayload).toString(), plain.body);
    const gz = await app.inject({ url, headers: { 'accept-encoding': 'gzip, br;q=0' } });
    assert.is(gz.headers['content-encoding'], 'gzip');
    assert.is(gunzipSync(gz.rawPayload).toString(), plain.body);
    const again = await app.inject({ url, headers: { 'if-none-match': String(plain.headers.etag) } });
    assert.is(again.statusCode, 304);
    assert.is(again.body, '');
    const page = await app.inject('/');
    assert.is(page.headers['cache-control'], 'no-cache');
    assert.ok(page.headers.etag);
  } finally {
    await web.close();
  }
});

test("the app's own code stays within 100 kB gzipped beside the chart library", () => {
  const dir = defaultAssetsDir();
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, string>;
  const gzipped = (logical: string) => gzipSync(readFileSync(join(dir, manifest[logical]!)), { level: 9 }).length;
  const own = gzipped('app.js') + gzipped('app.css') + gzipSync(readFileSync(join(dir, 'index.html'))).length;
  assert.ok(own <= 100 * 1024, `app code is ${own} bytes gzipped`);
  assert.ok(gzipped('charts.js') > 30 * 1024, 'the chart library is its own file');
});

test('hostile paths never reach the filesystem', async () => {
  const web = await startWeb();
  try {
    for (const url of [
      '/assets/../../package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/..%5c..%5cpackage.json',
      '/assets/manifest.json%00.js',
      '/assets/index.html',
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/' + 'a'.repeat(5000),
      '/web/server/app.ts',
    ]) {
      const response = await web.role.app.inject(url);
      assert.ok([400, 404, 414].includes(response.statusCode), `${url}: ${response.statusCode}`);
      assert.not.match(response.body, /"name": "stock-stream"|root:x:0/, url);
    }
  } finally {
    await web.close();
  }
});

test('malformed queries get a 400 with the reason; unknown symbols a 404; ranges are bounded', async () => {
  const web = await seeded();
  try {
    const { app } = web.role;
    const bad = [
      '/api/candles',
      '/api/candles?symbol=BTC-USD',
      '/api/candles?symbol=BTC-USD&timeframe=2m',
      '/api/candles?symbol=btc&timeframe=1m',
      '/api/candles?symbol=BTC-USD&timeframe=1m&from=abc',
      '/api/candles?symbol=BTC-USD&timeframe=1m&from=-5',
      '/api/candles?symbol=BTC-USD&timeframe=1m&to=1e99',
      '/api/candles?symbol=BTC-USD&timeframe=1m&to=NaN',
      '/api/candles?symbol=BTC-USD&timeframe=1m&to=Infinity',
      '/api/candles?symbol=BTC-USD&timeframe=1m&evil=1',
      '/api/candles?symbol=BTC-USD&timeframe=1m&from=1767614400000&to=1767600000000',
      '/api/candles?symbol=BTC-USD&symbol=ETH-USD&timeframe=1m',
      '/api/daily?symbol=BTC-USD&days=0',
      '/api/daily?symbol=BTC-USD&days=9999',
      '/api/daily?symbol=BTC-USD&days=1.5',
      '/api/latest?symbol=' + 'A'.repeat(3000),
      '/api/events?x=1',
    ];
    for (const url of bad) {
      const response = await app.inject(url);
      assert.is(response.statusCode, 400, url);
      const body = response.json();
      assert.is(body.error, 'ERR_BAD_REQUEST', url);
      assert.type(body.message, 'string');
    }
    const unknown = await app.inject('/api/latest?symbol=DOGE-USD');
    assert.is(unknown.statusCode, 404);
    assert.is(unknown.json().error, 'ERR_UNKNOWN_SYMBOL');
    const wide = (await app.inject(`/api/candles?symbol=BTC-USD&timeframe=1m&from=0&to=${END}`)).json();
    assert.is(wide.from, END - (MAX_CANDLES - 1) * 60_000);
    assert.is(wide.candles.length, 180);
  } finally {
    await web.close();
  }
});

test('controls: refused without a configured token, 401 without or with a wrong one, bodies checked', async () => {
  const off = await startWeb();
  try {
    const response = await off.role.app.inject({ method: 'POST', url: '/api/controls/mute', payload: { minutes: 5 } });
    assert.is(response.statusCode, 403);
    assert.is(response.json().error, 'ERR_CONTROLS_DISABLED');
  } finally {
    await off.close();
  }
  const web = await startWeb({ token: TOKEN });
  try {
    const { app } = web.role;
    const mute = (authorization: string | undefined, payload: unknown, extra: Record<string, string> = {}) =>
      app.inject({
        method: 'POST',
        url: '/api/controls/mute',
        headers: { ...(authorization === undefined ? {} : { authorization }), 'content-type': 'application/json', ...extra },
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      });
    for (const authorization of [
      undefined,
      '',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Basic ${TOKEN}`,
      `bearer ${TOKEN}`,
      'Bearer ',
      `Bearer ${'x'.repeat(600)}`,
    ]) {
      const response = await mute(authorization, { minutes: 5 });
      assert.is(response.statusCode, 401, String(authorization));
      assert.is(response.headers['www-authenticate'], 'Bearer realm="stock-stream"');
    }
    assert.is((await app.inject('/api/controls')).json().mutedUntil, null, 'nothing changed');
    const auth = `Bearer ${TOKEN}`;
    for (const payload of [
      { minutes: '5' },
      { minutes: -1 },
      { minutes: 1e9 },
      { minutes: 2.5 },
      { minutes: null },
      { minutes: 5, admin: true },
      {},
      [],
      'not json {',
      '1e999',
    ]) {
      const response = await mute(auth, payload);
      assert.is(response.statusCode, 400, JSON.stringify(payload));
    }
    assert.is((await mute(auth, 'minutes=5', { 'content-type': 'text/plain' })).statusCode, 415);
    assert.is((await mute(auth, { minutes: 5, pad: 'x'.repeat(10_000) })).statusCode, 413);
    const ok = await mute(auth, { minutes: 60 });
    assert.is(ok.statusCode, 200);
    assert.ok(ok.json().mutedUntil > Date.now());
    const testNote = await app.inject({ method: 'POST', url: '/api/controls/test-notification', headers: { authorization: auth } });
    assert.is(testNote.statusCode, 202);
    assert.is((await app.inject({ method: 'POST', url: '/api/controls/test-notification' })).statusCode, 401);
    assert.is((await app.inject({ method: 'DELETE', url: '/api/controls/mute' })).statusCode, 404);
  } finally {
    await web.close();
  }
});

interface Stream {
  readonly response: IncomingMessage;
  text(): string;
  close(): void;
}

function openStream(port: number, lastEventId?: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, path: '/api/events', headers: lastEventId ? { 'last-event-id': lastEventId } : {} },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('error', () => undefined);
        resolve({ response, text: () => text, close: () => request.destroy() });
      },
    );
    request.on('error', reject);
    request.end();
  });
}

test('SSE: live ticks, signals and notifications (once per id) from the bus, heartbeats, resume from Last-Event-ID, a reset when unknown', async () => {
  const web = await startWeb();
  const streams: Stream[] = [];
  try {
    const { port } = await web.role.listen('127.0.0.1', 0);
    const stream = await openStream(port);
    streams.push(stream);
    assert.is(stream.response.statusCode, 200);
    assert.match(String(stream.response.headers['content-type']), /text\/event-stream/);
    assert.match(String(stream.response.headers['content-security-policy']), /default-src 'none'/);
    const now = Date.now();
    await eventually(async () => {
      await web.bus.publish('stock.ticks', [
        { key: 'BTC-USD', value: JSON.stringify({ symbol: 'BTC-USD', price: 97123.5, ts: now, source: 'kraken' }) },
      ]);
      assert.match(stream.text(), /event: tick\ndata: \{[^\n]*"price":97123.5/);
    });
    // Hostile messages on every topic are skipped, the stream goes on.
    await web.bus.publish('stock.ticks', [
      { key: 'x', value: 'not json' },
      { key: 'x', value: JSON.stringify({ symbol: 'BTC-USD', price: -1, ts: now, source: 'x' }) },
      { key: 'x', value: 'x'.repeat(100_000) },
    ]);
    await web.bus.publish('stock.signals', [
      { key: 'x', value: '[]' },
      { key: 'BTC-USD', value: JSON.stringify({ id: 'a', symbol: 'BTC-USD', ts: now, side: 'hold', rule: 'r', price: 1, reason: '' }) },
    ]);
    await web.bus.publish('stock.indicators', [{ key: 'x', value: JSON.stringify({ symbol: 'BTC-USD', ts: now, price: 1, rsi: 'high' }) }]);
    await web.bus.publish('stock.signals', [
      {
        key: 'BTC-USD',
        value: JSON.stringify({
          type: 'signal',
          id: 'sig-live',
          symbol: 'BTC-USD',
          ts: now,
          side: 'buy',
          rule: 'rsi',
          price: 97000,
          reason: 'RSI 28 < 30',
        }),
      },
    ]);
    await eventually(() => assert.match(stream.text(), /event: signal\ndata: [^\n]*"id":"sig-live"/));
    assert.is(web.role.feed.counters.rejected, 6);
    // The notifier's dashboard channel publishes on the notifications topic: the page gets each id
    // once (a resend publishes it again), and malformed or hostile records are counted and skipped.
    const notification = notificationRecord({
      id: `n-${now}`,
      subscriber: 'me',
      title: 'SELL BTC-USD',
      text: '<b>MACD</b> crossed',
      ts: now,
      signals: [{ id: 's', symbol: 'BTC-USD', side: 'sell', price: 1, ts: now, rule: 'macd', reason: 'x' }],
    });
    const rejectedBefore = web.role.feed.counters.rejected;
    await web.bus.publish('stock.notifications', [
      { key: 'me', value: JSON.stringify(notification) },
      { key: 'me', value: JSON.stringify(notification) },
      { key: 'me', value: '{"id":"n-1"' },
      { key: 'me', value: JSON.stringify({ ...notification, id: '<script>' }) },
      { key: 'me', value: JSON.stringify({ ...notification, id: 'n-2', title: 42 }) },
      { key: 'me', value: JSON.stringify({ ...notification, id: 'n-3', signals: [{ id: 's', side: 'hold' }] }) },
      { key: 'me', value: JSON.stringify({ ...notification, id: 'n-4', signals: Array(1001).fill(notification.signals[0]) }) },
      { key: 'me', value: JSON.stringify({ ...notification, id: 'n-5', type: 'signal' }) },
    ]);
    await eventually(() =>
      assert.match(
        stream.text(),
        new RegExp(
          `event: notification\\ndata: [^\\n]*"id":"n-${now}","ts":${now},"level":"sell","title":"SELL BTC-USD","body":"<b>MACD</b> crossed","muted":false`,
        ),
      ),
    );
    await eventually(() => assert.is(web.role.feed.counters.rejected, rejectedBefore + 6));
    assert.is(stream.text().match(/event: notification\n/g)?.length, 1, 'a notification published twice is shown once');
    await eventually(() => assert.match(stream.text(), /: heartbeat\n\n/));
    await eventually(() => assert.match(stream.text(), /event: health\n/));

    const ids = [...stream.text().matchAll(/^id: (\S+)$/gm)].map((m) => m[1]!);
    const firstId = ids[0]!;
    const resumed = await openStream(port, firstId);
    streams.push(resumed);
    await eventually(() => assert.ok(resumed.text().includes(`id: ${ids[1]}\n`), 'missed events are sent again'));
    assert.not.ok(resumed.text().includes(`id: ${firstId}\n`), 'not the one it had');
    for (const id of ['deadbeef-1', 'garbage', `${firstId.split('-')[0]}-999999999`]) {
      const other = await openStream(port, id);
      streams.push(other);
      await eventually(() => assert.match(other.text(), /event: reset\n/));
    }
  } finally {
    for (const stream of streams) stream.close();
    await web.close();
  }
});

test('SSE: the number of live clients is bounded (503 past web.maxClients), and a freed slot is reused', async () => {
  const web = await startWeb({ maxClients: 3 });
  const streams: Stream[] = [];
  try {
    const { port } = await web.role.listen('127.0.0.1', 0);
    for (let i = 0; i < 3; i++) streams.push(await openStream(port));
    assert.ok(streams.every((s) => s.response.statusCode === 200));
    const refused = await Promise.all(Array.from({ length: 20 }, () => openStream(port)));
    assert.ok(refused.every((s) => s.response.statusCode === 503));
    assert.is(refused[0]!.response.headers['retry-after'], '10');
    for (const s of refused) s.close();
    assert.is(web.role.hub.clientCount, 3);
    streams.shift()!.close();
    await eventually(() => assert.is(web.role.hub.clientCount, 2));
    const again = await openStream(port);
    streams.push(again);
    assert.is(again.response.statusCode, 200);
  } finally {
    for (const stream of streams) stream.close();
    await web.close();
  }
});

test.run();
