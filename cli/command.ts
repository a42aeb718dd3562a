// What a CLI subcommand is: its options, its help text, and a run function that gets everything injected.
import type { Writable } from 'node:stream';
import type { Config } from '../platform/config/schema.js';
import type { Env } from '../platform/config/load.js';
import type { Logger } from '../platform/log.js';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly description: string;
  /** Shown in help, e.g. "N" for `--max N`. */
  readonly value?: string;
}

export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
}

export interface CommandContext {
  readonly options: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
  /** Loads and validates the configuration (file, env, secrets) on first use. */
  config(): Config;
  logger(): Logger;
  readonly env: Env;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop, flush and return. */
  readonly signal: AbortSignal;
}

export interface Command {
  readonly name: string;
  readonly description?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly positionals: readonly PositionalSpec[];
  readonly examples?: readonly string[];
  /** Returns the exit code. */
  run(context: CommandContext): Promise<number>;
}

/** A usage problem: reported as one line with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  readonly code = 'ERR_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parsePositiveInteger(name: string, value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < 1) {
    throw new UsageError(`--${name} must be a whole number of at least 1, got ${JSON.stringify(value)}`);
  }
  return number;
}
