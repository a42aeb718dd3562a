// The warm start: before the processor reads live ticks, each configured symbol's timeframes are
// filled from candles of the past, from the sources in order (the appliance's own candle store
// first, then exchanges for what it lacks). The pure part (what is needed, feeding it in) is in
// core/warmup; this reads the sources, tolerates their failures, and says how it went.
import type { PipelineSnapshot, PipelineSettings, SymbolPipeline } from '../../core/pipeline.js';
import { SymbolPipeline as Pipeline } from '../../core/pipeline.js';
import type { WarmupProgress } from '../../core/contracts/index.js';
import { candleStart } from '../../core/candles/timeframe.js';
import { warmPipeline } from '../../core/warmup/warm-pipeline.js';
import { uncoveredRanges, warmupNeeds, warmupPlan, type WarmupSegment } from '../../core/warmup/warmup-plan.js';
import type { HealthStatus } from '../../platform/health.js';
import type { CandleHistory, HistoricalCandle } from '../../platform/history/history.js';
import type { Logger } from '../../platform/log.js';

export interface WarmStartOptions {
  readonly symbols: readonly string[];
  readonly settings: PipelineSettings;
  /** Tried in this order; each later one only for the ranges the earlier ones did not cover. */
  readonly sources: readonly CandleHistory[];
  /** At most this many candles per timeframe. */
  readonly maxCandles: number;
  /** Nothing older than this. */
  readonly maxAgeMs: number;
  /** One source's answer to one range may take this long. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** How one symbol's warm start went. */
export interface SymbolWarmup {
  readonly symbol: string;
  state: 'waiting' | 'loading' | 'done';
  /** Candles fed, per source name. */
  readonly candles: Record<string, number>;
  /** Sources that failed, with why, in one line each. */
  readonly problems: string[];
  /** Timeframes still short of candles after the warm start (live ticks fill them). */
  remaining: WarmupProgress[];
  /** Recommendations and alerts of the past that were not emitted. */
  silenced: number;
}

export class WarmStart {
  private readonly status = new Map<string, SymbolWarmup>();
  private readonly warmed = new Map<string, PipelineSnapshot>();
  private readonly now: () => number;

  constructor(private readonly options: WarmStartOptions) {
    this.now = options.now ?? Date.now;
    for (const symbol of options.symbols)
      this.status.set(symbol, { symbol, state: 'waiting', candles: {}, problems: [], remaining: [], silenced: 0 });
  }

  /** Warms every symbol in turn; a failing source is logged and passed over, never thrown. */
  async run(signal?: AbortSignal): Promise<void> {
    for (const status of this.status.values()) {
      if (signal?.aborted) return;
      status.state = 'loading';
      await this.warm(status, signal);
      status.state = 'done';
    }
  }

  /**
   * A pipeline for `symbol` in its warmed state, or undefined when it was not warmed (not a
   * configured symbol, or no history). The processor asks only for a symbol its restored
   * state does not hold: state from the changelog wins over the warm start.
   */
  pipeline(symbol: string): SymbolPipeline | undefined {
    const snapshot = this.warmed.get(symbol);
    return snapshot === undefined ? undefined : Pipeline.restore(symbol, snapshot, this.options.settings);
  }

  /** Each symbol's warm start so far. */
  progress(): readonly SymbolWarmup[] {
    return [...this.status.values()];
  }

  /** Up whatever the sources did (the processor runs on live ticks either way); the detail says how it went. */
  health(): HealthStatus {
    const parts = this.progress().map((status) => {
      const fed = Object.entries(status.candles)
        .map(([source, count]) => `${count} from ${source}`)
        .join(', ');
      const state =
        status.state === 'waiting'
          ? 'waiting'
          : status.state === 'loading'
            ? 'loading history'
            : status.remaining.length === 0
              ? `ready (${fed || 'no candles needed'})`
              : `${describeRemaining(status.remaining)} (${fed || 'no history'})`;
      const problems = status.problems.length > 0 ? `; ${status.problems.join('; ')}` : '';
      return `${status.symbol} ${state}${problems}`;
    });
    return { ok: true, detail: `warm start: ${parts.join('; ')}` };
  }

  private async warm(status: SymbolWarmup, signal: AbortSignal | undefined): Promise<void> {
    const { settings, sources, maxCandles, maxAgeMs, logger } = this.options;
    const symbol = status.symbol;
    const needs = warmupNeeds(settings, maxCandles);
    const granularities = [...new Set(sources.flatMap((source) => source.granularities))];
    const plan = warmupPlan(needs, this.now(), granularities, maxAgeMs);
    const candles: HistoricalCandle[] = [];
    for (const segment of plan) {
      if (signal?.aborted) return;
      candles.push(...(await this.segment(status, segment, signal)));
    }
    const pipeline = new Pipeline(symbol, settings);
    const feed = warmPipeline(pipeline, candles);
    status.remaining = pipeline.warmup();
    status.silenced = feed.silenced;
    if (feed.fed > 0) this.warmed.set(symbol, pipeline.snapshot());
    const detail = { symbol, candles: status.candles, silenced: feed.silenced, problems: status.problems };
    if (status.remaining.length === 0) logger.info(detail, `warm start: ${symbol} is ready from ${feed.fed} candles of the past`);
    else
      logger.warn(
        { ...detail, remaining: status.remaining },
        `warm start: ${symbol} ${describeRemaining(status.remaining)}; live ticks fill the rest`,
      );
  }

  /** One segment's candles, oldest first: each source in turn for what the ones before it lacked. */
  private async segment(status: SymbolWarmup, segment: WarmupSegment, signal: AbortSignal | undefined): Promise<HistoricalCandle[]> {
    const { sources, timeoutMs, logger } = this.options;
    const { granularityMs } = segment;
    const found = new Map<number, HistoricalCandle>();
    let missing = [{ fromMs: segment.fromMs, toMs: segment.toMs }];
    for (const source of sources) {
      if (missing.length === 0 || signal?.aborted) break;
      if (!source.granularities.includes(granularityMs)) continue;
      const stillMissing: typeof missing = [];
      for (const range of missing) {
        const request = { symbol: status.symbol, granularityMs, fromMs: range.fromMs, toMs: range.toMs };
        try {
          const got = await readAll(source, request, timeoutMs, signal);
          status.candles[source.name] = (status.candles[source.name] ?? 0) + got.length;
          for (const candle of got) found.set(candle.start, candle);
          stillMissing.push(
            ...uncoveredRanges(
              range.fromMs,
              range.toMs,
              granularityMs,
              got.map((candle) => candle.start),
            ),
          );
        } catch (error) {
          if (signal?.aborted) break;
          const problem = `${source.name} failed: ${oneLine(error)}`;
          if (!status.problems.includes(problem)) status.problems.push(problem);
          logger.warn({ symbol: status.symbol, source: source.name, err: error }, `warm start: ${problem}; starting without it`);
          stillMissing.push(range);
        }
      }
      missing = stillMissing;
    }
    return [...found.values()].sort((a, b) => a.start - b.start);
  }
}

/** Every page of the request, keeping only sane candles of its range and granularity. */
async function readAll(
  source: CandleHistory,
  request: { symbol: string; granularityMs: number; fromMs: number; toMs: number },
  timeoutMs: number,
  outer: AbortSignal | undefined,
): Promise<HistoricalCandle[]> {
  const signal = outer ? AbortSignal.any([outer, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
  const candles: HistoricalCandle[] = [];
  const read = async () => {
    for await (const page of source.candles({ ...request, signal })) {
      for (const candle of page) {
        const sane =
          Number.isSafeInteger(candle.start) &&
          candle.start >= request.fromMs &&
          candle.start < request.toMs &&
          candleStart(candle.start, request.granularityMs) === candle.start &&
          Number.isFinite(candle.close) &&
          candle.close > 0 &&
          (candles.length === 0 || candle.start > candles[candles.length - 1]!.start);
        if (sane) candles.push(candle);
      }
    }
  };
  // A source that ignores the signal still cannot hold the start up past the timeout.
  await Promise.race([
    read(),
    new Promise<never>((_, reject) => {
      if (signal.aborted) reject(new Error(`no answer within ${timeoutMs} ms`));
      signal.addEventListener('abort', () => reject(new Error(`no answer within ${timeoutMs} ms`)), { once: true });
    }),
  ]);
  return candles;
}

function describeRemaining(remaining: readonly WarmupProgress[]): string {
  return `warming up: ${remaining.map((p) => `${p.timeframe} ${p.candles} of ${p.needed} candles`).join(', ')}`;
}

function oneLine(error: unknown): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return `${err.message ?? String(error)}${cause ? ` (${cause})` : ''}`.replace(/\s+/g, ' ').slice(0, 200);
}
