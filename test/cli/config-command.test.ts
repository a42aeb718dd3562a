// `stock-stream config` says on its first stderr line which file it read, and stdout stays pure JSON.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SYSTEM_CONFIG_FILE } from '../../platform/config/load.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'stock-stream.js');

function config(cwd: string, env: Record<string, string>, ...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, 'config', ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  return { code: run.status, stdout: run.stdout, firstLine: run.stderr.split('\n')[0] };
}

test('it names the file it read: ./stock-stream.yaml, ~/.config, --config', () => {
  const base = mkdtempSync(join(tmpdir(), 'config-command-'));
  const cwd = join(base, 'work');
  const home = join(base, 'home');
  mkdirSync(join(home, '.config', 'stock-stream'), { recursive: true });
  mkdirSync(cwd);
  writeFileSync(join(home, '.config', 'stock-stream', 'config.yaml'), 'http:\n  port: 9001\n');
  const fromHome = config(cwd, { HOME: home });
  assert.is(fromHome.code, 0);
  assert.is(fromHome.firstLine, `configuration file: ${join(home, '.config', 'stock-stream', 'config.yaml')}`);
  assert.is((JSON.parse(fromHome.stdout) as { http: { port: number } }).http.port, 9001, 'stdout is the JSON alone');

  writeFileSync(join(cwd, 'stock-stream.yaml'), 'http:\n  port: 9002\n');
  const fromCwd = config(cwd, { HOME: home });
  assert.is(fromCwd.firstLine, `configuration file: ${join(cwd, 'stock-stream.yaml')}`);
  assert.is((JSON.parse(fromCwd.stdout) as { http: { port: number } }).http.port, 9002);

  const named = join(base, 'named.yaml');
  writeFileSync(named, 'http:\n  port: 9003\n');
  assert.is(config(cwd, { HOME: home }, '--config', named).firstLine, `configuration file: ${named}`);
});

test('without a file it says so, and still prints the defaults', () => {
  const empty = mkdtempSync(join(tmpdir(), 'config-command-empty-'));
  const run = config(empty, { HOME: empty });
  assert.is(run.code, 0);
  // The one default outside the temporary directories; this machine's own decides what is right.
  if (existsSync(SYSTEM_CONFIG_FILE)) assert.is(run.firstLine, `configuration file: ${SYSTEM_CONFIG_FILE}`);
  else assert.match(run.firstLine!, /^no configuration file; defaults and environment \(looked for .*stock-stream\.yaml, /);
  assert.ok(JSON.parse(run.stdout));
});

test('a password inside redis.url or mqtt.url never reaches stdout or stderr', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'config-command-url-'));
  writeFileSync(
    join(cwd, 'stock-stream.yaml'),
    'redis:\n  url: redis://:file-secret-1@127.0.0.1:6379\nmqtt:\n  url: mqtt://ha:file-secret-2@127.0.0.1:1883\n',
  );
  const run = spawnSync(process.execPath, [BIN, 'config'], { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd }, encoding: 'utf8' });
  assert.is(run.status, 0, run.stderr);
  assert.not.match(run.stdout + run.stderr, /file-secret/);
  const shown = JSON.parse(run.stdout) as { redis: { url: string }; mqtt: { url: string } };
  assert.is(shown.redis.url, 'redis://:***@127.0.0.1:6379');
  assert.is(shown.mqtt.url, 'mqtt://ha:***@127.0.0.1:1883');
});

test.run();
