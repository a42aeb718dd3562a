// The brokers' settings as the apache/kafka image turns them into server.properties, checked by the real Kafka 4.1.1 storage tool.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
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
  assert.ok(formatted.lines.some((line) => line.startsWith('advertised.listeners=PLAINTEXT://kafka-2.kafka-headless.')));
});

test('the 1-node settings format too; a node id outside the voters is refused (the check has teeth)', async () => {
  const single = await format(1, 0);
  assert.ok(single.ok, single.output);
  const stray = await format(3, 1, '7');
  assert.not.ok(stray.ok, 'node 7 is not a voter');
  assert.match(stray.output, /voters|controller\.quorum/i);
});

test.run();
