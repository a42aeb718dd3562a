// `stock-stream web`: the LAN dashboard (live chart, indicators, signals, health, the edge panel).
import { virtualEdgeRole } from '../../edge/role.js';
import type { EdgePanel } from '../../edge/virtual-panel.js';
import { openBus } from '../../platform/bus/select.js';
import type { RunningRole } from '../../platform/role.js';
import { buildOpsApp, createMetricsRegistry } from '../../platform/ops/ops-server.js';
import { openStore } from '../../platform/store/select.js';
import { Dashboard } from '../../web/server/dashboard.js';
import type { Command } from '../command.js';
import { listenOn, untilAborted } from '../role-runner.js';
import { version } from '../version.js';

export const webCommand: Command = {
  name: 'web',
  description:
    'Serves the dashboard on http.host:http.port (PORT, default 8080): a live candle chart (1m/5m/1h) with\n' +
    'SMA, EMA, Bollinger, RSI and MACD, buy/sell markers, the signal feed, today and the last days from\n' +
    'the aggregate store (Redis or SQLite), role health, and the virtual OLED and LEDs; and a Strategy\n' +
    'view (/#strategy): the strategy in words, its stance, and a hypothetical backtest (not advice) over\n' +
    "the store's candles or a CSV file in web.historyDir (default <dataDir>/history). Live data comes\n" +
    "from the ticks, indicators and signals topics and the notifier's dashboard notifications from the\n" +
    'notifications topic, each id shown once (read from the latest message, outside any group), as\n' +
    'server-sent events on /api/events. Read-only without login; mute and the test notification\n' +
    'need WEB_TOKEN. HTTPS when web.tls.certFile and keyFile are set. Also serves /healthz and /metrics.\n' +
    'Stops cleanly on SIGINT/SIGTERM. See docs/dashboard.md.',
  positionals: [],
  options: {},
  examples: [
    'stock-stream web                 # http://<this machine>:8080/',
    'PORT=8081 WEB_TOKEN_FILE=/run/secrets/web-token stock-stream web',
  ],
  async run(context) {
    const config = context.config();
    const logger = context.logger().child({ role: 'web' });
    const bus = await openBus(config, logger);
    let store: Awaited<ReturnType<typeof openStore>> | undefined;
    let role: Dashboard | undefined;
    let edge: RunningRole | undefined;
    try {
      store = await openStore(config, logger, bus);
      const opened = store;
      const registry = createMetricsRegistry('web');
      // No edge role in this process: a virtual one of its own draws the panel from the same topics.
      let panel: EdgePanel | undefined;
      edge = await virtualEdgeRole(`${config.web.group}.panel`, (edgePanel) => (panel = edgePanel)).start({
        config,
        logger: logger.child({ role: 'web.panel' }),
        bus,
        registry,
        version: version(),
      });
      if (!panel) throw new Error('the virtual edge started without its panel');
      const ops = buildOpsApp({
        role: 'web',
        version: version(),
        registry,
        checks: [
          { name: bus.kind === 'kafka' ? 'kafka' : 'embedded-log', check: () => bus.health() },
          { name: opened.kind, check: () => opened.health() },
          { name: 'live', check: () => role?.health() ?? { ok: false, detail: 'not started' } },
        ],
      });
      role = new Dashboard({ config, bus, store, logger, ops, panel, registry });
      await role.start();
      const scheme = config.web.tls.certFile ? 'https' : 'http';
      await listenOn(config.http.port, role.listen(config.http.host, config.http.port));
      logger.info(
        { bus: bus.kind, store: store.kind, port: config.http.port },
        `web running; dashboard on ${scheme}://${config.http.host}:${config.http.port}/`,
      );
      await untilAborted(context.signal);
      logger.info('stopping');
      return 0;
    } finally {
      await role?.stop();
      await edge?.stop();
      await store?.close();
      await bus.close();
    }
  },
};
