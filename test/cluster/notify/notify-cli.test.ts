// `stock-stream notify` as a real process on one node (embedded log, SQLite ledger): the signals of
// a replayed price path flow in while the notifier is killed with SIGKILL at random moments and
// restarted. Every subscriber gets every signal on every channel: webhooks at least once, any
// repeat carrying the first send's Idempotency-Key, and no more repeats than the sends cut short
// (counted in the ledger, and as the claims each kill left in sending); SMS (inDoubt: skip) never twice. Then `stock-stream notifications` lists the deliveries, `notify --test` sends one.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Delivery } from '../../../cluster/notify/ledger.js';
import { SqliteLedger } from '../../../cluster/notify/sqlite-ledger.js';
import { EmbeddedLog } from '../../../platform/bus/embedded-log.js';
import { seededRandom } from '../../core/indicators/price-series.js';
import { freePort } from '../../services/child.js';
import { cli, startService } from '../../support/cli.js';
import { startHttpReceiver, type ReceivedRequest } from '../../support/notify-receivers.js';
import { expectedSignals, tickPath } from '../../support/ticks.js';
import { eventually } from '../../support/wait.js';

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

const idsIn = (request: ReceivedRequest) =>
  [...(JSON.parse(request.body) as { text: string }).text.matchAll(/signal id: (\S+)/g)].map((m) => m[1]!);

async function killAndRestart(seed: number): Promise<void> {
  const server = await startHttpReceiver();
  const slow = server.respond;
  // A little latency widens the window between a claim and its outcome, where the kills land.
  server.respond = (request, response) => void setTimeout(() => slow(request, response), 30);
  const dataDir = mkdtempSync(join(tmpdir(), 'notify-cli-'));
  const configFile = join(dataDir, 'config.yaml');
  writeFileSync(
    configFile,
    [
      'log: { level: info }',
      'notify:',
      '  timeoutSeconds: 1',
      '  retry: { initialSeconds: 0.05, maxSeconds: 0.5 }',
      `  sms: { baseUrl: "${server.url}", accountSid: AC1, from: "+15005550006", ratePerMinute: 6000 }`,
      '  webhooks:',
      `    hook: { url: "${server.url}/hook/{{subscriber}}", body: '{"text":"{{text}}"}', ratePerMinute: 6000 }`,
      '  subscribers:',
      '    - { name: alice, channels: [webhook:hook, sms], phone: "+4915100000001", minIntervalSeconds: 0, coalesceSeconds: 0 }',
      '    - { name: bob, channels: [webhook:hook], sides: [sell], minIntervalSeconds: 0, coalesceSeconds: 0, timeZone: Asia/Tokyo }',
      '',
    ].join('\n'),
  );
  // Recommendations only: the notifier reads crossings too but tells nobody (tested in notifier tests).
  const signals = expectedSignals(tickPath(2000, ['BTC-USD', 'ETH-USD']))
    .map((value) => JSON.parse(value) as { id: string; side: string; symbol: string; kind: string })
    .filter((signal) => signal.kind === 'recommendation');
  assert.ok(signals.length >= 40, `${signals.length} signals in the path`);
  const bus = new EmbeddedLog({ file: join(dataDir, 'bus.sqlite') });
  const env = { STOCK_STREAM_DATA_DIR: dataDir, SMS_AUTH_TOKEN: 'sms-secret-token' };
  const start = async () => startService(['notify', '--config', configFile], { ...env, PORT: String(await freePort()), HOST: '127.0.0.1' });
  const random = seededRandom(seed);
  let published = 0;
  const publishSome = async (count: number) => {
    const slice = signals.slice(published, published + count);
    published += slice.length;
    if (slice.length > 0)
      await bus.publish(
        'stock.signals',
        slice.map((s) => ({ key: s.symbol, value: JSON.stringify(s) })),
      );
  };
  let logs = '';
  const cutByKills = new Set<string>();
  try {
    for (let round = 0; round < 4; round++) {
      const service = await start();
      service.child.stderr!.on('data', (chunk: Buffer) => (logs += chunk.toString()));
      const before = server.requests.length;
      for (let i = 0; i < 4; i++) {
        await publishSome(3);
        await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(random() * 60)));
      }
      await eventually(() => assert.ok(server.requests.length > before, 'the restarted notifier sends'), 20_000);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 100)));
      await kill(service.child);
      // The webhook sends this kill cut short: claimed (sending), their outcome never recorded.
      const ledger = new SqliteLedger(join(dataDir, 'notifications.sqlite'));
      // A claim is its entry and its attempt number: one left by an earlier kill may still be there.
      for (const entry of await ledger.recent(100_000)) {
        if (entry.state === 'sending' && entry.channel.startsWith('webhook')) cutByKills.add(`${entry.key}#${entry.attempts}`);
      }
      await ledger.close();
    }
    const last = await start();
    last.child.stderr!.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    await publishSome(signals.length);
    const hookIds = (who: string) => server.requests.filter((r) => r.path === `/hook/${who}`).flatMap(idsIn);
    const wanted = {
      alice: signals.map((s) => s.id).sort(),
      bob: signals
        .filter((s) => s.side === 'sell')
        .map((s) => s.id)
        .sort(),
    };
    // Claims cut short by a kill are resent once their timeout and grace (6 s) have passed.
    await eventually(
      () => {
        assert.equal([...new Set(hookIds('alice'))].sort(), wanted.alice);
        assert.equal([...new Set(hookIds('bob'))].sort(), wanted.bob);
      },
      40_000,
      200,
    ).catch(async (error: unknown) => {
      const dump = await cli(['notifications', '--config', configFile, '--limit', '30'], env);
      throw new Error(`${(error as Error).message}\n${dump.stdout}`);
    });
    const list = await cli(['notifications', '--config', configFile, '--json', '--limit', '10000'], env);
    assert.is(list.code, 0, list.stderr);
    const entries = JSON.parse(list.stdout) as Delivery[];
    await eventually(
      async () => {
        const states = (
          JSON.parse((await cli(['notifications', '--config', configFile, '--json', '--limit', '10000'], env)).stdout) as Delivery[]
        ).map((e) => e.state);
        assert.ok(
          states.every((s) => s === 'sent' || s === 'in-doubt'),
          `settled: ${[...new Set(states)].join(', ')}`,
        );
      },
      20_000,
      250,
    );
    last.child.kill('SIGTERM');
    assert.is(await last.exit, 0, 'stops cleanly on SIGTERM');
    const finalLedger = new SqliteLedger(join(dataDir, 'notifications.sqlite'));
    const settled = await finalLedger.recent(100_000);
    await finalLedger.close();

    assert.is(entries.length, wanted.alice.length * 2 + wanted.bob.length, 'one ledger entry per signal, subscriber and channel');
    for (const who of ['alice', 'bob'] as const) {
      const requests = server.requests.filter((r) => r.path === `/hook/${who}`);
      const firstKey = new Map<string, string>();
      for (const request of requests) {
        for (const id of idsIn(request)) {
          const key = String(request.headers['idempotency-key']);
          const seen = firstKey.get(id);
          assert.ok(seen === undefined || seen === key, `${who}: a repeat of ${id} carries the first send's Idempotency-Key`);
          firstKey.set(id, key);
        }
      }
      // A repeat is a send begun again after one that was cut short (by a kill, or a timeout under
      // load): the ledger counts every send begun, so its entries' attempts beyond the first bound them.
      const repeats = hookIds(who).length - new Set(hookIds(who)).size;
      const cutShort = settled
        .filter((e) => e.subscriber === who && e.channel.startsWith('webhook'))
        .reduce((sum, e) => sum + e.attempts - 1, 0);
      const byKills = [...cutByKills].filter((claim) => claim.split('|')[1] === who).length;
      assert.ok(cutShort >= byKills, `${who}: each send a kill cut short was begun again (${cutShort} >= ${byKills})`);
      assert.ok(repeats <= cutShort, `${who}: ${repeats} repeats, no more than the ${cutShort} sends cut short (${byKills} by the kills)`);
      console.log(`  ${who}: ${repeats} webhook repeats for ${cutShort} sends cut short (${byKills} by the 4 kills)`);
    }
    const sms = server.requests.filter((r) => r.path.endsWith('/Messages.json'));
    const tokens = sms.map((r) => String(r.headers['i-twilio-idempotency-token']));
    assert.is(new Set(tokens).size, tokens.length, 'no SMS sent twice');
    const smsEntries = entries.filter((e) => e.channel === 'sms');
    for (const entry of smsEntries.filter((e) => e.state === 'sent'))
      assert.ok(tokens.includes(entry.messageId!), 'each SMS recorded as sent was received');
    assert.ok(!logs.includes('sms-secret-token'), 'the SMS token is never logged');

    const table = await cli(['notifications', '--config', configFile, '--limit', '3'], env);
    assert.is(table.code, 0);
    assert.match(table.stdout, /^updated\s+state\s+channel\s+subscriber\s+signal\s+tries\s+detail/);
    assert.is(table.stdout.trim().split('\n').length, 1 + 3 + 2);

    const sent = server.requests.length;
    const probe = await cli(['notify', '--config', configFile, '--test', 'webhook:hook', '--subscriber', 'bob'], env);
    assert.is(probe.code, 0, probe.stderr);
    assert.match(probe.stdout, /webhook:hook -> bob: sent \(HTTP 201\)/);
    assert.is(server.requests.length, sent + 1);
    assert.match(server.requests.at(-1)!.body, /a test message/);
    const unknown = await cli(['notify', '--config', configFile, '--test', 'email'], env);
    assert.is(unknown.code, 2);
  } finally {
    await bus.close();
    await server.close();
  }
}

// Several seeds: the kills land at other moments in each.
for (const seed of [909, 31]) {
  test(`SIGKILL mid-stream and restart (seed ${seed}): each subscriber gets each signal once per channel`, () => killAndRestart(seed));
}

test('bad notify configuration is a one-line error naming the key; secrets in the file are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'notify-config-'));
  const file = join(dir, 'c.yaml');
  writeFileSync(file, 'notify:\n  subscribers:\n    - { name: a, channels: [sms], phone: "+4915100000001" }\n');
  const missing = await cli(['notify', '--config', file, '--test', 'sms'], { STOCK_STREAM_DATA_DIR: dir });
  assert.is(missing.code, 78);
  assert.match(missing.stderr, /notify\.sms\.accountSid: must be set/);
  writeFileSync(file, 'notify:\n  email:\n    password: hunter2\n');
  const secret = await cli(['config', '--config', file], {});
  assert.is(secret.code, 78);
  assert.match(
    secret.stderr,
    /notify\.email\.password: secrets are not accepted in the config file; set SMTP_PASSWORD or SMTP_PASSWORD_FILE/,
  );
  const shown = await cli(['config'], { SMTP_PASSWORD: 'hunter2' });
  assert.ok(!shown.stdout.includes('hunter2'), 'redacted in stock-stream config');
});

test('notify --test dashboard publishes on the notifications topic, where every web role reads it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'notify-dashboard-'));
  const file = join(dir, 'c.yaml');
  writeFileSync(file, 'notify:\n  subscribers:\n    - { name: carol, channels: [dashboard] }\n');
  const env = { STOCK_STREAM_DATA_DIR: dir };
  const sent = await cli(['notify', '--config', file, '--test', 'dashboard'], env);
  assert.is(sent.code, 0, sent.stderr);
  assert.match(sent.stdout, /^dashboard -> carol: sent \(published\)$/m);
  const tail = await cli(['tail', 'notifications', '--from-beginning', '--max', '1', '--value-only', '--config', file], env);
  assert.is(tail.code, 0, tail.stderr);
  const record = JSON.parse(tail.stdout) as { type: string; subscriber: string; id: string; signals: Array<{ rule: string }> };
  assert.is(record.type, 'notification');
  assert.is(record.subscriber, 'carol');
  assert.match(record.id, /^ss-test-\d+-carol$/);
  assert.is(record.signals[0]?.rule, 'test');
});

test.run();
