// /healthz reports each dependency and turns 503 when one is down; /metrics is Prometheus text.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildOpsApp, createMetricsRegistry } from '../../platform/ops/ops-server.js';
import type { HealthStatus } from '../../platform/health.js';

function app(statuses: Record<string, () => HealthStatus | Promise<HealthStatus>>) {
  return buildOpsApp({
    role: 'process',
    version: '1.2.3',
    registry: createMetricsRegistry('process'),
    checkTimeoutMs: 200,
    checks: Object.entries(statuses).map(([name, check]) => ({ name, check })),
  });
}

test('healthy: 200 with every dependency listed', async () => {
  const server = app({ kafka: () => ({ ok: true, detail: 'connected' }), redis: async () => ({ ok: true, detail: 'PONG' }) });
  const response = await server.inject({ method: 'GET', url: '/healthz' });
  assert.is(response.statusCode, 200);
  assert.equal(response.json(), {
    status: 'ok',
    role: 'process',
    version: '1.2.3',
    checks: { kafka: { ok: true, detail: 'connected' }, redis: { ok: true, detail: 'PONG' } },
  });
  assert.is(response.headers['cache-control'], 'no-store');
  await server.close();
});

test('a dependency down, throwing or hanging makes it 503 and says which', async () => {
  const server = app({
    kafka: () => ({ ok: false, detail: 'consumer crashed: ECONNREFUSED' }),
    redis: () => {
      throw new Error('boom');
    },
    mqtt: () => new Promise(() => {}),
  });
  const response = await server.inject({ method: 'GET', url: '/healthz' });
  assert.is(response.statusCode, 503);
  const body = response.json() as { status: string; checks: Record<string, HealthStatus> };
  assert.is(body.status, 'unhealthy');
  assert.equal(body.checks.kafka, { ok: false, detail: 'consumer crashed: ECONNREFUSED' });
  assert.equal(body.checks.redis, { ok: false, detail: 'check failed: boom' });
  assert.equal(body.checks.mqtt, { ok: false, detail: 'no answer within 200 ms' });
  await server.close();
});

test('/metrics is Prometheus text with process metrics and the dependency gauge', async () => {
  const server = app({ kafka: () => ({ ok: true, detail: 'ok' }), redis: () => ({ ok: false, detail: 'down' }) });
  const response = await server.inject({ method: 'GET', url: '/metrics' });
  assert.is(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  assert.match(response.body, /^stock_stream_dependency_up\{dependency="kafka",role="process"\} 1$/m);
  assert.match(response.body, /^stock_stream_dependency_up\{dependency="redis",role="process"\} 0$/m);
  assert.match(response.body, /^stock_stream_process_cpu_user_seconds_total\{role="process"\} /m);
  await server.close();
});

test('hostile requests: unknown paths are 404, bodies and other methods are refused', async () => {
  const server = app({});
  assert.is((await server.inject({ method: 'GET', url: '/../../etc/passwd' })).statusCode, 404);
  assert.is((await server.inject({ method: 'POST', url: '/healthz', payload: 'x'.repeat(10_000) })).statusCode, 404);
  assert.is((await server.inject({ method: 'DELETE', url: '/metrics' })).statusCode, 404);
  await server.close();
});

test.run();
