// Who we are to an MQTT broker, from the `mqtt` config section: username, password and the TLS
// files (a private CA, a client certificate and key). Shared by the edge's bridge and `check`.
import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import type { Config } from './config/schema.js';

export type MqttCredentials = Pick<IClientOptions, 'username' | 'password' | 'ca' | 'cert' | 'key' | 'rejectUnauthorized'>;

function readPem(key: string, path: string | undefined, read: (path: string) => Buffer): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return read(path);
  } catch (error) {
    throw new Error(`mqtt.${key}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {
      cause: error,
    });
  }
}

/** Throws a one-line error naming the key when a TLS file cannot be read. */
export function mqttCredentials(config: Config['mqtt'], read: (path: string) => Buffer = (path) => readFileSync(path)): MqttCredentials {
  const ca = readPem('caFile', config.caFile, read);
  const cert = readPem('certFile', config.certFile, read);
  const key = readPem('keyFile', config.keyFile, read);
  return {
    ...(config.username !== undefined ? { username: config.username } : {}),
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    rejectUnauthorized: true,
  };
}
