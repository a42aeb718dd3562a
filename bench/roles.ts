// What the memory and soak benches share: the built `stock-stream` started as a real process on the
// embedded log, its resident memory read from /proc, and its Prometheus counters read from /metrics.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startServer, waitUntil, type Server } from '../test/services/child.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'stock-stream.js');

let built = false;
/** bin/ runs dist/, so the benches that start it build once first (a few seconds). */
export function ensureBuilt(): void {
  if (built) return;
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`bench: npm run build failed:\n${build.stdout}${build.stderr}`);
  built = true;
}

export interface RoleProcess {
  readonly name: string;
  readonly server: Server;
  readonly port: number;
  /** Milliseconds from spawn until /healthz answered. */
  readonly readyMs: number;
}

/**
 * Starts `stock-stream <args>` in `dataDir` on a free port and resolves once its /healthz answers
 * (with any status: a role may report its source as warming up). Its log goes to `logFile`.
 */
export async function startRole(name: string, args: readonly string[], env: Record<string, string>, logFile: string): Promise<RoleProcess> {
  const port = await freePort();
  const began = performance.now();
  const server = startServer(process.execPath, [BIN, ...args], logFile, {
    PATH: process.env.PATH ?? '',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...env,
  });
  try {
    await waitUntil(`stock-stream ${args.join(' ')}`, () => fetch(`http://127.0.0.1:${port}/healthz`), 60_000, server);
  } catch (error) {
    await server.stop('SIGKILL');
    throw error;
  }
  return { name, server, port, readyMs: performance.now() - began };
}

export interface Rss {
  /** Resident set now, MiB. */
  rssMb: number;
  /** The kernel's high-water mark of the resident set since the process started, MiB. */
  hwmMb: number;
  /**
   * The anonymous part of the resident set (heap, stacks, native buffers), MiB: what a memory limit
   * cannot reclaim. The rest is mostly the node binary and libraries mapped from disk (~35 MB).
   */
  anonMb: number;
}

/** VmRSS and VmHWM of a process from /proc/<pid>/status (Linux). */
export function readRss(pid: number): Rss {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`bench: no ${field} in /proc/${pid}/status`);
    return Number(match[1]) / 1024;
  };
  return { rssMb: kb('VmRSS'), hwmMb: kb('VmHWM'), anonMb: kb('RssAnon') };
}

/** The sum of every sample of a counter in a role's /metrics whose line starts with `name` (labels allowed). */
export async function counter(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    if (!Object.entries(labels).every(([key, value]) => rest.includes(`${key}="${value}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export const mb = (value: number) => `${value.toFixed(1)} MB`;

/** The MemoryMax (MB) firmware-config/systemd/stock-stream-edge.service gives the single-node appliance. */
export function applianceMemoryMaxMb(): number {
  const unit = readFileSync(new URL('../firmware-config/systemd/stock-stream-edge.service', import.meta.url), 'utf8');
  const mb = Number(/^MemoryMax=(\d+)M$/m.exec(unit)?.[1]);
  if (!Number.isFinite(mb)) throw new Error('firmware-config/systemd/stock-stream-edge.service has no MemoryMax=<N>M');
  return mb;
}
