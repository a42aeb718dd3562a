// The real `stock-stream` executable, as a user runs it: help, errors and exit codes, tail and
// publish on both buses, dependency checks, and a clean stop on SIGINT.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { commands } from '../../cli/commands/index.js';
import { freePort } from '../services/child.js';
import { cli } from '../support/cli.js';
import { services } from '../support/services.js';

const oneLine = (text: string) => {
  assert.is(text.trim().split('\n').length, 1, `one line: ${text}`);
  assert.not.match(text, /^\s+at /m, 'no stack trace');
};

const help = suite('cli: help and bad input');

help('--help lists exactly the commands that exist, and each has its own help', async () => {
  const overview = await cli(['--help']);
  assert.is(overview.code, 0);
  const listed = [
    ...overview.stdout
      .split('Commands:\n')[1]!
      .split('\n\n')[0]!
      .matchAll(/^ {2}(\S+)/gm),
  ].map((m) => m[1]);
  assert.equal(
    listed,
    commands.map((command) => command.name),
  );
  for (const entry of commands) {
    const command = await entry.load();
    assert.is(command.name, entry.name, 'the index names the command its module exports');
    const own = await cli([command.name, '--help']);
    assert.is(own.code, 0, command.name);
    assert.match(
      own.stdout,
      new RegExp(`^Usage: stock-stream ${command.name}[^\\n]*\\n\\n${entry.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`),
    );
    for (const option of Object.keys(command.options)) assert.match(own.stdout, new RegExp(`--${option}\\b`));
  }
  assert.match((await cli(['--version'])).stdout, /^\d+\.\d+\.\d+\n$/);
});

help('unknown commands, options and arguments: one line, exit 2', async () => {
  for (const args of [
    ['bogus'],
    ['--bogus'],
    ['tail'],
    ['tail', 'x', '--nope'],
    ['tail', 'x', '--max', 'abc'],
    ['tail', 'x', '--max', '-1'],
    ['tail', 'a', 'b'],
    ['tail', '../../etc/passwd'],
    ['publish', 'x', '--key', 'a', '--key-field', 'b'],
  ]) {
    const run = await cli(args);
    assert.is(run.code, 2, args.join(' '));
    oneLine(run.stderr);
    assert.is(run.stdout, '');
  }
});

help('an invalid configuration: one line naming the key, exit 78', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-config-'));
  writeFileSync(join(dir, 'bad.yaml'), 'http:\n  port: 99999\n');
  writeFileSync(join(dir, 'broken.yaml'), 'http: {port: \n');
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['config'], { PORT: 'x' }, /^stock-stream config: configuration: PORT \(http\.port\): must be a number/],
    [['tail', 'ticks'], { KAFKA_BOOTSTRAP_SERVERS: 'nohost' }, /kafka\.brokers\.0: must be host:port/],
    [['config', '--config', join(dir, 'bad.yaml')], {}, /http\.port: .*65535/],
    [['config'], { STOCK_STREAM_CONFIG: join(dir, 'broken.yaml') }, /not valid YAML or JSON/],
    [['config'], { STOCK_STREAM_CONFIG: join(dir, 'missing.yaml') }, /cannot read it \(ENOENT\)/],
    [['config', '--log-level', 'loud'], {}, /--log-level must be one of/],
  ];
  for (const [args, env, pattern] of cases) {
    const run = await cli(args, env);
    assert.ok(run.code === 78 || (run.code === 2 && args.includes('--log-level')), `${args.join(' ')}: ${run.code} ${run.stderr}`);
    oneLine(run.stderr);
    assert.match(run.stderr, pattern);
  }
});

help('config prints the effective configuration with secrets redacted', async () => {
  const run = await cli(['config'], { MQTT_PASSWORD: 'hunter2-secret', KAFKA_TOPIC: 'btc.ticks' });
  assert.is(run.code, 0);
  const shown = JSON.parse(run.stdout) as { mqtt: { password: string }; topics: { ticks: string } };
  assert.is(shown.mqtt.password, '[redacted]');
  assert.is(shown.topics.ticks, 'btc.ticks');
  assert.not.match(run.stdout + run.stderr, /hunter2/);
});

help.run();

const buses = suite('cli: publish and tail on both buses');

async function busEnvs(): Promise<Array<[string, Record<string, string>]>> {
  const { kafka } = await services();
  return [
    ['embedded', { STOCK_STREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'cli-data-')) }],
    ['kafka', { KAFKA_BOOTSTRAP_SERVERS: kafka.brokers.join(','), KAFKA_TOPIC: `cli.ticks.${Date.now()}` }],
  ];
}

buses('publish reports bad lines and publishes the rest; tail prints them as JSON lines', async () => {
  for (const [name, env] of await busEnvs()) {
    const input = [
      '{"symbol":"BTC-USD","price":97000.5,"ts":1764200000000,"source":"manual"}',
      'this is not json',
      '',
      '{"symbol":"ETH-USD","price":3500,"ts":1764200001000,"source":"manual"}',
    ].join('\n');
    const published = await cli(['publish', 'ticks'], env, input);
    assert.is(published.code, 1, `${name}: a skipped line makes the exit code 1`);
    assert.match(published.stderr, /^line 2: not JSON/m);
    assert.match(published.stderr, /published 2 message\(s\) to .*, skipped 1 line\(s\)/);

    const tailed = await cli(['tail', 'ticks', '--from-beginning', '--max', '2'], env);
    assert.is(tailed.code, 0, `${name}: ${tailed.stderr}`);
    const lines = tailed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { key: string; value: { price: number }; topic: string });
    assert.is(lines.length, 2, name);
    const byKey = Object.fromEntries(lines.map((line) => [line.key, line]));
    assert.is(byKey['BTC-USD']?.value.price, 97000.5, name);
    assert.is(byKey['ETH-USD']?.value.price, 3500, name);
    assert.is(lines[0]!.topic, env.KAFKA_TOPIC ?? 'stock.ticks');

    const values = await cli(['tail', 'ticks', '--from-beginning', '--max', '1', '--value-only'], env);
    assert.match(values.stdout, /^\{"symbol":"(BTC|ETH)-USD"/, name);
  }
});

buses('tail stops cleanly on SIGINT (exit 0, before the 5 s deadline forces exit 1)', async () => {
  for (const [name, env] of await busEnvs()) {
    await cli(['publish', 'signals'], env, '{"x":1}\n');
    const run = await cli(['tail', 'signals'], env, undefined, (child) => {
      setTimeout(() => child.kill('SIGINT'), 2500);
    });
    assert.is(run.code, 0, `${name}: ${run.stderr}`);
    assert.is(run.stdout, '', `${name}: no message arrived after it started`);
  }
});

buses('tail of a topic that does not exist, or of a data directory with no log: one line, exit 1', async () => {
  for (const [name, env] of await busEnvs()) {
    await cli(['publish', 'ticks'], env, '{"x":1}\n');
    const run = await cli(['tail', 'no.such.topic', '--max', '1'], env);
    assert.is(run.code, 1, name);
    oneLine(run.stderr);
    assert.match(run.stderr, /topic no\.such\.topic does not exist/);
  }
  const empty = await cli(['tail', 'ticks'], { STOCK_STREAM_DATA_DIR: join(tmpdir(), 'surely-not-here') });
  assert.is(empty.code, 1);
  assert.match(empty.stderr, /no embedded log at .*surely-not-here/);
});

buses.run();

const deps = suite('cli: dependencies at start');

deps('unreachable Kafka: one line and exit 1 within the configured timeout', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-unreachable-'));
  writeFileSync(join(dir, 'c.yaml'), 'kafka:\n  connectTimeoutMs: 1500\n');
  const port = await freePort();
  const run = await cli(['tail', 'ticks', '--config', join(dir, 'c.yaml')], { KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${port}` });
  assert.is(run.code, 1);
  oneLine(
    run.stderr
      .split('\n')
      .filter((line) => !line.startsWith('{'))
      .join('\n'),
  );
  assert.match(run.stderr, new RegExp(`stock-stream tail: cannot reach Kafka at 127\\.0\\.0\\.1:${port}`));
});

deps('a port already taken: one line that says to set PORT, exit 1, for a role and for the dashboard', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    for (const role of ['process', 'web']) {
      const run = await cli([role], {
        STOCK_STREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'cli-port-')),
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'silent',
      });
      assert.is(run.code, 1, role);
      assert.is(run.stderr, `stock-stream ${role}: port ${port} is in use: set PORT to another\n`);
    }
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});

deps('check: every configured dependency answers, or says which does not', async () => {
  const { kafka, redis, mosquitto } = await services();
  const good = await cli(['check'], { KAFKA_BOOTSTRAP_SERVERS: kafka.brokers[0]!, REDIS_URL: redis.url, MQTT_URL: mosquitto.url });
  assert.is(good.code, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /^ok {4}kafka/m);
  assert.match(good.stdout, /^ok {4}redis .* answered PONG/m);
  assert.match(good.stdout, /^ok {4}mqtt /m);

  const closed = await freePort();
  const bad = await cli(['check'], {
    STOCK_STREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'cli-check-')),
    REDIS_URL: `redis://:pw-secret@127.0.0.1:${closed}`,
    MQTT_URL: `mqtt://127.0.0.1:${closed}`,
  });
  assert.is(bad.code, 1);
  assert.match(bad.stdout, /^ok {4}embedded log/m);
  assert.match(bad.stdout, /^FAIL {2}redis .*cannot reach redis:\/\/:\*\*\*@127\.0\.0\.1/m);
  assert.match(bad.stdout, /^FAIL {2}mqtt /m);
  assert.not.match(bad.stdout + bad.stderr, /pw-secret/);
});

deps.run();
