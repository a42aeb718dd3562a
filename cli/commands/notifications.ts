// `stock-stream notifications`: the delivery log, most recent first, as a table or JSON.
import { existsSync } from 'node:fs';
import { ledgerFile, openLedger } from '../../cluster/notify/select.js';
import type { Delivery } from '../../cluster/notify/ledger.js';
import { formatPrice } from '../../core/notify/message.js';
import { parsePositiveInteger, UsageError, type Command } from '../command.js';

const MAX_LIMIT = 10_000;

export const notificationsCommand: Command = {
  name: 'notifications',
  description:
    'Reads the notification ledger that `stock-stream notify` keeps (Redis when REDIS_URL is set, else\n' +
    '<dataDir>/notifications.sqlite) and lists the most recently updated entries: one per signal,\n' +
    'subscriber and channel, with its state (pending, sending, retry, sent, failed, in-doubt,\n' +
    "dropped, skipped), attempts, and the last error or the channel's receipt. Then a count per state.",
  positionals: [],
  options: {
    limit: { type: 'string', value: 'N', description: 'how many entries (default: 20)' },
    json: { type: 'boolean', description: 'print a JSON array of the entries instead of a table' },
  },
  examples: ['stock-stream notifications', 'stock-stream notifications --limit 100 --json'],
  async run(context) {
    const limit = parsePositiveInteger('limit', context.options.limit) ?? 20;
    if (limit > MAX_LIMIT) throw new UsageError(`--limit must be at most ${MAX_LIMIT}`);
    const config = context.config();
    if (config.redis.url === undefined && !existsSync(ledgerFile(config))) {
      throw new Error(
        `no notification ledger at ${ledgerFile(config)}: run stock-stream notify there first, set STOCK_STREAM_DATA_DIR, or set REDIS_URL`,
      );
    }
    const ledger = await openLedger(config, context.logger());
    try {
      const entries = await ledger.recent(limit);
      if (context.options.json === true) {
        context.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
        return 0;
      }
      if (entries.length === 0) {
        context.stderr.write('no notifications yet\n');
        return 0;
      }
      context.stdout.write(table(entries));
      const counts = await ledger.counts();
      context.stdout.write(
        `\n${Object.entries(counts)
          .map(([state, n]) => `${state} ${n}`)
          .join(', ')}\n`,
      );
      return 0;
    } finally {
      await ledger.close();
    }
  },
};

const COLUMNS: ReadonlyArray<{ title: string; value: (d: Delivery) => string }> = [
  { title: 'updated', value: (d) => new Date(d.updatedAt).toISOString().replace(/\.\d+Z$/, 'Z') },
  { title: 'state', value: (d) => d.state },
  { title: 'channel', value: (d) => d.channel },
  { title: 'subscriber', value: (d) => d.subscriber },
  { title: 'signal', value: (d) => `${d.notice.side} ${d.notice.symbol} ${formatPrice(d.notice.price)}` },
  { title: 'tries', value: (d) => String(d.attempts) },
  { title: 'detail', value: (d) => (d.error ?? d.receipt ?? '').replace(/\s+/g, ' ').slice(0, 80) },
];

function table(rows: readonly Delivery[]): string {
  const cells = rows.map((row) => COLUMNS.map((column) => column.value(row)));
  const widths = COLUMNS.map((column, i) => Math.max(column.title.length, ...cells.map((line) => line[i]!.length)));
  const format = (line: readonly string[]) =>
    line
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[format(COLUMNS.map((c) => c.title)), ...cells.map(format)].join('\n')}\n`;
}
