// `stock-stream run`: the whole appliance in one process. Every role on one bus (the embedded log
// unless KAFKA_BOOTSTRAP_SERVERS is set), the dashboard on http.port, the edge's panel shared with it.
import { resolve } from 'node:path';
import { aggregateRole } from '../../cluster/aggregate/role.js';
import { ingestRole } from '../../cluster/ingest/role.js';
import { createSource } from '../../cluster/ingest/sources/index.js';
import { notifyRole } from '../../cluster/notify/role.js';
import { processRole } from '../../cluster/process/role.js';
import { edgeRole } from '../../edge/role.js';
import type { RoleSpec, RunningRole } from '../../platform/role.js';
import type { EdgePanel } from '../../edge/virtual-panel.js';
import { Dashboard } from '../../web/server/dashboard.js';
import { openBus } from '../../platform/bus/select.js';
import { buildOpsApp, createMetricsRegistry } from '../../platform/ops/ops-server.js';
import type { HealthCheck } from '../../platform/health.js';
import { openStore } from '../../platform/store/select.js';
import { safeUrl } from '../../platform/safe-url.js';
import type { Command } from '../command.js';
import { listenOn, untilAborted } from '../role-runner.js';
import { version } from '../version.js';
import { ingestCommand, ingestSettings } from './ingest.js';

const LIVE_SOURCES: Record<string, string> = {
  coinbase: 'Coinbase Exchange, live',
  kraken: 'Kraken, live',
  alphavantage: 'Alpha Vantage, polled',
  simulator: 'the simulator: SIMULATED prices, not the market',
};

export const runCommand: Command = {
  name: 'run',
  description:
    'Starts every role in this one process on one bus: the embedded log in <dataDir>/bus.sqlite (or\n' +
    'Kafka when KAFKA_BOOTSTRAP_SERVERS is set) and the aggregate store in SQLite (or Redis when\n' +
    'REDIS_URL is set). The price source is the live Coinbase feed unless --source (or\n' +
    'STOCK_STREAM_SOURCE) says otherwise; --source simulator or replay:<file.csv> needs no network.\n' +
    'The dashboard, /healthz and /metrics are served on http.host:http.port (PORT, default 8080).\n' +
    'The OLED, LEDs and buzzer are driven when the hardware is present and shown on the dashboard\n' +
    'either way; MQTT runs when MQTT_URL is set; notifications go to notify.subscribers.\n' +
    'Everything lives in dataDir (STOCK_STREAM_DATA_DIR, default ./data), survives restarts, and is\n' +
    'bounded by the retention settings. On start the processor warms each symbol up from the candles\n' +
    'kept in the store (warmup:), so the indicators are ready with the first live tick. The first\n' +
    'lines on stdout say where to look and which source\n' +
    'is active. Stops cleanly on SIGINT/SIGTERM.',
  positionals: [],
  options: ingestCommand.options,
  examples: [
    'stock-stream run                                         # live BTC-USD from Coinbase',
    'stock-stream run --source simulator                      # a demo with no network',
    'stock-stream run --source replay:examples/simulated-btc-usd-1w.csv --speed 600',
  ],
  async run(context) {
    const config = context.config();
    const ingest = ingestSettings(context, config);
    const logger = context.logger();
    // Built before anything opens: a source that cannot start (no API key) fails at once, clearly.
    const source = createSource(ingest, { logger: logger.child({ role: 'ingest' }), symbols: config.symbols });
    // A commit of the embedded log that fails loses its group: the roles' state in memory is then
    // ahead of the disk, so the process stops (its service restarts it from what is on disk).
    const commitFailed = new AbortController();
    const bus = await openBus(config, logger, {
      owner: {
        onCommitError: (error) => {
          logger.fatal({ err: error }, 'the embedded log could not commit; stopping');
          commitFailed.abort();
        },
      },
    });
    const registry = createMetricsRegistry('run');
    const running: RunningRole[] = [];
    let panel: EdgePanel | undefined;
    let store: Awaited<ReturnType<typeof openStore>> | undefined;
    let web: Dashboard | undefined;
    const start = async (spec: RoleSpec) => {
      // The roles see the source this run reads (--source), the warm start's `exchange` among them.
      const role = await spec.start({
        config: { ...config, ingest },
        logger: logger.child({ role: spec.name }),
        bus,
        registry,
        version: version(),
      });
      // Several roles have a check of the same name ("sqlite"): /healthz names them by role.
      const checks = role.checks.map((check) => (check.name === spec.name ? check : { ...check, name: `${spec.name}.${check.name}` }));
      running.push({ checks, stop: () => role.stop() });
    };
    try {
      // Consumers first, the source last, so the first ticks find every role listening.
      await start(processRole);
      await start(aggregateRole);
      await start(notifyRole(context.env));
      await start(edgeRole((edgePanel) => (panel = edgePanel)));
      store = await openStore(config, logger.child({ role: 'web' }), bus);
      const opened = store;
      const checks: HealthCheck[] = [
        { name: bus.kind === 'kafka' ? 'kafka' : 'embedded-log', check: () => bus.health() },
        { name: `web.${opened.kind}`, check: () => opened.health() },
        ...running.flatMap((role) => role.checks),
      ];
      const ops = buildOpsApp({ role: 'run', version: version(), registry, checks });
      if (!panel) throw new Error('the edge role started without its panel');
      web = new Dashboard({ config, bus, store, logger: logger.child({ role: 'web' }), ops, panel, registry });
      await web.start();
      await listenOn(config.http.port, web.listen(config.http.host, config.http.port));
      await start(
        ingestRole(ingest, source, context.signal, (outcome) => {
          // The dashboard stays up after a replay or a failed source: it shows what happened.
          if (outcome.error) logger.error({ err: outcome.error }, 'the price source failed; the dashboard and /healthz say so');
          else if (outcome.replayDone) logger.info('the replay is done; the dashboard keeps showing it (Ctrl-C to stop)');
        }),
      );
      // The ops app reads this list on every /healthz, so the source joins it now that it runs.
      checks.push(...running.at(-1)!.checks);
      const scheme = config.web.tls.certFile ? 'https' : 'http';
      const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? 'localhost' : config.http.host;
      const described =
        LIVE_SOURCES[ingest.source] ??
        `replay of ${ingest.source.slice('replay:'.length)} at speed ${ingest.replay.speed === 0 ? 'max' : `×${ingest.replay.speed}`}`;
      context.stdout.write(
        [
          `Stock Stream ${version()} is running: ${config.symbols.join(', ')}`,
          `  dashboard  ${scheme}://${host}:${config.http.port}/  (health: /healthz, metrics: /metrics)`,
          `  source     ${described}`,
          `  data       ${resolve(config.dataDir)} (bus: ${bus.kind === 'kafka' ? `Kafka ${config.kafka.brokers?.join(',')}` : 'embedded log'}, store: ${opened.kind})`,
          `  edge       ${panel?.hardware.display ? 'OLED' : 'virtual OLED'}, ${panel?.hardware.gpio ? 'GPIO LEDs and buzzer' : 'virtual LEDs'}${config.mqtt.url ? `, MQTT ${safeUrl(config.mqtt.url)}` : ''}`,
          `  notify     ${config.notify.subscribers.length} subscriber(s)`,
          'Stop with Ctrl-C.',
          '',
        ].join('\n'),
      );
      logger.info({ bus: bus.kind, port: config.http.port, source: ingest.source }, 'run running');
      await untilAborted(AbortSignal.any([context.signal, commitFailed.signal]));
      logger.info('stopping');
      return commitFailed.signal.aborted ? 1 : 0;
    } finally {
      // The source first, then the consumers, in the reverse of their start.
      for (const role of running.reverse())
        await role.stop().catch((error: unknown) => logger.error({ err: error }, 'a role failed to stop'));
      await web?.stop();
      await store?.close();
      await bus.close();
    }
  },
};
