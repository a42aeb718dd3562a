// The cluster's notification ledger on a real redis-server with the append-only file as the k3s
// manifests run it (`appendonly yes`, `appendfsync always`): Redis is killed with SIGKILL several
// times while signals flow and `stock-stream notify` (a real process) keeps running. No entry whose
// signal batch was committed is lost (every signal reaches the subscriber), and a signal is sent
// again only for a send cut short (the ledger's count of sends begun bounds the repeats).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Delivery } from '../../../cluster/notify/ledger.js';
import { RedisLedger } from '../../../cluster/notify/redis-ledger.js';
import { EmbeddedLog } from '../../../platform/bus/embedded-log.js';
import { createLogger } from '../../../platform/log.js';
import { freePort } from '../../services/child.js';
import { startRedis } from '../../services/redis.js';
import { startService } from '../../support/cli.js';
import { startHttpReceiver, type ReceivedRequest } from '../../support/notify-receivers.js';
import { expectedSignals, tickPath } from '../../support/ticks.js';
import { eventually } from '../../support/wait.js';

const idsIn = (request: ReceivedRequest) =>
  [...(JSON.parse(request.body) as { text: string }).text.matchAll(/signal id: (\S+)/g)].map((m) => m[1]!);

test('Redis SIGKILLed under load with the notifier running (AOF, appendfsync always): nothing lost, repeats only for sends cut short', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'notify-redis-kill-'));
  const redis = await startRedis(mkdtempSync(join(dataDir, 'redis-')), { extraArgs: ['--appendonly', 'yes', '--appendfsync', 'always'] });
  const server = await startHttpReceiver();
  const slow = server.respond;
  // A little latency widens the window in which a kill finds a send begun and not yet recorded.
  server.respond = (request, response) => void setTimeout(() => slow(request, response), 20);
  const configFile = join(dataDir, 'config.yaml');
  writeFileSync(
    configFile,
    [
      'log: { level: info }',
      'notify:',
      '  timeoutSeconds: 1',
      '  retry: { initialSeconds: 0.05, maxSeconds: 0.5 }',
      '  webhooks:',
      `    hook: { url: "${server.url}/hook/{{subscriber}}", body: '{"text":"{{text}}"}', ratePerMinute: 60000 }`,
      '  subscribers:',
      '    - { name: alice, channels: [webhook:hook], minIntervalSeconds: 0, coalesceSeconds: 0 }',
      '',
    ].join('\n'),
  );
  const signals = expectedSignals(tickPath(6000, ['BTC-USD', 'ETH-USD', 'SOL-USD']))
    .map((value) => JSON.parse(value) as { id: string; symbol: string; kind: string })
    .filter((signal) => signal.kind === 'recommendation');
  assert.ok(signals.length >= 100, `${signals.length} signals in the path`);
  const bus = new EmbeddedLog({ file: join(dataDir, 'bus.sqlite') });
  const env = { STOCK_STREAM_DATA_DIR: dataDir, REDIS_URL: redis.url, PORT: String(await freePort()), HOST: '127.0.0.1' };
  const notifier = await startService(['notify', '--config', configFile], env);
  let published = 0;
  const flowing = (async () => {
    while (published < signals.length) {
      const slice = signals.slice(published, published + 2);
      await bus.publish(
        'stock.signals',
        slice.map((s) => ({ key: s.symbol, value: JSON.stringify(s) })),
      );
      published += slice.length;
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
  })();
  const received = () => server.requests.filter((r) => r.path === '/hook/alice').flatMap(idsIn);
  let ledger: RedisLedger | undefined;
  try {
    let kills = 0;
    while (published < signals.length - 20 && kills < 4) {
      const before = received().length;
      await eventually(() => assert.ok(received().length > before + 3, 'the notifier sends'), 60_000);
      await redis.stop('SIGKILL');
      kills++;
      await new Promise((resolve) => setTimeout(resolve, 300 + kills * 200));
      await redis.start();
    }
    assert.ok(kills >= 3, `${kills} kills landed while signals were flowing`);
    await flowing;
    const wanted = signals.map((s) => s.id).sort();
    await eventually(() => assert.equal([...new Set(received())].sort(), wanted, 'every signal reached alice'), 60_000, 250);
    ledger = await RedisLedger.connect({ url: redis.url, keyPrefix: 'stock', logger: createLogger('silent') });
    const settledLedger = ledger;
    let entries: Delivery[] = [];
    await eventually(
      async () => {
        entries = await settledLedger.recent(100_000);
        assert.ok(
          entries.every((e) => e.state === 'sent'),
          `settled: ${[...new Set(entries.map((e) => e.state))].join(', ')}`,
        );
      },
      30_000,
      250,
    );
    assert.is(entries.length, signals.length, 'one ledger entry per signal: none lost with Redis');
    const repeats = received().length - new Set(received()).size;
    const cutShort = entries.reduce((sum, e) => sum + e.attempts - 1, 0);
    assert.ok(repeats <= cutShort, `${repeats} repeats, no more than the ${cutShort} sends cut short`);
    console.log(`  ${kills} Redis kills, ${signals.length} signals: ${repeats} repeats for ${cutShort} sends cut short`);
    assert.ok(!notifier.stderr().includes('"level":60'), 'no fatal error in the notifier');
    notifier.child.kill('SIGTERM');
    assert.is(await notifier.exit, 0, 'stops cleanly on SIGTERM');
  } finally {
    if (notifier.child.exitCode === null) notifier.child.kill('SIGKILL');
    await ledger?.close();
    await bus.close();
    await server.close();
    await redis.stop();
  }
});

test.run();
