// `stock-stream run` with the appliance's candle store already holding the last 40 hours: the
// processor warms up from it before the first live tick, so the 1-hour strategy's indicators and
// stance are ready at once, and /healthz says where the candles came from.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SqliteStore } from '../../platform/store/sqlite-store.js';
import { freePort } from '../services/child.js';
import { startService, type Service } from '../support/cli.js';
import { fillStore, historyTicks } from '../support/history.js';
import { eventually } from '../support/wait.js';

const DAY = 86_400_000;

interface Latest {
  indicators?: {
    timeframe: string;
    rsi: number | null;
    closed: Record<string, number | null> | null;
    stance: { stance: string } | null;
    warmup?: unknown;
  };
}

test('run over a filled candle store: the 1-hour indicators are ready with the first live tick', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'run-warm-'));
  const now = Date.now();
  const store = new SqliteStore({
    // On a single node the store is in the embedded log's file (platform/store/select.ts storeFile).
    file: join(dataDir, 'bus.sqlite'),
    candleRetentionMs: { '1m': 7 * DAY, '5m': 30 * DAY, '1h': 365 * DAY },
    recentSignals: 50,
  });
  await fillStore(store, historyTicks('BTC-USD', now - 40 * 3_600_000, now - 5_000, 120_000));
  await store.close();
  const port = await freePort();
  const env = { STOCK_STREAM_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', MESSAGE_INTERVAL: '0.2', LOG_LEVEL: 'info' };
  const base = `http://127.0.0.1:${port}`;
  const service: Service = await startService(['run', '--source', 'simulator'], env);
  try {
    await eventually(async () => {
      const latest = (await (await fetch(`${base}/api/latest?symbol=BTC-USD`)).json()) as Latest;
      assert.is(latest.indicators?.timeframe, '1h');
    }, 30_000);
    // The first record the dashboard got is already ready: nothing warms up, every closed value is there.
    const { indicators } = (await (await fetch(`${base}/api/latest?symbol=BTC-USD`)).json()) as Latest;
    assert.is(indicators!.warmup, undefined, JSON.stringify(indicators));
    assert.ok(indicators!.rsi !== null, 'RSI on the forming candle');
    for (const [field, value] of Object.entries(indicators!.closed ?? {})) assert.ok(value !== null, `closed ${field}`);
    assert.ok(indicators!.stance !== null);
    const health = (await (await fetch(`${base}/healthz`)).json()) as { checks: Record<string, { ok: boolean; detail: string }> };
    assert.match(health.checks['process.processor']!.detail, /warm start: BTC-USD ready \(\d+ from store\)/);
    assert.match(service.stderr(), /warm start: BTC-USD is ready from \d+ candles of the past/);
  } finally {
    service.child.kill('SIGTERM');
    assert.is(await service.exit, 0, service.stderr().slice(-2000));
  }
});

test.run();
