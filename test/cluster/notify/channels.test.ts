// The channels against real receivers: mail through an in-process SMTP server (STARTTLS with a
// self-signed certificate, auth), SMS and webhooks through a local HTTP server (Twilio's form and
// basic auth, templated bodies, 429 with Retry-After in both forms, 500s, silence). Hostile text
// in a signal's reason stays text in every format.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildChannel } from '../../../cluster/notify/channels/index.js';
import { DeliveryError, type Outgoing } from '../../../cluster/notify/channels/channel.js';
import { parseRetryAfter } from '../../../cluster/notify/channels/http.js';
import { composeMessage } from '../../../core/notify/message.js';
import type { Notice } from '../../../core/notify/notice.js';
import { notice } from '../../support/notices.js';
import { ConfigSchema } from '../../../platform/config/schema.js';
import { decodeQuotedPrintable, startHttpReceiver, startSmtp } from '../../support/notify-receivers.js';
import { makeCertificates } from '../../support/tls-certs.js';

const HOSTILE = '<script>alert(1)</script> **bold** [x](http://evil) "quote" & @everyone\r\nBcc: victim@example.com';

function outgoing(notices: Notice[], recipient: Partial<Outgoing['recipient']> = {}, timeZone = 'Europe/Berlin'): Outgoing {
  const vars = recipient.vars ?? {};
  return {
    message: composeMessage(notices, { subscriber: 'alice', timeZone, vars }),
    notices,
    messageId: 'ss-test-1',
    recipient: { subscriber: 'alice', email: 'alice@example.com', phone: '+4915112345678', vars, ...recipient },
  };
}

const notifyConfig = (notify: Record<string, unknown>) => ConfigSchema.parse({ notify }).notify;
const signal = () => AbortSignal.timeout(5000);

test('email: STARTTLS on a self-signed certificate, auth, text and HTML bodies in the subscriber zone, hostile reason escaped', async () => {
  const certs = makeCertificates(mkdtempSync(join(tmpdir(), 'smtp-certs-')), 'smtp');
  const smtp = await startSmtp({ cert: certs.serverCert, key: certs.serverKey, user: 'stock', password: 's3cret pass' });
  try {
    const config = notifyConfig({
      email: { host: '127.0.0.1', port: smtp.port, verifyCertificate: false, user: 'stock', from: 'Stock Stream <ss@example.com>' },
    });
    const withPassword = { ...config, email: { ...config.email, password: 's3cret pass' } };
    const { channel } = buildChannel('email', withPassword, undefined, {});
    const receipt = await channel.send(outgoing([notice({ reason: HOSTILE })]), signal());
    assert.match(receipt, /250/);
    assert.is(smtp.mails.length, 1);
    const mail = smtp.mails[0]!;
    assert.ok(mail.secure, 'the session was upgraded by STARTTLS before the mail');
    assert.is(mail.user, 'stock');
    assert.equal(mail.to, ['alice@example.com'], 'the injected Bcc line added no recipient');
    const raw = decodeQuotedPrintable(mail.raw);
    assert.match(mail.raw, /Message-ID: <ss-test-1@stock-stream>/i);
    assert.match(raw, /Subject: Stock Stream: BUY BTC-USD at 97000.50/);
    assert.match(raw, /time: 2026-11-27 09:15:02 CET/, 'the time in Europe/Berlin');
    assert.match(raw, /indicators \(1h candles\): RSI 28.40, SMA 96950.25/);
    assert.match(raw, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'the HTML body escapes the reason');
    assert.not.match(raw.slice(raw.indexOf('text/html')), /<script>alert/, 'nothing unescaped in the HTML part');
    assert.not.match(raw, /^Bcc:/m, 'no header injected');
    await channel.close?.();

    // A wrong password is refused by the server: retried later (the operator can fix it), not lost.
    const wrong = buildChannel('email', { ...config, email: { ...config.email, password: 'wrong' } }, undefined, {}).channel;
    const error = await wrong.send(outgoing([notice()]), signal()).catch((e: unknown) => e);
    assert.instance(error, DeliveryError);
    assert.is((error as DeliveryError).kind, 'retry');
    assert.ok(!(error as Error).message.includes('wrong'), 'the password is not in the error');
    assert.is(smtp.refusedLogins, 1);

    // STARTTLS required, certificate verified: the self-signed certificate is refused before any mail.
    const strict = buildChannel(
      'email',
      { ...withPassword, email: { ...withPassword.email, verifyCertificate: true } },
      undefined,
      {},
    ).channel;
    const refused = await strict.send(outgoing([notice()]), signal()).catch((e: unknown) => e);
    assert.instance(refused, DeliveryError);
    assert.is((refused as DeliveryError).kind, 'retry');
    assert.is(smtp.mails.length, 1);
  } finally {
    await smtp.close();
  }
});

test('sms: the Twilio Messages API shape (path, basic auth, form fields), 429 Retry-After, 500, 400, timeout', async () => {
  const server = await startHttpReceiver();
  try {
    const config = notifyConfig({ sms: { baseUrl: server.url, accountSid: 'AC123', from: '+15005550006' } });
    const { channel } = buildChannel('sms', { ...config, sms: { ...config.sms, authToken: 'tok-en' } }, undefined, {});
    assert.is(await channel.send(outgoing([notice({ reason: HOSTILE })]), signal()), 'SM1');
    const request = server.requests[0]!;
    assert.is(request.method, 'POST');
    assert.is(request.path, '/2010-04-01/Accounts/AC123/Messages.json');
    assert.is(request.headers.authorization, `Basic ${Buffer.from('AC123:tok-en').toString('base64')}`);
    assert.match(String(request.headers['content-type']), /application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(request.body);
    assert.is(form.get('To'), '+4915112345678');
    assert.is(form.get('From'), '+15005550006');
    assert.match(form.get('Body')!, /^Stock Stream: BUY BTC-USD at 97000.50, 09:15:02 CET\. <script>/);
    assert.not.match(form.get('Body')!, /[\r\n]/, 'control characters replaced');
    assert.equal([...form.keys()].sort(), ['Body', 'From', 'To'], 'the injected text added no field');

    const failWith = (status: number, headers: Record<string, string> = {}) => {
      server.respond = (_req, res) => {
        res.writeHead(status, headers);
        res.end('{"code":20429,"message":"Too Many Requests"}');
      };
    };
    failWith(429, { 'retry-after': '7' });
    let error = (await channel.send(outgoing([notice()]), signal()).catch((e: unknown) => e)) as DeliveryError;
    assert.is(error.kind, 'retry');
    assert.is(error.retryAfterMs, 7000);
    failWith(429, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() });
    error = (await channel.send(outgoing([notice()]), signal()).catch((e: unknown) => e)) as DeliveryError;
    assert.ok(error.retryAfterMs! > 25_000 && error.retryAfterMs! <= 30_000, `HTTP-date Retry-After: ${error.retryAfterMs}`);
    failWith(500);
    error = (await channel.send(outgoing([notice()]), signal()).catch((e: unknown) => e)) as DeliveryError;
    assert.is(error.kind, 'retry');
    failWith(400);
    error = (await channel.send(outgoing([notice()]), signal()).catch((e: unknown) => e)) as DeliveryError;
    assert.is(error.kind, 'permanent');
    server.respond = () => {}; // never answers
    error = (await channel.send(outgoing([notice()]), AbortSignal.timeout(200)).catch((e: unknown) => e)) as DeliveryError;
    assert.is(error.kind, 'ambiguous', 'a request that may have arrived is in doubt');
  } finally {
    await server.close();
  }
});

test('parseRetryAfter: seconds, HTTP-date, past dates, garbage', () => {
  const now = Date.UTC(2026, 10, 27, 8, 0, 0);
  assert.is(parseRetryAfter('120', now), 120_000);
  assert.is(parseRetryAfter('Fri, 27 Nov 2026 08:01:00 GMT', now), 60_000);
  assert.is(parseRetryAfter('Fri, 27 Nov 2026 07:00:00 GMT', now), 0);
  assert.is(parseRetryAfter('soon', now), undefined);
  assert.is(parseRetryAfter('-5', now), undefined);
  assert.is(parseRetryAfter(null, now), undefined);
  assert.is(parseRetryAfter('99999999999', now), 24 * 3600_000, 'capped at a day');
});

test('webhooks: JSON (Discord-like, markdown escaped), form (ntfy-like text), env references for tokens, idempotency key', async () => {
  const server = await startHttpReceiver();
  try {
    const config = notifyConfig({
      webhooks: {
        discord: {
          url: `${server.url}/api/webhooks/\${NOTIFY_DISCORD_TOKEN}`,
          body: '{"content":"**{{title}}**\\n{{reason}}","allowed_mentions":{"parse":[]}}',
          escape: 'markdown',
        },
        ntfy: {
          url: `${server.url}/{{vars.topic}}`,
          contentType: 'text/plain',
          body: '{{text}}',
          headers: { Title: '{{title}}', Authorization: 'Bearer ${NOTIFY_NTFY_TOKEN}' },
        },
        slack: { url: `${server.url}/slack`, body: '{"text":"{{title}}: {{reason}}"}', escape: 'slack' },
      },
    });
    const env = { NOTIFY_DISCORD_TOKEN: 'abc/def', NOTIFY_NTFY_TOKEN: 'tk_secret' };
    const hostile = notice({ reason: HOSTILE });
    await buildChannel('webhook:discord', config, undefined, env).channel.send(outgoing([hostile]), signal());
    const discord = server.requests[0]!;
    assert.is(discord.path, '/api/webhooks/abc/def');
    assert.is(discord.headers['idempotency-key'], 'ss-test-1');
    const body = JSON.parse(discord.body) as { content: string; allowed_mentions: unknown };
    assert.ok(body.content.includes('\\*\\*bold\\*\\*'), 'markdown neutralised');
    assert.ok(body.content.includes('@\u200beveryone'), 'mention defused');
    assert.ok(body.content.includes('\\[x\\]\\(http://evil\\)'), 'link syntax escaped');
    assert.equal(body.allowed_mentions, { parse: [] });

    await buildChannel('webhook:ntfy', config, undefined, env).channel.send(
      outgoing([hostile], { vars: { topic: 'btc alerts/../x' } }),
      signal(),
    );
    const ntfy = server.requests[1]!;
    assert.is(ntfy.path, '/btc%20alerts%2F..%2Fx', 'vars are URL-encoded in the URL');
    assert.is(ntfy.headers.authorization, 'Bearer tk_secret');
    assert.is(ntfy.headers.title, 'Stock Stream: BUY BTC-USD at 97000.50');
    assert.match(ntfy.body, /reason: <script>alert\(1\)<\/script>/, 'plain text stays as it is, control characters gone');

    await buildChannel('webhook:slack', config, undefined, env).channel.send(outgoing([hostile]), signal());
    const slack = JSON.parse(server.requests[2]!.body) as { text: string };
    assert.ok(slack.text.includes('&lt;script&gt;') && !slack.text.includes('<script>'), 'Slack control characters escaped');

    assert.throws(() => buildChannel('webhook:discord', config, undefined, {}), /NOTIFY_DISCORD_TOKEN\} is not set/);
    const leaky = notifyConfig({ webhooks: { x: { url: `${server.url}/\${HOME}` } } });
    assert.throws(() => buildChannel('webhook:x', leaky, undefined, { HOME: '/root' }), /only variables named NOTIFY_\*/);
  } finally {
    await server.close();
  }
});

test('config: unknown template placeholders, secrets in the file, webhook names and subscriber addresses are one-line errors', () => {
  assert.throws(
    () => notifyConfig({ webhooks: { a: { url: 'http://x/', body: '{{price}} {{password}}' } } }),
    /unknown placeholder \{\{password\}\}/,
  );
  assert.throws(() => notifyConfig({ subscribers: [{ name: 'a', channels: ['webhook:none'] }] }), /no webhook named none/);
  assert.throws(() => notifyConfig({ subscribers: [{ name: 'a', channels: ['email'] }] }), /needs an email address/);
  assert.throws(
    () => notifyConfig({ subscribers: [{ name: 'a', channels: ['sms'], phone: '+49151', timeZone: 'Mars/Olympus' }] }),
    /IANA time zone/,
  );
});

test.run();
