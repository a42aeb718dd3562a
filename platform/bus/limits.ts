// Rules both buses enforce the same way, so a message that one accepts the other accepts too.
import { BusError, type BatchContext, type ConsumeOptions, type OutgoingMessage } from './bus.js';

/** Below Kafka's default message.max.bytes (1,048,588) with room for the record's own framing. */
export const MAX_MESSAGE_BYTES = 1_000_000;

export function checkMessageSizes(topic: string, messages: readonly OutgoingMessage[]): void {
  for (const message of messages) checkMessageSize(topic, message);
}

function checkMessageSize(topic: string, message: OutgoingMessage): void {
  const bytes = Buffer.byteLength(message.value, 'utf8') + (message.key === null ? 0 : Buffer.byteLength(message.key, 'utf8'));
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new BusError('ERR_BUS_TOO_LARGE', `message for ${topic} is ${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES}`);
  }
}

export function checkConsumeOptions(options: ConsumeOptions): void {
  if (options.group === undefined && (options.from ?? 'committed') === 'committed') {
    throw new BusError('ERR_BUS_USAGE', 'a consumer without a group must start from earliest or latest');
  }
  if (options.group === undefined && options.transactional) {
    throw new BusError('ERR_BUS_USAGE', 'a transactional consumer needs a group');
  }
}

export type BatchOutputs = Array<{ topic: string; messages: readonly OutgoingMessage[] }>;

/** The context a handler publishes through: checked at once, held until the adapter commits the batch. */
export function collectingContext(followsCommitted: boolean): { context: BatchContext; outputs: BatchOutputs } {
  const outputs: BatchOutputs = [];
  return {
    outputs,
    context: {
      followsCommitted,
      publish: (topic, messages) => {
        checkMessageSizes(topic, messages);
        outputs.push({ topic, messages });
      },
    },
  };
}
