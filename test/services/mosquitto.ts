// A real Mosquitto broker on a free port, ready once it answers CONNECT with CONNACK.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { freePort, requireProgram, startServer, waitUntil, type Server, type UrlService } from './child.js';

export type MosquittoService = UrlService;

export async function startMosquitto(dir: string): Promise<MosquittoService> {
  requireProgram('mosquitto', 'install it (Debian: apt-get install mosquitto)');
  const port = await freePort();
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(configFile, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', ''].join('\n'));
  let server: Server | undefined;
  const service: MosquittoService = {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async start() {
      server = startServer('mosquitto', ['-c', configFile], join(dir, 'mosquitto.log'));
      await waitUntil('mosquitto', () => connack(service.url), 15_000, server);
    },
    async stop(signal) {
      await server?.stop(signal);
    },
  };
  await service.start();
  return service;
}

async function connack(url: string): Promise<void> {
  const client = await mqtt.connectAsync(url, { connectTimeout: 1000, reconnectPeriod: 0 });
  await client.endAsync();
}
