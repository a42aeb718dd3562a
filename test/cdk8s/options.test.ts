// The options door: `npm run synth` with a JSON file and CDK8S_* variables, and every malformed input refused by name.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OptionsError, optionsFromEnv, resolveOptions } from '../../cdk8s/options.js';
import { synth } from '../support/manifests.js';

const root = join(import.meta.dirname, '..', '..');

function runSynth(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'cdk8s', 'main.ts')], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('npm run synth writes the chart that the options file and CDK8S_* variables describe', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'synth-'));
  const file = join(dir, 'options.json');
  writeFileSync(file, JSON.stringify({ nodes: 3, edge: { i2cGroupId: 994 }, redis: { storage: '5Gi' } }));
  const run = await runSynth({
    CDK8S_OUTDIR: dir,
    CDK8S_OPTIONS_FILE: file,
    CDK8S_INGRESS_HOST: 'stocks.lan',
    CDK8S_IMAGE: 'registry.lan:5000/stock-stream:1.2.3',
  });
  assert.is(run.code, 0, run.stderr);
  const written = readFileSync(join(dir, 'stock-stream.k8s.yaml'), 'utf8');
  const expected = synth({
    nodes: 3,
    edge: { i2cGroupId: 994 },
    redis: { storage: '5Gi' },
    ingress: { host: 'stocks.lan' },
    image: 'registry.lan:5000/stock-stream:1.2.3',
  }).yaml;
  assert.fixture(written, expected);
  assert.is(run.stdout.trim(), join(dir, 'stock-stream.k8s.yaml'));
});

test('npm run synth with a bad option exits 1 with one line naming it, and writes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'synth-'));
  const file = join(dir, 'options.json');
  writeFileSync(file, JSON.stringify({ nodes: 3, kafka: { replicas: 2 } }));
  const run = await runSynth({ CDK8S_OUTDIR: dir, CDK8S_OPTIONS_FILE: file });
  assert.is(run.code, 1);
  assert.match(run.stderr, /^synth: kafka\.replicas: 2 cannot form a KRaft quorum/);
  assert.is(run.stderr.trim().split('\n').length, 1);
  assert.not.ok(existsSync(join(dir, 'stock-stream.k8s.yaml')));
});

test('hostile options are refused with the option named: wrong types, NaN, out of range, unknown keys', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ nodes: 0 }, /^nodes: must be 1 to 5/],
    [{ nodes: 6 }, /^nodes: must be 1 to 5/],
    [{ nodes: Number.NaN }, /^nodes: /],
    [{ nodes: Infinity }, /^nodes: /],
    [{ nodes: '3' }, /^nodes: /],
    [{ nodes: 2.5 }, /^nodes: /],
    [{ nodez: 3 }, /^nodez: unknown option/],
    [{ kafka: { storage: '10GB' } }, /^kafka\.storage: must be a size like 10Gi/],
    [{ kafka: { heapMb: -1 } }, /^kafka\.heapMb: /],
    [{ kafka: { clusterId: '-starts-with-a-dash-xx' } }, /^kafka\.clusterId: /],
    [{ kafka: { external: ['not a host'] } }, /^kafka\.external\.0: must be host:port/],
    [{ kafka: { external: [] } }, /^kafka\.external: /],
    [{ redis: { external: 'http://redis:6379' } }, /^redis\.external: must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ namespace: 'Stock_Stream' }, /^namespace: must be a DNS label/],
    [{ replicas: { process: -1 } }, /^replicas\.process: /],
    [{ replicas: { ingest: 2 } }, /^replicas\.ingest: at most 1 \(two ingestors would publish every price twice\)/],
    [{ replicas: { edge: 2 } }, /^replicas\.edge: at most 1/],
    [{ replicas: { dashboard: 1 } }, /^replicas/],
    [{ roles: ['ingest', 'trader'] }, /^roles\.1: /],
    [{ roles: [] }, /^roles: /],
    [{ edge: { nodeLabel: 'no-equals-sign' } }, /^edge\.nodeLabel: must be key=value/],
    [{ edge: { deviceAccess: 'hostPath' } }, /^edge\.deviceAccess: /],
    [{ config: 'symbols: [BTC-USD]' }, /^config: /],
    [{ image: 'x'.repeat(100_000) }, /^image: must be pinned/],
  ];
  for (const [input, expected] of cases) {
    assert.throws(
      () => resolveOptions(input as never),
      (error: Error) => error instanceof OptionsError && expected.test(error.message),
      JSON.stringify(input).slice(0, 80),
    );
  }
});

test('the options file and variables: unreadable, not JSON, not an object, bad numbers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'synth-'));
  const write = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
  const fails = (env: Record<string, string>, expected: RegExp) =>
    assert.throws(
      () => optionsFromEnv(env),
      (error: Error) => error instanceof OptionsError && expected.test(error.message),
      JSON.stringify(env),
    );
  fails({ CDK8S_OPTIONS_FILE: join(dir, 'missing.json') }, /^CDK8S_OPTIONS_FILE: cannot read .*missing\.json \(ENOENT\)/);
  fails({ CDK8S_OPTIONS_FILE: write('bad.json', '{ nodes: 3') }, /^CDK8S_OPTIONS_FILE: .* is not valid JSON/);
  fails({ CDK8S_OPTIONS_FILE: write('list.json', '[1,2]') }, /must hold a JSON object of options/);
  fails({ CDK8S_OPTIONS_FILE: write('null.json', 'null') }, /must hold a JSON object of options/);
  fails({ CDK8S_NODES: 'three' }, /^CDK8S_NODES: must be a whole number of Pis \(1 to 5\), got "three"/);
  fails({ CDK8S_NODES: '9' }, /^nodes: must be 1 to 5/);
  fails({ CDK8S_KAFKA_BROKERS: 'a:1,b' }, /^kafka\.external\.1: must be host:port/);
  // The variables win over the file; blank ones are ignored.
  const options = optionsFromEnv({
    CDK8S_OPTIONS_FILE: write('ok.json', '{"nodes": 1, "namespace": "a"}'),
    CDK8S_NODES: '4',
    CDK8S_NAMESPACE: ' ',
    CDK8S_REDIS_URL: 'redis://r:6379',
  });
  assert.is(options.nodes, 4);
  assert.is(options.namespace, 'a');
  assert.is(options.kafka.replicas, 3);
  assert.is(options.redis.external, 'redis://r:6379');
  assert.equal(optionsFromEnv({ CDK8S_KAFKA_BROKERS: ' k1:9092, k2:9092 ,' }).kafka.external, ['k1:9092', 'k2:9092']);
});

test.run();
