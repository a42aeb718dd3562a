// `stock-stream download`: an exchange's candles of the past into a CSV that `replay` reads; run again,
// it appends only what the file lacks.
import { closeSync, existsSync, openSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { SYMBOL_PATTERN } from '../../core/contracts/index.js';
import { CANDLE_CSV_HEADER, candleCsvLines, inspectCandleCsv, isoSeconds } from '../../platform/history/candle-csv.js';
import { alignUp } from '../../platform/history/checks.js';
import { COINBASE_REST_URL, CoinbaseCandleHistory } from '../../platform/history/coinbase.js';
import { CandleHistoryError } from '../../platform/history/errors.js';
import { KRAKEN_MAX_ROWS, KRAKEN_REST_URL, KrakenCandleHistory } from '../../platform/history/kraken.js';
import { UsageError, type Command } from '../command.js';
import { ProgressBar } from '../progress-bar.js';

/** The timeframes download knows; each source serves some of them. */
const TIMEFRAMES: Readonly<Record<string, number>> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '1d': 86_400_000,
};
const SOURCES = ['coinbase', 'kraken'] as const;
/** Exit code when Ctrl-C (or SIGTERM) stopped the download; the file is valid and resumable. */
export const EXIT_INTERRUPTED = 130;
const ISO_8601 = /^(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export const downloadCommand: Command = {
  name: 'download',
  description:
    "Asks the exchange's public REST API (no key) for the closed candles of --symbol whose start is\n" +
    "in [--from, --to) and writes them oldest first as ts,open,high,low,close,volume, ts the candle's\n" +
    'start in ISO 8601 UTC: `stock-stream replay --input FILE` reads it (as the closes). A period without\n' +
    'trades has no candle (a gap, counted in the summary); the candle still forming is left out.\n' +
    `coinbase serves 1m, 5m, 15m, 1h, 6h and 1d back for years, 300 a request, at most 3 requests a\n` +
    `second (its public limit is 10). kraken serves 1m, 5m, 15m, 1h, 4h and 1d, but only its most recent\n` +
    `${KRAKEN_MAX_ROWS} of each (12 hours of 1m, 30 days of 1h, about 2 years of 1d): an older --from is refused, not\n` +
    'shortened; one request a second. HTTP 429 and 5xx are retried with backoff (Retry-After honoured).\n' +
    'When --output exists it must be such a file of the same timeframe: only the candles after its last\n' +
    'one are appended (a torn last line, from a crash, is dropped first). Ctrl-C stops between pages and\n' +
    `leaves a valid file; run the same command again to go on (exit code ${EXIT_INTERRUPTED} when interrupted).\n` +
    'On a terminal stderr shows a progress bar; a summary line ends every run. See docs/processing.md.',
  positionals: [],
  options: {
    source: { type: 'string', value: 'NAME', description: 'coinbase or kraken (required)' },
    symbol: { type: 'string', value: 'SYMBOL', description: 'the symbol, like BTC-USD (default: the first configured)' },
    timeframe: {
      type: 'string',
      value: 'TF',
      description: "1m, 5m, 15m, 1h, 4h, 6h or 1d, as the source serves (default: the strategy's timeframe)",
    },
    from: { type: 'string', value: 'TIME', description: 'first candle start, 2025-01-01 or ISO 8601, UTC unless zoned (required)' },
    to: { type: 'string', value: 'TIME', description: 'candles starting before this (default and at most: now)' },
    output: {
      type: 'string',
      short: 'o',
      value: 'FILE',
      description: 'the CSV (default: SOURCE-SYMBOL-TIMEFRAME.csv, e.g. coinbase-btc-usd-1h.csv)',
    },
    'base-url': {
      type: 'string',
      value: 'URL',
      description: `the exchange's REST API (default: ${COINBASE_REST_URL} or ${KRAKEN_REST_URL})`,
    },
  },
  examples: [
    'stock-stream download --source coinbase --symbol BTC-USD --timeframe 1h --from 2025-01-01',
    'stock-stream replay --input coinbase-btc-usd-1h.csv --signals-only',
  ],
  async run(context) {
    const sourceName = context.options.source;
    if (typeof sourceName !== 'string' || !(SOURCES as readonly string[]).includes(sourceName)) {
      throw new UsageError(
        sourceName === undefined
          ? '--source coinbase|kraken is required'
          : `--source must be coinbase or kraken, got "${String(sourceName)}"`,
      );
    }
    const baseUrl = context.options['base-url'] as string | undefined;
    if (baseUrl !== undefined && !/^https?:\/\/[^/]/.test(baseUrl))
      throw new UsageError(`--base-url must be an http(s) URL, got "${baseUrl}"`);
    const fromText = context.options.from as string | undefined;
    if (fromText === undefined) throw new UsageError('--from TIME is required (like 2025-01-01)');
    const config = context.config();
    const symbol = (context.options.symbol as string | undefined) ?? config.symbols[0]!;
    if (!SYMBOL_PATTERN.test(symbol)) throw new UsageError(`--symbol must look like BTC-USD, got "${symbol}"`);
    const timeframe = (context.options.timeframe as string | undefined) ?? config.strategy.timeframe;
    const granularityMs = TIMEFRAMES[timeframe];
    if (granularityMs === undefined) {
      throw new UsageError(`--timeframe must be one of ${Object.keys(TIMEFRAMES).join(', ')}, got "${timeframe}"`);
    }
    const options = baseUrl === undefined ? {} : { baseUrl };
    const history = sourceName === 'coinbase' ? new CoinbaseCandleHistory(options) : new KrakenCandleHistory(options);
    if (!history.granularities.includes(granularityMs)) {
      const served = Object.keys(TIMEFRAMES).filter((tf) => history.granularities.includes(TIMEFRAMES[tf]!));
      throw new UsageError(`${sourceName} has no ${timeframe} candles; it serves ${served.join(', ')}`);
    }
    const now = Date.now();
    const fromMs = alignUp(parseTime('from', fromText), granularityMs);
    const toText = context.options.to as string | undefined;
    const toMs = Math.min(toText === undefined ? now : parseTime('to', toText), now);
    if (fromMs >= now) throw new UsageError(`--from ${fromText} is in the future`);
    if (fromMs >= toMs)
      throw new UsageError(`--from ${fromText} must be before --to ${toText ?? 'now'} (the first ${timeframe} candle from it)`);
    const output = (context.options.output as string | undefined) ?? `${sourceName}-${symbol.toLowerCase()}-${timeframe}.csv`;

    let start = fromMs;
    let lastBefore: number | undefined;
    if (existsSync(output) && statSync(output).size > 0) {
      if (!statSync(output).isFile()) throw new Error(`${output} is not a file`);
      const state = inspectCandleCsv(output, granularityMs, timeframe);
      if (state.completeBytes < state.size) {
        truncateSync(output, state.completeBytes);
        context.stderr.write(`download: dropped the torn last line of ${output} (${state.size - state.completeBytes} bytes)\n`);
      }
      lastBefore = state.lastStart;
      if (state.lastStart !== undefined) start = Math.max(fromMs, state.lastStart + granularityMs);
      if (state.firstStart !== undefined && state.firstStart > fromMs) {
        context.stderr.write(
          `download: ${output} starts at ${isoSeconds(state.firstStart)}, after --from; only candles after its last are added\n`,
        );
      }
      if (start >= toMs) {
        context.stderr.write(
          `download: ${output} already holds ${state.rows} ${timeframe} candles up to ${isoSeconds(state.lastStart!)}; nothing to add\n`,
        );
        return 0;
      }
    } else {
      writeFileSync(output, `${CANDLE_CSV_HEADER}\n`);
    }

    const terminal = context.stderr === process.stderr && process.stderr.isTTY;
    const progress = terminal ? new ProgressBar(context.stderr) : undefined;
    const began = performance.now();
    let written = 0;
    let gaps = 0;
    let missing = 0;
    let first: number | undefined;
    let previous = lastBefore;
    let interrupted = false;
    const fd = openSync(output, 'a');
    try {
      const pages = history.candles({ symbol, granularityMs, fromMs: start, toMs, signal: context.signal });
      for await (const page of pages) {
        // Whole lines, one write a page: an interruption between pages leaves only complete candles.
        const fresh = page.filter((c) => previous === undefined || c.start > previous);
        for (const candle of fresh) {
          if (previous !== undefined && candle.start - previous > granularityMs) {
            gaps++;
            missing += (candle.start - previous) / granularityMs - 1;
          }
          previous = candle.start;
        }
        if (fresh.length === 0) continue;
        writeSync(fd, candleCsvLines(fresh));
        first ??= fresh[0]!.start;
        written += fresh.length;
        progress?.show((previous! + granularityMs - start) / (toMs - start), `${written} candles, to ${isoSeconds(previous!)}`);
      }
    } catch (error) {
      if (!context.signal.aborted) {
        if (error instanceof CandleHistoryError && written > 0) {
          throw new Error(`${error.message} (${output} keeps the ${written} candles written before: run again to resume)`, {
            cause: error,
          });
        }
        throw error;
      }
      interrupted = true;
    } finally {
      closeSync(fd);
      progress?.clear();
    }

    const span = first === undefined ? 'none' : `${isoSeconds(first)} to ${isoSeconds(previous!)}`;
    const resumed = lastBefore === undefined ? '' : ` after its last of ${isoSeconds(lastBefore)}`;
    const seconds = ((performance.now() - began) / 1000).toFixed(1);
    context.stderr.write(
      `download: ${written} ${timeframe} candles of ${symbol} from ${sourceName} (${span}) ${lastBefore === undefined ? 'written to' : 'appended to'} ` +
        `${output}${resumed}, ${gaps} gaps (${missing} candles without trades), ${history.requests} requests, ${seconds} s\n`,
    );
    if (interrupted) {
      context.stderr.write(`download: interrupted; ${output} is complete up to its last line: run the same command again to resume\n`);
      return EXIT_INTERRUPTED;
    }
    return 0;
  },
};

/** 2025-01-01, 2025-01-01T12:00 or full ISO 8601 (UTC unless it has a zone) as epoch ms; a UsageError otherwise. */
function parseTime(name: string, text: string): number {
  const match = ISO_8601.exec(text.trim());
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(text.trim());
  const ms = match === null ? Number.NaN : Date.parse(zoned || match[1] === text.trim() ? text.trim() : `${text.trim()}Z`);
  // Date.parse takes 2025-02-30 for March 2nd: the date must come back as written.
  const real = !Number.isNaN(ms) && (zoned || new Date(ms).toISOString().slice(0, 10) === match![1]);
  if (!real) throw new UsageError(`--${name} must be a date like 2025-01-01 or an ISO 8601 time, got "${text}"`);
  return ms;
}
