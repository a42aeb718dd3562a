// One-shot reachability checks of the configured dependencies, for `stock-stream check` and start-up.
// The clients are loaded when a probe runs: few processes probe.
import type { Config } from './config/schema.js';
import { mqttCredentials } from './mqtt-credentials.js';
import type { RedisAuth } from './redis-auth.js';
import { safeUrl } from './safe-url.js';

export interface ProbeResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export async function probeRedis(url: string, timeoutMs: number, auth: RedisAuth = {}): Promise<ProbeResult> {
  const { createClient } = await import('redis');
  const client = createClient({ url, ...auth, socket: { connectTimeout: timeoutMs, reconnectStrategy: false } });
  client.on('error', () => {}); // reported through the rejected connect below
  try {
    await client.connect();
    const answer = await client.ping();
    return { name: 'redis', ok: answer === 'PONG', detail: `${safeUrl(url)} answered ${answer}` };
  } catch (error) {
    return { name: 'redis', ok: false, detail: `cannot reach ${safeUrl(url)}: ${(error as Error).message}` };
  } finally {
    if (client.isOpen) await client.quit().catch(() => {});
  }
}

export async function probeMqtt(options: Config['mqtt'], timeoutMs: number): Promise<ProbeResult> {
  const url = options.url ?? '';
  try {
    const { default: mqtt } = await import('mqtt');
    const client = await mqtt.connectAsync(url, { connectTimeout: timeoutMs, reconnectPeriod: 0, ...mqttCredentials(options) });
    await client.endAsync();
    return { name: 'mqtt', ok: true, detail: `${safeUrl(url)} accepted the connection` };
  } catch (error) {
    return { name: 'mqtt', ok: false, detail: `cannot connect to ${safeUrl(url)}: ${(error as Error).message}` };
  }
}
