// How the processor role starts: its dependencies in, the running Processor and its checks out.
import { pipelineFactory, type PipelineSettings } from '../../core/pipeline.js';
import type { RoleSpec } from '../../platform/role.js';
import { openStore } from '../../platform/store/select.js';
import type { AggregateStore } from '../../platform/store/store.js';
import { processorMetrics } from './metrics.js';
import { Processor } from './processor.js';
import { WarmStart } from './warm-start.js';
import { warmupSources } from './warm-sources.js';

export const processRole: RoleSpec = {
  name: 'process',
  async start({ config, logger, bus, registry }) {
    const settings: PipelineSettings = {
      periods: config.indicators,
      timeframes: config.timeframes,
      strategy: config.strategy,
      alerts: config.alerts,
    };
    let store: AggregateStore | undefined;
    let warmStart: WarmStart | undefined;
    if (config.warmup.enabled) {
      // The store is read once, for the warm start, and closed when the processor is ready.
      if (config.warmup.sources.includes('store')) {
        store = await openStore(config, logger, bus).catch((error: unknown) => {
          logger.warn({ err: error }, 'warm start: the candle store could not be opened; starting without it');
          return undefined;
        });
      }
      warmStart = new WarmStart({
        symbols: config.symbols,
        settings,
        sources: warmupSources(config, store, logger),
        maxCandles: config.warmup.maxCandles,
        maxAgeMs: config.warmup.maxAgeDays * 86_400_000,
        timeoutMs: config.warmup.timeoutSeconds * 1000,
        logger,
      });
    }
    const processor = new Processor({
      bus,
      logger,
      group: config.process.group,
      topics: { ...config.topics, state: config.topics.processorState },
      pipelines: pipelineFactory(settings),
      symbols: config.symbols,
      metrics: processorMetrics(registry),
      ...(warmStart ? { warmStart } : {}),
    });
    const closeStore = async () => {
      const opened = store;
      store = undefined;
      await opened?.close();
    };
    try {
      await processor.start();
    } catch (error) {
      await closeStore();
      throw error;
    }
    void processor.ready
      .then(closeStore, closeStore)
      .catch((error: unknown) => logger.warn({ err: error }, 'could not close the candle store'));
    return {
      checks: [{ name: 'processor', check: () => processor.health() }],
      stop: async () => {
        await processor.stop();
        await closeStore();
      },
    };
  },
};
