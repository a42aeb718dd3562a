// The notifier's Prometheus metrics.
import { Counter, type Registry } from 'prom-client';

export interface NotifierMetrics {
  readonly signals: Counter<'result'>;
  readonly deliveries: Counter<'channel' | 'result'>;
  readonly messages: Counter<'channel' | 'kind'>;
  readonly recovered: Counter<'channel' | 'policy'>;
}

export function notifierMetrics(registry: Registry): NotifierMetrics {
  return {
    signals: new Counter({
      name: 'stock_stream_notify_signals_total',
      help: 'Signal messages read by the notifier, by result: queued (new entries), duplicate (already in the ledger), unrouted (no subscriber wants it), not-notified (a crossing: no change of stance), malformed',
      labelNames: ['result'],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'stock_stream_notify_deliveries_total',
      help: 'Ledger entries settled, by channel and result: sent, retry, failed, in-doubt, skipped (quiet hours), dropped (queue full)',
      labelNames: ['channel', 'result'],
      registers: [registry],
    }),
    messages: new Counter({
      name: 'stock_stream_notify_messages_total',
      help: 'Messages delivered, by channel and kind: single (one signal) or digest (several)',
      labelNames: ['channel', 'kind'],
      registers: [registry],
    }),
    recovered: new Counter({
      name: 'stock_stream_notify_in_doubt_total',
      help: 'Sends cut short before their outcome was recorded, by channel and the policy applied (resend or skip)',
      labelNames: ['channel', 'policy'],
      registers: [registry],
    }),
  };
}
