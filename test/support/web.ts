// The dashboard for tests: a Dashboard on a real embedded log and SQLite store in a fresh directory,
// with history written into the store the way the aggregator writes it.
import { Registry } from 'prom-client';
import { virtualEdgeRole } from '../../edge/role.js';
import type { EdgePanel } from '../../edge/virtual-panel.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AggregateItem } from '../../core/aggregate/apply-batch.js';
import type { IndicatorSnapshot, SignalSummary, Tick } from '../../core/contracts/index.js';
import { EmbeddedLog } from '../../platform/bus/embedded-log.js';
import { ConfigSchema, type Config } from '../../platform/config/schema.js';
import { createLogger } from '../../platform/log.js';
import { storeSettings } from '../../platform/store/select.js';
import { SqliteStore } from '../../platform/store/sqlite-store.js';
import { Dashboard } from '../../web/server/dashboard.js';

export interface WebFixture {
  readonly dir: string;
  readonly config: Config;
  readonly bus: EmbeddedLog;
  readonly store: SqliteStore;
  readonly role: Dashboard;
  close(): Promise<void>;
}

export async function startWeb(web: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<WebFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'web-'));
  const config = ConfigSchema.parse({ dataDir: dir, symbols: ['BTC-USD', 'ETH-USD'], web, edge: { hardware: 'virtual' }, ...extra });
  const bus = new EmbeddedLog({ file: join(dir, 'bus.sqlite'), pollIntervalMs: 20 });
  // As on a single node: the store in the embedded log's file, on its connection (platform/store/select.ts).
  const store = new SqliteStore({ ...storeSettings(config), connection: bus.connection });
  const logger = createLogger('silent');
  let panel: EdgePanel | undefined;
  const edge = await virtualEdgeRole(`${config.web.group}.panel`, (edgePanel) => (panel = edgePanel)).start({
    config,
    logger,
    bus,
    registry: new Registry(),
    version: 'test',
  });
  const role = new Dashboard({
    config,
    bus,
    store,
    logger,
    panel: panel!,
    heartbeatMs: 500,
    tickIntervalMs: 50,
    healthIntervalMs: 500,
  });
  await role.start();
  return {
    dir,
    config,
    bus,
    store,
    role,
    async close() {
      await role.stop();
      await edge.stop();
      await store.close();
      await bus.close();
    },
  };
}

let offsets = 0;

/** Writes ticks and signals into the store as one aggregator batch would. */
export async function seedStore(store: SqliteStore, ticks: readonly Tick[], signals: readonly SignalSummary[] = []): Promise<void> {
  const items: AggregateItem[] = [
    ...ticks.map((tick) => ({ kind: 'tick' as const, tick })),
    ...signals.map((signal) => ({ kind: 'signal' as const, signal })),
  ];
  const start = offsets;
  offsets += items.length;
  await store.applyBatch({
    topic: 'seed',
    partition: 0,
    nextOffset: String(offsets),
    items: items.map((item, i) => ({ offset: String(start + i), item })),
  });
}

/** Writes one indicator record into the store, as the aggregator keeps the latest. */
export async function seedIndicators(store: SqliteStore, indicators: IndicatorSnapshot): Promise<void> {
  const start = offsets++;
  await store.applyBatch({
    topic: 'seed-indicators',
    partition: 0,
    nextOffset: String(offsets),
    items: [{ offset: String(start), item: { kind: 'indicators', indicators } }],
  });
}

/** A BTC-like path of `count` ticks `stepMs` apart ending at `end`, deterministic, with some noise so candles have bodies. */
export function recentTicks(count: number, end: number, source = 'coinbase', stepMs = 60_000): Tick[] {
  let price = 97_000;
  return Array.from({ length: count }, (_, i) => {
    const t = (i * stepMs) / 60_000;
    price = Math.round((price + Math.sin(t / 7) * 60 * (stepMs / 60_000) + Math.sin(i * 12.9898) * 18) * 100) / 100;
    return { symbol: 'BTC-USD', price, ts: end - (count - 1 - i) * stepMs, source, volume: 0.25 };
  });
}
