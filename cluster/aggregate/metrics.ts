// The aggregator's Prometheus metrics.
import { Counter, Histogram, type Registry } from 'prom-client';

export interface AggregatorMetrics {
  readonly messages: Counter<'topic' | 'result'>;
  readonly storeFailures: Counter;
  readonly batchSeconds: Histogram;
}

export function aggregatorMetrics(registry: Registry): AggregatorMetrics {
  return {
    messages: new Counter({
      name: 'stock_stream_aggregate_messages_total',
      help: 'Messages consumed by the aggregator, by topic and result: applied, redelivered (already applied, skipped), duplicate (a signal id already counted), malformed',
      labelNames: ['topic', 'result'],
      registers: [registry],
    }),
    storeFailures: new Counter({
      name: 'stock_stream_aggregate_store_failures_total',
      help: 'Batch writes that failed (store unreachable) and were retried',
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'stock_stream_aggregate_batch_seconds',
      help: 'Time to apply one batch to the store, retries included',
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
  };
}
