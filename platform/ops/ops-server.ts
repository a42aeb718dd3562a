// The operations endpoints every long-running role serves: /healthz (its dependencies) and
// /metrics (Prometheus text). Built in one function, listened in another, so tests use inject().
import Fastify, { type FastifyInstance } from 'fastify';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { HealthCheck, HealthStatus } from '../health.js';

export interface OpsAppOptions {
  readonly role: string;
  readonly checks: readonly HealthCheck[];
  readonly registry: Registry;
  readonly version: string;
  /** Bounds a check that hangs (a dependency that stopped answering). */
  readonly checkTimeoutMs?: number;
}

export function createMetricsRegistry(role: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry, prefix: 'stock_stream_' });
  return registry;
}

export function buildOpsApp(options: OpsAppOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 });
  const up = new Gauge({
    name: 'stock_stream_dependency_up',
    help: '1 when the dependency answered its last health check, 0 when not',
    labelNames: ['dependency'],
    registers: [options.registry],
  });
  const timeoutMs = options.checkTimeoutMs ?? 2000;

  async function runChecks() {
    const results = await Promise.all(
      options.checks.map(async (check) => {
        const status = await withTimeout(check, timeoutMs);
        up.set({ dependency: check.name }, status.ok ? 1 : 0);
        return [check.name, status] as const;
      }),
    );
    return { ok: results.every(([, status]) => status.ok), checks: Object.fromEntries(results) };
  }

  app.get(
    '/healthz',
    {
      schema: {
        response: {
          '2xx': healthResponseSchema,
          '5xx': healthResponseSchema,
        },
      },
    },
    async (_request, reply) => {
      const { ok, checks } = await runChecks();
      reply.code(ok ? 200 : 503).header('cache-control', 'no-store');
      return { status: ok ? 'ok' : 'unhealthy', role: options.role, version: options.version, checks };
    },
  );

  app.get('/metrics', async (_request, reply) => {
    await runChecks();
    reply.header('content-type', options.registry.contentType).header('cache-control', 'no-store');
    return options.registry.metrics();
  });

  return app;
}

const healthResponseSchema = {
  type: 'object',
  required: ['status', 'role', 'version', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unhealthy'] },
    role: { type: 'string' },
    version: { type: 'string' },
    checks: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['ok', 'detail'],
        properties: { ok: { type: 'boolean' }, detail: { type: 'string' } },
      },
    },
  },
} as const;

async function withTimeout(check: HealthCheck, timeoutMs: number): Promise<HealthStatus> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(() => check.check()),
      new Promise<HealthStatus>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
      }),
    ]);
  } catch (error) {
    return { ok: false, detail: `check failed: ${(error as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}
