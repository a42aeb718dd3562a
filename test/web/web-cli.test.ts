// `stock-stream web` as a user runs it: serves the page, the API and /healthz on PORT, stops with
// exit 0 on SIGTERM; a bad web setting is a one-line configuration error naming the key.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort } from '../services/child.js';
import { cli, startService } from '../support/cli.js';

test('serves the dashboard, its API and /healthz; SIGTERM exits 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'web-cli-'));
  const port = await freePort();
  const service = await startService(['web'], {
    PORT: String(port),
    HOST: '127.0.0.1',
    STOCK_STREAM_DATA_DIR: dir,
    EDGE_HARDWARE: 'virtual',
    LOG_LEVEL: 'info',
  });
  try {
    const page = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'accept-encoding': 'br' } });
    assert.is(page.status, 200);
    assert.match(await page.text(), /<title>Stock Stream<\/title>/);
    assert.match(String(page.headers.get('content-security-policy')), /frame-ancestors 'none'/);
    const meta = (await (await fetch(`http://127.0.0.1:${port}/api/meta`)).json()) as { symbols: string[] };
    assert.equal(meta.symbols, ['BTC-USD']);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.is(health.status, 200);
    const body = (await health.json()) as { role: string; checks: Record<string, { ok: boolean }> };
    assert.is(body.role, 'web');
    assert.ok(body.checks['embedded-log']?.ok && body.checks.sqlite?.ok && body.checks.live?.ok);
  } finally {
    service.child.kill('SIGTERM');
  }
  assert.is(await service.exit, 0);
});

test('a short web token is a one-line configuration error naming the key, and never shown', async () => {
  const run = await cli(['web'], { WEB_TOKEN: 'short-secret', PORT: String(await freePort()) });
  assert.is(run.code, 78);
  assert.match(run.stderr, /web\.token/);
  assert.not.match(run.stderr, /short-secret/);
});

test('--help describes the command', async () => {
  const run = await cli(['web', '--help']);
  assert.is(run.code, 0);
  assert.match(run.stdout, /server-sent events/);
});

test.run();
