// How a consuming role reports the messages of a batch it leaves out as malformed: the first few one
// by one with a snippet of the value, the rest summed up in one line, so a flood of bad input cannot
// flood the log.
import type { Logger } from '../log.js';
import type { BusMessage } from './bus.js';

const LOGGED_PER_BATCH = 5;
const SNIPPET_CHARS = 200;

/** `rejected` in batch order; `what` says what happened to them, e.g. "left out of the aggregates". */
export function logMalformed(
  logger: Logger,
  rejected: ReadonlyArray<{ readonly message: BusMessage; readonly reason: string }>,
  what: string,
): void {
  for (const { message, reason } of rejected.slice(0, LOGGED_PER_BATCH)) {
    logger.warn(
      { topic: message.topic, partition: message.partition, offset: message.offset, reason, value: message.value.slice(0, SNIPPET_CHARS) },
      `malformed message ${what}`,
    );
  }
  if (rejected.length > LOGGED_PER_BATCH) {
    const { topic, partition } = rejected[0]!.message;
    logger.warn({ topic, partition, count: rejected.length - LOGGED_PER_BATCH }, `more malformed messages ${what}`);
  }
}
