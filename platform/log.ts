// Structured logging (pino, JSON lines on stderr) with secrets redacted wherever they could appear.
import { pino, type Logger } from 'pino';

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

/** Logs go to stderr so that commands like `tail` keep stdout for data. */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination(2)): Logger {
  return pino(
    {
      level,
      base: { app: 'stock-stream' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
