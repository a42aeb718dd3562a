// The edge role's Prometheus metrics.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface EdgeMetrics {
  readonly messages: Counter<'topic' | 'result'>;
  readonly alerts: Counter<'side' | 'event'>;
  readonly renderSeconds: Histogram;
  readonly i2cBytes: Gauge;
  readonly pagesSent: Gauge;
  readonly leds: Gauge<'line'>;
}

export function edgeMetrics(registry: Registry): EdgeMetrics {
  return {
    messages: new Counter({
      name: 'stock_stream_edge_messages_total',
      help: 'Bus messages read by the edge, by topic and result: shown, ignored (a symbol not followed), rejected (malformed)',
      labelNames: ['topic', 'result'],
      registers: [registry],
    }),
    alerts: new Counter({
      name: 'stock_stream_edge_alerts_total',
      help: 'Signals by side and what the LEDs and buzzer did: alert, cooldown, late, duplicate',
      labelNames: ['side', 'event'],
      registers: [registry],
    }),
    renderSeconds: new Histogram({
      name: 'stock_stream_edge_render_seconds',
      help: 'Time to render one frame in the core',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01],
      registers: [registry],
    }),
    i2cBytes: new Gauge({ name: 'stock_stream_edge_i2c_bytes', help: 'Bytes written to the OLED since start', registers: [registry] }),
    pagesSent: new Gauge({
      name: 'stock_stream_edge_pages_sent',
      help: 'SSD1306 pages (128 bytes) sent since start',
      registers: [registry],
    }),
    leds: new Gauge({
      name: 'stock_stream_edge_line_level',
      help: 'Current level of the buy LED, sell LED and buzzer',
      labelNames: ['line'],
      registers: [registry],
    }),
  };
}
