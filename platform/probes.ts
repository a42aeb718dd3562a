// One-shot reachability checks of the configured dependencies, for `stock-stream check` and start-up.
import mqtt from 'mqtt';
import { createClient } from 'redis';
import type { Config } from './config/schema.js';

export interface ProbeResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export async function probeRedis(url: string, timeoutMs: number): Promise<ProbeResult> {
  const client = createClient({ url, socket: { connectTimeout: timeoutMs, reconnectStrategy: false } });
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
    const client = await mqtt.connectAsync(url, {
      connectTimeout: timeoutMs,
      reconnectPeriod: 0,
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
    });
    await client.endAsync();
    return { name: 'mqtt', ok: true, detail: `${safeUrl(url)} accepted the connection` };
  } catch (error) {
    return { name: 'mqtt', ok: false, detail: `cannot connect to ${safeUrl(url)}: ${(error as Error).message}` };
  }
}

/** A URL without its password, for messages and logs. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}
