// How the aggregator role starts: the store opened, the Aggregator started, their checks out.
import type { RoleSpec } from '../../platform/role.js';
import { openStore } from '../../platform/store/select.js';
import { Aggregator } from './aggregator.js';
import { aggregatorMetrics } from './metrics.js';

export const aggregateRole: RoleSpec = {
  name: 'aggregate',
  async start({ config, logger, bus, registry }) {
    const store = await openStore(config, logger, bus);
    const aggregator = new Aggregator({
      bus,
      store,
      logger,
      group: config.aggregate.group,
      topics: config.topics,
      metrics: aggregatorMetrics(registry),
      maxClockSkewMs: config.aggregate.maxClockSkewSeconds * 1000,
    });
    try {
      await aggregator.start();
    } catch (error) {
      await store.close();
      throw error;
    }
    return {
      checks: [
        { name: store.kind, check: () => store.health() },
        { name: 'aggregator', check: () => aggregator.health() },
      ],
      async stop() {
        await aggregator.stop();
        await store.close();
      },
    };
  },
};
