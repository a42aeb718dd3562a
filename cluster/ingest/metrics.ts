// The ingestor's Prometheus metrics: what came in (by source and result, rejections by reason), the
// outbox backlog and its drops, and whether the source is alive.
import { Counter, Gauge, type Registry } from 'prom-client';

export interface IngestMetrics {
  /** result: accepted, duplicate, rejected. */
  readonly observations: Counter<'source' | 'result'>;
  readonly rejected: Counter<'source' | 'reason'>;
  /** Accepted ticks older than the newest already accepted for their symbol (forwarded all the same). */
  readonly outOfOrder: Counter<'source'>;
  readonly published: Counter<'topic'>;
  readonly outboxDropped: Counter;
  readonly outboxTicks: Gauge;
  readonly outboxOldestSeconds: Gauge;
  readonly sourceUp: Gauge<'source'>;
  readonly sourceSilenceSeconds: Gauge<'source'>;
  readonly sourceStale: Gauge<'source'>;
}

export function ingestMetrics(registry: Registry): IngestMetrics {
  const registers = [registry];
  return {
    observations: new Counter({
      name: 'stock_stream_ingest_observations_total',
      help: 'Observations from the source, by result: accepted (to the ticks topic), duplicate (dropped), rejected (to the DLQ)',
      labelNames: ['source', 'result'],
      registers,
    }),
    rejected: new Counter({
      name: 'stock_stream_ingest_rejected_total',
      help: 'Input sent to the DLQ, by reason: malformed, invalid, future, too-old, unknown-symbol, oversized',
      labelNames: ['source', 'reason'],
      registers,
    }),
    outOfOrder: new Counter({
      name: 'stock_stream_ingest_out_of_order_total',
      help: 'Accepted ticks older than the newest already accepted for their symbol (forwarded; the processor skips them)',
      labelNames: ['source'],
      registers,
    }),
    published: new Counter({
      name: 'stock_stream_ingest_published_total',
      help: 'Messages the bus acknowledged, by topic',
      labelNames: ['topic'],
      registers,
    }),
    outboxDropped: new Counter({
      name: 'stock_stream_ingest_outbox_dropped_total',
      help: 'Oldest outbox entries dropped because the outbox reached ingest.outbox.maxTicks',
      registers,
    }),
    outboxTicks: new Gauge({ name: 'stock_stream_ingest_outbox_ticks', help: 'Messages waiting in the outbox for the bus', registers }),
    outboxOldestSeconds: new Gauge({
      name: 'stock_stream_ingest_outbox_oldest_seconds',
      help: 'Age of the oldest message waiting in the outbox (0 when empty)',
      registers,
    }),
    sourceUp: new Gauge({
      name: 'stock_stream_ingest_source_up',
      help: '1 when the source reports itself working',
      labelNames: ['source'],
      registers,
    }),
    sourceSilenceSeconds: new Gauge({
      name: 'stock_stream_ingest_source_silence_seconds',
      help: 'Seconds since the source last sent anything (heartbeats included)',
      labelNames: ['source'],
      registers,
    }),
    sourceStale: new Gauge({
      name: 'stock_stream_ingest_source_stale',
      help: '1 when the source has been silent longer than its staleness bound',
      labelNames: ['source'],
      registers,
    }),
  };
}
