// The health panel's view of other roles (web.roles): polled with the URL's credentials, shown without its password.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Bus } from '../../platform/bus/bus.js';
import type { AggregateStore } from '../../platform/store/store.js';
import { HealthSource } from '../../web/server/health.js';
import type { LiveFeed } from '../../web/server/live-feed.js';

const bus = { kind: 'test', health: () => ({ ok: true, detail: '' }) } as unknown as Bus;
const store = { kind: 'test', health: () => ({ ok: true, detail: '' }) } as unknown as AggregateStore;
const feed = { running: true, activityOf: () => undefined, endOffsetsOf: () => new Map() } as unknown as LiveFeed;

function source(roles: Record<string, string>): HealthSource {
  return new HealthSource({
    bus,
    store,
    feed,
    symbols: [],
    staleMs: 1000,
    ticksTopic: 'stock.ticks',
    lagGroups: [],
    roles,
    mqttConfigured: false,
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

test('a role URL with a password is polled with it (basic auth) and shown redacted', async () => {
  const seen: Array<string | undefined> = [];
  const server = createServer((request, response) => {
    seen.push(request.headers.authorization);
    const ok = request.headers.authorization === `Basic ${Buffer.from('user:secret').toString('base64')}`;
    response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ ok, checks: { bus: { ok, detail: 'fine' } } }));
  });
  const port = await listen(server);
  try {
    const health = await source({ ingest: `http://user:secret@127.0.0.1:${port}/healthz` }).collect();
    const shown = JSON.stringify(health);
    assert.not.match(shown, /secret/);
    assert.is(health.roles.ingest?.url, `http://user:***@127.0.0.1:${port}/healthz`);
    assert.is(health.roles.ingest?.ok, true);
    assert.equal(seen, [`Basic ${Buffer.from('user:secret').toString('base64')}`]);
  } finally {
    server.close();
  }
});

test('an unreachable role with a password in its URL: the failure is shown without the password', async () => {
  const server = createServer();
  const port = await listen(server);
  server.close();
  const health = await source({ notify: `http://admin:hunter2@127.0.0.1:${port}/healthz` }).collect();
  assert.is(health.roles.notify?.ok, false);
  assert.not.match(JSON.stringify(health), /hunter2/);
  assert.is(health.roles.notify?.url, `http://admin:***@127.0.0.1:${port}/healthz`);
});

test('a URL without credentials is shown as configured', async () => {
  const server = createServer((_request, response) => response.end('{"ok":true}'));
  const port = await listen(server);
  try {
    const health = await source({ process: `http://127.0.0.1:${port}/healthz` }).collect();
    assert.is(health.roles.process?.url, `http://127.0.0.1:${port}/healthz`);
    assert.is(health.roles.process?.ok, true);
  } finally {
    server.close();
  }
});

test.run();
