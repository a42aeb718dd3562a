// `stock-stream tail`: prints a topic's messages as JSON lines, like kafka-console-consumer, on either bus.
import type { BusMessage } from '../../platform/bus/bus.js';
import { parsePositiveInteger, type Command } from '../command.js';
import { LineWriter } from '../output.js';
import { openCommandBus, topicArgument } from './open-bus.js';

export const tailCommand: Command = {
  name: 'tail',
  description:
    'Each line is {"topic","partition","offset","key","timestamp","value"}, with the value parsed when it is\n' +
    "JSON. Reads without a consumer group, so it never moves any role's committed offsets. Without\n" +
    '--from-beginning it prints only messages that arrive after it starts. Stops after --max messages\n' +
    'or on Ctrl-C.',
  positionals: [
    {
      name: 'topic',
      required: true,
      description: 'a topic name, or ticks, indicators, signals, dlq or notifications for the configured ones',
    },
  ],
  options: {
    'from-beginning': { type: 'boolean', description: 'start at the oldest message still kept' },
    max: { type: 'string', value: 'N', description: 'exit after printing N messages' },
    'value-only': { type: 'boolean', description: "print only each message's value" },
  },
  examples: ['stock-stream tail stock.ticks --from-beginning --max 10', 'stock-stream tail signals'],
  async run(context) {
    const max = parsePositiveInteger('max', context.options.max);
    const topic = topicArgument(context, context.positionals[0]!);
    const valueOnly = context.options['value-only'] === true;
    const bus = await openCommandBus(context, { mustExist: true });
    try {
      const known = await bus.listTopics();
      if (!known.includes(topic)) {
        throw new Error(`topic ${topic} does not exist on the ${bus.kind} bus (topics: ${known.join(', ') || 'none'})`);
      }
      const out = new LineWriter(context.stdout);
      let printed = 0;
      let finish: () => void = () => {};
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const subscription = await bus.consume({
        topics: [topic],
        from: context.options['from-beginning'] === true ? 'earliest' : 'latest',
        handler: async (batch) => {
          for (const message of batch) {
            if ((max !== undefined && printed >= max) || !out.open) return finish();
            await out.line(valueOnly ? message.value : JSON.stringify(envelope(message)));
            printed++;
          }
          if ((max !== undefined && printed >= max) || !out.open) finish();
        },
      });
      if (context.signal.aborted) finish();
      context.signal.addEventListener('abort', () => finish(), { once: true });
      await finished;
      await subscription.stop();
      return 0;
    } finally {
      await bus.close();
    }
  },
};

function envelope(message: BusMessage) {
  let value: unknown = message.value;
  try {
    value = JSON.parse(message.value);
  } catch {
    // not JSON: print the text as it is
  }
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key,
    timestamp: message.timestamp,
    value,
  };
}
