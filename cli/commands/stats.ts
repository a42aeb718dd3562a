// `stock-stream stats`: prints the daily figures the aggregator keeps, as a table or JSON.
import { existsSync } from 'node:fs';
import { addDays, utcDay } from '../../core/aggregate/calendar.js';
import type { DailyStats } from '../../core/aggregate/daily.js';
import { SYMBOL_PATTERN } from '../../core/contracts/index.js';
import { openStore, storeFile } from '../../platform/store/select.js';
import type { AggregateStore } from '../../platform/store/store.js';
import { UsageError, parsePositiveInteger, type Command } from '../command.js';

const MAX_DAYS = 3660;

export const statsCommand: Command = {
  name: 'stats',
  description:
    'Reads the aggregate store (Redis when REDIS_URL is set, else <dataDir>/bus.sqlite, or\n' +
    '<dataDir>/aggregates.sqlite with Kafka) that\n' +
    '`stock-stream aggregate` keeps. Shows the last --days days (default 7) up to the day of the\n' +
    "symbol's latest tick, for --symbol or every symbol with figures. Columns: avg is the mean of the\n" +
    "ticks' prices; twap the time-weighted average (the mean of the per-minute averages); buy and\n" +
    "sell count the day's signals. Days without figures are left out. Exits 1 when there are none.",
  positionals: [],
  options: {
    symbol: { type: 'string', value: 'SYMBOL', description: 'only this symbol, like BTC-USD' },
    days: { type: 'string', value: 'N', description: 'how many days back from the latest (default: 7)' },
    json: { type: 'boolean', description: 'print a JSON array of the daily figures instead of a table' },
  },
  examples: ['stock-stream stats', 'stock-stream stats --symbol BTC-USD --days 30', 'stock-stream stats --json'],
  async run(context) {
    const symbolOption = context.options.symbol as string | undefined;
    if (symbolOption !== undefined && !SYMBOL_PATTERN.test(symbolOption))
      throw new UsageError(`--symbol must look like BTC-USD, got "${symbolOption}"`);
    const days = parsePositiveInteger('days', context.options.days) ?? 7;
    if (days > MAX_DAYS) throw new UsageError(`--days must be at most ${MAX_DAYS}`);
    const config = context.config();
    if (config.redis.url === undefined && !existsSync(storeFile(config))) {
      throw new Error(
        `no aggregate store at ${storeFile(config)}: run stock-stream aggregate there first, set STOCK_STREAM_DATA_DIR, or set REDIS_URL`,
      );
    }
    const store = await openStore(config, context.logger());
    try {
      const symbols = symbolOption !== undefined ? [symbolOption] : await store.symbols();
      const rows: DailyStats[] = [];
      for (const symbol of symbols) rows.push(...(await lastDays(store, symbol, days)));
      if (context.options.json === true) {
        context.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      } else if (rows.length > 0) {
        context.stdout.write(table(rows));
      }
      if (rows.length === 0) {
        context.stderr.write(
          symbolOption !== undefined ? `no figures for ${symbolOption}\n` : 'no figures yet: is stock-stream aggregate running?\n',
        );
        return 1;
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};

async function lastDays(store: AggregateStore, symbol: string, days: number): Promise<DailyStats[]> {
  const latest = await store.latest(symbol);
  const newestTs = latest?.tick?.ts ?? latest?.recentSignals[0]?.ts;
  if (newestTs === undefined) return [];
  const to = utcDay(newestTs);
  return store.dailyStats(symbol, addDays(to, -(days - 1)), to);
}

const COLUMNS: ReadonlyArray<{ title: string; value: (row: DailyStats) => string }> = [
  { title: 'symbol', value: (r) => r.symbol },
  { title: 'day', value: (r) => r.day },
  { title: 'open', value: (r) => price(r.open) },
  { title: 'high', value: (r) => price(r.high) },
  { title: 'low', value: (r) => price(r.low) },
  { title: 'close', value: (r) => price(r.close) },
  { title: 'avg', value: (r) => price(r.average) },
  { title: 'twap', value: (r) => price(r.twap) },
  { title: 'ticks', value: (r) => String(r.ticks) },
  { title: 'volume', value: (r) => (r.volume === 0 ? '-' : trim(r.volume.toFixed(4))) },
  { title: 'buy', value: (r) => String(r.buys) },
  { title: 'sell', value: (r) => String(r.sells) },
];

function table(rows: readonly DailyStats[]): string {
  const cells = rows.map((row) => COLUMNS.map((column) => column.value(row)));
  const widths = COLUMNS.map((column, i) => Math.max(column.title.length, ...cells.map((line) => line[i]!.length)));
  const format = (line: readonly string[]) =>
    line
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[format(COLUMNS.map((c) => c.title)), ...cells.map(format)].join('\n')}\n`;
}

/** Two decimals for ordinary prices; significant digits for tiny ones. */
function price(value: number | null): string {
  if (value === null) return '-';
  return Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(6);
}

function trim(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}
