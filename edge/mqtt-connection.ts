// The mqtt.js client options from the `mqtt` config section: credentials, TLS files, the last will,
// no queue while offline (the bridge re-publishes its state on reconnect instead), and a maximum
// size for what the broker may send.
import type { IClientOptions } from 'mqtt';
import { MAX_COMMAND_BYTES } from '../core/mqtt/commands.js';
import type { Config } from '../platform/config/schema.js';
import { mqttCredentials } from '../platform/mqtt-credentials.js';

/**
 * The largest packet the broker may send us. What the bridge reads is small: commands (at most
 * MAX_COMMAND_BYTES), Home Assistant's status, our own discovery configs (under 1 KB). Announced in
 * the MQTT 5 CONNECT, so the broker drops a larger message for this client instead of sending it:
 * a huge command is refused before a byte of it is buffered here.
 */
export const MAX_INCOMING_PACKET_BYTES = 16 * MAX_COMMAND_BYTES;

export interface LastWill {
  readonly topic: string;
  readonly payload: string;
}

/** Throws a one-line error naming the key when a TLS file cannot be read. */
export function mqttClientOptions(config: Config['mqtt'], will: LastWill, read?: (path: string) => Buffer): IClientOptions {
  return {
    clientId: config.clientId ?? `stock-stream-${config.deviceId}`,
    // MQTT 5 for its Maximum Packet Size (MQTT 3.1.1 has no way to tell the broker a limit).
    protocolVersion: 5,
    properties: { maximumPacketSize: MAX_INCOMING_PACKET_BYTES },
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
