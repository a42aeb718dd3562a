// The real servers shared by one test run: started once by test/run.ts (or on first use when a
// single test file is run directly), stopped at the end. Tests read their addresses from here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafka, type KafkaService } from '../services/kafka.js';
import { startMosquitto, type MosquittoService } from '../services/mosquitto.js';
import { startRedis, type RedisService } from '../services/redis.js';

export interface Services {
  kafka: KafkaService;
  redis: RedisService;
  mosquitto: MosquittoService;
  dir: string;
}

const holder = globalThis as { __stockStreamServices?: Promise<Services> };

async function startAll(log: (line: string) => void): Promise<Services> {
  const dir = mkdtempSync(join(tmpdir(), 'stock-stream-services-'));
  const timed = async <T>(name: string, start: () => Promise<T>, describe: (s: T) => string): Promise<T> => {
    const began = Date.now();
    const service = await start();
    log(`harness: ${name} ${describe(service)} ready in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    return service;
  };
  const sub = (name: string) => mkdtempSync(join(dir, `${name}-`));
  const [kafka, redis, mosquitto] = await Promise.all([
    timed(
      'Apache Kafka',
      () => startKafka(sub('kafka')),
      (k) => `${k.version} (KRaft, real broker) at ${k.brokers.join(',')}`,
    ),
    timed(
      'redis-server',
      () => startRedis(sub('redis')),
      (r) => `at ${r.url}`,
    ),
    timed(
      'mosquitto',
      () => startMosquitto(sub('mosquitto')),
      (m) => `at ${m.url}`,
    ),
  ]);
  return { kafka, redis, mosquitto, dir };
}

/** The shared services, starting them on first use. */
export function services(log: (line: string) => void = (line) => console.log(line)): Promise<Services> {
  if (!holder.__stockStreamServices) {
    holder.__stockStreamServices = startAll(log);
    // A test file run on its own has no run.ts to stop the servers: stop them when it ends.
    if (!(globalThis as { UVU_DEFER?: number }).UVU_DEFER) {
      process.once('beforeExit', () => void stopServices());
    }
  }
  return holder.__stockStreamServices;
}

export async function stopServices(): Promise<void> {
  const pending = holder.__stockStreamServices;
  if (!pending) return;
  delete holder.__stockStreamServices;
  const started = await pending.catch(() => undefined);
  if (!started) return;
  await Promise.allSettled([started.kafka.stop(), started.redis.stop(), started.mosquitto.stop()]);
  if (!process.env.KEEP_TEST_SERVICES) rmSync(started.dir, { recursive: true, force: true });
}
