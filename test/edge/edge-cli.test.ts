// `stock-stream edge` as a service without hardware: it runs virtually, serves /healthz and /metrics,
// takes a published tick, and stops with exit 0; edge.hardware: required fails with what to do.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EmbeddedLog } from '../../platform/bus/embedded-log.js';
import { freePort } from '../services/child.js';
import { cli, startService } from '../support/cli.js';
import { eventually } from '../support/wait.js';

function configFile(dir: string, hardware: string): string {
  const file = join(dir, 'edge.yaml');
  // A GPIO root that does not exist: no LEDs on this machine, whatever it has.
  writeFileSync(file, `edge:\n  hardware: ${hardware}\n  display:\n    i2cBus: 250\n  gpio:\n    root: ${join(dir, 'no-gpio')}\n`);
  return file;
}

test('without hardware: virtual, healthy, counts a tick, exit 0 on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-cli-'));
  const port = await freePort();
  const service = await startService(['edge'], {
    PORT: String(port),
    HOST: '127.0.0.1',
    STOCK_STREAM_DATA_DIR: dir,
    STOCK_STREAM_CONFIG: configFile(dir, 'auto'),
  });
  const bus = new EmbeddedLog({ file: join(dir, 'bus.sqlite') });
  try {
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.is(health.status, 200);
    const body = (await health.json()) as { checks: Record<string, { ok: boolean; detail: string }> };
    assert.match(body.checks.edge!.detail, /display virtual, LEDs virtual/);
    await eventually(async () => {
      await bus.publish('stock.ticks', [
        { key: 'BTC-USD', value: JSON.stringify({ symbol: 'BTC-USD', price: 1, ts: Date.now(), source: 'kraken' }) },
      ]);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(metrics, /stock_stream_edge_messages_total\{[^}]*topic="ticks",result="shown"[^}]*\} [1-9]/);
    });
  } finally {
    await bus.close();
    service.child.kill('SIGTERM');
  }
  assert.is(await service.exit, 0);
});

test('edge.hardware: required without /dev/i2c-N: exit 1 with what to do', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-cli-'));
  const run = await cli(['edge'], {
    PORT: String(await freePort()),
    STOCK_STREAM_DATA_DIR: dir,
    STOCK_STREAM_CONFIG: configFile(dir, 'required'),
  });
  assert.is(run.code, 1);
  assert.match(run.stderr, /\/dev\/i2c-250 does not exist: enable I2C/);
});

test('a bad edge setting is a one-line configuration error naming the key', async () => {
  const run = await cli(['config'], { EDGE_HARDWARE: 'maybe' });
  assert.is(run.code, 78);
  assert.match(run.stderr, /edge\.hardware/);
});

test.run();
