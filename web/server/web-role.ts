// The web role: the live feed, the event hub, the health source, the virtual edge panel and the HTTP
// app wired together. In one process with the edge role it can share its panel; otherwise (a cluster,
// or no edge role at all) it runs its own virtual edge, the same pure core reading the same topics.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Bus } from '../../platform/bus/bus.js';
import type { Config } from '../../platform/config/schema.js';
import type { Logger } from '../../platform/log.js';
import type { AggregateStore } from '../../platform/store/store.js';
import { EdgeRole } from '../../edge/edge-role.js';
import { edgeSettings } from '../../edge/settings.js';
import { EdgePanel } from '../../edge/virtual-panel.js';
import { buildWebApp, securityHeaders } from './app.js';
import { defaultAssetsDir, loadAssets } from './assets.js';
import { EventHub } from './event-hub.js';
import { HealthSource } from './health.js';
import { LiveFeed } from './live-feed.js';
import { sharedDashboardFeed } from '../../cluster/notify/dashboard-feed.js';
import { cleanNotification, fromNotifier, type DashboardControls, type DashboardFeed } from './notifications.js';

export interface WebRoleOptions {
  readonly config: Config;
  readonly bus: Bus;
  readonly store: AggregateStore;
  readonly logger: Logger;
  /** The edge role's panel when it runs in this process; absent: the web role runs its own virtual edge. */
  readonly panel?: EdgePanel;
  /** The notifier's dashboard feed; default: the process's shared one (filled when the notify role runs here too). */
  readonly notifications?: DashboardFeed;
  /** The role's /healthz and /metrics, answered on the dashboard's port. */
  readonly ops?: FastifyInstance;
  readonly assetsDir?: string;
  readonly heartbeatMs?: number;
  readonly tickIntervalMs?: number;
  readonly healthIntervalMs?: number;
}

export class WebRole {
  readonly hub: EventHub;
  readonly feed: LiveFeed;
  readonly health: HealthSource;
  readonly panel: EdgePanel;
  readonly controls: DashboardControls = { mutedUntil: null };
  readonly app: FastifyInstance;
  private edge: EdgeRole | undefined;
  private readonly unsubscribe: Array<() => void> = [];
  private healthTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: WebRoleOptions) {
    const { config, bus, store, logger } = options;
    const web = config.web;
    const assets = loadAssets(options.assetsDir ?? defaultAssetsDir());
    this.hub = new EventHub({ maxClients: web.maxClients, heartbeatMs: options.heartbeatMs, headers: securityHeaders(assets.styleHashes) });
    this.feed = new LiveFeed({ bus, hub: this.hub, logger, group: web.group, topics: config.topics, symbols: config.symbols, tickIntervalMs: options.tickIntervalMs });
    this.health = new HealthSource({
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
    const { display, alerts } = edgeSettings(config.edge);
    this.panel = options.panel ?? new EdgePanel(display.width, display.height, { display: false, gpio: false });
    if (!options.panel) {
      this.edge = new EdgeRole({ bus, logger, topics: config.topics, group: `${web.group}.panel`, symbols: config.symbols, display, alerts, panel: this.panel });
    }
    const tls = web.tls.certFile !== undefined && web.tls.keyFile !== undefined ? { cert: readFileSync(web.tls.certFile), key: readFileSync(web.tls.keyFile) } : undefined;
    this.app = buildWebApp({
      store,
      hub: this.hub,
      health: this.health,
      panel: this.panel,
      assets,
      symbols: config.symbols,
      token: web.token,
      staleSeconds: web.staleSeconds,
      historyDays: web.historyDays,
      indicatorPeriods: config.indicators,
      controls: this.controls,
      ...(options.ops ? { ops: options.ops } : {}),
      ...(tls ? { https: tls } : {}),
      testNotification: () => this.notify({ id: `test-${Date.now()}`, ts: Date.now(), level: 'info', title: 'Test notification', body: 'Sent from the dashboard.' }),
    });
  }

  /** Starts reading the bus; call listen() to serve. */
  async start(): Promise<void> {
    await this.feed.start();
    await this.edge?.start();
    const onFrame = (snapshot: ReturnType<EdgePanel['snapshot']>) => this.hub.publish('panel', snapshot);
    const onLeds = (levels: unknown) => this.hub.publish('leds', levels);
    this.panel.on('frame', onFrame);
    this.panel.on('leds', onLeds);
    this.unsubscribe.push(() => this.panel.off('frame', onFrame), () => this.panel.off('leds', onLeds));
    const feed = this.options.notifications ?? sharedDashboardFeed();
    this.unsubscribe.push(feed.subscribe((notification) => this.notify(fromNotifier(notification))));
    this.healthTimer = setInterval(() => {
      this.health.collect().then(
        (health) => this.hub.publish('health', health),
        (error: Error) => this.options.logger.warn({ err: error.message }, 'web: health collection failed'),
      );
    }, this.options.healthIntervalMs ?? 5000);
    this.healthTimer.unref();
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
    await this.edge?.stop();
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
