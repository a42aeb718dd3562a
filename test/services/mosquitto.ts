// A real Mosquitto broker on a free port, ready once it answers CONNECT with CONNACK.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type IClientOptions } from 'mqtt';
import { freePort, requireProgram, startServer, waitUntil, type Server, type UrlService } from './child.js';

export type MosquittoService = UrlService;

export interface MosquittoOptions {
  /** Lines for the listener (TLS files, password_file, allow_anonymous ...); default: anonymous, plain. */
  readonly listenerLines?: readonly string[];
  readonly scheme?: 'mqtt' | 'mqtts';
  /** What the readiness probe connects with (a CA, a client certificate, credentials). */
  readonly probe?: IClientOptions;
}

export async function startMosquitto(dir: string, options: MosquittoOptions = {}): Promise<MosquittoService> {
  requireProgram('mosquitto', 'install it (Debian: apt-get install mosquitto)');
  const port = await freePort();
  const configFile = join(dir, 'mosquitto.conf');
  const lines = options.listenerLines ?? ['allow_anonymous true'];
  writeFileSync(configFile, [`listener ${port} 127.0.0.1`, ...lines, 'persistence false', ''].join('\n'));
  let server: Server | undefined;
  const service: MosquittoService = {
    url: `${options.scheme ?? 'mqtt'}://127.0.0.1:${port}`,
    port,
    async start() {
      server = startServer('mosquitto', ['-c', configFile], join(dir, 'mosquitto.log'));
      await waitUntil('mosquitto', () => connack(service.url, options.probe ?? {}), 15_000, server);
    },
    async stop(signal) {
      await server?.stop(signal);
    },
  };
  await service.start();
  return service;
}

async function connack(url: string, probe: IClientOptions): Promise<void> {
  const client = await mqtt.connectAsync(url, { connectTimeout: 1000, reconnectPeriod: 0, ...probe });
  await client.endAsync();
}
