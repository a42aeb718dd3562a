// The JSON the server sends (web/server/app.ts and the SSE events), as the page reads it; where the
// server sends a core record as is, its type is the core's.
import type { DailyStats } from '../../core/aggregate/daily.js';
import type { CandleTimeframe } from '../../core/candles/timeframe.js';
import type { IndicatorValues } from '../../core/indicators/indicator-set.js';
import type { Tick } from '../../core/contracts/index.js';

export type { DailyStats, Tick };

export interface Candle {
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  ticks: number;
}

export interface Signal {
  id: string;
  symbol: string;
  ts: number;
  side: 'buy' | 'sell';
  rule: string;
  price: number;
  reason: string;
  /** Absent in records from before kinds: those were all recommendations. */
  kind?: 'recommendation' | 'crossing' | 'alert';
  timeframe?: string;
}

/** One `{"type":"indicators"}` record (core/pipeline.ts `record`): the values are null while warming up. */
/** The strategy's position, as the processor publishes it with each record. */
export interface Stance {
  readonly strategy: string;
  readonly stance: 'flat' | 'long';
  readonly since: number | null;
  readonly entryPrice: number | null;
}

export type Indicators = {
  readonly symbol: string;
  readonly ts: number;
  readonly price: number;
  /** The candle timeframe: the flat values are on its forming candle (absent in older records). */
  readonly timeframe?: string | null;
  readonly stance?: Stance | null;
  /** Timeframes still short of candles for their indicators (absent once all are ready). */
  readonly warmup?: ReadonlyArray<{ readonly timeframe: string; readonly candles: number; readonly needed: number }>;
} & IndicatorValues;

export interface Freshness {
  symbol: string;
  lastTickTs: number | null;
  ageMs: number | null;
  stale: boolean;
  source: string | null;
  simulated: boolean;
}

export interface Latest {
  symbol: string;
  tick: Tick | null;
  indicators: Indicators | null;
  today: DailyStats | null;
  freshness: Freshness;
}

export interface Status {
  ok: boolean;
  detail: string;
}

export interface Health {
  now: number;
  bus: Status & { kind: string };
  store: Status & { kind: string };
  live: Status;
  symbols: Freshness[];
  lag: Array<{ group: string; topic: string; partition: number; lag: number }>;
  roles: Record<string, Status & { url: string; checks: Record<string, Status> }>;
  mqtt: { configured: boolean };
}

export interface Panel {
  width: number;
  height: number;
  frame: string;
  on: boolean;
  contrast: number;
  page: number;
  leds: Leds;
  hardware: { display: boolean; gpio: boolean };
}

export interface Leds {
  buyLed: number;
  sellLed: number;
  buzzer: number;
}

export interface Periods {
  sma: number;
  ema: number;
  rsi: number;
  macd: { fast: number; slow: number; signal: number };
  bollinger: { period: number; stdDev: number };
}

export interface Meta {
  symbols: string[];
  timeframes: CandleTimeframe[];
  /** The strategy's timeframe: the side panel's indicators are on it. */
  strategyTimeframe: string;
  staleSeconds: number;
  historyDays: number;
  indicators: Periods;
  controls: { enabled: boolean };
}

export interface DashboardNotification {
  id: string;
  ts: number;
  level: 'info' | 'buy' | 'sell' | 'warning';
  title: string;
  body: string;
  muted: boolean;
}

/** `GET /api/strategy`: the active strategy in words, its stance, the history files on the server. */
export interface StrategyInfo {
  symbol: string;
  name: string;
  timeframe: string;
  rules: string[];
  stance: Stance | null;
  stanceTs: number | null;
  storeTimeframe: string;
  files: Array<{ name: string; bytes: number; modified: number }>;
}

/** `GET /api/backtest`: core/backtest's report and trades, and the thinned equity curve. */
export interface BacktestReport {
  start: number | null;
  end: number | null;
  timeframe: string;
  candles: number;
  recommendations: number;
  trades: number;
  openTrade: boolean;
  totalReturn: number;
  buyAndHoldReturn: number;
  maxDrawdown: number;
  buyAndHoldMaxDrawdown: number;
  winRate: number | null;
  averageTrade: number | null;
  medianTrade: number | null;
  bestTrade: number | null;
  worstTrade: number | null;
  profitFactor: number | null;
  exposure: number | null;
  averageHoldingMs: number | null;
  sharpe: number | null;
  sortino: number | null;
  feePercent: number;
  slippagePercent: number;
}

export interface BacktestTrade {
  entryTs: number;
  entryPrice: number;
  exitTs: number;
  exitPrice: number;
  return: number;
  open: boolean;
}

export interface EquityPoint {
  ts: number;
  equity: number;
  hold: number;
  drawdown: number;
  holdDrawdown: number;
}

export interface BacktestAnswer {
  symbol: string;
  strategy: { name: string; timeframe: string };
  source:
    | { kind: 'store'; timeframe: string; candles: number }
    | { kind: 'file'; name: string; rows: number; skipped: number; problems: string[] };
  report: BacktestReport;
  trades: BacktestTrade[];
  curve: EquityPoint[];
}
