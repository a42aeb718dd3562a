// `stock-stream aggregate`: the aggregator role (ticks, signals, indicators -> daily figures, candles, latest).
import { aggregateRole } from '../../cluster/aggregate/role.js';
import type { Command } from '../command.js';
import { runRole } from '../role-runner.js';

export const aggregateCommand: Command = {
  name: 'aggregate',
  description:
    'Consumes the ticks, signals and indicators topics as the consumer group aggregate.group and keeps,\n' +
    'per symbol and UTC day, open/high/low/close, tick average, TWAP, tick count, volume and buy/sell\n' +
    'signal counts; 1-minute, 5-minute and 1-hour candles; the latest tick, indicators and recent\n' +
    'signals. The store is Redis when REDIS_URL is set, else SQLite: <dataDir>/bus.sqlite on the\n' +
    'embedded log, <dataDir>/aggregates.sqlite beside Kafka. Each batch\n' +
    'is written with its offsets in one atomic step, so a restart or a redelivery never counts twice.\n' +
    'Malformed messages are counted and logged, never fatal. While the store is unreachable it commits\n' +
    'nothing, retries with backoff and reports it on /healthz. Serves /healthz and /metrics on PORT.\n' +
    'Stops cleanly on SIGINT/SIGTERM. See docs/aggregation.md.',
  positionals: [],
  options: {},
  examples: [
    'REDIS_URL=redis://redis:6379 KAFKA_BOOTSTRAP_SERVERS=kafka:9092 stock-stream aggregate',
    'PORT=9102 stock-stream aggregate   # single node: embedded log and SQLite',
  ],
  run: (context) => runRole(context, aggregateRole),
};
