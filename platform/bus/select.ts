// Chooses the bus from configuration: Kafka when brokers are configured, the embedded log otherwise.
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { BusError, type Bus } from './bus.js';
import type { KafkaSasl } from './kafka-bus.js';

export function embeddedLogFile(config: Config): string {
  return join(config.dataDir, 'bus.sqlite');
}

/** The SASL credentials when a user is configured; one that has no password is refused with what to set. */
export function kafkaSasl(config: Config): { sasl?: KafkaSasl } {
  const { mechanism, username, password } = config.kafka.sasl;
  if (username === undefined) return {};
  if (password === undefined) {
    throw new BusError(
      'ERR_BUS_AUTH',
      `kafka.sasl.username is ${JSON.stringify(username)} but no password is set: set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE`,
    );
  }
  return { sasl: { mechanism, username, password } };
}

export interface OpenBusOptions {
  /**
   * This process is the embedded log's only writer (`stock-stream run`): its writes are grouped
   * into one commit per embeddedLog.commitIntervalSeconds; a failed commit is told to `onCommitError`.
   */
  readonly owner?: { readonly onCommitError: (error: Error) => void };
}

/** Loads only the adapter it opens (kafkajs is a dozen megabytes a single-node process does without). */
export async function openBus(config: Config, logger: Logger, options: OpenBusOptions = {}): Promise<Bus> {
  if (config.kafka.brokers !== undefined) {
    const { KafkaBus } = await import('./kafka-bus.js');
    return KafkaBus.connect({
      brokers: config.kafka.brokers,
      clientId: config.kafka.clientId,
      partitions: config.kafka.partitions,
      replicationFactor: config.kafka.replicationFactor,
      connectTimeoutMs: config.kafka.connectTimeoutMs,
      ...kafkaSasl(config),
      logger,
    });
  }
  const { EmbeddedLog } = await import('./embedded-log.js');
  return new EmbeddedLog({
    file: embeddedLogFile(config),
    defaultPartitions: config.embeddedLog.partitions,
    retentionMs: config.embeddedLog.retentionHours * 3600_000,
    ...(options.owner
      ? { commitIntervalMs: config.embeddedLog.commitIntervalSeconds * 1000, onCommitError: options.owner.onCommitError }
      : {}),
    onHandlerError: (error, topic, partition) =>
      logger.warn({ err: error, topic, partition }, 'handler failed; the batch will be delivered again'),
  });
}
