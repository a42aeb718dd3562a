// Opens the configured bus for a CLI command, refusing to create an empty embedded log by accident.
import { existsSync } from 'node:fs';
import type { Bus } from '../../platform/bus/bus.js';
import { embeddedLogFile, openBus } from '../../platform/bus/select.js';
import { resolveTopic } from '../../platform/bus/topics.js';
import type { CommandContext } from '../command.js';
import { UsageError } from '../command.js';

/** With `mustExist`, a missing embedded log is an error (a mistyped data directory), not a new empty log. */
export async function openCommandBus(context: CommandContext, { mustExist }: { mustExist: boolean }): Promise<Bus> {
  const config = context.config();
  if (mustExist && config.kafka.brokers === undefined && !existsSync(embeddedLogFile(config))) {
    throw new Error(
      `no embedded log at ${embeddedLogFile(config)}: start the system there first, set STOCK_STREAM_DATA_DIR, or set KAFKA_BOOTSTRAP_SERVERS`,
    );
  }
  return openBus(config, context.logger());
}

export function topicArgument(context: CommandContext, name: string): string {
  const topic = resolveTopic(context.config(), name);
  if (topic === undefined) throw new UsageError(`"${name}" is not a topic name (letters, digits, ".", "_", "-")`);
  return topic;
}
