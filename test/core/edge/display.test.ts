// The display core: frame primitives and PBM, page diffs, the reducers (day open, sparkline, late
// messages), page rotation and signal hold, night mode, burn-in shifts, and price formatting.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { burnInShift, currentPage, renderDisplay } from '../../../core/edge/display-controller.js';
import { applySignal, applyTick, initialDisplayState } from '../../../core/edge/display-state.js';
import { createFrame, fillRect, framesEqual, getPixel, setPixel, shiftFrame } from '../../../core/edge/frame.js';
import { changedPages, pageRuns } from '../../../core/edge/page-diff.js';
import { frameToPbm, pbmToFrame } from '../../../core/edge/pbm.js';
import { inWindow, parseClockTime } from '../../../core/edge/schedule.js';
import { fitLargePrice, formatAge, formatChange } from '../../../core/edge/screen-format.js';
import { displaySettings, NOW } from '../../support/edge-screens.js';

test('pixels land in SSD1306 order: byte page*width+x, bit y%8', () => {
  const frame = createFrame(128, 32);
  setPixel(frame, 3, 10, true);
  assert.is(frame.bytes[128 + 3], 0b100);
  assert.ok(getPixel(frame, 3, 10));
  setPixel(frame, 500, 500, true); // off the panel: ignored
  assert.throws(() => createFrame(128, 30), /8-row pages/);
});

test('PBM round trip, and a malformed PBM is refused with a reason', () => {
  const frame = createFrame(16, 8);
  fillRect(frame, 2, 1, 5, 4);
  assert.ok(framesEqual(pbmToFrame(frameToPbm(frame, 'a comment\non two lines')), frame));
  assert.throws(() => pbmToFrame('P4 1 1'), /plain/);
  assert.throws(() => pbmToFrame('P1 2 8 1'), /pixels/);
  assert.throws(() => pbmToFrame('P1 x 1 1'), /malformed/);
});

test('changed pages and their runs', () => {
  const a = createFrame(128, 64);
  const b = createFrame(128, 64);
  setPixel(b, 0, 9, true);
  setPixel(b, 127, 20, true);
  setPixel(b, 5, 63, true);
  assert.equal(changedPages(a, b), [1, 2, 7]);
  assert.equal(changedPages(undefined, b), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(changedPages(a, a), []);
  assert.equal(pageRuns([1, 2, 7]), [
    { first: 1, last: 2 },
    { first: 7, last: 7 },
  ]);
});

test('day open resets on the first tick of a new UTC day, not on a late tick of the day before', () => {
  const day = Date.UTC(2025, 0, 15);
  let state = initialDisplayState(['BTC-USD']);
  state = applyTick(state, { symbol: 'BTC-USD', price: 100, ts: day - 1000, source: 'kraken' }, 0);
  state = applyTick(state, { symbol: 'BTC-USD', price: 110, ts: day + 1000, source: 'kraken' }, 0);
  assert.is(state.symbols[0]!.dayOpen, 110);
  state = applyTick(state, { symbol: 'BTC-USD', price: 90, ts: day - 500, source: 'kraken' }, 0);
  assert.is(state.symbols[0]!.dayOpen, 110);
  assert.is(state.symbols[0]!.price, 90);
});

test('sparkline keeps one price per bucket (the last), at most sparkPoints, and ignores other symbols', () => {
  let state = initialDisplayState(['BTC-USD']);
  const settings = { sparkBucketMs: 1000, sparkPoints: 3 };
  for (const [ts, price] of [
    [1000, 1],
    [1500, 2],
    [2000, 3],
    [3000, 4],
    [4000, 5],
  ] as const) {
    state = applyTick(state, { symbol: 'BTC-USD', price, ts: NOW + ts, source: 'simulator' }, 0, settings);
  }
  assert.equal(state.symbols[0]!.spark, [3, 4, 5]);
  assert.ok(state.symbols[0]!.simulated);
  assert.is(applyTick(state, { symbol: 'ETH-USD', price: 1, ts: NOW, source: 'kraken' }, 0), state);
});

test('pages rotate every pageMs; a fresh signal holds its symbol on screen', () => {
  let state = initialDisplayState(['BTC-USD', 'ETH-USD', 'SOL-USD']);
  const settings = { pageMs: 8000, signalHoldMs: 30_000 };
  assert.is(currentPage(state, 0, settings), 0);
  assert.is(currentPage(state, 8000, settings), 1);
  assert.is(currentPage(state, 24_000, settings), 0);
  state = applySignal(state, { id: 'x', symbol: 'SOL-USD', side: 'buy', ts: 5, price: 1 }, 100_000);
  assert.is(currentPage(state, 110_000, settings), 2);
  assert.is(currentPage(state, 131_000, settings), Math.floor(131_000 / 8000) % 3);
});

test('night mode: dim lowers the contrast, off switches the panel off; outside the window full brightness', () => {
  const state = initialDisplayState(['BTC-USD']);
  const window = { start: parseClockTime('22:30')!, end: parseClockTime('06:00')! };
  const dim = displaySettings(128, 64, { night: { window, mode: 'dim', contrast: 5 } });
  assert.equal(renderDisplay(state, true, { now: NOW, minuteOfDay: 23 * 60 }, dim).contrast, 5);
  assert.equal(renderDisplay(state, true, { now: NOW, minuteOfDay: 12 * 60 }, dim).contrast, 0xcf);
  const off = displaySettings(128, 64, { night: { window, mode: 'off', contrast: 5 } });
  assert.is(renderDisplay(state, true, { now: NOW, minuteOfDay: 60 }, off).on, false);
  assert.is(renderDisplay(state, true, { now: NOW, minuteOfDay: 6 * 60 }, off).on, true);
});

test('schedules: windows across midnight, empty windows, bad times', () => {
  assert.ok(inWindow({ start: 1320, end: 420 }, 0));
  assert.not.ok(inWindow({ start: 1320, end: 420 }, 420));
  assert.ok(inWindow({ start: 60, end: 120 }, 60));
  assert.not.ok(inWindow({ start: 60, end: 60 }, 60));
  assert.is(parseClockTime('24:00'), undefined);
  assert.is(parseClockTime('7:00'), undefined);
});

test('burn-in: the shift cycles through small offsets, sideways only on 128x32', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 12; i++) seen.add(burnInShift(i * 1000, 1000, 64).join(','));
  assert.is(seen.size, 6);
  for (let i = 0; i < 8; i++) assert.is(burnInShift(i * 1000, 1000, 32)[1], 0);
  assert.equal(burnInShift(123_456, 0, 64), [0, 0]);
  const frame = createFrame(128, 64);
  setPixel(frame, 10, 10, true);
  assert.ok(getPixel(shiftFrame(frame, 1, 1), 11, 11));
});

test('formatting: prices fit the space, changes and ages read at a glance', () => {
  assert.is(fitLargePrice(97_012.5, 126), '97,012.50');
  assert.is(fitLargePrice(97_012.5, 82), '97,013');
  assert.is(fitLargePrice(0.456118, 126), '0.456118');
  assert.is(fitLargePrice(123_456_789, 60), undefined);
  assert.is(formatChange(1.234), '+1.23%');
  assert.is(formatChange(-12.34), '-12.3%');
  assert.is(formatChange(0.001), '0.00%');
  assert.is(formatAge(59_999), '59S');
  assert.is(formatAge(5 * 60_000), '5M');
  assert.is(formatAge(-5), '0S');
  assert.is(formatAge(3 * 86_400_000), '3D');
});

test.run();
