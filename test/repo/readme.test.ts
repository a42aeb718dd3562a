// The README, CI script and docs say what the code does: the same commands, packages and settings.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../platform/config/load.js';
import { ConfigSchema, ENV_OVERRIDES } from '../../platform/config/schema.js';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

test('.ci/run runs exactly the README test command, after the packages the README names', () => {
  const readme = read('README.md');
  const ci = read('.ci/run');
  assert.match(readme, /Install and run the whole test suite[^\n]*\n\n```\nnpm ci && npm test\n```/);
  assert.match(readme, /three-node Kafka cluster test[^`]*\n\n```\nnpm run test:cluster\n```/);
  // ... and `npm test` (so CI) ends with that cluster phase.
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  assert.ok(scripts.test!.endsWith('node --import tsx test/run.ts && node --import tsx test/run.ts --cluster'), scripts.test);
  const commands = ci
    .trim()
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'));
  assert.equal(commands.at(-1), 'npm ci && npm test');
  const ciPackages = /SYSTEM_PACKAGES="([^"]+)"/
    .exec(ci)![1]!
    .split(' ')
    .map((pair) => pair.split(':')[1]);
  const readmePackages = /sudo apt-get install (.+)\n/.exec(readme)![1]!.split(' ');
  assert.equal(ciPackages, readmePackages);
});

test('docs/configuration.md documents every key and every environment variable', () => {
  const doc = read('docs/configuration.md');
  for (const { env, path } of ENV_OVERRIDES) {
    assert.ok(doc.includes(`\`${env}\``), `${env} is documented`);
    assert.ok(doc.includes(`\`${path}\``), `${path} is documented`);
  }
  for (const key of Object.keys(ConfigSchema.shape)) assert.ok(doc.includes(`\`${key}`), `${key} is documented`);
});

test('docs/signals.md: its example configuration and the default strategy it shows are what the schema takes', () => {
  const doc = read('docs/signals.md');
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length >= 2);
  for (const block of blocks) {
    const config = loadConfig({ env: { STOCK_STREAM_CONFIG: '/c.yaml' }, readFile: () => block });
    assert.ok(config.strategy.entry.length > 0);
  }
  const shownDefault = loadConfig({ env: { STOCK_STREAM_CONFIG: '/c.yaml' }, readFile: () => blocks[0]! }).strategy;
  assert.equal(shownDefault, loadConfig({ env: {}, exists: () => false }).strategy, 'the default shown is the default');
});

test('README: the Raspberry Pi steps in order, with install.sh options that exist and the unit that exists', () => {
  const readme = read('README.md');
  for (const heading of ['## Quick start', '## On a Raspberry Pi (one process)', '## On a k3s cluster of Raspberry Pis']) {
    assert.ok(readme.includes(`\n${heading}\n`), heading);
  }
  const pi = readme.split('\n## On a Raspberry Pi (one process)\n')[1]!.split('\n## ')[0]!;
  // Numbered steps, each saying its part: Node.js, the clone, the script, the config, status, the dashboard, upgrade, uninstall.
  const items = pi.split(/^\d+\. /m).slice(1);
  const steps = [
    ['Node.js 20'],
    ['git clone', 'npm ci'],
    ['sudo firmware-config/install.sh'],
    ['/etc/stock-stream/config.yaml'],
    ['systemctl status'],
    [':8080/'],
    ['Upgrade'],
    ['Uninstall'],
  ];
  assert.is(items.length, steps.length, 'eight steps');
  steps.forEach((words, i) => {
    for (const word of words) assert.ok(items[i]!.includes(word), `step ${i + 1} mentions ${word}`);
  });

  const help = spawnSync('bash', [join(root, 'firmware-config', 'install.sh'), '--help'], { encoding: 'utf8' }).stdout;
  for (const text of [readme, read('docs/appliance.md'), read('firmware-config/README.md')]) {
    for (const [, options] of text.matchAll(/install\.sh((?: --[a-z-]+(?: [^\s`-][^\s`]*)?)+)/g)) {
      for (const [option] of options!.matchAll(/--[a-z-]+/g)) assert.ok(help.includes(option), `install.sh ${option} exists`);
    }
    for (const [, unit] of text.matchAll(/systemctl (?:status|restart) ([a-z-]+)/g)) {
      assert.ok(existsSync(join(root, 'firmware-config', 'systemd', `${unit}.service`)), `${unit}.service exists`);
    }
  }
});

test.run();
