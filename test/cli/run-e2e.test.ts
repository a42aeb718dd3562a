// End to end, one command: `stock-stream run --source replay:<file>` over a price path whose signals
// the core predicts. Every predicted signal reaches the signals topic once, and every configured
// channel delivers exactly those notifications, once each: email through a real SMTP exchange
// (STARTTLS, auth), a webhook over HTTP and the dashboard channel on the notifications topic of the
// embedded log (which the dashboard reads). The aggregate store counts the same buys and sells.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort } from '../services/child.js';
import { cli, startService } from '../support/cli.js';
import { decodeQuotedPrintable, startHttpReceiver, startSmtp } from '../support/notify-receivers.js';
import { expectedSignals, TEST_SETTINGS_YAML, tickPath } from '../support/ticks.js';
import { makeCertificates } from '../support/tls-certs.js';
import { eventually } from '../support/wait.js';

test('run over a replayed path: the predicted signals, once each on the bus, by email, by webhook and to the dashboard', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'run-e2e-'));
  const ticks = tickPath(1500, ['BTC-USD']);
  const all = expectedSignals(ticks).map((value) => JSON.parse(value) as { id: string; side: 'buy' | 'sell'; kind: string });
  const predicted = all.filter((signal) => signal.kind === 'recommendation');
  assert.ok(predicted.length >= 10, `${predicted.length} recommendations predicted`);
  assert.ok(all.length > predicted.length, 'and crossings that are not sent');
  const csv = join(dir, 'path.csv');
  writeFileSync(csv, `ts,price,volume\n${ticks.map((t) => `${t.ts},${t.price},${t.volume}`).join('\n')}\n`);

  const certs = makeCertificates(mkdtempSync(join(tmpdir(), 'e2e-certs-')), 'smtp');
  const smtp = await startSmtp({ cert: certs.serverCert, key: certs.serverKey, user: 'stock', password: 'mail pass' });
  const hooks = await startHttpReceiver();
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      TEST_SETTINGS_YAML,
      'symbols: [BTC-USD]',
      'notify:',
      `  email: { host: 127.0.0.1, port: ${smtp.port}, verifyCertificate: false, user: stock, from: "Stock Stream <ss@example.com>", ratePerMinute: 6000 }`,
      '  webhooks:',
      `    chat: { url: "${hooks.url}/chat", body: '{"text":"{{text}}"}', ratePerMinute: 6000 }`,
      '  subscribers:',
      '    - { name: alice, channels: [email, webhook:chat, dashboard], email: alice@example.com, minIntervalSeconds: 0, coalesceSeconds: 0 }',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const env = { STOCK_STREAM_DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', SMTP_PASSWORD: 'mail pass' };
  const service = await startService(['run', '--config', config, '--source', `replay:${csv}`, '--speed', '0'], env);
  try {
    await eventually(() => assert.match(service.stdout(), /source {5}replay of .*path\.csv at speed max/));
    const ids = predicted.map((s) => s.id).sort();
    const mailIds = () =>
      smtp.mails.flatMap((mail) => [...decodeQuotedPrintable(mail.raw).matchAll(/signal id: (\S+)/g)].map((m) => m[1]!));
    const hookIds = () =>
      hooks.requests.filter((r) => r.path === '/chat').flatMap((r) => [...r.body.matchAll(/signal id: ([^\s"\\]+)/g)].map((m) => m[1]!));
    await eventually(() => assert.equal([...new Set(mailIds())].sort(), ids, 'every predicted signal by email'), 90_000, 250);
    await eventually(() => assert.equal([...new Set(hookIds())].sort(), ids, 'every predicted signal by webhook'), 30_000, 250);
    assert.is(mailIds().length, ids.length, 'each email once');
    assert.is(hookIds().length, ids.length, 'each webhook once');
    assert.ok(smtp.mails.every((mail) => mail.secure && mail.user === 'stock' && mail.to.includes('alice@example.com')));

    // The dashboard channel: one record per recommendation on the notifications topic.
    await eventually(
      async () => {
        const shown = await cli(['tail', 'notifications', '--from-beginning', '--max', String(ids.length), '--value-only'], env);
        assert.is(shown.code, 0, shown.stderr);
        const notified = shown.stdout
          .trim()
          .split('\n')
          .flatMap((line) => [...(JSON.parse(line) as { text: string }).text.matchAll(/signal id: (\S+)/g)].map((m) => m[1]!));
        assert.equal(notified.sort(), ids, 'every predicted signal to the dashboard, once');
      },
      30_000,
      250,
    );

    // The topic holds the crossings too; only the recommendations were sent.
    const signals = await cli(['tail', 'signals', '--from-beginning', '--max', String(all.length), '--value-only'], env);
    assert.is(signals.code, 0, signals.stderr);
    assert.equal(
      signals.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { id: string }).id)
        .sort(),
      all.map((s) => s.id).sort(),
      'the signals topic holds exactly the predicted signals',
    );
    await eventually(
      async () => {
        const stats = await cli(['stats', '--symbol', 'BTC-USD', '--days', '3650', '--json'], env);
        assert.is(stats.code, 0, stats.stderr);
        const days = JSON.parse(stats.stdout) as Array<{ ticks: number; buys: number; sells: number }>;
        assert.is(
          days.reduce((sum, day) => sum + day.ticks, 0),
          ticks.length,
          'every tick counted once',
        );
        assert.is(
          days.reduce((sum, day) => sum + day.buys, 0),
          predicted.filter((s) => s.side === 'buy').length,
        );
        assert.is(
          days.reduce((sum, day) => sum + day.sells, 0),
          predicted.filter((s) => s.side === 'sell').length,
        );
      },
      30_000,
      250,
    );
  } finally {
    service.child.kill('SIGTERM');
    assert.is(await service.exit, 0, service.stderr().slice(-2000));
    await smtp.close();
    await hooks.close();
  }
});

test.run();
