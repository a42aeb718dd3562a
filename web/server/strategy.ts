// The Strategy view's API: the active strategy in words with its stance, and a hypothetical backtest
// of it (core/backtest, the same run as `stock-stream replay`) over the candles the store holds or
// over one downloaded CSV file of the history directory. Bounded: one run at a time, a size limit on
// files, a limit on candles, a thinned curve and the latest trades only.
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { CANDLE_MS, type CandleTimeframe } from '../../core/candles/timeframe.js';
import { SYMBOL_PATTERN, priceProblem, tsProblem } from '../../core/contracts/index.js';
import type { PipelineSettings } from '../../core/pipeline.js';
import { StrategyBacktest, type EquityPoint } from '../../core/backtest/strategy-backtest.js';
import type { BacktestReport, BacktestTrade } from '../../core/backtest/backtest.js';
import { describeStrategy } from '../../core/strategy/describe-strategy.js';
import type { Timeframe } from '../../core/aggregate/calendar.js';
import { sourceTimeframe } from '../../core/aggregate/derived-candles.js';
import { HISTORY_FILE_PATTERN, HistoryFileError, type HistoryFiles } from '../../platform/history/history-files.js';
import { TickCsvParser } from '../../platform/replay/tick-csv.js';
import type { AggregateStore } from '../../platform/store/store.js';

export interface StrategyRoutesOptions {
  readonly store: AggregateStore;
  readonly symbols: readonly string[];
  readonly pipeline: PipelineSettings;
  readonly files: HistoryFiles;
  readonly now: () => number;
}

/** Candles of the store fed to one backtest at most (a year of 1-minute candles is 525,600). */
export const MAX_STORE_CANDLES = 600_000;
/** Trades sent with a report (the latest); the report counts them all. */
export const MAX_TRADES_SENT = 200;
/** Points of the equity curve at most. */
export const MAX_CURVE_POINTS = 1000;
const CHUNK_BYTES = 1 << 20;
const PROBLEMS_SENT = 5;

export interface BacktestAnswer {
  readonly symbol: string;
  readonly strategy: { readonly name: string; readonly timeframe: CandleTimeframe };
  readonly source:
    | { readonly kind: 'store'; readonly timeframe: Timeframe; readonly candles: number }
    | { readonly kind: 'file'; readonly name: string; readonly rows: number; readonly skipped: number; readonly problems: string[] };
  readonly report: BacktestReport;
  /** Newest first, at most MAX_TRADES_SENT. */
  readonly trades: BacktestTrade[];
  readonly curve: EquityPoint[];
}

/**
 * The stored candles a backtest of `timeframe` reads: its own when the store keeps them, else the
 * longest stored timeframe that divides it (each candle becomes one price at its start, its close,
 * as `replay` reads an OHLC file).
 */
export function storeTimeframeFor(timeframe: CandleTimeframe): Timeframe {
  return sourceTimeframe(timeframe);
}

const percentQuery = { type: 'string', pattern: '^\\d{1,2}(\\.\\d{1,4})?$' } as const;

export function registerStrategyRoutes(app: FastifyInstance, options: StrategyRoutesOptions): void {
  const { store, pipeline, files } = options;
  const strategy = pipeline.strategy;
  const rules = describeStrategy(strategy, pipeline.periods);
  let running = false;

  const followed = (symbol: string, reply: FastifyReply): boolean => {
    if (options.symbols.includes(symbol)) return true;
    void reply.code(404).send({ error: 'ERR_UNKNOWN_SYMBOL', message: `${symbol} is not followed; try ${options.symbols.join(', ')}` });
    return false;
  };

  app.get<{ Querystring: { symbol: string } }>(
    '/api/strategy',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['symbol'],
          properties: { symbol: { type: 'string', pattern: SYMBOL_PATTERN.source } },
        },
      },
    },
    async (request, reply) => {
      const { symbol } = request.query;
      if (!followed(symbol, reply)) return reply;
      const indicators = (await store.latest(symbol))?.indicators ?? null;
      return {
        symbol,
        name: strategy.name,
        timeframe: strategy.timeframe,
        rules,
        stance: indicators?.stance ?? null,
        stanceTs: indicators?.ts ?? null,
        storeTimeframe: storeTimeframeFor(strategy.timeframe),
        files: await files.list(),
      };
    },
  );

  app.get<{ Querystring: { symbol: string; file?: string; fee?: string; slippage?: string } }>(
    '/api/backtest',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['symbol'],
          properties: {
            symbol: { type: 'string', pattern: SYMBOL_PATTERN.source },
            file: { type: 'string', pattern: HISTORY_FILE_PATTERN.source },
            fee: percentQuery,
            slippage: percentQuery,
          },
        },
      },
    },
    async (request, reply) => {
      const { symbol, file } = request.query;
      if (!followed(symbol, reply)) return reply;
      if (running)
        return reply
          .code(503)
          .header('retry-after', '2')
          .send({ error: 'ERR_BUSY', message: 'a backtest is already running; try again in a moment' });
      running = true;
      try {
        const run = new StrategyBacktest(
          symbol,
          pipeline,
          { feeRate: Number(request.query.fee ?? '0.1') / 100, slippageRate: Number(request.query.slippage ?? '0') / 100 },
          MAX_CURVE_POINTS,
        );
        const source = file === undefined ? await fromStore(run, symbol) : await fromFile(run, file);
        const result = run.result();
        const answer: BacktestAnswer = {
          symbol,
          strategy: { name: strategy.name, timeframe: strategy.timeframe },
          source,
          report: result.report,
          trades: result.trades.slice(-MAX_TRADES_SENT).reverse(),
          curve: result.curve,
        };
        return answer;
      } catch (error) {
        if (error instanceof HistoryFileError) return reply.code(error.statusCode).send({ error: error.code, message: error.message });
        throw error;
      } finally {
        running = false;
      }
    },
  );

  async function fromStore(run: StrategyBacktest, symbol: string): Promise<BacktestAnswer['source']> {
    const timeframe = storeTimeframeFor(strategy.timeframe);
    const to = (await store.latest(symbol))?.tick?.ts ?? options.now();
    const candles = await store.candles(symbol, timeframe, Math.max(0, to - (MAX_STORE_CANDLES - 1) * CANDLE_MS[timeframe]), to);
    for (const candle of candles) run.step(candle.start, candle.close);
    return { kind: 'store', timeframe, candles: candles.length };
  }

  async function fromFile(run: StrategyBacktest, name: string): Promise<BacktestAnswer['source']> {
    const { handle } = await files.open(name);
    let rows = 0;
    let skipped = 0;
    const problems: string[] = [];
    const problem = (line: number, reason: string) => {
      skipped++;
      if (problems.length < PROBLEMS_SENT) problems.push(`line ${line}: ${reason}`);
    };
    // The same checks as `replay` makes of each row.
    const parser = new TickCsvParser({
      problem,
      row(row) {
        const bad =
          priceProblem(row.price) ?? tsProblem(row.ts) ?? (row.volume !== undefined && row.volume < 0 ? 'volume: below 0' : undefined);
        if (bad !== undefined) return problem(row.line, bad);
        if (run.step(row.ts, row.price) === undefined) return problem(row.line, 'ts: not later than the previous row');
        rows++;
      },
    });
    try {
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
        if (bytesRead === 0) break;
        parser.push(buffer.subarray(0, bytesRead));
        await yieldToEvents(); // a large file does not hold up the live stream
      }
      parser.end();
    } finally {
      await handle.close();
    }
    return { kind: 'file', name, rows, skipped, problems };
  }
}
