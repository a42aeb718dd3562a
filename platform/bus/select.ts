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

/** Loads only the adapter it opens (kafkajs is a dozen megabytes a single-node process does without). */
export async function openBus(config: Config, logger: Logger): Promise<Bus> {
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
    onHandlerError: (error, topic, partition) =>
      logger.warn({ err: error, topic, partition }, 'handler failed; the batch will be delivered again'),
  });
}
