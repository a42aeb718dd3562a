// Reading a topic in a test as a reader outside any group would: every message from the earliest,
// gathered as it arrives, until stopped.
import type { Bus, BusMessage } from '../../platform/bus/bus.js';

export interface TopicWatch {
  readonly received: BusMessage[];
  /** The values, parsed as JSON. */
  values<T>(): T[];
  stop(): Promise<void>;
}

export function watchTopic(bus: Bus, topic: string): TopicWatch {
  const received: BusMessage[] = [];
  const subscription = bus.consume({ topics: [topic], from: 'earliest', handler: async (batch) => void received.push(...batch) });
  return {
    received,
    values: <T>() => received.map((message) => JSON.parse(message.value) as T),
    stop: async () => (await subscription).stop(),
  };
}
