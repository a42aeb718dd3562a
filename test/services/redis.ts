// A real redis-server on a free port, ready once it answers PING.
import { Socket } from 'node:net';
import { join } from 'node:path';
import { freePort, requireProgram, startServer, waitUntil, type Server, type UrlService } from './child.js';

export type RedisService = UrlService;

export interface RedisOptions {
  /** requirepass: every client must AUTH with it (the default user's password). */
  readonly password?: string;
  /** After the defaults, overriding them (`--appendonly yes` for a durable one). */
  readonly extraArgs?: readonly string[];
}

export async function startRedis(dir: string, options: RedisOptions = {}): Promise<RedisService> {
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
          ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
          ...(options.password !== undefined ? ['--requirepass', options.password] : []),
          ...(options.extraArgs ?? []),
        ],
        join(dir, 'redis.log'),
      );
      await waitUntil('redis-server', () => ping(port, options.password), 15_000, server);
    },
    async stop(signal) {
      await server?.stop(signal);
    },
  };
  await service.start();
  return service;
}

function ping(port: number, password: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.setTimeout(1000, () => socket.destroy(new Error('timeout')));
    socket.once('error', reject);
    // With a password: AUTH, then PING, in one write; the answers come back as +OK then +PONG.
    socket.connect(port, '127.0.0.1', () => socket.write(`${password !== undefined ? `AUTH ${password}\r\n` : ''}PING\r\n`));
    const lines = password !== undefined ? 2 : 1;
    let answer = '';
    socket.on('data', (data) => {
      answer += data.toString();
      if (answer.split('\r\n').length - 1 < lines) return;
      socket.destroy();
      if (answer.includes('+PONG')) resolve();
      else reject(new Error(`unexpected answer ${answer.trim()}`));
    });
  });
}
