// Structured logging (pino on stderr) with secrets redacted wherever they could appear: JSON lines for
// journald, Kubernetes and files, or pino-pretty's readable coloured lines when a person watches a terminal.
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import { ConfigError, type Env } from './config/load.js';

export type { Logger };

export const REDACT_PATHS = [
  'password',
  '*.password',
  'config.mqtt.password',
  'config.notify.email.password',
  'config.notify.sms.authToken',
  'authToken',
  '*.authToken',
  'pass',
  '*.pass',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
];

export interface LogFormat {
  readonly kind: 'json' | 'pretty';
  /** ANSI colours (pretty only). */
  readonly colour: boolean;
}

export const JSON_LOGS: LogFormat = { kind: 'json', colour: false };

/**
 * LOG_FORMAT=json or pretty decides; unset, a terminal gets pretty lines and anything else (a pipe,
 * journald, a container log) JSON. Colours only on a terminal, and never with NO_COLOR set.
 */
export function selectLogFormat(env: Env, isTTY: boolean): LogFormat {
  const wanted = env.LOG_FORMAT?.trim() ?? '';
  if (wanted !== '' && wanted !== 'json' && wanted !== 'pretty') {
    throw new ConfigError(`LOG_FORMAT: must be json or pretty, got ${JSON.stringify(wanted)}`);
  }
  const kind = wanted === '' ? (isTTY ? 'pretty' : 'json') : wanted;
  return { kind, colour: kind === 'pretty' && isTTY && (env.NO_COLOR ?? '') === '' };
}

/** Logs go to stderr so that commands like `tail` keep stdout for data. */
export function createLogger(
  level: string,
  destination: pino.DestinationStream = pino.destination(2),
  format: LogFormat = JSON_LOGS,
): Logger {
  return pino(
    {
      level,
      base: { app: 'stock-stream' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    format.kind === 'pretty' ? prettyDestination(destination, format.colour) : destination,
  );
}

/**
 * pino writes each (already redacted) JSON line here and pino-pretty's formatter turns it into text,
 * synchronously, so no line is lost at exit. Loaded only here: a process logging JSON (the service
 * under systemd, every pod) never loads it.
 */
function prettyDestination(destination: pino.DestinationStream, colour: boolean): pino.DestinationStream {
  const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  const pretty = prettyFactory({
    colorize: colour,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'app,role,pid,hostname',
    messageFormat: '{if role}{role}: {end}{msg}',
  });
  return { write: (line: string) => void destination.write(pretty(line)) };
}
