// The dashboard's event stream resumes a reconnecting page (Last-Event-ID) across a burst: after a
// failover the processor catches up and the web role sends a thousand events in seconds, and a page
// that fell behind must get every tick, signal and notification it missed, not start over.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EventHub, type EventHubOptions } from '../../web/server/event-hub.js';

/** A hub served on a free port for the test's body, closed afterwards whatever the body does. */
async function withHub(options: Partial<EventHubOptions>, body: (hub: EventHub, port: number) => Promise<void>): Promise<void> {
  const hub = new EventHub({ maxClients: 4, heartbeatMs: undefined, ...options });
  const server = createServer((req, res) => void hub.attach(res, req.headers['last-event-id'] as string | undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await body(hub, (server.address() as AddressInfo).port);
  } finally {
    hub.close();
    server.close();
  }
}

/** What a client resuming from `lastEventId` is sent at once (until the stream goes quiet). */
function resumeText(port: number, lastEventId: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { 'last-event-id': lastEventId } }, (res) => {
      let text = '';
      let timer: NodeJS.Timeout | undefined;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        clearTimeout(timer);
        timer = setTimeout(() => {
          req.destroy();
          resolve(text);
        }, 200);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * What a page receives on one connection that stops reading while `busy` runs (a tab in the
 * background), reads again 300 ms later, sees `reading` run 300 ms after that, and closes after
 * another 200 ms.
 */
function readAfterPause(port: number, busy: () => void, reading: () => void = () => {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let received = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (received += chunk));
      res.on('close', () => resolve(received));
      res.pause();
      busy();
      setTimeout(() => {
        res.resume();
        setTimeout(() => {
          reading();
          setTimeout(() => req.destroy(), 200);
        }, 300);
      }, 300);
    });
    req.on('error', reject);
    req.end();
  });
}

const eventsIn = (text: string) => [...text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({ type: m[1]!, data: m[2]! }));

test('a page that missed a burst of 1,500 events resumes with every tick and notification and the newest frame', async () => {
  await withHub({}, async (hub, port) => {
    const seen = hub.publish('tick', { price: 0 });
    for (let i = 1; i <= 500; i++) {
      hub.publish('tick', { price: i });
      hub.publish('panel', { frame: `frame ${i}` });
      if (i % 10 === 0) hub.publish('notification', { id: `n${i}` });
      hub.publish('leds', { buy: i % 2 });
    }
    const missed = eventsIn(await resumeText(port, seen.id));
    assert.not.ok(
      missed.some((event) => event.type === 'reset'),
      'resumed, not reset',
    );
    assert.equal(
      missed.filter((e) => e.type === 'tick').map((e) => (JSON.parse(e.data) as { price: number }).price),
      Array.from({ length: 500 }, (_, i) => i + 1),
      'every tick since',
    );
    assert.is(missed.filter((e) => e.type === 'notification').length, 50, 'every notification since');
    assert.equal(
      missed.filter((e) => e.type === 'panel').map((e) => e.data),
      [JSON.stringify({ frame: 'frame 500' })],
      'only the newest frame',
    );
    assert.is(missed.filter((e) => e.type === 'leds').length, 1, 'only the newest LEDs');
  });
});

/** An indicator record's size: what the processor sends once per tick after a failover. */
const record = (i: number) => ({
  symbol: 'BTC-USD',
  ts: i,
  values: Object.fromEntries(Array.from({ length: 24 }, (_, k) => [`ind${k}`, i + k / 7])),
});

test('a page that missed more than a slow client may have queued (1,500 records, ~1.2 MB) still resumes with all of them', async () => {
  // Before: the whole resume was queued at once, over the 256 KiB a slow client may have queued, so
  // the server dropped the page before its first byte; it reconnected with the same id, for ever.
  await withHub({}, async (hub, port) => {
    const seen = hub.publish('tick', { price: 0 });
    for (let i = 1; i <= 1500; i++) hub.publish('indicators', record(i));
    const missed = eventsIn(await resumeText(port, seen.id));
    assert.equal(
      missed.map((e) => (JSON.parse(e.data) as { ts: number }).ts),
      Array.from({ length: 1500 }, (_, i) => i + 1),
      'every record since, in order',
    );
  });
});

test('a page that stops reading during a burst is not cut off: it gets every event once it reads again', async () => {
  await withHub({}, async (hub, port) => {
    // 3,000 records (~2.4 MB) published while the page does not read.
    const text = await readAfterPause(port, () => {
      for (let i = 1; i <= 3000; i++) hub.publish('indicators', record(i));
    });
    assert.not.match(text, /event: reset/, 'not reset: everything was still in the history');
    assert.equal(
      eventsIn(text).map((e) => (JSON.parse(e.data) as { ts: number }).ts),
      Array.from({ length: 3000 }, (_, i) => i + 1),
      'every record, in order, on the same connection',
    );
  });
});

test('a page that stays behind until its next event has left the history is told to reset, then follows live', async () => {
  await withHub({ historySize: 200 }, async (hub, port) => {
    const text = await readAfterPause(
      port,
      () => {
        for (let i = 1; i <= 3000; i++) hub.publish('indicators', record(i));
      },
      () => hub.publish('tick', { price: 1 }),
    );
    const events = eventsIn(text);
    const reset = events.findIndex((e) => e.type === 'reset');
    assert.ok(reset > 0, 'reset after what it had received');
    const ts = events.slice(0, reset).map((e) => (JSON.parse(e.data) as { ts: number }).ts);
    assert.equal(
      ts,
      Array.from({ length: ts.length }, (_, i) => i + 1),
      'what came before the reset came in order, without a hole',
    );
    assert.equal(events.at(-1), { type: 'tick', data: JSON.stringify({ price: 1 }) }, 'live again after the reset');
  });
});

test('a page whose last event was trimmed from the history is told to reset', async () => {
  await withHub({ historySize: 100 }, async (hub, port) => {
    const old = hub.publish('tick', { price: 0 });
    // 102 events: the oldest two are trimmed, and the second was not seen.
    for (let i = 1; i <= 101; i++) hub.publish('tick', { price: i });
    assert.equal(
      eventsIn(await resumeText(port, old.id)).map((e) => e.type),
      ['reset'],
    );
    const recent = hub.publish('tick', { price: 102 });
    hub.publish('tick', { price: 103 });
    assert.equal(
      eventsIn(await resumeText(port, recent.id)).map((e) => e.data),
      [JSON.stringify({ price: 103 })],
    );
  });
});

test.run();
