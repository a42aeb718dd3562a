// How the processor role starts: its dependencies in, the running Processor and its checks out.
import { pipelineFactory } from '../../core/pipeline.js';
import type { RoleSpec } from '../../platform/role.js';
import { processorMetrics } from './metrics.js';
import { Processor } from './processor.js';

export const processRole: RoleSpec = {
  name: 'process',
  async start({ config, logger, bus, registry }) {
    const processor = new Processor({
      bus,
      logger,
      group: config.process.group,
      topics: { ...config.topics, state: config.topics.processorState },
      pipelines: pipelineFactory({
        periods: config.indicators,
        timeframes: config.timeframes,
        strategy: config.strategy,
        alerts: config.alerts,
      }),
      metrics: processorMetrics(registry),
    });
    await processor.start();
    return { checks: [{ name: 'processor', check: () => processor.health() }], stop: () => processor.stop() };
  },
};
