// Builds the Config from a file (YAML or JSON: --config, STOCK_STREAM_CONFIG or the first default that
// exists), environment overrides and secret files.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { withoutUrlPasswords } from '../safe-url.js';
import { ConfigSchema, ENV_OVERRIDES, SECRET_PATHS, type Config, type EnvParser } from './schema.js';

/** A configuration problem, reported as one line that names the key. */
export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface ConfigFileSearch {
  env: Env;
  /** Overrides STOCK_STREAM_CONFIG (the CLI's --config). */
  file?: string | undefined;
  /** Whether a default file is there (tests pass their own rather than touch /etc). */
  exists?: (path: string) => boolean;
  /** Where ./stock-stream.yaml is looked for. */
  cwd?: string;
}

export interface ConfigInputs extends ConfigFileSearch {
  readFile?: (path: string) => string;
}

/** Where the appliance's installer puts the configuration, and the last place looked. */
export const SYSTEM_CONFIG_FILE = '/etc/stock-stream/config.yaml';

const REDACTED = '[redacted]';

/**
 * The defaults looked for, in order, when neither --config nor STOCK_STREAM_CONFIG names a file:
 * ./stock-stream.yaml, $XDG_CONFIG_HOME/stock-stream/config.yaml (~/.config when unset), /etc.
 */
export function configSearchPath(env: Env, cwd: string): string[] {
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  const home = nonEmpty(env.HOME);
  // The XDG specification ignores a relative XDG_CONFIG_HOME.
  const userConfig = xdg !== undefined && isAbsolute(xdg) ? xdg : home !== undefined ? join(home, '.config') : undefined;
  return [
    resolve(cwd, 'stock-stream.yaml'),
    ...(userConfig === undefined ? [] : [join(userConfig, 'stock-stream', 'config.yaml')]),
    SYSTEM_CONFIG_FILE,
  ];
}

/**
 * The file loadConfig reads: the one named (which must then exist) or the first default that exists;
 * undefined when there is none (defaults and environment only).
 */
export function findConfigFile({ env, file, exists = existsSync, cwd = process.cwd() }: ConfigFileSearch): string | undefined {
  const named = nonEmpty(file) ?? nonEmpty(env.STOCK_STREAM_CONFIG);
  if (named !== undefined) return named;
  return configSearchPath(env, cwd).find((candidate) => exists(candidate));
}

export function loadConfig({ readFile = (p) => readFileSync(p, 'utf8'), ...search }: ConfigInputs): Config {
  const { env } = search;
  const path = findConfigFile(search);
  const raw: Record<string, unknown> = path === undefined ? {} : readConfigFile(path, readFile);
  const origin = new Map<string, string>();

  for (const secret of SECRET_PATHS) {
    if (getPath(raw, secret) !== undefined) {
      const names = ENV_OVERRIDES.find((o) => o.path === secret)?.env ?? 'the environment';
      throw new ConfigError(`config file ${path}: ${secret}: secrets are not accepted in the config file; set ${names} or ${names}_FILE`);
    }
  }

  for (const override of ENV_OVERRIDES) {
    const value = override.secret ? secretFromEnv(env, override.env, readFile) : nonEmpty(env[override.env]);
    if (value === undefined) continue;
    setPath(raw, override.path, parseEnvValue(override.env, override.path, override.parse, value, override.secret));
    origin.set(override.path, override.env);
  }

  const result = ConfigSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(describeIssue(result.error.issues, origin, path));
  return result.data;
}

/** A copy safe to print or log: every secret replaced, and the password of every URL (redis.url, mqtt.url ...). */
export function redactConfig(config: Config): Config {
  const copy = withoutUrlPasswords(structuredClone(config)) as unknown as Record<string, unknown>;
  for (const secret of SECRET_PATHS) {
    if (getPath(copy, secret) !== undefined) setPath(copy, secret, REDACTED);
  }
  return copy as unknown as Config;
}

function readConfigFile(path: string, readFile: (p: string) => string): Record<string, unknown> {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(`config file ${path}: cannot read it (${code})`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { prettyErrors: false, maxAliasCount: 50 });
  } catch (error) {
    const firstLine = String((error as Error).message).split('\n')[0];
    throw new ConfigError(`config file ${path}: not valid YAML or JSON: ${firstLine}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path}: must be a mapping of keys to values, not ${describeType(parsed)}`);
  }
  return parsed as Record<string, unknown>;
}

function secretFromEnv(env: Env, name: string, readFile: (p: string) => string): string | undefined {
  const direct = nonEmpty(env[name]);
  const file = nonEmpty(env[`${name}_FILE`]);
  if (direct !== undefined && file !== undefined) {
    throw new ConfigError(`${name} and ${name}_FILE are both set; set only one`);
  }
  if (file === undefined) return direct;
  try {
    return readFile(file).replace(/\r?\n$/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`${name}_FILE: cannot read ${file} (${code})`);
  }
}

function parseEnvValue(env: string, path: string, parser: EnvParser, value: string, secret = false): unknown {
  switch (parser) {
    case 'string':
      return value;
    case 'csv':
      return value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');
    case 'number': {
      const number = Number(value.trim());
      if (value.trim() === '' || !Number.isFinite(number)) {
        const shown = secret ? REDACTED : JSON.stringify(value);
        throw new ConfigError(`${env} (${path}): must be a number, got ${shown}`);
      }
      return number;
    }
  }
}

function describeIssue(issues: readonly z.core.$ZodIssue[], origin: Map<string, string>, file: string | undefined): string {
  const issue = issues[0];
  if (issue === undefined) return 'invalid';
  let keyPath = issue.path.map(String).join('.');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    keyPath = [keyPath, issue.keys[0]].filter((part) => part !== '' && part !== undefined).join('.');
    message = 'unknown key';
  } else if (issue.code === 'invalid_type') {
    message = `must be ${issue.expected}`;
  }
  const source = [...origin.entries()].find(([path]) => keyPath === path || keyPath.startsWith(`${path}.`));
  const where = source ? ` (from ${source[1]})` : file ? ` (in ${file})` : '';
  return `${keyPath || '(root)'}: ${message}${where}`;
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function getPath(object: Record<string, unknown>, path: string): unknown {
  let node: unknown = object;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function setPath(object: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  const last = parts.pop() as string;
  let node = object;
  for (const part of parts) {
    const next = node[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[last] = value;
}
