// Feeding history into a pipeline: the state equals a replay of the same candles read as replay
// reads an OHLC file (its closes), the past's signals are dropped, and the record says what still warms.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signalRecord } from '../../../core/contracts/index.js';
import { SymbolPipeline } from '../../../core/pipeline.js';
import { warmPipeline } from '../../../core/warmup/warm-pipeline.js';
import type { HistoricalCandle } from '../../../platform/history/history.js';
import { TickCsvParser } from '../../../platform/replay/tick-csv.js';
import { btcWalk } from '../indicators/price-series.js';
import { expectedSignals, TEST_SETTINGS } from '../../support/ticks.js';

const M = 60_000;
const START = Date.UTC(2026, 0, 1);

/** 5-minute candles for 10 hours, then 1-minute candles for an hour: what a warm-up plan fetches. */
function mixedHistory(): HistoricalCandle[] {
  const closes = btcWalk(180, 3, 300);
  const candles: HistoricalCandle[] = [];
  closes.forEach((close, i) => {
    const start = i < 120 ? START + i * 5 * M : START + 600 * M + (i - 120) * M;
    candles.push({ start, open: close - 10, high: close + 20, low: close - 30, close, volume: 1.5 });
  });
  return candles;
}

function replayOf(csv: string): SymbolPipeline {
  const pipeline = new SymbolPipeline('BTC-USD', TEST_SETTINGS);
  const parser = new TickCsvParser({
    row: (row) => void pipeline.step({ symbol: 'BTC-USD', ts: row.ts, price: row.price, source: 'replay' }),
    problem: (line, reason) => assert.unreachable(`line ${line}: ${reason}`),
  });
  parser.push(Buffer.from(csv));
  parser.end();
  return pipeline;
}

test('warmed from candles, the state equals a replay of them as an OHLC file', () => {
  const history = mixedHistory();
  const warmed = new SymbolPipeline('BTC-USD', TEST_SETTINGS);
  const feed = warmPipeline(warmed, history);
  assert.is(feed.fed, history.length);
  assert.is(feed.skipped, 0);
  const csv = `ts,open,high,low,close,volume\n${history.map((c) => `${c.start},${c.open},${c.high},${c.low},${c.close},${c.volume}`).join('\n')}\n`;
  assert.equal(warmed.snapshot(), replayOf(csv).snapshot());
});

test('the signals of the past are counted, not emitted; live ticks after go on as an unbroken run', () => {
  const history = mixedHistory();
  const asTicks = history.map((c) => ({ symbol: 'BTC-USD', ts: c.start, price: c.close, source: 'warmup' }));
  const past = expectedSignals(asTicks);
  assert.ok(past.length > 5, `the history has signals (${past.length})`);
  const warmed = new SymbolPipeline('BTC-USD', TEST_SETTINGS);
  assert.is(warmPipeline(warmed, history).silenced, past.length);
  const end = history.at(-1)!.start;
  const live = btcWalk(120, 9, 300, history.at(-1)!.close).map((price, i) => ({
    symbol: 'BTC-USD',
    ts: end + 30_000 + i * 20_000,
    price,
    source: 'test',
  }));
  const emitted = live.flatMap((tick) => warmed.step(tick) ?? []);
  assert.ok(
    emitted.every((signal) => signal.ts > end),
    'nothing about the past',
  );
  assert.equal(
    emitted.map((signal) => JSON.stringify(signalRecord(signal))),
    expectedSignals([...asTicks, ...live]).slice(past.length),
  );
});

test('candles not later than the last tick, or without a price, are skipped', () => {
  const pipeline = new SymbolPipeline('BTC-USD', TEST_SETTINGS);
  const candle = { start: START, open: 1, high: 1, low: 1, close: 100, volume: 0 };
  const feed = warmPipeline(pipeline, [
    candle,
    candle,
    { ...candle, start: START - M },
    { ...candle, start: START + M, close: Number.NaN },
    { ...candle, start: START + 2 * M, close: -5 },
    { ...candle, start: 1.5 },
    { ...candle, start: START + 3 * M },
  ]);
  assert.equal(feed, { fed: 2, skipped: 5, silenced: 0 });
});

test('the record says which timeframes still warm up, and how far, until they are ready', () => {
  const pipeline = new SymbolPipeline('BTC-USD', TEST_SETTINGS);
  const tick = { symbol: 'BTC-USD', ts: START, price: 100, source: 'test' };
  pipeline.step(tick);
  assert.equal(pipeline.record(tick).warmup, [
    { timeframe: '1m', candles: 0, needed: 9 },
    { timeframe: '5m', candles: 0, needed: 9 },
  ]);
  warmPipeline(pipeline, mixedHistory());
  const after = { ...tick, ts: mixedHistory().at(-1)!.start + 1000 };
  pipeline.step(after);
  const record = pipeline.record(after);
  assert.is(record.warmup, undefined);
  assert.ok(record.closed.macdSignal !== null && record.rsi !== null, 'indicators ready');
});

test.run();
