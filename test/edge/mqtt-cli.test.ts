// `stock-stream edge` with MQTT_URL as a real child process: online and healthy, `offline` published
// by the broker (the last will) within the keepalive after kill -9, and by the edge itself on SIGTERM.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort } from '../services/child.js';
import { cli, startService } from '../support/cli.js';
import { watch } from '../support/mqtt-watch.js';
import { services } from '../support/services.js';
import { eventually } from '../support/wait.js';

async function startEdge(url: string, base: string) {
  const dir = mkdtempSync(join(tmpdir(), 'edge-mqtt-cli-'));
  const file = join(dir, 'edge.yaml');
  writeFileSync(file, `edge:\n  hardware: virtual\nmqtt:\n  keepaliveSeconds: 1\n  discoveryPrefix: ${base}-ha\n`);
  const port = await freePort();
  const env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    STOCK_STREAM_DATA_DIR: dir,
    STOCK_STREAM_CONFIG: file,
    MQTT_URL: url,
    MQTT_BASE_TOPIC: base,
    MQTT_DEVICE_ID: base,
  };
  return { service: await startService(['edge'], env), port };
}

test('kill -9: the broker publishes offline (the last will) within 1.5 keepalives', async () => {
  const { mosquitto } = await services();
  const base = `cli-kill-${process.pid}`;
  const watcher = await watch(mosquitto.url, [`${base}/#`, `${base}-ha/#`]);
  const { service, port } = await startEdge(mosquitto.url, base);
  try {
    await eventually(() => assert.is(watcher.last(`${base}/status`)?.payload, 'online'));
    await eventually(() => assert.is(watcher.seen.filter((seen) => seen.topic.startsWith(`${base}-ha/`)).length, 12));
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {
      checks: Record<string, { ok: boolean; detail: string }>;
    };
    assert.ok(health.checks.mqtt?.ok);
    assert.match(health.checks.mqtt!.detail, new RegExp(`connected to mqtt://127\\.0\\.0\\.1:\\d+ as ${base}`));
  } finally {
    service.child.kill('SIGKILL');
  }
  assert.is(await service.exit, null);
  // 1.5 x 1 s keepalive, plus the broker's own check granularity.
  await eventually(() => assert.is(watcher.last(`${base}/status`)?.payload, 'offline'), 5000);
  await watcher.close();
  const late = await watch(mosquitto.url, [`${base}/status`]);
  await eventually(() => assert.equal(late.last(`${base}/status`), { topic: `${base}/status`, payload: 'offline', retain: true }));
  await late.close();
});

test('SIGTERM: offline published by the edge itself, exit 0', async () => {
  const { mosquitto } = await services();
  const base = `cli-term-${process.pid}`;
  const watcher = await watch(mosquitto.url, [`${base}/status`]);
  const { service } = await startEdge(mosquitto.url, base);
  await eventually(() => assert.is(watcher.last(`${base}/status`)?.payload, 'online'));
  service.child.kill('SIGTERM');
  assert.is(await service.exit, 0);
  assert.is(watcher.last(`${base}/status`)?.payload, 'offline', 'said before the process ended');
  await watcher.close();
});

test('a bad MQTT setting is a one-line configuration error naming the key', async () => {
  const run = await cli(['config'], { MQTT_BASE_TOPIC: 'stock/#' });
  assert.is(run.code, 78);
  assert.match(run.stderr, /mqtt\.baseTopic: must be topic levels/);
  const short = await cli(['config'], { MQTT_COMMAND_TOKEN: 'short' });
  assert.is(short.code, 78);
  assert.match(short.stderr, /mqtt\.commands\.token: must be at least 16 characters/);
  assert.not.match(short.stderr, /short"/, 'the secret is not shown');
  const shown = await cli(['config'], { MQTT_COMMAND_TOKEN: 'long-enough-secret-token' });
  assert.match(shown.stdout, /"token": "\[redacted\]"/);
});

test.run();
