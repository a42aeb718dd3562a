// A password written inside redis.url or mqtt.url works, and is never shown: not in the banner of
// `stock-stream run`, its log, /healthz, `stock-stream check` or `stock-stream config` (the real
// executable, a real redis-server with requirepass and a real Mosquitto).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort } from '../services/child.js';
import { startRedis, type RedisService } from '../services/redis.js';
import { cli, startService } from '../support/cli.js';
import { services } from '../support/services.js';
import { eventually } from '../support/wait.js';

const REDIS_PASSWORD = 'redis-in-url-5e1d';
const MQTT_PASSWORD = 'mqtt-in-url-0b7c';
const SECRET = new RegExp(`${REDIS_PASSWORD}|${MQTT_PASSWORD}`);
const test = suite<{ redis: RedisService; env: Record<string, string> }>('cli: secrets inside URLs', { redis: undefined!, env: {} });

test.before(async (context) => {
  context.redis = await startRedis(mkdtempSync(join(tmpdir(), 'secret-urls-redis-')), { password: REDIS_PASSWORD });
  const mosquitto = (await services()).mosquitto;
  context.env = {
    REDIS_URL: context.redis.url.replace('redis://', `redis://:${REDIS_PASSWORD}@`),
    MQTT_URL: mosquitto.url.replace('mqtt://', `mqtt://ha:${MQTT_PASSWORD}@`),
  };
});
test.after(async ({ redis }) => {
  await redis.stop();
});

test('run: the banner, the log and /healthz show the URLs with *** for the password', async ({ env, redis }) => {
  const port = await freePort();
  const service = await startService(['run', '--source', 'simulator'], {
    ...env,
    STOCK_STREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'secret-urls-run-')),
    PORT: String(port),
    HOST: '127.0.0.1',
    MESSAGE_INTERVAL: '0.2',
    LOG_LEVEL: 'debug',
    LOG_FORMAT: 'json',
  });
  try {
    await eventually(() => assert.match(service.stdout(), /Stop with Ctrl-C\.\n/));
    assert.match(service.stdout(), new RegExp(`MQTT mqtt://ha:\\*\\*\\*@127\\.0\\.0\\.1:\\d+`), service.stdout());
    let health = '';
    await eventually(async () => {
      health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).text();
      assert.match(health, /mqtt:\/\/ha:\*\*\*@127\.0\.0\.1/, health);
    }, 20_000);
    assert.match(health, new RegExp(`Redis redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port}`), 'the store reached Redis with the password');
    assert.not.match(service.stdout(), SECRET, 'banner');
    assert.not.match(health, SECRET, '/healthz');
    assert.not.match(service.stderr(), SECRET, 'log');
  } finally {
    service.child.kill('SIGTERM');
    await service.exit;
  }
});

test('check and config: the URLs with *** for the password', async ({ env }) => {
  const checked = await cli(['check'], env);
  assert.match(checked.stdout, /ok +redis +redis:\/\/:\*\*\*@127\.0\.0\.1/, checked.stdout + checked.stderr);
  assert.match(checked.stdout, /ok +mqtt +mqtt:\/\/ha:\*\*\*@127\.0\.0\.1/, checked.stdout + checked.stderr);
  const shown = await cli(['config'], env);
  assert.is(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /"url": "redis:\/\/:\*\*\*@127\.0\.0\.1/);
  for (const run of [checked, shown]) assert.not.match(run.stdout + run.stderr, SECRET);
});

test.run();
