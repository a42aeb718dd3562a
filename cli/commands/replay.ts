// `stock-stream replay`: runs the core over a price CSV with no bus, writing JSON lines; also the backtest.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { signalRecord } from '../../core/contracts/index.js';
import { StrategyBacktest } from '../../core/backtest/strategy-backtest.js';
import { SYMBOL_PATTERN, priceProblem, tsProblem } from '../../core/contracts/index.js';
import { TickCsvParser } from '../../platform/replay/tick-csv.js';
import { backtestLines, backtestTable } from '../backtest-report.js';
import { UsageError, type Command } from '../command.js';
import { BufferedLines } from '../output.js';

const CHUNK_BYTES = 1 << 20;
const PROBLEMS_SHOWN = 20;
/** Exit code when the run finished but some rows were skipped. */
export const EXIT_ROWS_SKIPPED = 3;

export const replayCommand: Command = {
  name: 'replay',
  description:
    'The CSV has a header naming ts (or timestamp, time, date, unix, datetime, open_time) and price,\n' +
    'optionally volume; an OHLC file (ts,open,high,low,close[,volume]) is read as its closes. ts is\n' +
    'epoch seconds (below 1e11), milliseconds, microseconds (from 1e14) or ISO 8601 (UTC unless it\n' +
    'has a zone). Exchange exports are read as they come: lines before the header are reported and\n' +
    'passed over, a file without a header is read by position (2-3 columns: ts,price[,volume]; 5 or\n' +
    'more: ts,open,high,low,close[,volume,...]), and a file listed newest first is read oldest first.\n' +
    "The ticks are built into candles of the strategy's timeframe (and of timeframes:), and for each\n" +
    'closed candle it prints one JSON line\n' +
    '  {"type":"candle","symbol","timeframe","start","open","high","low","close","volume","ticks",\n' +
    '   "indicators":{"sma","ema","rsi","macd","macdSignal","macdHist","bbUpper","bbMiddle","bbLower"}}\n' +
    '(indicators on that closed candle, null while warming up), and a {"type":"signal",...,"kind",\n' +
    '"timeframe"} line for each signal: "recommendation" when the strategy\'s stance changes (they\n' +
    'alternate buy, sell), "crossing" when a condition fired without changing it, "alert" for a price\n' +
    'alert (alerts:). --signals-only prints only recommendations and alerts. The same core runs in\n' +
    'the processor, so the signals are the ones the live system would give. Periods, the strategy\n' +
    'and the alerts come from the configuration (indicators:, strategy:, alerts:).\n' +
    'Malformed rows, and rows not later than the one before, are reported on stderr with their line\n' +
    `numbers and skipped; the run goes on and exits ${EXIT_ROWS_SKIPPED}. At the end stderr gets a summary and a\n` +
    'HYPOTHETICAL backtest, not advice: all in on each recommended buy, all out on each sell, a fee and\n' +
    'slippage on each fill, against buying at the first price and holding (a table on a terminal):\n' +
    '  period          first and last ts; candles: closed candles of the strategy timeframe\n' +
    '  trades          round trips; a position still held at the end is valued at the last price (open)\n' +
    '  total return    of the account, and of buying and holding over the same period\n' +
    '  max drawdown    deepest fall of the equity below its peak, marked at each closed candle (both)\n' +
    '  win rate        share of trades with a return above 0 after fees; average, median, best, worst\n' +
    '  profit factor   sum of winning returns over sum of losing ones (none without a loss)\n' +
    '  exposure        share of the period in the market; average holding: time per trade\n' +
    '  Sharpe, Sortino per-candle returns of the equity, annualised by sqrt(candles a year), risk-free 0\n' +
    '--summary-json adds the report as one {"type":"backtest",...} line on stdout after all the others,\n' +
    '--trades a {"type":"trade","entryTs","entryPrice","exitTs","exitPrice","return","open"} line per\n' +
    'trade before it (fills, slippage included; returns after fees, as fractions). See docs/processing.md.',
  positionals: [],
  options: {
    input: { type: 'string', short: 'i', value: 'FILE', description: 'the CSV file, or - for standard input (required)' },
    symbol: { type: 'string', value: 'SYMBOL', description: 'the symbol of the prices (default: the first configured, BTC-USD)' },
    'signals-only': { type: 'boolean', description: 'print only the recommendations and alerts (no candles, no crossings)' },
    fee: { type: 'string', value: 'PERCENT', description: 'backtest fee per fill in percent (default: 0.1)' },
    slippage: {
      type: 'string',
      value: 'PERCENT',
      description: 'backtest slippage in percent: buys fill this much higher, sells lower (default: 0)',
    },
    'summary-json': { type: 'boolean', description: 'print the backtest report as a last JSON line on stdout' },
    trades: { type: 'boolean', description: 'print a JSON line per backtest trade on stdout (before the report)' },
  },
  examples: ['stock-stream replay --input examples/simulated-btc-usd-1w.csv --signals-only'],
  async run(context) {
    const input = context.options.input;
    if (typeof input !== 'string' || input === '') throw new UsageError('--input FILE is required');
    const config = context.config();
    const symbol = (context.options.symbol as string | undefined) ?? config.symbols[0]!;
    if (!SYMBOL_PATTERN.test(symbol)) throw new UsageError(`--symbol must look like BTC-USD, got "${symbol}"`);
    const feePercent = Number(context.options.fee ?? '0.1');
    if (!Number.isFinite(feePercent) || feePercent < 0 || feePercent >= 100) {
      throw new UsageError(`--fee must be a percentage from 0 to below 100, got "${String(context.options.fee)}"`);
    }
    const slippagePercent = Number(context.options.slippage ?? '0');
    if (!Number.isFinite(slippagePercent) || slippagePercent < 0 || slippagePercent >= 100) {
      throw new UsageError(`--slippage must be a percentage from 0 to below 100, got "${String(context.options.slippage)}"`);
    }
    const signalsOnly = context.options['signals-only'] === true;
    const run = new StrategyBacktest(
      symbol,
      { periods: config.indicators, timeframes: config.timeframes, strategy: config.strategy, alerts: config.alerts },
      { feeRate: feePercent / 100, slippageRate: slippagePercent / 100 },
    );
    let candles = 0;
    let crossings = 0;
    let alerts = 0;
    const out = new BufferedLines(context.stdout);
    const problems: string[] = [];
    let problemCount = 0;
    let ticks = 0;
    let buys = 0;
    let sells = 0;
    const report = (line: number, reason: string) => {
      problemCount++;
      if (problems.length < PROBLEMS_SHOWN) problems.push(`line ${line}: ${reason}; skipped`);
    };
    const parser = new TickCsvParser({
      problem: report,
      note: (message) => context.stderr.write(`replay: ${message}\n`),
      row(row) {
        const bad = priceProblem(row.price) ?? tsProblem(row.ts);
        if (bad !== undefined) return report(row.line, bad);
        if (row.volume !== undefined && row.volume < 0) return report(row.line, 'volume: below 0');
        // The volume is checked but not carried: indicators and rules read only price and time.
        const signals = run.step(row.ts, row.price);
        if (signals === undefined) return report(row.line, 'ts: not later than the previous row');
        ticks++;
        if (run.closed.length > 0) {
          candles += run.closed.length;
          if (!signalsOnly) for (const candle of run.closed) out.push(JSON.stringify(candle));
        }
        for (const signal of signals) {
          if (signal.kind === 'crossing') {
            crossings++;
            if (!signalsOnly) out.push(JSON.stringify(signalRecord(signal)));
            continue;
          }
          out.push(JSON.stringify(signalRecord(signal)));
          // Alerts are news about the price; the hypothetical account follows the recommendations.
          if (signal.kind === 'alert') {
            alerts++;
            continue;
          }
          // The account (run) follows the recommendations.
          if (signal.side === 'buy') buys++;
          else sells++;
        }
      },
    });

    const started = performance.now();
    const progress = context.stderr === process.stderr && process.stderr.isTTY ? new ProgressBar(context.stderr) : undefined;
    if (input === '-') {
      for await (const chunk of context.stdin) {
        parser.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
        await out.flushIfFull();
        if (context.signal.aborted) break;
      }
    } else {
      let fd: number;
      try {
        fd = openSync(input, 'r');
      } catch (error) {
        throw new Error(`cannot read ${input} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
      }
      try {
        if (!fstatSync(fd).isFile()) throw new Error(`${input} is not a file`);
        const size = fstatSync(fd).size;
        const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
        let done = 0;
        for (;;) {
          const read = readSync(fd, buffer, 0, CHUNK_BYTES, null);
          if (read === 0) break;
          parser.push(buffer.subarray(0, read));
          done += read;
          progress?.show(done / size);
          await out.flushIfFull();
          if (context.signal.aborted) break;
        }
      } finally {
        closeSync(fd);
      }
    }
    parser.end();
    const result = run.backtest.report();
    if (context.options.trades === true) for (const trade of run.backtest.trades()) out.push(JSON.stringify(trade));
    if (context.options['summary-json'] === true) out.push(JSON.stringify(result));
    await out.flush();
    progress?.clear();
    const seconds = (performance.now() - started) / 1000;

    for (const problem of problems) context.stderr.write(`${problem}\n`);
    if (problemCount > problems.length) context.stderr.write(`… and ${problemCount - problems.length} more skipped rows\n`);
    const rate = seconds > 0 ? Math.round(ticks / seconds) : ticks;
    context.stderr.write(
      `replay: ${ticks} ticks of ${symbol}, ${buys + sells} recommendations (${buys} buy, ${sells} sell) by ${config.strategy.name} ` +
        `on ${config.strategy.timeframe} candles, ${crossings} crossings, ${alerts} alerts, ${candles} candles closed, ` +
        `${problemCount} rows skipped, ${seconds.toFixed(2)} s, ${rate} ticks/s\n`,
    );
    const terminal = context.stderr === process.stderr && process.stderr.isTTY;
    for (const line of terminal ? backtestTable(result) : backtestLines(result)) context.stderr.write(`${line}\n`);
    return problemCount > 0 ? EXIT_ROWS_SKIPPED : 0;
  },
};

/** A one-line progress bar on a terminal's stderr, redrawn at most five times a second. */
class ProgressBar {
  private last = 0;
  constructor(private readonly stream: NodeJS.WritableStream) {}
  show(fraction: number): void {
    const now = performance.now();
    if (now - this.last < 200) return;
    this.last = now;
    const width = 30;
    const filled = Math.round(Math.min(1, fraction) * width);
    this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0)} %`);
  }
  clear(): void {
    this.stream.write('\r\u001b[K');
  }
}
