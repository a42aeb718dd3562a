// The notifier and dispatcher on both ledgers (SQLite, the real redis-server): each signal once per
// subscriber and channel, a replay from the beginning queues nothing, malformed messages are
// counted and skipped; with a controlled clock: coalescing into one digest, quiet hours in a time
// zone, a failing channel retried without delaying the others, Retry-After, sends cut short.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Registry } from 'prom-client';
import { buildChannel, type ConfiguredChannel } from '../../../cluster/notify/channels/index.js';
import type { NotificationTopic } from '../../../cluster/notify/channels/dashboard.js';
import type { DashboardNotification } from '../../../core/contracts/index.js';
import { Dispatcher, type SubscriberSettings } from '../../../cluster/notify/dispatcher.js';
import { deliveryKey, type Delivery, type Ledger } from '../../../cluster/notify/ledger.js';
import { notifierMetrics } from '../../../cluster/notify/metrics.js';
import { Notifier } from '../../../cluster/notify/notifier.js';
import { RedisLedger } from '../../../cluster/notify/redis-ledger.js';
import { SqliteLedger } from '../../../cluster/notify/sqlite-ledger.js';
import type { Notice } from '../../../core/notify/notice.js';
import { EmbeddedLog } from '../../../platform/bus/embedded-log.js';
import { ConfigSchema } from '../../../platform/config/schema.js';
import { createLogger } from '../../../platform/log.js';
import { startHttpReceiver, type HttpReceiver } from '../../support/notify-receivers.js';
import { services } from '../../support/services.js';
import { eventually } from '../../support/wait.js';
import { notice } from '../../support/notices.js';
import { watchTopic } from '../../support/topic-watch.js';

const logger = createLogger('silent');
const SETTINGS = { timeoutMs: 2000, retry: { initialMs: 1000, maxMs: 60_000, maxAttempts: 5 }, maxDigest: 20 };

type LedgerKind = 'sqlite' | 'redis';

async function openLedger(kind: LedgerKind, name = randomUUID()): Promise<Ledger> {
  if (kind === 'sqlite') return new SqliteLedger(join(mkdtempSync(join(tmpdir(), 'ledger-')), `${name}.sqlite`));
  const { redis } = await services();
  return RedisLedger.connect({ url: redis.url, keyPrefix: `t-${name}`, logger });
}

function subscribers(raw: unknown[]): SubscriberSettings[] {
  return ConfigSchema.parse({
    notify: { subscribers: raw, webhooks: { hook: { url: 'http://127.0.0.1:9/' }, other: { url: 'http://127.0.0.1:9/' } } },
  }).notify.subscribers;
}

/** The channels the tests use; the dashboard channel only with a topic to publish on. */
function channels(server: HttpReceiver, dashboard?: NotificationTopic): Map<string, ConfiguredChannel> {
  const notify = ConfigSchema.parse({
    notify: {
      sms: { baseUrl: server.url, accountSid: 'AC1', from: '+15005550006' },
      webhooks: {
        hook: { url: `${server.url}/hook/{{subscriber}}`, body: '{"id":"{{id}}","count":"{{count}}","text":"{{text}}"}' },
        other: { url: `${server.url}/other/{{subscriber}}`, body: '{"id":"{{id}}"}' },
      },
    },
  }).notify;
  const withToken = { ...notify, sms: { ...notify.sms, authToken: 'token' } };
  const ids = ['sms', ...(dashboard ? ['dashboard'] : []), 'webhook:hook', 'webhook:other'];
  return new Map(ids.map((id) => [id, buildChannel(id, withToken, dashboard, {})]));
}

function entry(n: Notice, subscriber: string, channel: string, now: number): Delivery {
  return {
    key: deliveryKey(n.id, subscriber, channel),
    subscriber,
    channel,
    notice: n,
    state: 'pending',
    attempts: 0,
    createdAt: now,
    updatedAt: now,
    nextAttemptAt: now,
  };
}

for (const kind of ['sqlite', 'redis'] as const) {
  const it = suite(`notifier on ${kind}`);

  it('each signal once per subscriber and channel; malformed messages skipped; a replay from the start and a restart send nothing again', async () => {
    const server = await startHttpReceiver();
    const bus = new EmbeddedLog({ file: join(mkdtempSync(join(tmpdir(), 'notify-bus-')), 'bus.sqlite') });
    const name = randomUUID();
    const ledger = await openLedger(kind, name);
    const dashboard = { bus, topic: 'stock.notifications' };
    await bus.ensureTopics([{ name: dashboard.topic }]);
    const shown = watchTopic(bus, dashboard.topic);
    const subs = subscribers([
      { name: 'alice', channels: ['webhook:hook', 'dashboard'], minIntervalSeconds: 0, coalesceSeconds: 0 },
      {
        name: 'bob',
        channels: ['sms'],
        phone: '+4915112345678',
        sides: ['sell'],
        symbols: ['BTC-USD'],
        minIntervalSeconds: 0,
        coalesceSeconds: 0,
      },
    ]);
    const signals = Array.from({ length: 6 }, (_, i) =>
      notice({ id: `BTC-USD:${1000 + i}:rsi`, ts: Date.UTC(2026, 0, 1) + i * 60_000, side: i % 2 ? 'sell' : 'buy' }),
    );
    const other = notice({ id: 'ETH-USD:1:rsi', symbol: 'ETH-USD', side: 'sell' });
    const hostile = [
      'not json',
      '{"id":"x","symbol":"BTC-USD","ts":1764200000000,"side":"buy","rule":"r","price":"NaN"}',
      JSON.stringify({ ...notice(), price: -1 }),
      JSON.stringify({ ...notice(), side: 'hold' }),
      JSON.stringify({ ...notice(), indicators: { rsi: 'high' } }),
      JSON.stringify({ ...notice(), id: 'x'.repeat(10_000) }),
      '[]',
      'null',
    ];
    await bus.publish(
      'stock.signals',
      [...signals, other].map((n) => ({ key: n.symbol, value: JSON.stringify({ type: 'signal', ...n }) })),
    );
    await bus.publish(
      'stock.signals',
      hostile.map((value) => ({ key: 'BTC-USD', value })),
    );
    const registry = new Registry();
    const metrics = notifierMetrics(registry);
    const run = async (group: string) => {
      const dispatcher = new Dispatcher({
        ledger,
        channels: channels(server, dashboard),
        subscribers: subs,
        settings: SETTINGS,
        logger,
        metrics,
        pollMs: 20,
      });
      const notifier = new Notifier({
        bus,
        ledger,
        logger,
        metrics,
        topic: 'stock.signals',
        group,
        subscribers: subs,
        maxQueued: 1000,
        onQueued: () => dispatcher.wake(),
      });
      dispatcher.start();
      await notifier.start();
      return { dispatcher, notifier };
    };
    try {
      const first = await run('notify-a');
      // What is queued together goes together: count signals, not requests.
      const hookIds = () =>
        server.requests
          .filter((r) => r.path === '/hook/alice')
          .flatMap((r) => [...(JSON.parse(r.body) as { text: string }).text.matchAll(/signal id: (\S+)/g)].map((m) => m[1]!));
      const smsSignals = () =>
        server.requests
          .filter((r) => r.path.endsWith('/Messages.json'))
          .reduce((sum, r) => sum + Number(/(\d+) signals/.exec(new URLSearchParams(r.body).get('Body')!)?.[1] ?? 1), 0);
      await eventually(() => assert.is(hookIds().length, 7));
      await eventually(() => assert.is(smsSignals(), 3));
      await eventually(() => assert.is(shown.received.length, 7, 'the dashboard gets each signal on its own, over the bus'));
      const notified = shown.values<DashboardNotification>();
      assert.equal(
        notified.map((n) => n.signals.map((s) => s.id)).sort(),
        [...signals, other].map((n) => [n.id]).sort(),
        'one notification per signal, naming it',
      );
      assert.ok(notified.every((n) => n.subscriber === 'alice'));
      await first.notifier.stop();
      await first.dispatcher.stop();
      const malformed = (await registry.getSingleMetricAsString('stock_stream_notify_signals_total')).match(
        /result="malformed"} (\d+)/,
      )?.[1];
      assert.is(malformed, String(hostile.length), 'every malformed message counted');
      const requests = server.requests.length;

      // Restart, and a second group reading the topic from the start (a replay): nothing new is queued or sent.
      const again = await run('notify-a');
      const replay = await run('notify-replay');
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const r of [again, replay]) {
        await r.notifier.stop();
        await r.dispatcher.stop();
      }
      assert.is(server.requests.length, requests, 'no request after the restart or the replay');
      assert.equal(hookIds().sort(), [...signals, other].map((n) => n.id).sort(), 'each signal once on the webhook');
      assert.is(smsSignals(), 3, 'the three BTC-USD sells once by SMS');
      assert.is(shown.received.length, 7, 'nothing published again on the notifications topic');
      const counts = await ledger.counts();
      assert.equal(counts, { sent: 17 });
    } finally {
      await shown.stop();
      await ledger.close();
      await bus.close();
      await server.close();
    }
  });

  it('coalescing: ten signals in a minute become one digest; the minimum interval holds the next ones together', async () => {
    const server = await startHttpReceiver();
    const ledger = await openLedger(kind);
    let now = Date.UTC(2026, 10, 27, 12, 0, 0);
    const subs = subscribers([{ name: 'alice', channels: ['webhook:hook'], minIntervalSeconds: 60, coalesceSeconds: 5 }]);
    const dispatcher = new Dispatcher({
      ledger,
      channels: channels(server),
      subscribers: subs,
      settings: SETTINGS,
      logger,
      now: () => now,
    });
    try {
      const burst = Array.from({ length: 10 }, (_, i) => notice({ id: `BTC-USD:${i}:rsi`, ts: now + i * 1000 }));
      await ledger.enqueue(
        burst.map((n) => entry(n, 'alice', 'webhook:hook', now)),
        1000,
        now,
      );
      await dispatcher.round();
      await dispatcher.settled();
      assert.is(server.requests.length, 0, 'the first signal waits for others to join');
      now += 5000;
      await dispatcher.round();
      await dispatcher.settled();
      assert.is(server.requests.length, 1, 'one message');
      assert.is((JSON.parse(server.requests[0]!.body) as { count: string }).count, '10');
      // Two more within the minute: held until a minute after the digest, then one message for both.
      await ledger.enqueue(
        [notice({ id: 'BTC-USD:a:rsi' }), notice({ id: 'BTC-USD:b:rsi' })].map((n) => entry(n, 'alice', 'webhook:hook', now)),
        1000,
        now,
      );
      now += 30_000;
      await dispatcher.round();
      await dispatcher.settled();
      assert.is(server.requests.length, 1);
      now += 30_000;
      await dispatcher.round();
      await dispatcher.settled();
      assert.is(server.requests.length, 2);
      assert.is((JSON.parse(server.requests[1]!.body) as { count: string }).count, '2');
    } finally {
      await ledger.close();
      await server.close();
    }
  });

  it('quiet hours in the subscriber time zone hold email-like channels, not the dashboard; drop skips', async () => {
    const server = await startHttpReceiver();
    const ledger = await openLedger(kind);
    const bus = new EmbeddedLog({ file: join(mkdtempSync(join(tmpdir(), 'notify-bus-')), 'bus.sqlite') });
    const dashboard = { bus, topic: 'stock.notifications' };
    await bus.ensureTopics([{ name: dashboard.topic }]);
    const shown = watchTopic(bus, dashboard.topic);
    // 03:30 UTC is 22:30 in New York (EST, UTC-5): inside 22:00-07:00 there; the UTC subscriber's 00:00-03:30 just ended.
    let now = Date.UTC(2026, 10, 27, 3, 30);
    const subs = subscribers([
      {
        name: 'ny',
        channels: ['webhook:hook', 'dashboard'],
        timeZone: 'America/New_York',
        quietHours: { start: '22:00', end: '07:00' },
        minIntervalSeconds: 0,
        coalesceSeconds: 0,
      },
      {
        name: 'drop',
        channels: ['webhook:other'],
        timeZone: 'America/New_York',
        quietHours: { start: '22:00', end: '07:00', action: 'drop' },
        minIntervalSeconds: 0,
        coalesceSeconds: 0,
      },
      { name: 'utc', channels: ['webhook:hook'], quietHours: { start: '00:00', end: '03:30' }, minIntervalSeconds: 0, coalesceSeconds: 0 },
    ]);
    const dispatcher = new Dispatcher({
      ledger,
      channels: channels(server, dashboard),
      subscribers: subs,
      settings: SETTINGS,
      logger,
      now: () => now,
    });
    try {
      const n = notice();
      await ledger.enqueue(
        [
          entry(n, 'ny', 'webhook:hook', now),
          entry(n, 'ny', 'dashboard', now),
          entry(n, 'drop', 'webhook:other', now),
          entry(n, 'utc', 'webhook:hook', now),
        ],
        1000,
        now,
      );
      await dispatcher.round();
      await dispatcher.settled();
      assert.equal(
        server.requests.map((r) => r.path),
        ['/hook/utc'],
      );
      await eventually(() => assert.is(shown.received.length, 1, 'the dashboard is not held'));
      now = Date.UTC(2026, 10, 27, 11, 59); // 06:59 in New York
      await dispatcher.round();
      await dispatcher.settled();
      assert.is(server.requests.length, 1);
      now = Date.UTC(2026, 10, 27, 12, 0); // 07:00 in New York
      await dispatcher.round();
      await dispatcher.settled();
      assert.equal(
        server.requests.map((r) => r.path),
        ['/hook/utc', '/hook/ny'],
      );
      const dropped = (await ledger.recent(10)).find((d) => d.subscriber === 'drop')!;
      assert.is(dropped.state, 'skipped');
    } finally {
      await shown.stop();
      await bus.close();
      await ledger.close();
      await server.close();
    }
  });

  it('a failing channel is retried with backoff without delaying the others; 429 Retry-After pauses that channel', async () => {
    const server = await startHttpReceiver();
    const ledger = await openLedger(kind);
    let now = Date.UTC(2026, 10, 27, 12, 0, 0);
    let hookStatus = 500;
    server.respond = (request, response) => {
      if (request.path.startsWith('/hook') && hookStatus !== 200) {
        response.writeHead(hookStatus, hookStatus === 429 ? { 'retry-after': '120' } : {});
        return void response.end('busy');
      }
      response.writeHead(200);
      response.end('ok');
    };
    const subs = subscribers([{ name: 'alice', channels: ['webhook:hook', 'webhook:other'], minIntervalSeconds: 0, coalesceSeconds: 0 }]);
    const dispatcher = new Dispatcher({
      ledger,
      channels: channels(server),
      subscribers: subs,
      settings: SETTINGS,
      logger,
      now: () => now,
      random: () => 0.5,
    });
    try {
      await ledger.enqueue([entry(notice(), 'alice', 'webhook:hook', now), entry(notice(), 'alice', 'webhook:other', now)], 1000, now);
      await dispatcher.round();
      await dispatcher.settled();
      const byKey = async () => new Map((await ledger.recent(10)).map((d) => [d.channel, d]));
      assert.is((await byKey()).get('webhook:other')!.state, 'sent', 'the healthy channel went at once');
      const failed = (await byKey()).get('webhook:hook')!;
      assert.is(failed.state, 'retry');
      assert.is(failed.nextAttemptAt, now + 750, 'backoff: half to all of the initial second');
      hookStatus = 429;
      now += 750;
      await dispatcher.round();
      await dispatcher.settled();
      const limited = (await byKey()).get('webhook:hook')!;
      assert.is(limited.state, 'retry');
      assert.is(limited.nextAttemptAt, now + 120_000, 'Retry-After wins over the shorter backoff');
      hookStatus = 200;
      now += 60_000;
      await dispatcher.round();
      await dispatcher.settled();
      assert.is((await byKey()).get('webhook:hook')!.state, 'retry', 'still paused');
      now += 60_000;
      await dispatcher.round();
      await dispatcher.settled();
      const sent = (await byKey()).get('webhook:hook')!;
      assert.is(sent.state, 'sent');
      assert.is(sent.attempts, 3);
      assert.is(server.requests.filter((r) => r.path.startsWith('/hook')).length, 3);
    } finally {
      await ledger.close();
      await server.close();
    }
  });

  it('sends cut short (claimed, no outcome): resent with the same id on resend channels, left in-doubt on SMS', async () => {
    const server = await startHttpReceiver();
    const ledger = await openLedger(kind);
    let now = Date.UTC(2026, 10, 27, 12, 0, 0);
    const subs = subscribers([
      { name: 'alice', channels: ['webhook:hook', 'sms'], phone: '+4915112345678', minIntervalSeconds: 0, coalesceSeconds: 0 },
    ]);
    try {
      const n = notice();
      await ledger.enqueue([entry(n, 'alice', 'webhook:hook', now), entry(n, 'alice', 'sms', now)], 1000, now);
      // A notifier that claimed both and died before sending or recording.
      for (const d of await ledger.due(now, 10)) {
        assert.ok(
          await ledger.transition(
            { ...d, state: 'sending', attempts: 1, claimedAt: now, updatedAt: now, messageId: `ss-dead-${d.channel}` },
            ['pending'],
          ),
        );
      }
      const dispatcher = new Dispatcher({
        ledger,
        channels: channels(server),
        subscribers: subs,
        settings: SETTINGS,
        logger,
        now: () => now,
      });
      await dispatcher.round();
      await dispatcher.settled();
      assert.is(server.requests.length, 0, 'a claim younger than the timeout may still be in flight elsewhere');
      now += SETTINGS.timeoutMs + 5001;
      await dispatcher.round();
      await dispatcher.round();
      await dispatcher.settled();
      const states = new Map((await ledger.recent(10)).map((d) => [d.channel, d]));
      assert.is(states.get('webhook:hook')!.state, 'sent');
      assert.is(states.get('sms')!.state, 'in-doubt');
      assert.equal(
        server.requests.map((r) => r.headers['idempotency-key']),
        ['ss-dead-webhook:hook'],
        'resent under its first id',
      );
    } finally {
      await ledger.close();
      await server.close();
    }
  });

  it('the queue is bounded: past maxQueued the oldest waiting entries are dropped; a duplicate enqueue adds nothing', async () => {
    const ledger = await openLedger(kind);
    const now = Date.UTC(2026, 10, 27, 12, 0, 0);
    try {
      const entries = Array.from({ length: 15 }, (_, i) => entry(notice({ id: `BTC-USD:${i}:rsi` }), 'alice', 'sms', now + i));
      assert.equal(await ledger.enqueue(entries.slice(0, 10), 12, now), { added: 10, dropped: 0 });
      assert.equal(await ledger.enqueue(entries, 12, now), { added: 5, dropped: 3 });
      const dropped = (await ledger.recent(20))
        .filter((d) => d.state === 'dropped')
        .map((d) => d.notice.id)
        .sort();
      assert.equal(dropped, ['BTC-USD:0:rsi', 'BTC-USD:1:rsi', 'BTC-USD:2:rsi']);
      assert.is((await ledger.due(now + 100, 100)).length, 12);
    } finally {
      await ledger.close();
    }
  });

  it.run();
}
