// `stock-stream process` as a running service: /healthz and /metrics, a clean stop on SIGTERM, and
// a Kafka broker that dies and comes back mid-stream (healthz says so; nothing lost or doubled).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Bus, BusMessage } from '../../../platform/bus/bus.js';
import { EmbeddedLog } from '../../../platform/bus/embedded-log.js';
import { KafkaBus } from '../../../platform/bus/kafka-bus.js';
import { createLogger } from '../../../platform/log.js';
import { freePort } from '../../services/child.js';
import { startKafka } from '../../services/kafka.js';
import { startService, type Service } from '../../support/cli.js';
import { asMessages, tickPath } from '../../support/ticks.js';
import { eventually } from '../../support/wait.js';

interface Role extends Service {
  port: number;
}

async function startRole(env: Record<string, string>): Promise<Role> {
  const port = await freePort();
  return { ...(await startService(['process'], { PORT: String(port), HOST: '127.0.0.1', ...env })), port };
}

async function health(
  port: number,
): Promise<{ status: number; body: { status: string; checks: Record<string, { ok: boolean; detail: string }> } }> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: response.status, body: (await response.json()) as never };
}

async function stop(role: Role): Promise<number | null> {
  role.child.kill('SIGTERM');
  return role.exit;
}

/** After a failed assertion: nothing of the test left running (a no-op once it stopped cleanly). */
async function kill(role: Role | undefined): Promise<void> {
  if (!role || role.child.exitCode !== null || role.child.signalCode !== null) return;
  role.child.kill('SIGKILL');
  await role.exit;
}

function collect(bus: Bus, topic: string) {
  const received: BusMessage[] = [];
  const subscription = bus.consume({ topics: [topic], from: 'earliest', handler: async (batch) => void received.push(...batch) });
  return { received, stop: async () => (await subscription).stop() };
}

const test = suite('process role');

test('embedded: healthz and metrics while running, exit 0 on SIGTERM', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'role-'));
  const role = await startRole({ STOCK_STREAM_DATA_DIR: dataDir });
  const bus = new EmbeddedLog({ file: join(dataDir, 'bus.sqlite'), pollIntervalMs: 20 });
  try {
    const ok = await health(role.port);
    assert.is(ok.status, 200);
    assert.equal(Object.keys(ok.body.checks).sort(), ['embedded-log', 'processor']);
    await bus.publish('stock.ticks', asMessages(tickPath(50)));
    const indicators = collect(bus, 'stock.indicators');
    await eventually(() => assert.is(indicators.received.length, 50));
    await indicators.stop();
    const metrics = await (await fetch(`http://127.0.0.1:${role.port}/metrics`)).text();
    assert.match(metrics, /^stock_stream_process_ticks_total\{result="processed",role="process"\} 50$/m);
    assert.is(await stop(role), 0, 'stopped cleanly, before the 5 s deadline');
  } finally {
    await kill(role);
    await bus.close();
  }
});

test('Kafka dies mid-stream: healthz turns 503, the processor recovers by itself, nothing lost or doubled', async () => {
  const kafka = await startKafka(mkdtempSync(join(tmpdir(), 'role-kafka-')));
  let bus: KafkaBus | undefined;
  let running: Role | undefined;
  try {
    bus = await KafkaBus.connect({ brokers: kafka.brokers, clientId: 'role-test', logger: createLogger('silent'), partitions: 3 });
    await bus.ensureTopics([
      { name: 'stock.ticks', partitions: 3 },
      { name: 'stock.indicators', partitions: 3 },
    ]);
    // Both symbols configured: the processor sends ticks of any other to the dead-letter topic.
    const role = (running = await startRole({ KAFKA_BOOTSTRAP_SERVERS: kafka.brokers.join(','), STOCK_STREAM_SYMBOLS: 'BTC-USD,ETH-USD' }));
    const ticks = tickPath(400, ['BTC-USD', 'ETH-USD']);
    await bus.publish('stock.ticks', asMessages(ticks.slice(0, 200)));
    const before = collect(bus, 'stock.indicators');
    await eventually(() => assert.is(before.received.length, 200), 30_000);
    await before.stop();
    assert.is((await health(role.port)).status, 200);

    await kafka.stop('SIGKILL');
    await eventually(
      async () => {
        const down = await health(role.port);
        assert.is(down.status, 503);
        assert.is(down.body.checks.kafka?.ok, false);
      },
      60_000,
      250,
    );

    await kafka.start();
    await bus.publish('stock.ticks', asMessages(ticks.slice(200)));
    const after = collect(bus, 'stock.indicators');
    await eventually(() => assert.ok(after.received.length >= 400, `${after.received.length} of 400`), 120_000, 250);
    await eventually(async () => assert.is((await health(role.port)).status, 200), 30_000, 250);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await after.stop();
    assert.is(after.received.length, 400, 'every tick processed exactly once across the outage');
    assert.is(new Set(after.received.map((m) => `${m.key}:${(JSON.parse(m.value) as { ts: number }).ts}`)).size, 400);
    assert.is(await stop(role), 0);
  } finally {
    await kill(running);
    await bus?.close();
    await kafka.stop();
  }
});

test.run();
