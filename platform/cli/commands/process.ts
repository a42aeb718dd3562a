// `stock-stream process`: the stream processor role (ticks -> indicators and signals, exactly once).
import { Processor } from '../../../cluster/process/processor.js';
import { processorMetrics } from '../../../cluster/process/metrics.js';
import { pipelineFactory } from '../../../core/pipeline.js';
import type { Command } from '../command.js';
import { runRole, type RoleSpec } from '../role-runner.js';

export const processCommand: Command = {
  name: 'process',
  description:
    'Consumes the ticks topic as the consumer group process.group and publishes the indicators and\n' +
    'signals topics. Each batch, its outputs, a state snapshot (the processorState topic) and the\n' +
    'consumed offsets are committed together, so a processor killed at any moment and restarted\n' +
    'publishes exactly the signals an uninterrupted one would. Run several to split the partitions.\n' +
    'Serves /healthz and /metrics on PORT. Stops cleanly on SIGINT/SIGTERM.',
  positionals: [],
  options: {},
  examples: ['KAFKA_BOOTSTRAP_SERVERS=kafka:9092 stock-stream process', 'PORT=9101 stock-stream process   # single node, embedded log'],
  run: (context) => runRole(context, processRole),
};

export const processRole: RoleSpec = {
  name: 'process',
  async start({ config, logger, bus, registry }) {
    const processor = new Processor({
      bus,
      logger,
      group: config.process.group,
      topics: { ...config.topics, state: config.topics.processorState },
      pipelines: pipelineFactory({ periods: config.indicators, rules: config.rules }),
      metrics: processorMetrics(registry),
    });
    await processor.start();
    return { checks: [{ name: 'processor', check: () => processor.health() }], stop: () => processor.stop() };
  },
};
