// `stock-stream ingest`: the front door. One price source, validated, onto the ticks topic (keyed by
// symbol); everything else onto the DLQ with a reason; a durable outbox in between.
import { ingestRole } from '../../cluster/ingest/role.js';
import { createSource } from '../../cluster/ingest/sources/index.js';
import type { Config } from '../../platform/config/schema.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { runRole } from '../role-runner.js';

const SOURCE = /^(coinbase|kraken|alphavantage|simulator|replay:.+)$/;

export const ingestCommand: Command = {
  name: 'ingest',
  description:
    'Reads one price source and publishes each valid tick to the ticks topic, keyed by its symbol.\n' +
    'Sources: coinbase (Coinbase Exchange websocket, the default), kraken (Kraken websocket v2),\n' +
    'alphavantage (polls CURRENCY_EXCHANGE_RATE; needs ALPHAVANTAGE_API_KEY), simulator (seeded,\n' +
    'marked simulated everywhere), replay:<file.csv> (ts,price[,volume] rows at ingest.replay.speed).\n' +
    'Each observation is checked: price and ts present and finite, price above 0, ts not beyond\n' +
    'now + ingest.maxClockSkewSeconds ("future") and, for live sources, not older than\n' +
    'ingest.maxAgeSeconds ("too-old"; replayed files keep their own times), symbol well formed\n' +
    '("invalid") and among the configured symbols ("unknown-symbol"), sizes 0 or more. Failures go\n' +
    'to the DLQ topic as {reason, detail, source, key, value, receivedAt}, the raw input cut at\n' +
    '10,000 characters. Exact duplicates are dropped; out-of-order ticks are forwarded and counted.\n' +
    'Everything passes through an outbox (<dataDir>/ingest-outbox.sqlite with Kafka; in memory before\n' +
    'the embedded log, a file on the same disk): while the bus is\n' +
    'unreachable ingest keeps accepting; past ingest.outbox.maxTicks the oldest are dropped (logged\n' +
    'at error level, counted); a restart drains what is left first.\n' +
    'With replay:<file> the command exits 0 once the file is read and the outbox is on the bus.\n' +
    'Serves /healthz (bus, source with staleness, outbox backlog) and /metrics on PORT. Stops cleanly\n' +
    'on SIGINT/SIGTERM. See docs/ingestion.md.',
  positionals: [],
  options: {
    source: {
      type: 'string',
      value: 'SOURCE',
      description:
        'coinbase, kraken, alphavantage, simulator or replay:<file.csv> (default: STOCK_STREAM_SOURCE, else ingest.source: coinbase)',
    },
    speed: {
      type: 'string',
      value: 'N',
      description: 'replay only: 1 = real time, N = N times faster, 0 = as fast as the bus takes it (default: ingest.replay.speed, 1)',
    },
  },
  examples: [
    'stock-stream ingest                                   # Coinbase, single node (embedded log)',
    'KAFKA_BOOTSTRAP_SERVERS=kafka:9092 stock-stream ingest --source kraken',
    'MESSAGE_INTERVAL=0.5 stock-stream ingest --source simulator',
    'stock-stream ingest --source replay:examples/simulated-btc-usd-1w.csv --speed 0   # exits when done',
  ],
  async run(context) {
    const config = context.config();
    const ingest = ingestSettings(context, config);
    // Built before the bus opens: a source that cannot start (no API key) fails at once, clearly.
    const source = createSource(ingest, { logger: context.logger().child({ role: 'ingest' }), symbols: config.symbols });
    const ended = new AbortController();
    let exitCode = 0;
    const code = await runRole(
      { ...context, signal: AbortSignal.any([context.signal, ended.signal]) },
      ingestRole(ingest, source, context.signal, (outcome) => {
        if (outcome.error) {
          context.stderr.write(`stock-stream ingest: ${outcome.error.message}\n`);
          exitCode = 1;
        } else if (!outcome.replayDone) {
          exitCode = 1;
        }
        ended.abort();
      }),
    );
    return code !== 0 ? code : exitCode;
  },
};

/** The ingest settings with the command's --source and --speed applied (checked: a usage error names the option). */
export function ingestSettings(context: CommandContext, config: Config): Config['ingest'] {
  const option = context.options.source;
  if (option !== undefined && (typeof option !== 'string' || !SOURCE.test(option))) {
    throw new UsageError(`--source must be coinbase, kraken, alphavantage, simulator or replay:<file.csv>, got ${JSON.stringify(option)}`);
  }
  const speedOption = context.options.speed;
  const speed = speedOption === undefined ? undefined : Number(speedOption);
  if (
    speed !== undefined &&
    (typeof speedOption !== 'string' || speedOption.trim() === '' || !Number.isFinite(speed) || speed < 0 || speed > 1e6)
  ) {
    throw new UsageError(`--speed must be a number from 0 to 1000000, got ${JSON.stringify(speedOption)}`);
  }
  return {
    ...config.ingest,
    source: option ?? config.ingest.source,
    replay: { ...config.ingest.replay, ...(speed === undefined ? {} : { speed }) },
  };
}
