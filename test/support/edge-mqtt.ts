// The edge role with its MQTT bridge on the embedded log, for the MQTT tests: each run gets its own
// base topic, discovery prefix and bus, on the shared Mosquitto unless a URL is given.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { Registry } from 'prom-client';
import { EmbeddedLog } from '../../platform/bus/embedded-log.js';
import { ConfigSchema } from '../../platform/config/schema.js';
import { createLogger, type Logger } from '../../platform/log.js';
import { DEFAULT_ALERT_SETTINGS } from '../../core/edge/alerts.js';
import { EdgeDriver } from '../../edge/edge-driver.js';
import { mqttComponent, type BridgeTuning } from '../../edge/mqtt-bridge.js';
import { EdgePanel } from '../../edge/virtual-panel.js';
import { displaySettings } from './edge-screens.js';
import { services } from './services.js';
import { eventually } from './wait.js';

export const topics = { ticks: 'stock.ticks', indicators: 'stock.indicators', signals: 'stock.signals' };
let runs = 0;

export interface Setup {
  readonly mqtt?: Record<string, unknown>;
  readonly symbols?: string[];
  readonly url?: string;
  readonly base?: string;
  readonly prefix?: string;
  readonly dir?: string;
  /** Wait until the bridge is connected (default true). */
  readonly connected?: boolean;
  /** Tuning of the bridge itself (mqttComponent's last argument). */
  readonly bridge?: BridgeTuning;
  readonly logger?: Logger;
}

export async function edgeWithMqtt(options: Setup = {}) {
  const url = options.url ?? (await services()).mosquitto.url;
  runs += 1;
  // Each test its own base topic, discovery prefix and device on the shared broker.
  const base = options.base ?? `ss-test-${process.pid}-${runs}`;
  const prefix = options.prefix ?? `ha-test-${process.pid}-${runs}`;
  const config = ConfigSchema.parse({
    symbols: options.symbols ?? ['BTC-USD'],
    mqtt: { url, baseTopic: base, discoveryPrefix: prefix, deviceId: 'edge-test', keepaliveSeconds: 5, ...options.mqtt },
  });
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'mqtt-bridge-'));
  const bus = new EmbeddedLog({ file: join(dir, 'bus.sqlite'), pollIntervalMs: 10 });
  const panel = new EdgePanel(128, 64, { display: false, gpio: false });
  const registry = new Registry();
  const component = mqttComponent(config, options.logger ?? createLogger('silent'), registry, '9.8.7', options.bridge)!;
  const role = new EdgeDriver({
    bus,
    logger: createLogger('silent'),
    topics,
    group: 'edge-mqtt-test',
    symbols: config.symbols,
    display: displaySettings(128, 64),
    alerts: DEFAULT_ALERT_SETTINGS,
    panel,
    intervalMs: 10,
    components: [component],
  });
  await role.start();
  const bridge = role.components[0]!;
  if (options.connected ?? true) await eventually(() => assert.ok(bridge.health().ok, bridge.health().detail));
  const stop = async () => {
    await role.stop();
    await bus.close();
  };
  return { url, base, prefix, bus, panel, role, bridge, registry, stop, dir };
}

export const message = (value: unknown) => ({ key: 'BTC-USD', value: JSON.stringify(value) });

export async function feed(bus: EmbeddedLog, ts: number, price: number, signal?: { id: string; side: 'buy' | 'sell' }) {
  await bus.publish(topics.ticks, [message({ symbol: 'BTC-USD', price, ts, source: 'kraken' })]);
  await bus.publish(topics.indicators, [
    message({ type: 'indicators', symbol: 'BTC-USD', ts, price, rsi: 28.5, sma: 100_100.25, ema: 100_050.5, macd: null }),
  ]);
  if (signal)
    await bus.publish(topics.signals, [
      message({
        type: 'signal',
        id: signal.id,
        symbol: 'BTC-USD',
        side: signal.side,
        ts,
        price,
        rule: 'rsi-30-70',
        reason: 'RSI crossed 30',
      }),
    ]);
}
