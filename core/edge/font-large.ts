// The project's large digits for the price: seven-segment glyphs 10x16 with 2-pixel strokes, built from
// a segment table, plus a narrow comma and point. Seven segments read well from across a room.
import { fillRect, type Frame } from './frame.js';

export const LARGE_WIDTH = 10;
export const LARGE_HEIGHT = 16;
const GAP = 2;
const NARROW_WIDTH = 3;

type Segment = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g';

// Each segment as a rectangle [x, y, w, h] inside the 10x16 cell.
const SEGMENTS: Record<Segment, readonly [number, number, number, number]> = {
  a: [2, 0, 6, 2],
  b: [8, 1, 2, 6],
  c: [8, 9, 2, 6],
  d: [2, 14, 6, 2],
  e: [0, 9, 2, 6],
  f: [0, 1, 2, 6],
  g: [2, 7, 6, 2],
};

const DIGITS: Record<string, readonly Segment[]> = {
  '0': ['a', 'b', 'c', 'd', 'e', 'f'],
  '1': ['b', 'c'],
  '2': ['a', 'b', 'g', 'e', 'd'],
  '3': ['a', 'b', 'g', 'c', 'd'],
  '4': ['f', 'g', 'b', 'c'],
  '5': ['a', 'f', 'g', 'c', 'd'],
  '6': ['a', 'f', 'g', 'e', 'c', 'd'],
  '7': ['a', 'b', 'c'],
  '8': ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
  '9': ['a', 'b', 'c', 'd', 'f', 'g'],
  '-': ['g'],
};

function advance(char: string): number {
  return (char === '.' || char === ',' ? NARROW_WIDTH : LARGE_WIDTH) + GAP;
}

/** Width in pixels of a price string drawn large (digits, "-", "," and "."). */
export function largeTextWidth(text: string): number {
  let width = 0;
  for (const char of text) width += advance(char);
  return width === 0 ? 0 : width - GAP;
}

/** Draws the text with its top-left corner at (x, y); returns the width. */
export function drawLargeText(frame: Frame, x: number, y: number, text: string): number {
  let cursor = x;
  for (const char of text) {
    if (char === '.') fillRect(frame, cursor, y + 13, 3, 3);
    else if (char === ',') {
      fillRect(frame, cursor, y + 12, 3, 3);
      fillRect(frame, cursor, y + 15, 2, 1);
    } else {
      for (const segment of DIGITS[char] ?? []) {
        const [sx, sy, w, h] = SEGMENTS[segment];
        fillRect(frame, cursor + sx, y + sy, w, h);
      }
    }
    cursor += advance(char);
  }
  return largeTextWidth(text);
}
