// `stock-stream publish`: reads JSON lines on stdin and publishes each as a message, like kafka-console-producer.
import { createInterface } from 'node:readline';
import type { OutgoingMessage } from '../../platform/bus/bus.js';
import { UsageError, type Command } from '../command.js';
import { openCommandBus, topicArgument } from './open-bus.js';

const BATCH = 500;

export const publishCommand: Command = {
  name: 'publish',
  description:
    'Every non-empty line must be one JSON value; a line that is not is reported with its number and\n' +
    'skipped, the rest are published, and the exit code is 1. The message key is the --key-field of\n' +
    'each JSON object (default: symbol) or the fixed --key. Nothing here validates ticks: the\n' +
    'ingest role does that. A message is published (durable) once the command has exited 0.',
  positionals: [
    {
      name: 'topic',
      required: true,
      description: 'a topic name, or ticks, indicators, signals, dlq or notifications for the configured ones',
    },
  ],
  options: {
    key: { type: 'string', value: 'KEY', description: 'use this key for every message' },
    'key-field': { type: 'string', value: 'FIELD', description: 'take each key from this field of the JSON object (default: symbol)' },
  },
  examples: ['echo \'{"symbol":"BTC-USD","price":97000.5,"ts":1764200000000,"source":"manual"}\' | stock-stream publish ticks'],
  async run(context) {
    const fixedKey = context.options.key as string | undefined;
    const keyField = (context.options['key-field'] as string | undefined) ?? 'symbol';
    if (fixedKey !== undefined && context.options['key-field'] !== undefined) {
      throw new UsageError('use --key or --key-field, not both');
    }
    const topic = topicArgument(context, context.positionals[0]!);
    const bus = await openCommandBus(context, { mustExist: false });
    let published = 0;
    let skipped = 0;
    try {
      await bus.ensureTopics([{ name: topic }]);
      let pending: OutgoingMessage[] = [];
      const flush = async () => {
        if (pending.length === 0) return;
        await bus.publish(topic, pending);
        published += pending.length;
        pending = [];
      };
      let lineNumber = 0;
      for await (const line of createInterface({ input: context.stdin, crlfDelay: Infinity })) {
        lineNumber++;
        if (line.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (error) {
          context.stderr.write(`line ${lineNumber}: not JSON (${(error as Error).message}); skipped\n`);
          skipped++;
          continue;
        }
        const fieldKey = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[keyField] : undefined;
        const key = fixedKey ?? (typeof fieldKey === 'string' || typeof fieldKey === 'number' ? String(fieldKey) : null);
        pending.push({ key, value: line.trim() });
        if (pending.length >= BATCH) await flush();
        if (context.signal.aborted) break;
      }
      await flush();
    } finally {
      await bus.close();
      context.stderr.write(`published ${published} message(s) to ${topic}${skipped ? `, skipped ${skipped} line(s)` : ''}\n`);
    }
    return skipped > 0 ? 1 : 0;
  },
};
