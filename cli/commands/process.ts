// `stock-stream process`: the stream processor role (ticks -> indicators and signals, exactly once).
import { processRole } from '../../cluster/process/role.js';
import type { Command } from '../command.js';
import { runRole } from '../role-runner.js';

export const processCommand: Command = {
  name: 'process',
  description:
    'Consumes the ticks topic as the consumer group process.group and publishes the indicators and\n' +
    'signals topics. Each batch, its outputs, a state snapshot (the processorState topic) and the\n' +
    'consumed offsets are committed together, so a processor killed at any moment and restarted\n' +
    'publishes exactly the signals an uninterrupted one would. Run several to split the partitions.\n' +
    'Before it reads ticks, each symbol without saved state is warmed up from candles of the past\n' +
    '(warmup.sources: the candle store first), so its indicators are ready at once; silently, no\n' +
    'signal about the past is published. See docs/processing.md#warm-start.\n' +
    'Serves /healthz and /metrics on PORT. Stops cleanly on SIGINT/SIGTERM.',
  positionals: [],
  options: {},
  examples: ['KAFKA_BOOTSTRAP_SERVERS=kafka:9092 stock-stream process', 'PORT=9101 stock-stream process   # single node, embedded log'],
  run: (context) => runRole(context, processRole),
};
