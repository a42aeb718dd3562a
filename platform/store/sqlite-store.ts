// The single-node aggregate store: SQLite (better-sqlite3, WAL) in the data directory. Each batch is
// read, merged by the pure core and written, with its offsets, in one immediate transaction.
import type Database from 'better-sqlite3';
import { applyBatch, type StoredView, type SymbolLatest } from '../../core/aggregate/apply-batch.js';
import { utcDay, type Timeframe } from '../../core/aggregate/calendar.js';
import { candleView, type Candle, type CandleView } from '../../core/aggregate/candle.js';
import { dailyStats, type DailyStats, type DayRecord } from '../../core/aggregate/daily.js';
import type { SignalSummary } from '../../core/contracts/index.js';
import type { HealthStatus } from '../health.js';
import {
  StoreError,
  laterOffset,
  offsetKey,
  unappliedItems,
  type AggregateStore,
  type ApplyResult,
  type LatestSnapshot,
  type StoreBatch,
  type StoreSettings,
} from './store.js';
import { GroupCommit, openSqlite } from '../sqlite.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS daily (
    symbol TEXT NOT NULL, day TEXT NOT NULL,
    open REAL, high REAL, low REAL, close REAL, first_ts INTEGER, last_ts INTEGER,
    ticks INTEGER NOT NULL, price_sum REAL NOT NULL, volume REAL NOT NULL,
    twap_sum REAL NOT NULL, twap_minutes INTEGER NOT NULL, buys INTEGER NOT NULL, sells INTEGER NOT NULL,
    PRIMARY KEY (symbol, day)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS candles (
    symbol TEXT NOT NULL, timeframe TEXT NOT NULL, start INTEGER NOT NULL,
    open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL,
    first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL, ticks INTEGER NOT NULL, price_sum REAL NOT NULL, volume REAL NOT NULL,
    PRIMARY KEY (symbol, timeframe, start)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS latest (symbol TEXT PRIMARY KEY, tick TEXT, indicators TEXT) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS signals (
    seq INTEGER PRIMARY KEY, symbol TEXT NOT NULL, day TEXT NOT NULL, id TEXT NOT NULL, record TEXT NOT NULL,
    UNIQUE (symbol, day, id));
  CREATE INDEX IF NOT EXISTS signals_recent ON signals (symbol, seq);
  CREATE TABLE IF NOT EXISTS applied_offsets (topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset TEXT NOT NULL,
    PRIMARY KEY (topic, partition)) WITHOUT ROWID;
`;

interface DailyRow {
  symbol: string;
  day: string;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number | null;
  first_ts: number | null;
  last_ts: number | null;
  ticks: number;
  price_sum: number;
  volume: number;
  twap_sum: number;
  twap_minutes: number;
  buys: number;
  sells: number;
}

interface CandleRow {
  symbol: string;
  timeframe: Timeframe;
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  first_ts: number;
  last_ts: number;
  ticks: number;
  price_sum: number;
  volume: number;
}

export type SqliteStoreOptions = StoreSettings &
  (
    | {
        /** The SQLite file; ':memory:' for a private one. */
        readonly file: string;
      }
    | {
        /**
         * The embedded log's connection: the store's tables live in the log's file and each batch is
         * written in the log's commit groups, so the batch's aggregates and the log's offsets are
         * durable together (grouped commits would otherwise let one outrun the other in a crash).
         */
        readonly connection: GroupCommit;
      }
  );

export class SqliteStore implements AggregateStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly group: GroupCommit;
  /** The database is the store's own (closed with it), not the embedded log's. */
  private readonly owned: boolean;
  private readonly statements;
  private closed = false;

  constructor(private readonly options: SqliteStoreOptions) {
    // A power cut loses at most the last batches, which are then consumed again (the offsets roll
    // back with them).
    if ('connection' in options) {
      this.group = options.connection;
      this.group.db.exec(SCHEMA);
      this.owned = false;
    } else {
      this.group = new GroupCommit(openSqlite(options.file, { synchronous: 'NORMAL', schema: SCHEMA }), 0);
      this.owned = true;
    }
    this.db = this.group.db;
    this.statements = {
      day: this.db.prepare<[string, string], DailyRow>('SELECT * FROM daily WHERE symbol = ? AND day = ?'),
      days: this.db.prepare<[string, string, string], DailyRow>(
        'SELECT * FROM daily WHERE symbol = ? AND day >= ? AND day <= ? ORDER BY day',
      ),
      putDay: this.db.prepare(
        `INSERT OR REPLACE INTO daily (symbol, day, open, high, low, close, first_ts, last_ts, ticks, price_sum, volume, twap_sum, twap_minutes, buys, sells)
         VALUES (@symbol, @day, @open, @high, @low, @close, @first_ts, @last_ts, @ticks, @price_sum, @volume, @twap_sum, @twap_minutes, @buys, @sells)`,
      ),
      candle: this.db.prepare<[string, string, number], CandleRow>(
        'SELECT * FROM candles WHERE symbol = ? AND timeframe = ? AND start = ?',
      ),
      candles: this.db.prepare<[string, string, number, number], CandleRow>(
        'SELECT * FROM candles WHERE symbol = ? AND timeframe = ? AND start >= ? AND start <= ? ORDER BY start',
      ),
      putCandle: this.db.prepare(
        `INSERT OR REPLACE INTO candles (symbol, timeframe, start, open, high, low, close, first_ts, last_ts, ticks, price_sum, volume)
         VALUES (@symbol, @timeframe, @start, @open, @high, @low, @close, @first_ts, @last_ts, @ticks, @price_sum, @volume)`,
      ),
      prune: this.db.prepare('DELETE FROM candles WHERE symbol = ? AND timeframe = ? AND start < ?'),
      latest: this.db.prepare<[string], { tick: string | null; indicators: string | null }>(
        'SELECT tick, indicators FROM latest WHERE symbol = ?',
      ),
      putLatestTick: this.db.prepare(
        'INSERT INTO latest (symbol, tick) VALUES (?, ?) ON CONFLICT (symbol) DO UPDATE SET tick = excluded.tick',
      ),
      putLatestIndicators: this.db.prepare(
        'INSERT INTO latest (symbol, indicators) VALUES (?, ?) ON CONFLICT (symbol) DO UPDATE SET indicators = excluded.indicators',
      ),
      symbols: this.db.prepare<[], { symbol: string }>('SELECT symbol FROM latest UNION SELECT DISTINCT symbol FROM daily ORDER BY symbol'),
      hasSignal: this.db.prepare<[string, string, string], { one: number }>(
        'SELECT 1 AS one FROM signals WHERE symbol = ? AND day = ? AND id = ?',
      ),
      putSignal: this.db.prepare('INSERT INTO signals (symbol, day, id, record) VALUES (?, ?, ?, ?)'),
      recentSignals: this.db.prepare<[string, number], { record: string }>(
        'SELECT record FROM signals WHERE symbol = ? ORDER BY seq DESC LIMIT ?',
      ),
      offset: this.db.prepare<[string, number], { next_offset: string }>(
        'SELECT next_offset FROM applied_offsets WHERE topic = ? AND partition = ?',
      ),
      putOffset: this.db.prepare('INSERT OR REPLACE INTO applied_offsets (topic, partition, next_offset) VALUES (?, ?, ?)'),
      offsets: this.db.prepare<[], { topic: string; partition: number; next_offset: string }>(
        'SELECT topic, partition, next_offset FROM applied_offsets',
      ),
    };
  }

  async applyBatch(batch: StoreBatch): Promise<ApplyResult> {
    this.assertOpen();
    return this.group.write((): ApplyResult => {
      const stored = this.statements.offset.get(batch.topic, batch.partition)?.next_offset;
      const pending = unappliedItems(batch, stored);
      const skipped = batch.items.length - pending.length;
      const next = laterOffset(stored, batch.nextOffset);
      if (next !== stored) this.statements.putOffset.run(batch.topic, batch.partition, next);
      if (pending.length === 0) return { applied: 0, skipped, duplicateSignals: 0, duplicateTicks: 0 };
      const changes = applyBatch(
        this.view(),
        pending.map((entry) => entry.item),
        this.options,
      );
      for (const day of changes.days) this.statements.putDay.run(dayRow(day));
      for (const candle of changes.candles) this.statements.putCandle.run(candleRow(candle));
      for (const { symbol, timeframe, before } of changes.prune) this.statements.prune.run(symbol, timeframe, before);
      for (const { symbol, tick, indicators } of changes.latest) {
        if (tick) this.statements.putLatestTick.run(symbol, JSON.stringify(tick));
        if (indicators) this.statements.putLatestIndicators.run(symbol, JSON.stringify(indicators));
      }
      for (const signal of changes.newSignals)
        this.statements.putSignal.run(signal.symbol, utcDay(signal.ts), signal.id, JSON.stringify(signal));
      return { applied: pending.length, skipped, duplicateSignals: changes.duplicateSignals, duplicateTicks: changes.duplicateTicks };
    });
  }

  async appliedOffsets(): Promise<Map<string, string>> {
    this.assertOpen();
    return new Map(this.statements.offsets.all().map((row) => [offsetKey(row.topic, row.partition), row.next_offset]));
  }

  async dailyStats(symbol: string, fromDay: string, toDay: string): Promise<DailyStats[]> {
    this.assertOpen();
    return this.statements.days.all(symbol, fromDay, toDay).map((row) => dailyStats(dayRecord(row)));
  }

  async candles(symbol: string, timeframe: Timeframe, fromTs: number, toTs: number): Promise<CandleView[]> {
    this.assertOpen();
    return this.statements.candles.all(symbol, timeframe, fromTs, toTs).map((row) => candleView(candleOf(row)));
  }

  async latest(symbol: string): Promise<LatestSnapshot | undefined> {
    this.assertOpen();
    const row = this.statements.latest.get(symbol);
    const recent = this.statements.recentSignals.all(symbol, this.options.recentSignals).map((r) => JSON.parse(r.record) as SignalSummary);
    if (!row && recent.length === 0) return undefined;
    const tick = row?.tick ? (JSON.parse(row.tick) as LatestSnapshot['tick']) : null;
    const today = tick ? this.statements.day.get(symbol, utcDay(tick.ts)) : undefined;
    return {
      symbol,
      tick,
      indicators: row?.indicators ? (JSON.parse(row.indicators) as LatestSnapshot['indicators']) : null,
      recentSignals: recent,
      today: today ? dailyStats(dayRecord(today)) : null,
    };
  }

  async symbols(): Promise<string[]> {
    this.assertOpen();
    return this.statements.symbols.all().map((row) => row.symbol);
  }

  health(): HealthStatus {
    return this.closed ? { ok: false, detail: 'closed' } : { ok: true, detail: `sqlite ${this.db.name}` };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.owned) this.db.close();
  }

  private view(): StoredView {
    const { statements } = this;
    return {
      day: (symbol, day) => {
        const row = statements.day.get(symbol, day);
        return row ? dayRecord(row) : undefined;
      },
      candle: (symbol, timeframe, start) => {
        const row = statements.candle.get(symbol, timeframe, start);
        return row ? candleOf(row) : undefined;
      },
      latest: (symbol): SymbolLatest | undefined => {
        const row = statements.latest.get(symbol);
        if (!row) return undefined;
        return {
          ...(row.tick ? { tick: JSON.parse(row.tick) as NonNullable<SymbolLatest['tick']> } : {}),
          ...(row.indicators ? { indicators: JSON.parse(row.indicators) as NonNullable<SymbolLatest['indicators']> } : {}),
        };
      },
      hasSignal: (symbol, day, id) => statements.hasSignal.get(symbol, day, id) !== undefined,
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('ERR_STORE_CLOSED', 'the SQLite store is closed');
  }
}

function dayRow(day: DayRecord): DailyRow {
  const p = day.price;
  return {
    symbol: day.symbol,
    day: day.day,
    open: p?.open ?? null,
    high: p?.high ?? null,
    low: p?.low ?? null,
    close: p?.close ?? null,
    first_ts: p?.firstTs ?? null,
    last_ts: p?.lastTs ?? null,
    ticks: p?.ticks ?? 0,
    price_sum: p?.priceSum ?? 0,
    volume: p?.volume ?? 0,
    twap_sum: day.twapSum,
    twap_minutes: day.twapMinutes,
    buys: day.buys,
    sells: day.sells,
  };
}

function dayRecord(row: DailyRow): DayRecord {
  const record: DayRecord = {
    symbol: row.symbol,
    day: row.day,
    twapSum: row.twap_sum,
    twapMinutes: row.twap_minutes,
    buys: row.buys,
    sells: row.sells,
  };
  if (row.ticks > 0) {
    record.price = {
      open: row.open!,
      high: row.high!,
      low: row.low!,
      close: row.close!,
      firstTs: row.first_ts!,
      lastTs: row.last_ts!,
      ticks: row.ticks,
      priceSum: row.price_sum,
      volume: row.volume,
    };
  }
  return record;
}

function candleRow(candle: Candle): CandleRow {
  return {
    symbol: candle.symbol,
    timeframe: candle.timeframe,
    start: candle.start,
    open: candle.open,
    high: candle.high,
    low: candle.low,
    close: candle.close,
    first_ts: candle.firstTs,
    last_ts: candle.lastTs,
    ticks: candle.ticks,
    price_sum: candle.priceSum,
    volume: candle.volume,
  };
}

function candleOf(row: CandleRow): Candle {
  return {
    symbol: row.symbol,
    timeframe: row.timeframe,
    start: row.start,
    open: row.open,
    high: row.high,
    low: row.low,
    close: row.close,
    firstTs: row.first_ts,
    lastTs: row.last_ts,
    ticks: row.ticks,
    priceSum: row.price_sum,
    volume: row.volume,
  };
}
