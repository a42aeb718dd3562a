// config.example.yaml (what the installer puts in /etc/stock-stream) is valid, complete and honest:
// every section of the schema, every key that has a default, each at its default, and no secret.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { loadConfig } from '../../platform/config/load.js';
import { ConfigSchema, SECRET_PATHS } from '../../platform/config/schema.js';

const FILE = join(import.meta.dirname, '..', '..', 'config.example.yaml');
const text = readFileSync(FILE, 'utf8');
const raw = parse(text) as Record<string, unknown>;
const nowhere = { exists: () => false };

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Every key path of an object, descending into objects (not lists). */
function keyPaths(value: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, child]) => [
    `${prefix}${key}`,
    ...(isObject(child) ? keyPaths(child, `${prefix}${key}.`) : []),
  ]);
}

function at(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, part) => (isObject(node) ? node[part] : undefined), value);
}

test('it validates against the schema and gives exactly the defaults', () => {
  const example = loadConfig({ env: {}, file: FILE, ...nowhere });
  assert.equal(example, loadConfig({ env: {}, ...nowhere }));
});

test('every top-level key of the schema is in it, and every key that has a default', () => {
  for (const key of Object.keys(ConfigSchema.shape)) assert.ok(key in raw, `${key} is in config.example.yaml`);
  const defaults = loadConfig({ env: {}, ...nowhere }) as unknown as Record<string, unknown>;
  const missing = keyPaths(defaults).filter((path) => at(raw, path) === undefined);
  assert.equal(missing, [], 'keys with a default that config.example.yaml leaves out');
});

test('no secret in it: secrets come from the environment or *_FILE', () => {
  for (const path of SECRET_PATHS) assert.is(at(raw, path), undefined, path);
  assert.match(text, /SMTP_PASSWORD/, 'it says where secrets go');
});

test.run();
