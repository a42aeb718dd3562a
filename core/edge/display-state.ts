// What the edge display knows about each followed symbol, updated from bus messages by pure
// reducers. Times come in as arguments: `at` is when the edge received the message (wall clock,
// read by the shell), message times are the data's own. The state is plain JSON.
import type { Side } from '../contracts/index.js';

export interface SignalView {
  readonly id: string;
  readonly side: Side;
  /** The signal's own time (the tick that triggered it). */
  readonly ts: number;
  readonly price: number;
  readonly receivedAt: number;
}

export interface SymbolView {
  readonly symbol: string;
  readonly price: number | null;
  /** When the last tick reached the edge: staleness is measured on the edge's clock. */
  readonly receivedAt: number | null;
  /** UTC day number (ts / 86 400 000) of dayOpen. */
  readonly day: number | null;
  /** The first price seen in the current UTC day. */
  readonly dayOpen: number | null;
  /** Recent prices, one per spark bucket, oldest first. */
  readonly spark: readonly number[];
  readonly sparkBucket: number | null;
  readonly rsi: number | null;
  /** The candle timeframe of `rsi` (the strategy's; its forming candle), null when unknown. */
  readonly rsiTimeframe: string | null;
  readonly signal: SignalView | null;
  /** The last tick came from the simulator or a replayed file, not a market. */
  readonly simulated: boolean;
}

export interface DisplayState {
  readonly symbols: readonly SymbolView[];
}

export interface DisplayStateSettings {
  /** One sparkline point per bucket of this many ms of data time. */
  readonly sparkBucketMs: number;
  readonly sparkPoints: number;
}

export const DEFAULT_DISPLAY_STATE_SETTINGS: DisplayStateSettings = { sparkBucketMs: 60_000, sparkPoints: 126 };

const DAY_MS = 86_400_000;

export function initialDisplayState(symbols: readonly string[]): DisplayState {
  return {
    symbols: symbols.map((symbol) => ({
      symbol,
      price: null,
      receivedAt: null,
      day: null,
      dayOpen: null,
      spark: [],
      sparkBucket: null,
      rsi: null,
      rsiTimeframe: null,
      signal: null,
      simulated: false,
    })),
  };
}

function update(state: DisplayState, symbol: string, change: (view: SymbolView) => SymbolView): DisplayState {
  const index = state.symbols.findIndex((view) => view.symbol === symbol);
  if (index < 0) return state;
  const symbols = state.symbols.slice();
  symbols[index] = change(state.symbols[index]!);
  return { symbols };
}

/** A validated tick. Ticks of symbols not followed leave the state as it is. */
export function applyTick(
  state: DisplayState,
  tick: { readonly symbol: string; readonly price: number; readonly ts: number; readonly source: string },
  at: number,
  settings: DisplayStateSettings = DEFAULT_DISPLAY_STATE_SETTINGS,
): DisplayState {
  return update(state, tick.symbol, (view) => {
    const day = Math.floor(tick.ts / DAY_MS);
    // A tick from an earlier day than the one shown (late delivery) does not reopen the day.
    const newDay = view.day === null || day > view.day;
    const bucket = Math.floor(tick.ts / settings.sparkBucketMs);
    let spark = view.spark;
    if (view.sparkBucket === null || bucket > view.sparkBucket) spark = [...spark, tick.price].slice(-settings.sparkPoints);
    else if (bucket === view.sparkBucket && spark.length > 0) spark = [...spark.slice(0, -1), tick.price];
    return {
      ...view,
      price: tick.price,
      receivedAt: at,
      day: newDay ? day : view.day,
      dayOpen: newDay ? tick.price : view.dayOpen,
      spark,
      sparkBucket: view.sparkBucket === null ? bucket : Math.max(bucket, view.sparkBucket),
      simulated: tick.source === 'simulator' || tick.source.startsWith('replay'),
    };
  });
}

export function applyIndicators(
  state: DisplayState,
  record: { readonly symbol: string; readonly rsi: number | null; readonly timeframe?: string | null },
): DisplayState {
  return update(state, record.symbol, (view) => ({ ...view, rsi: record.rsi, rsiTimeframe: record.timeframe ?? null }));
}

/** A signal; an older one than the signal shown (a late duplicate) does not replace it. */
export function applySignal(
  state: DisplayState,
  signal: { readonly id: string; readonly symbol: string; readonly side: Side; readonly ts: number; readonly price: number },
  at: number,
): DisplayState {
  return update(state, signal.symbol, (view) =>
    view.signal !== null && signal.ts < view.signal.ts
      ? view
      : { ...view, signal: { id: signal.id, side: signal.side, ts: signal.ts, price: signal.price, receivedAt: at } },
  );
}
