// The layer rule (lint/layers.js) rejects imports that run up the layers, and the project's lint
// configuration applies it to every TypeScript file, so `npm run lint` fails on a violation.
import { join } from 'node:path';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { layersPlugin } from '../../lint/layers.js';

const root = join(import.meta.dirname, '..', '..');

function problems(file: string, code: string): string[] {
  const linter = new Linter({ cwd: root });
  const config = [
    {
      files: ['**/*.ts'],
      plugins: { layers: layersPlugin },
      languageOptions: { parser: tseslint.parser as Linter.Parser },
      rules: { 'layers/imports': 'error' as const },
    },
  ];
  return linter.verify(code, config, { filename: join(root, file) }).map((message) => message.message);
}

test('core imports only core: no node: module, no package, no platform or role', () => {
  assert.equal(problems('core/pipeline.ts', "import { x } from './indicators/sma.js';"), []);
  assert.match(problems('core/pipeline.ts', "import { readFileSync } from 'node:fs';")[0] ?? '', /core must not import "node:fs"/);
  assert.match(problems('core/rules/rule.ts', "import { z } from 'zod';")[0] ?? '', /core must not import "zod"/);
  assert.match(
    problems('core/pipeline.ts', "import type { Bus } from '../platform/bus/bus.js';")[0] ?? '',
    /core must not import platform/,
  );
  assert.match(problems('core/edge/frame.ts', "export * from '../../edge/oled.js';")[0] ?? '', /core must not import edge/);
});

test('platform imports no role; a role imports no other role; the composition root imports all', () => {
  assert.match(
    problems('platform/bus/select.ts', "import { Processor } from '../../cluster/process/processor.js';")[0] ?? '',
    /platform must not import cluster\/process/,
  );
  assert.match(
    problems('web/server/app.ts', "import type { EdgePanel } from '../../edge/virtual-panel.js';")[0] ?? '',
    /web\/server must not import edge/,
  );
  assert.match(
    problems('cluster/notify/role.ts', "const m = await import('../ingest/ingestor.js');")[0] ?? '',
    /cluster\/notify must not import cluster\/ingest/,
  );
  assert.equal(
    problems('cluster/notify/role.ts', "import { Notifier } from './notifier.js'; import type { Bus } from '../../platform/bus/bus.js';"),
    [],
  );
  assert.equal(
    problems(
      'cli/commands/run.ts',
      "import { edgeRole } from '../../edge/role.js'; import { Dashboard } from '../../web/server/dashboard.js';",
    ),
    [],
  );
});

test('message contracts come from core/contracts/index.js only', () => {
  assert.match(
    problems('web/server/live-feed.ts', "import { checkTick } from '../../core/contracts/tick.js';")[0] ?? '',
    /core\/contracts\/index\.js/,
  );
  assert.equal(problems('web/server/live-feed.ts', "import { checkTick } from '../../core/contracts/index.js';"), []);
  assert.equal(problems('core/contracts/signal.ts', "import { checkTick } from './tick.js';"), []);
});

test('the project lint configuration applies the layer rule to every part', async () => {
  const eslint = new ESLint({ cwd: root });
  for (const file of [
    'core/pipeline.ts',
    'platform/bus/select.ts',
    'cluster/process/processor.ts',
    'edge/edge-driver.ts',
    'web/server/app.ts',
    'cli/main.ts',
  ]) {
    const config = (await eslint.calculateConfigForFile(join(root, file))) as { rules: Record<string, unknown> };
    assert.equal(config.rules['layers/imports'], [2], `${file} is checked`);
  }
});

test.run();
