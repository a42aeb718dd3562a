// The mqtt.js client options from the `mqtt` config section: credentials, TLS files, the last will,
// and no queue while offline (the bridge re-publishes its state on reconnect instead).
import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import type { Config } from '../platform/config/schema.js';

export interface LastWill {
  readonly topic: string;
  readonly payload: string;
}

function readPem(key: string, path: string | undefined, read: (path: string) => Buffer): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return read(path);
  } catch (error) {
    throw new Error(`mqtt.${key}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
  }
}

/** Throws a one-line error naming the key when a TLS file cannot be read. */
export function mqttClientOptions(config: Config['mqtt'], will: LastWill, read: (path: string) => Buffer = (path) => readFileSync(path)): IClientOptions {
  const ca = readPem('caFile', config.caFile, read);
  const cert = readPem('certFile', config.certFile, read);
  const key = readPem('keyFile', config.keyFile, read);
  return {
    clientId: config.clientId ?? `stock-stream-${config.deviceId}`,
    ...(config.username !== undefined ? { username: config.username } : {}),
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    rejectUnauthorized: true,
    keepalive: config.keepaliveSeconds,
    clean: true,
    connectTimeout: 10_000,
    // The bridge reconnects itself, with backoff; mqtt.js only knows a fixed period.
    reconnectPeriod: 0,
    // Nothing is queued while offline: QoS 0 publishes are dropped, and the bridge does not publish
    // at all without a connection (its state is sent again on connect).
    queueQoSZero: false,
    resubscribe: false,
    will: { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: true },
  };
}
