// The mqtt.js client options from the `mqtt` config section: credentials, TLS files, the last will,
// and no queue while offline (the bridge re-publishes its state on reconnect instead).
import type { IClientOptions } from 'mqtt';
import type { Config } from '../platform/config/schema.js';
import { mqttCredentials } from '../platform/mqtt-credentials.js';

export interface LastWill {
  readonly topic: string;
  readonly payload: string;
}

/** Throws a one-line error naming the key when a TLS file cannot be read. */
export function mqttClientOptions(config: Config['mqtt'], will: LastWill, read?: (path: string) => Buffer): IClientOptions {
  return {
    clientId: config.clientId ?? `stock-stream-${config.deviceId}`,
    ...mqttCredentials(config, read),
    keepalive: config.keepaliveSeconds,
    clean: true,
    connectTimeout: 10_000,
    // The bridge reconnects itself, with backoff; mqtt.js only knows a fixed period.
    reconnectPeriod: 0,
    // Nothing is queued while offline: QoS 0 publishes are dropped, and the bridge does not publish
    // at all without a connection (its state is sent again on connect).
    queueQoSZero: false,
    resubscribe: false,
    will: { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: true },
  };
}
