// Starting and stopping the real servers the tests use, with their output kept in a log file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { openSync, closeSync } from 'node:fs';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Fails with an install hint when a program the harness needs is not on PATH. */
export function requireProgram(program: string, installHint: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error(`'${program}' is missing: ${installHint}`);
}

/** A test server reached by URL, which a test may stop (to simulate an outage) and start again. */
export interface UrlService {
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface Server {
  readonly child: ChildProcess;
  readonly logFile: string;
  exited(): boolean;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startServer(command: string, args: readonly string[], logFile: string, env?: NodeJS.ProcessEnv): Server {
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', fd, fd], env: env ?? process.env });
  closeSync(fd);
  let exitedFlag = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exitedFlag = true;
      resolve();
    }),
  );
  return {
    child,
    logFile,
    exited: () => exitedFlag,
    async stop(signal = 'SIGTERM') {
      if (exitedFlag) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Retries `probe` until it resolves, or fails after `timeoutMs` with the last error. */
export async function waitUntil<T>(what: string, probe: () => Promise<T>, timeoutMs: number, server?: Server): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (server?.exited()) throw new Error(`${what}: the process exited; see ${server.logFile}`);
    try {
      return await probe();
    } catch (error) {
      lastError = error;
      if (process.env.HARNESS_DEBUG) console.error(`harness: ${what} not ready yet: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`${what}: not ready after ${timeoutMs} ms (${(lastError as Error)?.message ?? 'no answer'})`);
}
