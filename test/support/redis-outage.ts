// Takes a test redis-server away the way a restarted Redis with a persistent volume goes: its data
// saved to disk (SHUTDOWN SAVE) and loaded again by the next start, since the harness runs it
// without automatic persistence.
import { createClient } from 'redis';
import type { RedisService } from '../services/redis.js';

export async function shutdownKeepingData(redis: RedisService): Promise<void> {
  const client = createClient({ url: redis.url, socket: { reconnectStrategy: false } });
  client.on('error', () => {});
  await client.connect();
  await client.sendCommand(['SHUTDOWN', 'SAVE']).catch(() => {}); // the server hangs up as it exits
  client.destroy();
  await redis.stop();
}
