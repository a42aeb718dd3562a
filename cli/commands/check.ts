// `stock-stream check`: validates the configuration and checks that each configured dependency answers.
import type { Command } from '../command.js';
import { probeMqtt, probeRedis, type ProbeResult } from '../../platform/probes.js';
import { redisAuth } from '../../platform/redis-auth.js';
import { openCommandBus } from './open-bus.js';

export const checkCommand: Command = {
  name: 'check',
  description:
    'Prints one line per dependency: ok or FAIL with the reason. Redis and MQTT are checked only\n' +
    'when configured (REDIS_URL, MQTT_URL), with their credentials (REDIS_PASSWORD, MQTT_PASSWORD);\n' +
    'Kafka with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD when set. A password inside a URL is\n' +
    'shown as ***. Exits 1 when any check fails.',
  positionals: [],
  options: {},
  async run(context) {
    const config = context.config();
    const timeoutMs = Math.min(config.kafka.connectTimeoutMs, 10_000);
    const results: ProbeResult[] = [];
    try {
      const bus = await openCommandBus(context, { mustExist: false });
      const health = bus.health();
      results.push({ name: bus.kind === 'kafka' ? 'kafka' : 'embedded log', ok: health.ok, detail: health.detail });
      await bus.close();
    } catch (error) {
      results.push({ name: config.kafka.brokers ? 'kafka' : 'embedded log', ok: false, detail: (error as Error).message });
    }
    if (config.redis.url !== undefined) results.push(await probeRedis(config.redis.url, timeoutMs, redisAuth(config.redis)));
    if (config.mqtt.url !== undefined) results.push(await probeMqtt(config.mqtt, timeoutMs));
    for (const result of results) {
      context.stdout.write(`${result.ok ? 'ok  ' : 'FAIL'}  ${result.name.padEnd(12)}  ${result.detail}\n`);
    }
    return results.every((result) => result.ok) ? 0 : 1;
  },
};
