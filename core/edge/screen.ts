// Renders one symbol's screen into a frame, for the two SSD1306 sizes: 128x64 and 128x32.
// Layouts keep a one-pixel margin at the sides (and at the bottom of 128x64) for burn-in shifts.
import { createFrame, fillRect, setPixel, verticalLine, type Frame } from './frame.js';
import { drawLargeText, LARGE_HEIGHT } from './font-large.js';
import { ARROW_DOWN, ARROW_UP, drawSmallText, SMALL_ADVANCE, smallTextWidth } from './font-small.js';
import { fitLargePrice, formatAge, formatChange } from './screen-format.js';
import type { SymbolView } from './display-state.js';

export interface ScreenInput {
  readonly view: SymbolView;
  /** The edge's clock (epoch ms), for staleness and the signal's age. */
  readonly now: number;
  readonly staleMs: number;
  readonly busConnected: boolean;
  /** 0-based page of this symbol and how many pages rotate. */
  readonly page: number;
  readonly pages: number;
}

export type ScreenSize = '128x64' | '128x32';

const LEFT = 1;
const RIGHT = 126;

export function screenSize(width: number, height: number): ScreenSize {
  if (width === 128 && height === 64) return '128x64';
  if (width === 128 && height === 32) return '128x32';
  throw new RangeError(`screen: ${width}x${height} is not a supported SSD1306 size (128x64 or 128x32)`);
}

/** The status marks that apply, most serious first. */
export function statusMarks(input: ScreenInput): string[] {
  const marks: string[] = [];
  if (!input.busConnected) marks.push('NO BUS');
  if (input.view.receivedAt !== null && input.now - input.view.receivedAt > input.staleMs) marks.push('STALE');
  if (input.view.simulated) marks.push('SIM');
  return marks;
}

export function renderScreen(input: ScreenInput, width: number, height: number): Frame {
  const size = screenSize(width, height);
  const frame = createFrame(width, height);
  const badgeHeight = size === '128x64' ? 9 : 8;
  const badgesLeft = drawBadges(frame, statusMarks(input), badgeHeight);
  drawSymbol(frame, input.view.symbol, badgesLeft - 3, size === '128x64' ? 1 : 0);
  if (input.view.price === null) {
    drawSmallText(frame, LEFT, size === '128x64' ? 28 : 14, 'WAITING FOR DATA');
    return frame;
  }
  if (size === '128x64') renderTall(frame, input);
  else renderShort(frame, input);
  return frame;
}

/** Inverted labels right-aligned on the top row; returns the x where the leftmost one starts. */
function drawBadges(frame: Frame, marks: readonly string[], height: number): number {
  let right = RIGHT;
  for (const mark of marks) {
    const width = smallTextWidth(mark) + 2;
    fillRect(frame, right - width + 1, 0, width, height);
    drawSmallText(frame, right - width + 2, height === 9 ? 1 : 0, mark, false);
    right -= width + 2;
  }
  return right + 1;
}

/** The symbol, or only its base ("BTC") when the badges leave no room for the whole. */
function drawSymbol(frame: Frame, symbol: string, maxRight: number, y: number): void {
  const base = symbol.split('-')[0] ?? symbol;
  const text = [symbol, base].find((candidate) => LEFT + smallTextWidth(candidate) <= maxRight) ?? '';
  drawSmallText(frame, LEFT, y, text);
}

function changeText(view: SymbolView, withSign: boolean): string {
  if (view.price === null || view.dayOpen === null) return '';
  const percent = ((view.price - view.dayOpen) / view.dayOpen) * 100;
  const arrow = percent > 0 ? ARROW_UP : percent < 0 ? ARROW_DOWN : '=';
  const text = formatChange(percent);
  return `${arrow}${withSign ? text : text.replace(/^[+-]/, '')}`;
}

/** "RSI 1H 45": the timeframe too, so the OLED says which RSI it is (the dashboard's and MQTT's). */
function rsiText(view: SymbolView): string {
  const name = view.rsiTimeframe === null ? 'RSI' : `RSI ${view.rsiTimeframe}`;
  return view.rsi === null || !Number.isFinite(view.rsi) ? `${name} --` : `${name} ${Math.round(view.rsi)}`;
}

function signalText(input: ScreenInput, withPrice: boolean): string {
  const signal = input.view.signal;
  if (!signal) return withPrice ? 'NO SIGNAL YET' : '';
  const side = signal.side === 'buy' ? 'BUY' : 'SELL';
  const price = fitLargePrice(signal.price, Number.POSITIVE_INFINITY) ?? '';
  return withPrice
    ? `${side} ${formatAge(input.now - signal.ts)} AGO @${price.split('.')[0]}`
    : `${side} ${formatAge(input.now - signal.ts)}`;
}

function drawPrice(frame: Frame, price: number, x: number, y: number, maxWidth: number): number {
  const text = fitLargePrice(price, maxWidth);
  if (text !== undefined) return drawLargeText(frame, x, y, text);
  // Too long even without decimals: small digits rather than nothing.
  return drawSmallText(frame, x, y + 4, price.toFixed(0));
}

function renderTall(frame: Frame, input: ScreenInput): void {
  const { view } = input;
  drawPrice(frame, view.price!, LEFT, 11, RIGHT - LEFT + 1);
  drawSmallText(frame, LEFT, 29, changeText(view, true));
  const rsi = rsiText(view);
  drawSmallText(frame, RIGHT - smallTextWidth(rsi) + 1, 29, rsi);
  drawSparkline(frame, view.spark, LEFT, 38, RIGHT - LEFT + 1, 15);
  const signal = signalText(input, true);
  if (view.signal) {
    const side = view.signal.side === 'buy' ? 'BUY' : 'SELL';
    const badge = smallTextWidth(side) + 2;
    fillRect(frame, LEFT, 54, badge, 9);
    drawSmallText(frame, LEFT + 1, 55, side, false);
    drawSmallText(frame, LEFT + badge + 3, 55, signal.slice(side.length + 1));
  } else {
    drawSmallText(frame, LEFT, 55, signal);
  }
  drawPageDots(frame, input.page, input.pages, 62);
}

function renderShort(frame: Frame, input: ScreenInput): void {
  const { view } = input;
  const priceWidth = drawPrice(frame, view.price!, LEFT, 9, 82);
  const sparkLeft = LEFT + priceWidth + 4;
  if (RIGHT - sparkLeft >= 16) drawSparkline(frame, view.spark, sparkLeft, 9, RIGHT - sparkLeft + 1, LARGE_HEIGHT - 1);
  const parts = [
    changeText(view, false),
    rsiText(view)
      .replace(/ (?=\S+$)/, ':')
      .replace(' ', ''),
    signalText(input, false),
  ].filter((part) => part !== '');
  drawSmallText(frame, LEFT, 25, parts.join(' ').slice(0, Math.floor((RIGHT - LEFT + 2) / SMALL_ADVANCE)));
}

/** The last `width` prices scaled to the box, joined by vertical runs so steep moves stay visible. */
export function drawSparkline(frame: Frame, prices: readonly number[], x: number, y: number, width: number, height: number): void {
  const points = prices.slice(-width);
  if (points.length === 0) return;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const price of points) {
    min = Math.min(min, price);
    max = Math.max(max, price);
  }
  const row = (price: number) =>
    max === min ? y + Math.floor(height / 2) : y + height - 1 - Math.round(((price - min) / (max - min)) * (height - 1));
  const start = x + width - points.length;
  let previous = row(points[0]!);
  points.forEach((price, i) => {
    const current = row(price);
    verticalLine(frame, start + i, previous, current);
    previous = current;
  });
}

function drawPageDots(frame: Frame, page: number, pages: number, y: number): void {
  if (pages < 2) return;
  const total = pages * 4 + 2;
  const left = Math.floor((frame.width - total) / 2);
  for (let i = 0; i < pages; i++) {
    const x = left + i * 4 + (i > page ? 2 : 0);
    setPixel(frame, x, y, true);
    if (i === page) {
      setPixel(frame, x + 1, y, true);
      setPixel(frame, x + 2, y, true);
    }
  }
}
