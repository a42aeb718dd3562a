// The image's Dockerfile, read as buildx would: stages, bases, user. (No Docker engine here to build it.)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { APP_UID } from '../../cdk8s/role-deployment.js';
import { podSpec, synth } from '../support/manifests.js';

const root = join(import.meta.dirname, '..', '..');

interface Instruction {
  readonly op: string;
  readonly args: string;
}
interface Stage {
  readonly base: string;
  readonly name: string | undefined;
  readonly platform: string | undefined;
  readonly instructions: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped; ARGs before the first FROM resolved. */
function parseDockerfile(text: string): { globals: Map<string, string>; stages: Stage[] } {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const globals = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = op.toUpperCase();
    if (upper === 'FROM') {
      const match = /^(?:--platform=(\S+)\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      assert.ok(match, `FROM ${args}`);
      const base = match[2]!.replace(/\$\{?(\w+)\}?/g, (_, name: string) => globals.get(name) ?? `$${name}`);
      stages.push({ base, name: match[3], platform: match[1], instructions: [] });
    } else if (stages.length === 0 && upper === 'ARG') {
      const [name, value = ''] = args.split('=');
      globals.set(name!, value);
    } else {
      stages.at(-1)?.instructions.push({ op: upper, args });
    }
  }
  return { globals, stages };
}

const dockerfile = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const { stages } = dockerfile;
const runtime = stages.at(-1)!;
const runs = (stage: Stage) =>
  stage.instructions
    .filter((i) => i.op === 'RUN')
    .map((i) => i.args)
    .join('\n');

test('multi-stage, every base pinned to node:20 bookworm-slim by version', () => {
  assert.ok(stages.length >= 3, 'compile, dependencies, runtime');
  for (const stage of stages) {
    assert.match(stage.base, /^node:20\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/, `${stage.name}: ${stage.base}`);
  }
  const names = new Set(stages.map((s) => s.name));
  for (const stage of stages) {
    for (const copy of stage.instructions.filter((i) => i.op === 'COPY' && i.args.includes('--from='))) {
      assert.ok(names.has(/--from=(\S+)/.exec(copy.args)![1]), `COPY ${copy.args} names a stage`);
    }
  }
});

test('the runtime stage runs as the non-root user the manifests name, without compilers or npm', () => {
  const users = runtime.instructions.filter((i) => i.op === 'USER');
  assert.ok(users.length > 0, 'a USER in the final stage');
  const user = users.at(-1)!.args;
  assert.not.match(user, /^(root|0)(:|$)/);
  assert.is(Number(user.split(':')[0]), APP_UID);
  for (const pod of synth({}).all('Deployment').map(podSpec)) assert.is(pod.securityContext.runAsUser, APP_UID);
  assert.not.match(runs(runtime), /apt-get install|g\+\+|make|npm ci|npm install/);
  assert.match(runs(runtime), /chmod a-s/, 'no setuid binaries (the edge pod may run privileged)');
  const entry = runtime.instructions.find((i) => i.op === 'ENTRYPOINT')!;
  assert.equal(JSON.parse(entry.args), ['node', '/app/bin/stock-stream.js'], 'the role comes as the argument');
  assert.ok(existsSync(join(root, 'bin', 'stock-stream.js')));
});

test('native addons are built in a stage of the target platform; TypeScript once on the build platform; production deps only', () => {
  const compile = stages.find((s) => /npm run build/.test(runs(s)))!;
  assert.is(compile.platform, '$BUILDPLATFORM', 'JavaScript is the same for every platform');
  const deps = stages.find((s) => /better-sqlite3/.test(runs(s)))!;
  assert.is(deps.platform, undefined, 'runs as TARGETPLATFORM, so the addon matches the Pi');
  assert.match(runs(deps), /npm ci --omit=dev --ignore-scripts/);
  assert.match(runs(deps), /npm rebuild better-sqlite3/);
  const copied = runtime.instructions.filter((i) => i.op === 'COPY').map((i) => i.args);
  assert.ok(copied.some((c) => c.startsWith(`--from=${deps.name} `) && c.includes('node_modules')));
  assert.ok(copied.some((c) => c.startsWith(`--from=${compile.name} `) && c.includes('dist')));
  // Everything the compile stage copies exists, and the build config compiles nothing else.
  const build = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
  const sources = compile.instructions.filter((i) => i.op === 'COPY').map((i) => i.args.split(/\s+/)[0]!);
  for (const folder of build.include) assert.ok(sources.includes(folder), `the compile stage copies ${folder}/`);
  for (const source of sources) assert.ok(existsSync(join(root, source)), source);
});

test('.dockerignore keeps local builds, dependencies, data, git and secrets out of the build context', () => {
  const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  for (const entry of ['node_modules', 'dist', 'data', '.git', '.env', '*.pem', '*.key']) assert.ok(ignored.includes(entry), entry);
  // Nothing the Dockerfile copies may be ignored.
  const copied = stages.flatMap((s) =>
    s.instructions.filter((i) => i.op === 'COPY' && !i.args.includes('--from=')).flatMap((i) => i.args.split(/\s+/).slice(0, -1)),
  );
  for (const path of copied) assert.not.ok(ignored.includes(path), `${path} is copied, so not ignored`);
});

test.run();
