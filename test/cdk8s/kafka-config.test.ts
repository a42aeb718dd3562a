// The brokers' settings as the apache/kafka image turns them into server.properties, checked by the real Kafka 4.1.1 storage tool.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KAFKA_BROKER_USER, KAFKA_JAAS_FILE } from '../../cdk8s/kafka.js';
import { kafkaPropertiesFromEnv, podSpec, synth } from '../support/manifests.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

/** Formats one pod's log dir as the image's launch script does (`format --cluster-id=ID`, no --standalone). */
async function format(nodes: number, ordinal: number, nodeId = String(ordinal)) {
  const libs = (await run('bash', [join(root, 'test', 'services', 'kafka', 'fetch-kafka.sh')])).stdout.trim();
  const s = synth({ nodes });
  const container = podSpec(s.get('StatefulSet', 'kafka')).containers[0];
  const dir = mkdtempSync(join(tmpdir(), 'kraft-format-'));
  const lines = kafkaPropertiesFromEnv(container.env, { POD_NAME: `kafka-${ordinal}`, KAFKA_NODE_ID: nodeId })
    // Only the data folder moves to this machine; every other setting is the manifest's.
    .map((line) => (line.startsWith('log.dirs=') ? `log.dirs=${join(dir, 'data')}` : line));
  writeFileSync(join(dir, 'server.properties'), `${lines.join('\n')}\n`);
  const clusterId = container.env.find((v: { name: string }) => v.name === 'CLUSTER_ID').value as string;
  const result = await run('java', [
    '-Xmx128m',
    '-cp',
    `${libs}/*`,
    'kafka.tools.StorageTool',
    'format',
    `--cluster-id=${clusterId}`,
    '-c',
    join(dir, 'server.properties'),
  ]).then(
    (ok) => ({ ok: true, output: ok.stdout + ok.stderr }),
    (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
  );
  return { ...result, dir, clusterId, lines };
}

test('the 3-node KRaft settings of each pod are accepted by Kafka 4.1.1 and format its log dir with its own node id', async () => {
  const formatted = await format(3, 2);
  assert.ok(formatted.ok, formatted.output);
  const meta = readFileSync(join(formatted.dir, 'data', 'meta.properties'), 'utf8');
  assert.match(meta, /node\.id=2/);
  assert.match(meta, new RegExp(`cluster\\.id=${formatted.clusterId}`));
  assert.ok(formatted.lines.includes('process.roles=broker,controller'));
  assert.ok(formatted.lines.some((line) => line.startsWith('advertised.listeners=CLIENT://kafka-2.kafka-headless.')));
});

test('the 1-node settings format too; a node id outside the voters is refused (the check has teeth)', async () => {
  const single = await format(1, 0);
  assert.ok(single.ok, single.output);
  const stray = await format(3, 1, '7');
  assert.not.ok(stray.ok, 'node 7 is not a voter');
  assert.match(stray.output, /voters|controller\.quorum/i);
});

/**
 * Runs the brokers' init container script as the pod would, with the image's kafka-storage.sh being
 * the same StorageTool from the test jars, its paths moved into a temporary folder.
 */
async function runInit(passwords: { broker: string; app: string }) {
  const libs = (await run('bash', [join(root, 'test', 'services', 'kafka', 'fetch-kafka.sh')])).stdout.trim();
  const s = synth({ nodes: 3 });
  const init = podSpec(s.get('StatefulSet', 'kafka')).initContainers[0];
  const dir = mkdtempSync(join(tmpdir(), 'kafka-init-'));
  const tool = join(dir, 'kafka-storage.sh');
  writeFileSync(tool, `#!/bin/bash\nexec java -Xmx128m -cp '${libs}/*' kafka.tools.StorageTool "$@"\n`, { mode: 0o755 });
  const script = (init.command[2] as string)
    .replaceAll('/opt/kafka/bin/kafka-storage.sh', tool)
    .replaceAll(KAFKA_JAAS_FILE, join(dir, 'jaas.conf'))
    .replaceAll('/tmp/format.properties', join(dir, 'format.properties'));
  const fromPod: Record<string, string> = {
    POD_NAME: 'kafka-1',
    KAFKA_NODE_ID: '1',
    KAFKA_BROKER_PASSWORD: passwords.broker,
    KAFKA_SASL_PASSWORD: passwords.app,
  };
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
  for (const variable of init.env as Array<{ name: string; value?: string }>) {
    env[variable.name] = (variable.value ?? fromPod[variable.name] ?? '').replace(/\$\(([A-Z_]+)\)/g, (_, name: string) => env[name] ?? '');
  }
  env.KAFKA_LOG_DIRS = join(dir, 'data');
  const result = await run('bash', ['-c', script], { env }).then(
    (ok) => ({ ok: true, output: ok.stdout + ok.stderr }),
    (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
  );
  return { ...result, dir };
}

test("the init container formats a broker with its SCRAM users (Kafka 4.1.1 tool) and writes the brokers' own login", async () => {
  const formatted = await runInit({ broker: 'broker-pw-1a', app: 'app-pw-2b' });
  assert.ok(formatted.ok, formatted.output);
  assert.match(readFileSync(join(formatted.dir, 'data', 'meta.properties'), 'utf8'), /node\.id=1/);
  // The users are records of the cluster's first metadata (salted: the passwords are not in it).
  const bootstrap = readFileSync(join(formatted.dir, 'data', 'bootstrap.checkpoint'));
  assert.ok(bootstrap.includes(KAFKA_BROKER_USER) && bootstrap.includes('stock-stream'), 'both users are in the bootstrap records');
  assert.not.ok(bootstrap.includes('app-pw-2b'), 'no password in clear');
  const jaas = readFileSync(join(formatted.dir, 'jaas.conf'), 'utf8');
  assert.match(jaas, /^KafkaServer \{\n {2}org\.apache\.kafka\.common\.security\.scram\.ScramLoginModule required\n/);
  assert.match(jaas, new RegExp(`username="${KAFKA_BROKER_USER}"\\n {2}password="broker-pw-1a";\\n\\};`));
});

test('the init container refuses a password SCRAM or JAAS could not carry, naming the Secret key', async () => {
  const refused = await runInit({ broker: 'ok-pw', app: 'has"quote' });
  assert.not.ok(refused.ok);
  assert.match(refused.output, /secret stock-stream-secrets: kafka-sasl-password must be letters, digits/);
});

test.run();
