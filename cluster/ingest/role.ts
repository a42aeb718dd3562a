// How the ingest role starts: the Ingestor over one price source, and the supervision that tells
// the caller when the source ends by itself (a replay done, a source failed).
import { join } from 'node:path';
import type { Config } from '../../platform/config/schema.js';
import type { RoleSpec } from '../../platform/role.js';
import { Ingestor } from './ingestor.js';
import { ingestMetrics } from './metrics.js';
import type { PriceSource } from './source.js';

/** A replay waits (back-pressure) while this many messages wait in the outbox, at most half the bound. */
const REPLAY_BACKLOG = 10_000;

export interface IngestOutcome {
  /** The source failed (or the supervision did). */
  readonly error?: Error;
  /** A replayed file was read whole and everything is on the bus. */
  readonly replayDone?: boolean;
}

/**
 * The ingest role for one source. `onEnd` hears when the source's run ends by itself (a replayed
 * file is done, or a source failed or stopped), unless `signal` has aborted (a normal stop).
 */
export function ingestRole(
  ingest: Config['ingest'],
  source: PriceSource,
  signal: AbortSignal,
  onEnd: (outcome: IngestOutcome) => void,
): RoleSpec {
  const replayed = ingest.source.startsWith('replay:');
  return {
    name: 'ingest',
    async start({ config, logger, bus, registry }) {
      const ingestor = new Ingestor({
        source,
        bus,
        logger,
        topics: { ticks: config.topics.ticks, dlq: config.topics.dlq },
        symbols: config.symbols,
        maxClockSkewMs: ingest.maxClockSkewSeconds * 1000,
        maxAgeMs: replayed ? undefined : ingest.maxAgeSeconds * 1000,
        // The outbox keeps ticks while a broker is away. The embedded log is on this disk and never
        // away, so before it the outbox is a queue in memory: a file would write every tick twice.
        outbox: {
          file: bus.kind === 'embedded' ? ':memory:' : join(config.dataDir, 'ingest-outbox.sqlite'),
          maxTicks: ingest.outbox.maxTicks,
        },
        metrics: ingestMetrics(registry),
        ...staleness(ingest),
        ...(replayed ? { backpressureAt: Math.min(REPLAY_BACKLOG, Math.floor(ingest.outbox.maxTicks / 2)) } : {}),
      });
      await ingestor.start();
      void (async () => {
        const { error } = await ingestor.finished();
        if (signal.aborted) return;
        if (error) return onEnd({ error });
        if (replayed) {
          await ingestor.drained(signal);
          if (signal.aborted) return;
          logger.info(`replay done: ${ingestor.sourceHealth().detail}; the outbox is on the bus`);
          return onEnd({ replayDone: true });
        }
        logger.error(`source ${source.name} stopped by itself`);
        onEnd({});
      })().catch((error: unknown) => {
        logger.error({ err: error }, 'ingest supervision failed');
        onEnd({ error: error instanceof Error ? error : new Error(String(error)) });
      });
      return { checks: ingestor.checks(), stop: () => ingestor.stop() };
    },
  };
}

/** Live feeds are stale after ingest.staleAfterSeconds; polled and simulated ones after 3 intervals if longer; a replay never. */
function staleness(ingest: Config['ingest']): { staleAfterMs?: number } {
  const bound = ingest.staleAfterSeconds * 1000;
  const interval = ingest.intervalSeconds;
  switch (ingest.source) {
    case 'coinbase':
    case 'kraken':
      return { staleAfterMs: bound };
    case 'simulator':
      return { staleAfterMs: Math.max(bound, 3 * (interval ?? 1) * 1000) };
    case 'alphavantage':
      // Without an interval the plan paces the polls (hours apart on the free tier): the source's own status says when it fails.
      return interval === undefined ? {} : { staleAfterMs: Math.max(bound, 3 * interval * 1000) };
    default:
      return {};
  }
}
