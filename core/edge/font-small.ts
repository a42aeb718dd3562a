// The project's 5x7 font for labels: capitals, digits, the punctuation prices need, and the change
// arrows. Drawn here row by row ("#" lit), one glyph per entry; text is upper-cased before drawing.
import { setPixel, type Frame } from './frame.js';

export const SMALL_WIDTH = 5;
export const SMALL_HEIGHT = 7;
/** Pixels from one glyph's left edge to the next one's. */
export const SMALL_ADVANCE = 6;

export const ARROW_UP = '\u25b2';
export const ARROW_DOWN = '\u25bc';

const GLYPHS: Record<string, string> = {
  ' ': '..... ..... ..... ..... ..... ..... .....',
  '0': '.###. #...# #..## #.#.# ##..# #...# .###.',
  '1': '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
  '2': '.###. #...# ....# ...#. ..#.. .#... #####',
  '3': '####. ....# ....# .###. ....# ....# ####.',
  '4': '...#. ..##. .#.#. #..#. ##### ...#. ...#.',
  '5': '##### #.... ####. ....# ....# #...# .###.',
  '6': '..##. .#... #.... ####. #...# #...# .###.',
  '7': '##### ....# ...#. ..#.. .#... .#... .#...',
  '8': '.###. #...# #...# .###. #...# #...# .###.',
  '9': '.###. #...# #...# .#### ....# ...#. .##..',
  A: '.###. #...# #...# ##### #...# #...# #...#',
  B: '####. #...# #...# ####. #...# #...# ####.',
  C: '.###. #...# #.... #.... #.... #...# .###.',
  D: '###.. #..#. #...# #...# #...# #..#. ###..',
  E: '##### #.... #.... ####. #.... #.... #####',
  F: '##### #.... #.... ####. #.... #.... #....',
  G: '.###. #...# #.... #.### #...# #...# .####',
  H: '#...# #...# #...# ##### #...# #...# #...#',
  I: '.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  J: '..### ...#. ...#. ...#. ...#. #..#. .##..',
  K: '#...# #..#. #.#.. ##... #.#.. #..#. #...#',
  L: '#.... #.... #.... #.... #.... #.... #####',
  M: '#...# ##.## #.#.# #.#.# #...# #...# #...#',
  N: '#...# #...# ##..# #.#.# #..## #...# #...#',
  O: '.###. #...# #...# #...# #...# #...# .###.',
  P: '####. #...# #...# ####. #.... #.... #....',
  Q: '.###. #...# #...# #...# #.#.# #..#. .##.#',
  R: '####. #...# #...# ####. #.#.. #..#. #...#',
  S: '.#### #.... #.... .###. ....# ....# ####.',
  T: '##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  U: '#...# #...# #...# #...# #...# #...# .###.',
  V: '#...# #...# #...# #...# #...# .#.#. ..#..',
  W: '#...# #...# #...# #.#.# #.#.# #.#.# .#.#.',
  X: '#...# #...# .#.#. ..#.. .#.#. #...# #...#',
  Y: '#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..',
  Z: '##### ....# ...#. ..#.. .#... #.... #####',
  '.': '..... ..... ..... ..... ..... .##.. .##..',
  ',': '..... ..... ..... ..... .##.. ..#.. .#...',
  ':': '..... .##.. .##.. ..... .##.. .##.. .....',
  '%': '##... ##..# ...#. ..#.. .#... #..## ...##',
  '+': '..... ..#.. ..#.. ##### ..#.. ..#.. .....',
  '-': '..... ..... ..... ##### ..... ..... .....',
  '/': '..... ....# ...#. ..#.. .#... #.... .....',
  '!': '..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..',
  '?': '.###. #...# ....# ...#. ..#.. ..... ..#..',
  $: '..#.. .#### #.#.. .###. ..#.# ####. ..#..',
  '(': '...#. ..#.. .#... .#... .#... ..#.. ...#.',
  ')': '.#... ..#.. ...#. ...#. ...#. ..#.. .#...',
  '=': '..... ..... ##### ..... ##### ..... .....',
  '@': '.###. #...# #.### #.#.# #.### #.... .###.',
  [ARROW_UP]: '..... ..#.. .###. ##### ##### ..... .....',
  [ARROW_DOWN]: '..... ..... ##### ##### .###. ..#.. .....',
};

// Each glyph as 5 column bytes, bit 0 the top row (the display's own column format).
const COLUMNS = new Map<string, Uint8Array>(
  Object.entries(GLYPHS).map(([char, art]) => {
    const rows = art.split(' ');
    const columns = new Uint8Array(SMALL_WIDTH);
    rows.forEach((row, y) => [...row].forEach((cell, x) => cell === '#' && (columns[x] = columns[x]! | (1 << y))));
    return [char, columns];
  }),
);
// Anything the font lacks shows as a hollow box, visibly wrong rather than silently blank.
const MISSING = Uint8Array.of(0x7f, 0x41, 0x41, 0x41, 0x7f);

export function smallTextWidth(text: string): number {
  return text.length === 0 ? 0 : [...text].length * SMALL_ADVANCE - 1;
}

/** Draws text with its top-left corner at (x, y); `on` false draws dark pixels (text on a badge). Returns the width. */
export function drawSmallText(frame: Frame, x: number, y: number, text: string, on = true): number {
  let cursor = x;
  for (const char of text.toUpperCase()) {
    const columns = COLUMNS.get(char) ?? MISSING;
    for (let cx = 0; cx < SMALL_WIDTH; cx++) {
      const column = columns[cx]!;
      for (let cy = 0; cy < SMALL_HEIGHT; cy++) if (column & (1 << cy)) setPixel(frame, cursor + cx, y + cy, on);
    }
    cursor += SMALL_ADVANCE;
  }
  return smallTextWidth(text);
}
