// The candle file download writes and resumes: lines as replay reads them, and the check that refuses
// a file that is not one, or holds another timeframe's candles, and finds a torn last line.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CANDLE_CSV_HEADER, candleCsvLines, inspectCandleCsv } from '../../../platform/history/candle-csv.js';

const dir = mkdtempSync(join(tmpdir(), 'candle-csv-'));
const MINUTE = 60_000;
const START = Date.UTC(2025, 0, 1);
const candle = (i: number) => ({ start: START + i * MINUTE, open: 100 + i, high: 101.5 + i, low: 99 + i, close: 100.25 + i, volume: 0.5 });

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('a line a candle: ISO 8601 start, then the figures as numbers', () => {
  assert.is(
    candleCsvLines([candle(0), candle(2)]),
    '2025-01-01T00:00:00Z,100,101.5,99,100.25,0.5\n2025-01-01T00:02:00Z,102,103.5,101,102.25,0.5\n',
  );
});

test('a file of 1m candles with a gap: its first and last start, and no torn line', () => {
  const text = `${CANDLE_CSV_HEADER}\n${candleCsvLines([candle(0), candle(1), candle(5)])}`;
  const path = file('ok.csv', text);
  assert.equal(inspectCandleCsv(path, MINUTE, '1m'), {
    rows: 3,
    firstStart: START,
    lastStart: START + 5 * MINUTE,
    completeBytes: text.length,
    size: text.length,
  });
});

test('a torn last line lies beyond the complete bytes', () => {
  const whole = `${CANDLE_CSV_HEADER}\n${candleCsvLines([candle(0), candle(1)])}`;
  const torn = '2025-01-01T00:02:00Z,10';
  const path = file('torn.csv', `${whole}${torn}`);
  const state = inspectCandleCsv(path, MINUTE, '1m');
  assert.is(state.rows, 2);
  assert.is(state.completeBytes, whole.length);
  assert.is(state.size, whole.length + torn.length);
});

test('refused, in one line naming the file: not such a CSV, another timeframe, disorder', () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      'prices.csv',
      'ts,price\n2025-01-01T00:00:00Z,5\n',
      /prices\.csv: line 1: expected the header ts,open,high,low,close,volume, found "ts,price"/,
    ],
    ['binary.csv', '\u0000\u0001garbage', /binary\.csv: line 1: expected the header/],
    [
      'hourly.csv',
      `${CANDLE_CSV_HEADER}\n${candleCsvLines([candle(0), candle(60), candle(120)])}`,
      /hourly\.csv: its candles are at least 3600 s apart; not a 1m candle file/,
    ],
    [
      'offset.csv',
      `${CANDLE_CSV_HEADER}\n2025-01-01T00:00:30Z,1,1,1,1,1\n`,
      /offset\.csv: line 2: 2025-01-01T00:00:30Z is not on a 1m boundary/,
    ],
    [
      'backwards.csv',
      `${CANDLE_CSV_HEADER}\n${candleCsvLines([candle(1), candle(0)])}`,
      /line 3: 2025-01-01T00:00:00Z is not later than the row before/,
    ],
    ['fields.csv', `${CANDLE_CSV_HEADER}\n2025-01-01T00:00:00Z,1,1,1,1\n`, /line 2: expected 6 fields, found 5/],
    ['epoch.csv', `${CANDLE_CSV_HEADER}\n1735689600000,1,1,1,1,1\n`, /line 2: ts "1735689600000" is not an ISO 8601 UTC time/],
    ['words.csv', `${CANDLE_CSV_HEADER}\n2025-01-01T00:00:00Z,1,one,1,1,1\n`, /line 2: a price or the volume is not a number/],
  ];
  for (const [name, text, message] of cases) {
    assert.throws(() => inspectCandleCsv(file(name, text), MINUTE, '1m'), message, name);
  }
});

test.run();
