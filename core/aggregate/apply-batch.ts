// Applies one consumed batch of ticks, signals and indicator records to what the store holds:
// reads through a StoredView, returns the records to write. The stores (Redis, SQLite) do the
// reading and writing atomically around this; the arithmetic lives only here.
import type { Tick, IndicatorSnapshot, SignalSummary } from '../contracts/index.js';
import { DAY_MS, TIMEFRAMES, bucketStart, utcDay, type Timeframe } from './calendar.js';
import type { Candle } from './candle.js';
import { emptyDay, type DayRecord } from './daily.js';
import { addTick, meanPrice, summaryOfTick } from './price-summary.js';

export type AggregateItem =
  | { readonly kind: 'tick'; readonly tick: Tick }
  | { readonly kind: 'signal'; readonly signal: SignalSummary }
  | { readonly kind: 'indicators'; readonly indicators: IndicatorSnapshot };

export interface AggregateSettings {
  /** How long candles are kept per timeframe, counted back from the symbol's newest tick (data time, not wall time). */
  readonly candleRetentionMs: Readonly<Record<Timeframe, number>>;
}

export interface SymbolLatest {
  readonly tick?: Tick;
  readonly indicators?: IndicatorSnapshot;
}

/** What the store holds now, as far as a batch needs to know. */
export interface StoredView {
  day(symbol: string, day: string): DayRecord | undefined;
  candle(symbol: string, timeframe: Timeframe, start: number): Candle | undefined;
  latest(symbol: string): SymbolLatest | undefined;
  /** Whether the signal was already counted for that day. */
  hasSignal(symbol: string, day: string, id: string): boolean;
}

/** Everything a batch may read, so that a store can fetch it in one round trip. */
export interface BatchKeys {
  readonly days: ReadonlyArray<{ readonly symbol: string; readonly day: string }>;
  readonly candles: ReadonlyArray<{ readonly symbol: string; readonly timeframe: Timeframe; readonly start: number }>;
  readonly symbols: readonly string[];
  readonly signals: ReadonlyArray<{ readonly symbol: string; readonly day: string; readonly id: string }>;
}

export interface BatchChanges {
  /** Whole new records, to overwrite the stored ones. */
  readonly days: readonly DayRecord[];
  readonly candles: readonly Candle[];
  /** Only what changed: a symbol's newer latest tick and/or indicators. */
  readonly latest: ReadonlyArray<{ readonly symbol: string } & SymbolLatest>;
  /** Signals counted for the first time, in arrival order (for the recent list and the id sets). */
  readonly newSignals: readonly SignalSummary[];
  /** Candles starting before `before` fall out of retention. */
  readonly prune: ReadonlyArray<{ readonly symbol: string; readonly timeframe: Timeframe; readonly before: number }>;
  /** Signals already counted (a replay of the signals topic), left out. */
  readonly duplicateSignals: number;
  /** Ticks not later than the last tick counted for their symbol (a restarted source, a re-sent ticker), left out. */
  readonly duplicateTicks: number;
}

export function batchKeys(items: readonly AggregateItem[]): BatchKeys {
  const days = new Map<string, { symbol: string; day: string }>();
  const candles = new Map<string, { symbol: string; timeframe: Timeframe; start: number }>();
  const symbols = new Set<string>();
  const signals = new Map<string, { symbol: string; day: string; id: string }>();
  for (const item of items) {
    if (item.kind === 'tick') {
      const { symbol, ts } = item.tick;
      symbols.add(symbol);
      const day = utcDay(ts);
      days.set(`${symbol}|${day}`, { symbol, day });
      for (const timeframe of TIMEFRAMES) {
        const start = bucketStart(ts, timeframe);
        candles.set(`${symbol}|${timeframe}|${start}`, { symbol, timeframe, start });
      }
    } else if (item.kind === 'signal') {
      const { symbol, ts, id } = item.signal;
      const day = utcDay(ts);
      days.set(`${symbol}|${day}`, { symbol, day });
      signals.set(`${symbol}|${day}|${id}`, { symbol, day, id });
    } else {
      symbols.add(item.indicators.symbol);
    }
  }
  return { days: [...days.values()], candles: [...candles.values()], symbols: [...symbols], signals: [...signals.values()] };
}

/**
 * The batch's effect, item by item in arrival order:
 * - a tick counts only when its ts is later than that of the last tick counted for its symbol, which
 *   is the stored latest tick: a source that restarts (a replay from its first row, an exchange
 *   re-sending its last ticker) publishes ticks again, and the bus's offsets cannot tell. This is the
 *   processor's rule, so a tick late or repeated is left out of both;
 * - a counted tick updates its UTC day and its 1m, 5m and 1h candles (see PriceSummary); being the
 *   symbol's newest, it is always inside candle retention;
 * - the day's TWAP sum gains, for each 1m candle touched, its new tick average minus its old one;
 * - a signal counts once per id (the processor derives ids from symbol, ts and rule);
 * - the latest tick is the last one counted; the latest indicators those with the greatest ts (ties: the later one).
 */
export function applyBatch(view: StoredView, items: readonly AggregateItem[], settings: AggregateSettings): BatchChanges {
  const days = new Map<string, DayRecord>();
  const candles = new Map<string, Candle>();
  /** Per 1m candle touched: its tick average before this batch, undefined when it is new. */
  const minuteMeanBefore = new Map<string, number | undefined>();
  const newest = new Map<string, number>();
  const latest = new Map<string, { symbol: string; tick?: Tick; indicators?: IndicatorSnapshot }>();
  const counted = new Set<string>();
  const newSignals: SignalSummary[] = [];
  let duplicateSignals = 0;
  let duplicateTicks = 0;

  const dayRecord = (symbol: string, day: string): DayRecord => {
    const key = `${symbol}|${day}`;
    let record = days.get(key);
    if (!record) {
      const stored = view.day(symbol, day);
      record = stored ? { ...stored, ...(stored.price ? { price: { ...stored.price } } : {}) } : emptyDay(symbol, day);
      days.set(key, record);
    }
    return record;
  };
  const latestOf = (symbol: string) => {
    let entry = latest.get(symbol);
    if (!entry) latest.set(symbol, (entry = { symbol }));
    return entry;
  };
  const storedLatest = new Map<string, SymbolLatest | undefined>();
  const stored = (symbol: string) => {
    if (!storedLatest.has(symbol)) storedLatest.set(symbol, view.latest(symbol));
    return storedLatest.get(symbol);
  };
  const latestTick = (symbol: string) => latest.get(symbol)?.tick ?? stored(symbol)?.tick;
  const latestIndicators = (symbol: string) => latest.get(symbol)?.indicators ?? stored(symbol)?.indicators;
  // Ticks mostly come in order, so a tick's day and candles are usually the previous tick's: keep those at hand.
  let lastSymbol = '';
  let lastDayNumber = Number.NaN;
  let lastDay: DayRecord | undefined;
  const lastCandles: Array<{ start: number; candle: Candle } | undefined> = TIMEFRAMES.map(() => undefined);

  for (const item of items) {
    if (item.kind === 'tick') {
      const tick = item.tick;
      const { symbol, ts } = tick;
      const lastCounted = newest.get(symbol) ?? latestTick(symbol)?.ts;
      if (lastCounted !== undefined && ts <= lastCounted) {
        duplicateTicks++;
        continue;
      }
      newest.set(symbol, ts);
      if (symbol !== lastSymbol) {
        lastSymbol = symbol;
        lastDayNumber = Number.NaN;
        lastCandles.fill(undefined);
      }
      const dayNumber = Math.floor(ts / DAY_MS);
      const day = dayNumber === lastDayNumber ? lastDay! : dayRecord(symbol, utcDay(ts));
      lastDay = day;
      lastDayNumber = dayNumber;
      if (day.price) addTick(day.price, tick);
      else day.price = summaryOfTick(tick);
      for (let f = 0; f < TIMEFRAMES.length; f++) {
        const timeframe = TIMEFRAMES[f]!;
        const start = bucketStart(ts, timeframe);
        const previous = lastCandles[f];
        if (previous !== undefined && previous.start === start) {
          addTick(previous.candle, tick);
          continue;
        }
        const key = `${symbol}|${timeframe}|${start}`;
        let candle = candles.get(key);
        if (candle) {
          addTick(candle, tick);
        } else {
          const stored = view.candle(symbol, timeframe, start);
          if (timeframe === '1m') minuteMeanBefore.set(key, stored ? meanPrice(stored) : undefined);
          if (stored) {
            candle = { ...stored };
            addTick(candle, tick);
          } else {
            candle = { symbol, timeframe, start, ...summaryOfTick(tick) };
          }
          candles.set(key, candle);
        }
        lastCandles[f] = { start, candle };
      }
      latestOf(symbol).tick = tick;
    } else if (item.kind === 'signal') {
      const signal = item.signal;
      const day = utcDay(signal.ts);
      const key = `${signal.symbol}|${day}|${signal.id}`;
      if (counted.has(key) || view.hasSignal(signal.symbol, day, signal.id)) {
        duplicateSignals++;
        continue;
      }
      counted.add(key);
      // The day's buys and sells count what people were told; crossings are kept only as markers.
      if (signal.kind !== 'crossing') {
        const record = dayRecord(signal.symbol, day);
        if (signal.side === 'buy') record.buys++;
        else record.sells++;
      }
      newSignals.push(signal);
    } else {
      const indicators = item.indicators;
      const previous = latestIndicators(indicators.symbol);
      if (!previous || indicators.ts >= previous.ts) latestOf(indicators.symbol).indicators = indicators;
    }
  }

  for (const [key, before] of minuteMeanBefore) {
    const candle = candles.get(key)!;
    const day = dayRecord(candle.symbol, utcDay(candle.start));
    day.twapSum += meanPrice(candle) - (before ?? 0);
    if (before === undefined) day.twapMinutes++;
  }

  const prune: Array<{ symbol: string; timeframe: Timeframe; before: number }> = [];
  for (const [symbol, newestTs] of newest) {
    for (const timeframe of TIMEFRAMES) prune.push({ symbol, timeframe, before: newestTs - settings.candleRetentionMs[timeframe] });
  }
  return {
    days: [...days.values()],
    candles: [...candles.values()],
    latest: [...latest.values()],
    newSignals,
    prune,
    duplicateSignals,
    duplicateTicks,
  };
}
