// The `stock.indicators` message: its shape as the processor publishes it and the check every
// reader applies (untrusted parsed JSON in, a clean record with only the known fields out).
import { fail, ok, type RecordCheck } from './check.js';
import { RAW_FIELDS, type IndicatorValues } from '../indicators/indicator-set.js';
import { SYMBOL_PATTERN, priceProblem, tsProblem } from './tick.js';

export type Stance = 'flat' | 'long';

/** The position a strategy holds, as every display shows it ("LONG since 14:00 at 97,120"). */
export interface StanceView {
  readonly strategy: string;
  readonly stance: Stance;
  /** When and at what price the position was entered (long only). */
  readonly since: number | null;
  readonly entryPrice: number | null;
}

/** The latest indicators of a symbol, as the processor published them. */
export interface IndicatorSnapshot extends IndicatorValues {
  readonly symbol: string;
  readonly ts: number;
  readonly price: number;
  /** The candle timeframe of the values (null in records from before timeframes). */
  readonly timeframe: string | null;
  /** The values on the last closed candle (the flat fields are on the forming one). */
  readonly closed: IndicatorValues | null;
  readonly stance: StanceView | null;
  /** Timeframes whose indicators are not ready yet (present only while one is warming up). */
  readonly warmup?: readonly WarmupProgress[];
}

/** One timeframe still warming up: "warming up: 12 of 35 candles". */
export interface WarmupProgress {
  readonly timeframe: string;
  /** Closed candles so far. */
  readonly candles: number;
  /** Closed candles its indicators need. */
  readonly needed: number;
}

/**
 * The `stock.indicators` message for one tick: the strategy timeframe's indicators on the forming
 * candle (the close so far: what the chart, OLED and MQTT show live) in the flat fields, and on
 * the last closed candle (what the rules read by default) in `closed`.
 */
export interface IndicatorRecord extends IndicatorValues {
  readonly type: 'indicators';
  readonly ts: number;
  readonly symbol: string;
  readonly price: number;
  readonly timeframe: string;
  readonly closed: IndicatorValues;
  readonly stance: StanceView;
  /** Present only while a followed timeframe has fewer closed candles than its indicators need. */
  readonly warmup?: readonly WarmupProgress[];
}

const TIMEFRAME_PATTERN = /^\d{1,3}[mhd]$/;
const NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function checkIndicatorRecord(value: unknown, latestTs: number = Number.POSITIVE_INFINITY): RecordCheck<IndicatorSnapshot> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not an object');
  const raw = value as Record<string, unknown>;
  const { symbol, ts, price } = raw;
  if (raw.type !== undefined && raw.type !== 'indicators') return fail('type: must be "indicators"');
  if (typeof symbol !== 'string' || !SYMBOL_PATTERN.test(symbol)) return fail('symbol: must look like BTC-USD');
  const badTs = tsProblem(ts, latestTs);
  if (badTs !== undefined) return fail(badTs);
  const badPrice = priceProblem(price);
  if (badPrice !== undefined) return fail(badPrice);
  const values = indicatorValues(raw, '');
  if (typeof values === 'string') return fail(values);
  const { timeframe } = raw;
  if (timeframe !== undefined && (typeof timeframe !== 'string' || !TIMEFRAME_PATTERN.test(timeframe)))
    return fail('timeframe: must look like 1m, 1h or 1d');
  let closed: IndicatorValues | null = null;
  if (raw.closed !== undefined && raw.closed !== null) {
    if (typeof raw.closed !== 'object' || Array.isArray(raw.closed)) return fail('closed: must be an object');
    const checked = indicatorValues(raw.closed as Record<string, unknown>, 'closed.');
    if (typeof checked === 'string') return fail(checked);
    closed = checked;
  }
  const stance = raw.stance === undefined || raw.stance === null ? null : checkStance(raw.stance);
  if (typeof stance === 'string') return fail(stance);
  const warmup = raw.warmup === undefined || raw.warmup === null ? undefined : checkWarmup(raw.warmup);
  if (typeof warmup === 'string') return fail(warmup);
  const snapshot = {
    symbol,
    ts,
    price,
    ...values,
    timeframe: (timeframe as string | undefined) ?? null,
    closed,
    stance,
    ...(warmup !== undefined && warmup.length > 0 ? { warmup } : {}),
  };
  return ok(snapshot as unknown as IndicatorSnapshot);
}

/** The indicator fields of a record (null while warming up), or why not. */
function indicatorValues(raw: Record<string, unknown>, at: string): IndicatorValues | string {
  const values: Record<string, number | null> = {};
  for (const field of RAW_FIELDS) {
    const v = raw[field];
    if (v === undefined || v === null) values[field] = null;
    else if (typeof v === 'number' && Number.isFinite(v)) values[field] = v;
    else return `${at}${field}: must be a finite number or null`;
  }
  return values as unknown as IndicatorValues;
}

function checkStance(value: unknown): StanceView | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'stance: must be an object';
  const { strategy, stance, since, entryPrice } = value as Record<string, unknown>;
  if (typeof strategy !== 'string' || !NAME_PATTERN.test(strategy)) return 'stance.strategy: must be a name';
  if (stance !== 'flat' && stance !== 'long') return 'stance.stance: must be "flat" or "long"';
  if (stance === 'flat') return { strategy, stance, since: null, entryPrice: null };
  if (tsProblem(since) !== undefined) return 'stance.since: must be epoch milliseconds';
  if (priceProblem(entryPrice) !== undefined) return 'stance.entryPrice: must be a price';
  return { strategy, stance, since: since as number, entryPrice: entryPrice as number };
}

const MAX_WARMUP_ENTRIES = 16;
const MAX_CANDLES = 10_000_000;

function checkWarmup(value: unknown): WarmupProgress[] | string {
  if (!Array.isArray(value) || value.length > MAX_WARMUP_ENTRIES) return `warmup: must be a list of at most ${MAX_WARMUP_ENTRIES}`;
  const entries: WarmupProgress[] = [];
  for (const [i, entry] of value.entries()) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return `warmup[${i}]: must be an object`;
    const { timeframe, candles, needed } = entry as Record<string, unknown>;
    if (typeof timeframe !== 'string' || !TIMEFRAME_PATTERN.test(timeframe)) return `warmup[${i}].timeframe: must look like 1m, 1h or 1d`;
    for (const [key, count] of [
      ['candles', candles],
      ['needed', needed],
    ] as const) {
      if (!Number.isSafeInteger(count) || (count as number) < 0 || (count as number) > MAX_CANDLES)
        return `warmup[${i}].${key}: must be a count of candles`;
    }
    entries.push({ timeframe, candles: candles as number, needed: needed as number });
  }
  return entries;
}
