// The bridge's connection on brokers of its own: a broker restart (reconnect with backoff, then
// availability, discovery and state published again, the signal event kept meanwhile sent), and
// mqtts:// with a private CA, a client certificate and a password; wrong credentials are reported.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startMosquitto } from '../services/mosquitto.js';
import { cli } from '../support/cli.js';
import { edgeWithMqtt, feed } from '../support/edge-mqtt.js';
import { watch } from '../support/mqtt-watch.js';
import { makeCertificates } from '../support/tls-certs.js';
import { eventually } from '../support/wait.js';

test('a broker restart: unhealthy while down, then reconnected with everything published again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mqtt-restart-'));
  const broker = await startMosquitto(dir);
  const edge = await edgeWithMqtt({ url: broker.url, dir });
  try {
    await feed(edge.bus, Date.now(), 100_000);
    await broker.stop();
    await eventually(() => assert.not.ok(edge.bridge.health().ok));
    assert.match(edge.bridge.health().detail, /^not connected to mqtt:\/\/127\.0\.0\.1:\d+/);
    // While the broker is away: a new price and a signal (its event waits in a small bounded queue).
    await feed(edge.bus, Date.now(), 100_500, { id: 'offline-sell', side: 'sell' });
    await eventually(() => assert.is(edge.role.state().symbols[0]!.price, 100_500));
    await broker.start();
    await eventually(() => assert.ok(edge.bridge.health().ok), 20_000);
    // The restarted broker kept nothing (persistence off): all that is retained was published again.
    const watcher = await watch(broker.url, ['#']);
    await eventually(() => {
      assert.is(watcher.last(`${edge.base}/status`)?.payload, 'online');
      assert.is(watcher.last(`${edge.base}/BTC-USD/price`)?.payload, '100500');
      assert.is(JSON.parse(watcher.last(`${edge.base}/BTC-USD/signal`)?.payload ?? '{}').id, 'offline-sell');
      assert.is(watcher.seen.filter((seen) => seen.topic.startsWith(`${edge.prefix}/`)).length, 12);
    });
    await watcher.close();
    const metrics = await edge.registry.metrics();
    assert.match(metrics, /stock_stream_mqtt_published_total\{kind="event"\} 1/, 'the event kept while offline was sent');
    assert.match(metrics, /stock_stream_mqtt_events_dropped_total 0/);
  } finally {
    await edge.stop();
    await broker.stop();
  }
});

test('mqtts:// with a private CA, a client certificate and a password', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mqtt-tls-'));
  const certs = makeCertificates(dir);
  const passwords = join(dir, 'passwords');
  execFileSync('mosquitto_passwd', ['-b', '-c', passwords, 'edge', 'edge-password']);
  // Started as root, mosquitto drops to its own user: it must be able to read these.
  for (const [path, mode] of [
    [dir, 0o755],
    [passwords, 0o644],
    [certs.serverKey, 0o644],
  ] as const)
    chmodSync(path, mode);
  const probe = {
    ca: readFileSync(certs.ca),
    cert: readFileSync(certs.clientCert),
    key: readFileSync(certs.clientKey),
    username: 'edge',
    password: 'edge-password',
  };
  const broker = await startMosquitto(dir, {
    scheme: 'mqtts',
    listenerLines: [
      `cafile ${certs.ca}`,
      `certfile ${certs.serverCert}`,
      `keyfile ${certs.serverKey}`,
      'require_certificate true',
      'allow_anonymous false',
      `password_file ${passwords}`,
    ],
    probe,
  });
  const tls = { caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey, username: 'edge' };
  const edge = await edgeWithMqtt({ url: broker.url, dir, mqtt: { ...tls, password: 'edge-password' } });
  try {
    const watcher = await watch(broker.url, [`${edge.base}/#`], probe);
    await eventually(() => assert.is(watcher.last(`${edge.base}/status`)?.payload, 'online'));
    await watcher.close();
    assert.match(edge.bridge.health().detail, /^connected to mqtts:\/\/127\.0\.0\.1/);

    // Each its own bus (a fresh directory): one edge at a time consumes a group on a data directory.
    const wrongPassword = await edgeWithMqtt({
      url: broker.url,
      connected: false,
      mqtt: { ...tls, password: 'not-it', clientId: 'wrong-password' },
    });
    await eventually(() =>
      assert.match(wrongPassword.bridge.health().detail, /not connected .*(Not authorized|Bad username or password)/i),
    );
    await wrongPassword.stop();

    const otherCa = makeCertificates(dir, 'other');
    const wrongCa = await edgeWithMqtt({
      url: broker.url,
      connected: false,
      mqtt: { ...tls, caFile: otherCa.ca, password: 'edge-password', clientId: 'wrong-ca' },
    });
    await eventually(() => assert.match(wrongCa.bridge.health().detail, /not connected .*certificate/i));
    await wrongCa.stop();

    // `stock-stream check` presents the same credentials and TLS files as the bridge.
    const configFile = join(dir, 'check.yaml');
    writeFileSync(
      configFile,
      `mqtt:\n  caFile: ${certs.ca}\n  certFile: ${certs.clientCert}\n  keyFile: ${certs.clientKey}\n  username: edge\n`,
    );
    const checkEnv = {
      STOCK_STREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'mqtt-check-')),
      MQTT_URL: broker.url,
      MQTT_PASSWORD: 'edge-password',
    };
    const check = await cli(['check', '--config', configFile], checkEnv);
    assert.is(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /mqtt.*accepted the connection/);
    const refused = await cli(['check', '--config', configFile], { ...checkEnv, MQTT_PASSWORD: 'not-it' });
    assert.is(refused.code, 1);
    assert.match(refused.stdout + refused.stderr, /mqtt.*cannot connect/);

    const error = await edgeWithMqtt({ url: broker.url, connected: false, mqtt: { ...tls, caFile: join(dir, 'missing.pem') } }).catch(
      (caught: Error) => caught,
    );
    assert.instance(error, Error);
    assert.match((error as Error).message, /^mqtt\.caFile: cannot read .*missing\.pem \(ENOENT\)$/);
  } finally {
    await edge.stop();
    await broker.stop();
  }
});

test.run();
