// How the notifier role starts: the channels, the ledger, the dispatcher that sends and the
// Notifier that queues from the signals topic, with their checks.
import { ConfigError, type Env } from '../../platform/config/load.js';
import type { Config } from '../../platform/config/schema.js';
import type { RoleSpec } from '../../platform/role.js';
import type { NotificationTopic } from './channels/dashboard.js';
import { buildChannel, ChannelConfigError, usedChannels, type ConfiguredChannel } from './channels/index.js';
import { Dispatcher } from './dispatcher.js';
import { notifierMetrics } from './metrics.js';
import { Notifier } from './notifier.js';
import { openLedger } from './select.js';

/** The notifier role; channels read their tokens from `env`; the dashboard channel publishes on topics.notifications. */
export function notifyRole(env: Env): RoleSpec {
  return {
    name: 'notify',
    async start({ config, logger, bus, registry }) {
      const dashboard = { bus, topic: config.topics.notifications };
      const channels = buildChannels(config, env, dashboard);
      if (channels.has('dashboard')) await bus.ensureTopics([{ name: dashboard.topic }]);
      const ledger = await openLedger(config, logger);
      const metrics = notifierMetrics(registry);
      const { notify } = config;
      const dispatcher = new Dispatcher({
        ledger,
        channels,
        subscribers: notify.subscribers,
        logger,
        metrics,
        settings: {
          timeoutMs: notify.timeoutSeconds * 1000,
          retry: {
            initialMs: notify.retry.initialSeconds * 1000,
            maxMs: notify.retry.maxSeconds * 1000,
            maxAttempts: notify.retry.maxAttempts,
          },
          maxDigest: notify.maxDigest,
        },
      });
      const notifier = new Notifier({
        bus,
        ledger,
        logger,
        metrics,
        topic: config.topics.signals,
        group: notify.group,
        subscribers: notify.subscribers,
        maxQueued: notify.maxQueued,
        onQueued: () => dispatcher.wake(),
      });
      if (notify.subscribers.length === 0) logger.warn('notify.subscribers is empty: signals are read and nobody is told');
      dispatcher.start();
      const prune = setInterval(() => void ledger.prune(Date.now() - notify.keepDays * 86_400_000).catch(() => {}), 3600_000);
      prune.unref();
      try {
        await notifier.start();
      } catch (error) {
        clearInterval(prune);
        await dispatcher.stop();
        await ledger.close();
        throw error;
      }
      return {
        checks: [
          { name: ledger.kind, check: () => ledger.health() },
          { name: 'notifier', check: () => notifier.health() },
          { name: 'dispatcher', check: () => dispatcher.health() },
        ],
        async stop() {
          clearInterval(prune);
          await notifier.stop();
          await dispatcher.stop();
          for (const { channel } of channels.values()) await channel.close?.();
          await ledger.close();
        },
      };
    },
  };
}

export function buildChannels(
  config: Config,
  env: Env,
  dashboard: NotificationTopic | undefined,
  only?: string,
): Map<string, ConfiguredChannel> {
  const channels = new Map<string, ConfiguredChannel>();
  for (const id of only !== undefined ? [only] : usedChannels(config.notify)) {
    try {
      channels.set(id, buildChannel(id, config.notify, dashboard, env));
    } catch (error) {
      if (error instanceof ChannelConfigError) throw new ConfigError(error.message);
      throw error;
    }
  }
  return channels;
}
