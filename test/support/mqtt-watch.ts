// A plain MQTT subscriber for tests: everything it receives, with the retain flag, in order.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface Seen {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
}

export interface Watcher {
  readonly client: MqttClient;
  readonly seen: Seen[];
  /** The last message on `topic`, or undefined. */
  last(topic: string): Seen | undefined;
  on(topic: string): Seen[];
  close(): Promise<void>;
}

export async function watch(url: string, topics: string[], options: IClientOptions = {}): Promise<Watcher> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  const seen: Seen[] = [];
  client.on('message', (topic, payload, packet) => seen.push({ topic, payload: payload.toString(), retain: packet.retain }));
  await client.subscribeAsync(topics, { qos: 1 });
  return {
    client,
    seen,
    last: (topic) => seen.filter((message) => message.topic === topic).pop(),
    on: (topic) => seen.filter((message) => message.topic === topic),
    close: () => client.endAsync(true),
  };
}

/** Publishes and waits for the broker's acknowledgement. */
export async function publishOnce(
  url: string,
  topic: string,
  payload: string | Buffer,
  retain = false,
  options: IClientOptions = {},
): Promise<void> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  try {
    await client.publishAsync(topic, payload, { qos: 1, retain });
  } finally {
    await client.endAsync();
  }
}
