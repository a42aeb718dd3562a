// Both ledgers (SQLite, the real redis-server) claim a lane's batch atomically: a claim that fails
// part-way leaves no entry in sending, so an entry can be in doubt only once its send has begun.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { deliveryKey, type Delivery, type Ledger } from '../../../cluster/notify/ledger.js';
import { RedisLedger } from '../../../cluster/notify/redis-ledger.js';
import { SqliteLedger } from '../../../cluster/notify/sqlite-ledger.js';
import { createLogger } from '../../../platform/log.js';
import { notice } from '../../support/notices.js';
import { services } from '../../support/services.js';

async function openLedger(kind: 'sqlite' | 'redis'): Promise<Ledger> {
  const name = randomUUID();
  if (kind === 'sqlite') return new SqliteLedger(join(mkdtempSync(join(tmpdir(), 'ledger-')), `${name}.sqlite`));
  const { redis } = await services();
  return RedisLedger.connect({ url: redis.url, keyPrefix: `t-${name}`, logger: createLogger('silent') });
}

function pending(subscriber: string, now: number): Delivery {
  const n = notice();
  return {
    key: deliveryKey(n.id, subscriber, 'sms'),
    subscriber,
    channel: 'sms',
    notice: n,
    state: 'pending',
    attempts: 0,
    createdAt: now,
    updatedAt: now,
    nextAttemptAt: now,
  };
}

const claimOf = (entry: Delivery, now: number): Delivery => ({
  ...entry,
  state: 'sending',
  attempts: entry.attempts + 1,
  claimedAt: now,
  updatedAt: now,
  messageId: 'ss-1',
});

for (const kind of ['sqlite', 'redis'] as const) {
  const it = suite(`ledger claims on ${kind}`);

  it('a claim that fails part-way claims nothing: no entry is left in sending without its send begun', async () => {
    const ledger = await openLedger(kind);
    try {
      const now = Date.UTC(2026, 2, 1, 12);
      const entries = Array.from({ length: 5 }, (_, i) => pending(`s${i}`, now));
      await ledger.enqueue(entries, 1000, now);
      const claims = entries.map((entry) => claimOf(entry, now + 1));
      // The third claim cannot be written (as if the process died there): the claim stops part-way.
      claims[2] = { ...claims[2]!, notice: { ...claims[2]!.notice, toJSON: () => assert.unreachable('dies mid-claim') } as never };
      await ledger.claim(claims).then(
        () => assert.unreachable('the claim failed'),
        () => {},
      );
      const counts = await ledger.counts();
      assert.is(counts.sending, undefined, `entries left in sending: ${JSON.stringify(counts)}`);
      assert.is(counts.pending, 5);
      assert.equal(await ledger.stale(now + 1_000_000), [], 'nothing for the in-doubt recovery');
    } finally {
      await ledger.close();
    }
  });

  it('a claim takes the waiting entries of the batch and leaves out one another sender took', async () => {
    const ledger = await openLedger(kind);
    try {
      const now = Date.UTC(2026, 2, 1, 12);
      const entries = Array.from({ length: 4 }, (_, i) => pending(`s${i}`, now));
      await ledger.enqueue(entries, 1000, now);
      const [taken] = await ledger.claim([claimOf(entries[1]!, now)]);
      assert.is(taken?.key, entries[1]!.key);
      const claimed = await ledger.claim(entries.map((entry) => claimOf(entry, now + 1)));
      assert.equal(
        claimed.map((entry) => entry.key),
        [entries[0]!.key, entries[2]!.key, entries[3]!.key],
      );
      assert.is((await ledger.counts()).sending, 4);
      assert.equal((await ledger.stale(now + 2)).length, 4);
      assert.equal(await ledger.due(now + 2, 10), []);
    } finally {
      await ledger.close();
    }
  });

  it.run();
}
