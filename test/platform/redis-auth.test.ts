// Redis with requirepass (a real redis-server): the right password from REDIS_PASSWORD (or in the URL)
// lets the store and the ledger in; a wrong or missing one fails at start with one clear line, and no
// password ever shows in an error, a log line or a health detail.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openLedger } from '../../cluster/notify/select.js';
import { loadConfig } from '../../platform/config/load.js';
import { createLogger } from '../../platform/log.js';
import { probeRedis } from '../../platform/probes.js';
import { connectRedis } from '../../platform/redis-connection.js';
import { openStore } from '../../platform/store/select.js';
import { startRedis, type RedisService } from '../services/redis.js';

const PASSWORD = 'right-redis-pw-7f3a';
const test = suite<{ redis: RedisService; lines: string[] }>('redis: requirepass', { redis: undefined!, lines: [] });

test.before(async (context) => {
  context.redis = await startRedis(mkdtempSync(join(tmpdir(), 'redis-auth-')), { password: PASSWORD });
});
test.after(async ({ redis }) => {
  await redis.stop();
});

function capturing(lines: string[]) {
  return createLogger(
    'debug',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
}

async function refusal(open: () => Promise<unknown>): Promise<string> {
  try {
    await open();
  } catch (error) {
    const message = (error as Error).message;
    assert.not.match(message, /\n/, 'one line');
    return message;
  }
  throw new Error('expected the connection to be refused');
}

test('the right password from REDIS_PASSWORD: the store and the ledger work, and their health shows no password', async ({
  redis,
  lines,
}) => {
  const config = loadConfig({ env: { REDIS_URL: redis.url, REDIS_PASSWORD: PASSWORD, STOCK_STREAM_DATA_DIR: tmpdir() } });
  const logger = capturing(lines);
  const store = await openStore(config, logger);
  const ledger = await openLedger(config, logger);
  try {
    assert.ok(store.health().ok, store.health().detail);
    const ledgerHealth = await ledger.health();
    assert.ok(ledgerHealth.ok, ledgerHealth.detail);
    // Real round trips, which a server with requirepass refuses to a client that did not AUTH.
    assert.equal(await store.symbols(), []);
    assert.equal(await store.appliedOffsets(), new Map());
    assert.equal(await ledger.counts(), {});
  } finally {
    await ledger.close();
    await store.close();
  }
  assert.not.match(lines.join(''), new RegExp(PASSWORD));
});

test('a password inside the URL works too, and is shown as *** in health and in every error', async ({ redis }) => {
  const logger = createLogger('silent');
  const url = redis.url.replace('redis://', `redis://:${PASSWORD}@`);
  const client = await connectRedis({ url, logger });
  assert.is(await client.ping(), 'PONG');
  client.destroy();
  const store = await openStore(loadConfig({ env: { REDIS_URL: url } }), logger);
  assert.is(store.health().detail, `Redis ${redis.url.replace('redis://', 'redis://:***@')}`);
  await store.close();
  const wrong = await refusal(() =>
    connectRedis({ url: redis.url.replace('redis://', 'redis://:not-it-9@'), logger, connectTimeoutMs: 3000 }),
  );
  assert.not.match(wrong, /not-it-9/);
  assert.match(wrong, /refused our credentials/);
});

test('a wrong password: one line saying Redis refused our credentials and what to set', async ({ redis }) => {
  const message = await refusal(() =>
    connectRedis({ url: redis.url, password: 'wrong-pw-1', logger: createLogger('silent'), connectTimeoutMs: 3000 }),
  );
  assert.match(message, new RegExp(`^Redis at ${redis.url} refused our credentials \\(set REDIS_PASSWORD or REDIS_PASSWORD_FILE`));
  assert.match(message, /WRONGPASS/);
  assert.not.match(message, /wrong-pw-1/);
});

test('no password: refused at start (NOAUTH) rather than on the first write', async ({ redis }) => {
  const message = await refusal(() => connectRedis({ url: redis.url, logger: createLogger('silent'), connectTimeoutMs: 3000 }));
  assert.match(message, new RegExp(`^Redis at ${redis.url} refused our credentials .*NOAUTH`));
  const config = loadConfig({ env: { REDIS_URL: redis.url } });
  assert.match(await refusal(() => openStore(config, createLogger('silent'))), /refused our credentials/);
  assert.match(await refusal(() => openLedger(config, createLogger('silent'))), /refused our credentials/);
});

test('stock-stream check: ok with the password, FAIL with a wrong one, never printing it', async ({ redis }) => {
  const ok = await probeRedis(redis.url, 3000, { password: PASSWORD });
  assert.ok(ok.ok, ok.detail);
  const bad = await probeRedis(redis.url.replace('redis://', 'redis://:in-url-wrong@'), 3000);
  assert.not.ok(bad.ok);
  assert.match(bad.detail, /WRONGPASS/);
  assert.not.match(bad.detail, /in-url-wrong/);
});

test.run();
