// The web role: the live feed, the event hub, the health source, the edge panel and the HTTP app
// wired together. The panel comes from the composition root (cli/): the edge role's in one process,
// a virtual edge of the web process's own otherwise. Notifications come over the bus, wherever the
// notifier runs.
import type { HealthStatus } from '../../platform/health.js';
import type { Role } from '../../platform/role.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { Bus } from '../../platform/bus/bus.js';
import type { Config } from '../../platform/config/schema.js';
import type { Logger } from '../../platform/log.js';
import type { AggregateStore } from '../../platform/store/store.js';
import type { PanelSnapshot, PanelView } from '../../core/contracts/index.js';
import { buildWebApp, securityHeaders } from './app.js';
import { defaultAssetsDir, loadAssets } from './assets.js';
import { HistoryFiles } from '../../platform/history/history-files.js';
import { EventHub } from './event-hub.js';
import { HealthSource } from './health.js';
import { LiveFeed } from './live-feed.js';
import { cleanNotification, fromNotifier, RecentIds, type DashboardControls } from './notifications.js';

export interface DashboardOptions {
  readonly config: Config;
  readonly bus: Bus;
  readonly store: AggregateStore;
  readonly logger: Logger;
  /** The edge's panel: the edge role's when it runs in this process, else a virtual edge's. */
  readonly panel: PanelView;
  /** The role's /healthz and /metrics, answered on the dashboard's port. */
  readonly ops?: FastifyInstance;
  /** Where the dashboard's own metrics go (the notifications it showed); none without it. */
  readonly registry?: Registry;
  readonly assetsDir?: string;
  readonly heartbeatMs?: number;
  readonly tickIntervalMs?: number;
  readonly healthIntervalMs?: number;
}

export class Dashboard implements Role {
  readonly hub: EventHub;
  readonly feed: LiveFeed;
  readonly roleHealth: HealthSource;
  readonly panel: PanelView;
  readonly controls: DashboardControls = { mutedUntil: null };
  readonly app: FastifyInstance;
  private readonly unsubscribe: Array<() => void> = [];
  private healthTimer: NodeJS.Timeout | undefined;
  /** Notifications already shown: a resend publishes the same id again. */
  private readonly shown: RecentIds;
  private readonly notifications: Counter<'result'> | undefined;

  constructor(private readonly options: DashboardOptions) {
    const { config, bus, store, logger } = options;
    const web = config.web;
    const assets = loadAssets(options.assetsDir ?? defaultAssetsDir());
    this.shown = new RecentIds(config.notify.dashboard.keep);
    this.notifications =
      options.registry &&
      new Counter({
        name: 'stock_stream_web_notifications_total',
        help: 'Notifications read from the notifications topic, by result: shown (sent to the open dashboards), repeat (an id already shown)',
        labelNames: ['result'],
        registers: [options.registry],
      });
    this.hub = new EventHub({ maxClients: web.maxClients, heartbeatMs: options.heartbeatMs, headers: securityHeaders(assets.styleHashes) });
    this.feed = new LiveFeed({
      bus,
      hub: this.hub,
      logger,
      topics: config.topics,
      symbols: config.symbols,
      tickIntervalMs: options.tickIntervalMs,
      onNotification: (notification) => {
        const fresh = this.shown.add(notification.id);
        this.notifications?.inc({ result: fresh ? 'shown' : 'repeat' });
        if (fresh) this.notify(fromNotifier(notification));
      },
    });
    this.roleHealth = new HealthSource({
      bus,
      store,
      feed: this.feed,
      symbols: config.symbols,
      staleMs: web.staleSeconds * 1000,
      ticksTopic: config.topics.ticks,
      lagGroups: [config.process.group, config.aggregate.group],
      roles: web.roles,
      mqttConfigured: config.mqtt.url !== undefined,
    });
    this.panel = options.panel;
    const tls =
      web.tls.certFile !== undefined && web.tls.keyFile !== undefined
        ? { cert: readFileSync(web.tls.certFile), key: readFileSync(web.tls.keyFile) }
        : undefined;
    this.app = buildWebApp({
      store,
      hub: this.hub,
      health: this.roleHealth,
      panel: this.panel,
      assets,
      symbols: config.symbols,
      token: web.token,
      staleSeconds: web.staleSeconds,
      historyDays: web.historyDays,
      indicatorPeriods: config.indicators,
      pipeline: { periods: config.indicators, timeframes: config.timeframes, strategy: config.strategy, alerts: config.alerts },
      historyFiles: new HistoryFiles(historyDir(config), web.backtestMaxMiB * 1024 * 1024),
      controls: this.controls,
      ...(options.ops ? { ops: options.ops } : {}),
      ...(tls ? { https: tls } : {}),
      testNotification: () =>
        this.notify({
          id: `test-${Date.now()}`,
          ts: Date.now(),
          level: 'info',
          title: 'Test notification',
          body: 'Sent from the dashboard.',
        }),
    });
  }

  /** Starts reading the bus; call listen() to serve. */
  async start(): Promise<void> {
    await this.feed.start();
    const onFrame = (snapshot: PanelSnapshot) => this.hub.publish('panel', snapshot);
    const onLeds = (levels: PanelSnapshot['leds']) => this.hub.publish('leds', levels);
    this.panel.on('frame', onFrame);
    this.panel.on('leds', onLeds);
    this.unsubscribe.push(
      () => this.panel.off('frame', onFrame),
      () => this.panel.off('leds', onLeds),
    );
    this.healthTimer = setInterval(() => {
      this.roleHealth.collect().then(
        (health) => this.hub.publish('health', health),
        (error: Error) => this.options.logger.warn({ err: error.message }, 'web: health collection failed'),
      );
    }, this.options.healthIntervalMs ?? 5000);
    this.healthTimer.unref();
  }

  health(): HealthStatus {
    return this.feed.running ? { ok: true, detail: 'reading the live topics' } : { ok: false, detail: 'not started' };
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    await this.app.listen({ host, port });
    return this.app.server.address() as AddressInfo;
  }

  async stop(): Promise<void> {
    clearInterval(this.healthTimer);
    for (const off of this.unsubscribe.splice(0)) off();
    this.hub.close();
    await this.app.close();
    await this.feed.stop();
  }

  /** Muted: the notification is not shown as a pop-up but still listed (the client decides by `muted`). */
  private notify(notification: Parameters<typeof cleanNotification>[0]): void {
    const clean = cleanNotification(notification);
    if (!clean) return;
    const muted = this.controls.mutedUntil !== null && Date.now() < this.controls.mutedUntil;
    this.hub.publish('notification', { ...clean, muted });
  }
}

/** Where the Strategy view finds downloaded price files: web.historyDir, or <dataDir>/history. */
export function historyDir(config: Config): string {
  return config.web.historyDir ?? join(config.dataDir, 'history');
}
