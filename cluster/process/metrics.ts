// The processor's Prometheus metrics.
import { Counter, Histogram, type Registry } from 'prom-client';

export interface ProcessorMetrics {
  readonly ticks: Counter<'result'>;
  readonly signals: Counter<'side' | 'rule'>;
  readonly batchSeconds: Histogram;
}

export function processorMetrics(registry: Registry): ProcessorMetrics {
  return {
    ticks: new Counter({
      name: 'stock_stream_process_ticks_total',
      help: 'Ticks consumed by the processor, by result: processed, stale (not newer than the last), rejected (to the DLQ)',
      labelNames: ['result'],
      registers: [registry],
    }),
    signals: new Counter({
      name: 'stock_stream_process_signals_total',
      help: 'Signals emitted, by side and rule',
      labelNames: ['side', 'rule'],
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'stock_stream_process_batch_seconds',
      help: 'Time to process one batch, restore included, commit excluded',
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
  };
}
