// A real redis-server on a free port, ready once it answers PING.
import { Socket } from 'node:net';
import { join } from 'node:path';
import { freePort, requireProgram, startServer, waitUntil, type Server, type UrlService } from './child.js';

export type RedisService = UrlService;

/** `extraArgs` come after the defaults and override them (`--appendonly yes` for a durable one). */
export async function startRedis(dir: string, extraArgs: readonly string[] = []): Promise<RedisService> {
  requireProgram('redis-server', 'install it (Debian: apt-get install redis-server)');
  const port = await freePort();
  let server: Server | undefined;
  const service: RedisService = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      server = startServer(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
          '--daemonize',
          'no',
          ...extraArgs,
        ],
        join(dir, 'redis.log'),
      );
      await waitUntil('redis-server', () => ping(port), 15_000, server);
    },
    async stop(signal) {
      await server?.stop(signal);
    },
  };
  await service.start();
  return service;
}

function ping(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.setTimeout(1000, () => socket.destroy(new Error('timeout')));
    socket.once('error', reject);
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      if (data.toString().startsWith('+PONG')) resolve();
      else reject(new Error(`unexpected answer ${data.toString().trim()}`));
    });
  });
}
