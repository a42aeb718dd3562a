// The `stock-stream` command line: global options, help generated from each command's own spec,
// dispatch, and one-line errors with exit codes. Process concerns (signals, exit) stay in bin/.
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { BusError } from '../platform/bus/bus.js';
import { ConfigError, loadConfig, type Env } from '../platform/config/load.js';
import type { Config } from '../platform/config/schema.js';
import { createLogger, selectLogFormat, type Logger } from '../platform/log.js';
import { UsageError, type Command, type OptionSpec } from './command.js';
import { commands, type CommandEntry } from './commands/index.js';
import { version } from './version.js';

const LOG_LEVELS: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export const EXIT = { ok: 0, failure: 1, usage: 2, config: 78 } as const;

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  config: {
    type: 'string',
    value: 'FILE',
    description: 'configuration file, YAML or JSON (default: $STOCK_STREAM_CONFIG, else searched: see stock-stream config --help)',
  },
  'log-level': { type: 'string', value: 'LEVEL', description: 'trace, debug, info, warn, error, fatal or silent (default: info)' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

export interface MainIO {
  readonly env: Env;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly signal: AbortSignal;
  /** Where logs go; stderr by default. */
  readonly logDestination?: Writable;
}

export async function main(argv: readonly string[], io: MainIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    const entry = topic === undefined ? undefined : commands.find((c) => c.name === topic);
    io.stdout.write(entry ? commandHelp(await load(entry)) : overviewHelp());
    return EXIT.ok;
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const entry = commands.find((c) => c.name === first);
  if (!entry) {
    const hint = first.startsWith('-') ? 'options go after the command' : `unknown command "${first}"`;
    io.stderr.write(`stock-stream: ${hint}; commands: ${commands.map((c) => c.name).join(', ')} (see stock-stream --help)\n`);
    return EXIT.usage;
  }
  return runCommand(await load(entry), rest, io);
}

/** A command with the one-line summary the index keeps for it. */
type DescribedCommand = Command & { readonly summary: string };

async function load(entry: CommandEntry): Promise<DescribedCommand> {
  return { ...(await entry.load()), summary: entry.summary };
}

async function runCommand(command: DescribedCommand, argv: readonly string[], io: MainIO): Promise<number> {
  const specs = { ...command.options, ...GLOBAL_OPTIONS };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        Object.entries(specs).map(([name, spec]) => [name, spec.short ? { type: spec.type, short: spec.short } : { type: spec.type }]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    return usageFailure(command, io, cleanParseError((error as Error).message));
  }
  const options = parsed.values as Record<string, string | boolean | undefined>;
  if (options.help) {
    io.stdout.write(commandHelp(command));
    return EXIT.ok;
  }
  const required = command.positionals.filter((p) => p.required).length;
  if (parsed.positionals.length < required) {
    return usageFailure(command, io, `missing ${command.positionals[parsed.positionals.length]?.name ?? 'argument'}`);
  }
  if (parsed.positionals.length > command.positionals.length) {
    return usageFailure(command, io, `unexpected argument "${parsed.positionals[command.positionals.length]}"`);
  }

  const levelOption = options['log-level'] as string | undefined;
  if (levelOption !== undefined && !LOG_LEVELS.includes(levelOption)) {
    return usageFailure(command, io, `--log-level must be one of ${LOG_LEVELS.join(', ')}; got "${levelOption}"`);
  }

  let config: Config | undefined;
  let logger: Logger | undefined;
  const loadOnce = (): Config => {
    config ??= loadConfig({ env: io.env, file: options.config as string | undefined });
    return config;
  };
  try {
    return await command.run({
      options,
      positionals: parsed.positionals,
      config: loadOnce,
      logger: () => {
        if (logger === undefined) {
          // Pretty lines when a person reads stderr on a terminal, JSON for journald and pipes.
          const destination = io.logDestination ?? io.stderr;
          const isTTY = (destination as { isTTY?: boolean }).isTTY === true;
          logger = createLogger(levelOption ?? loadOnce().log.level, destination, selectLogFormat(io.env, isTTY));
        }
        return logger;
      },
      env: io.env,
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: io.stderr,
      signal: io.signal,
    });
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(command, io, error.message);
    if (error instanceof ConfigError) {
      io.stderr.write(`stock-stream ${command.name}: configuration: ${error.message}\n`);
      return EXIT.config;
    }
    if (error instanceof BusError) {
      io.stderr.write(`stock-stream ${command.name}: ${error.message}\n`);
      return EXIT.failure;
    }
    io.stderr.write(`stock-stream ${command.name}: ${(error as Error).message ?? String(error)}\n`);
    logger?.debug({ err: error }, 'command failed');
    return EXIT.failure;
  }
}

function usageFailure(command: Command, io: MainIO, message: string): number {
  io.stderr.write(`stock-stream ${command.name}: ${message} (see stock-stream ${command.name} --help)\n`);
  return EXIT.usage;
}

function cleanParseError(message: string): string {
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /Option '([^']+)' argument missing/.exec(message);
  if (missing) return `option ${missing[1]?.replace(/^-\w, /, '')} needs a value`;
  return message.split('\n')[0] ?? message;
}

function formatOptions(specs: Record<string, OptionSpec>): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return [flag, spec.description] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`).join('\n');
}

export function commandHelp(command: DescribedCommand): string {
  const positionals = command.positionals.map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`)).join(' ');
  const lines = [`Usage: stock-stream ${command.name}${positionals ? ` ${positionals}` : ''} [options]`, '', command.summary];
  if (command.description) lines.push('', command.description);
  if (command.positionals.length > 0) {
    lines.push('', 'Arguments:');
    for (const p of command.positionals) lines.push(`  ${p.name}  ${p.description}`);
  }
  if (Object.keys(command.options).length > 0) lines.push('', 'Options:', formatOptions(command.options));
  lines.push('', 'Global options:', formatOptions(GLOBAL_OPTIONS));
  if (command.examples?.length) lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}

export function overviewHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `${[
    'Usage: stock-stream <command> [options]',
    '',
    'Stock Stream follows the Bitcoin price in real time, computes trading indicators and turns',
    'them into buy/sell recommendations.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    formatOptions({ ...GLOBAL_OPTIONS, version: { type: 'boolean', short: 'v', description: 'print the version' } }),
    '',
    'Configuration: a YAML or JSON file (--config, STOCK_STREAM_CONFIG, or the first that exists of',
    './stock-stream.yaml, ~/.config/stock-stream/config.yaml, /etc/stock-stream/config.yaml) plus environment',
    'overrides such as KAFKA_BOOTSTRAP_SERVERS (set: Kafka; unset: the embedded log in the data',
    'directory), KAFKA_TOPIC, MESSAGE_INTERVAL, REDIS_URL, MQTT_URL, STOCK_STREAM_DATA_DIR and PORT.',
    'See docs/configuration.md. `stock-stream config` prints the result.',
    '',
    'Logs go to stderr: readable lines on a terminal, JSON lines otherwise (LOG_FORMAT=json or',
    'pretty to choose; NO_COLOR to drop the colours).',
    '',
    'Exit codes: 0 ok, 1 failure, 2 usage error, 78 configuration error.',
    '',
    "Run `stock-stream <command> --help` for a command's options.",
  ].join('\n')}\n`;
}
