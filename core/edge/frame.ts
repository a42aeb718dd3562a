// A 1-bit framebuffer in the SSD1306's own memory layout, and the drawing primitives the screens use.
// Byte (page * width + x) holds the column x of rows page*8 .. page*8+7, least significant bit on top,
// so a frame goes to the display (or a dashboard's virtual panel) without any conversion.

export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly bytes: Uint8Array;
}

export const PAGE_ROWS = 8;

export function createFrame(width: number, height: number): Frame {
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1 || height % PAGE_ROWS !== 0) {
    throw new RangeError(`frame: ${width}x${height} is not a whole number of 8-row pages`);
  }
  return { width, height, bytes: new Uint8Array((width * height) / PAGE_ROWS) };
}

export function pageCount(frame: Frame): number {
  return frame.height / PAGE_ROWS;
}

export function setPixel(frame: Frame, x: number, y: number, on: boolean): void {
  if (x < 0 || y < 0 || x >= frame.width || y >= frame.height) return;
  const index = (y >> 3) * frame.width + x;
  const bit = 1 << (y & 7);
  frame.bytes[index] = on ? frame.bytes[index]! | bit : frame.bytes[index]! & ~bit;
}

export function getPixel(frame: Frame, x: number, y: number): boolean {
  if (x < 0 || y < 0 || x >= frame.width || y >= frame.height) return false;
  return (frame.bytes[(y >> 3) * frame.width + x]! & (1 << (y & 7))) !== 0;
}

export function fillRect(frame: Frame, x: number, y: number, w: number, h: number, on = true): void {
  for (let i = x; i < x + w; i++) for (let j = y; j < y + h; j++) setPixel(frame, i, j, on);
}

/** A vertical run between two rows, inclusive, in either order. */
export function verticalLine(frame: Frame, x: number, y0: number, y1: number, on = true): void {
  const [top, bottom] = y0 <= y1 ? [y0, y1] : [y1, y0];
  for (let y = top; y <= bottom; y++) setPixel(frame, x, y, on);
}

/** A copy moved by (dx, dy); what leaves the edge is dropped (layouts keep their margins free). */
export function shiftFrame(frame: Frame, dx: number, dy: number): Frame {
  if (dx === 0 && dy === 0) return frame;
  const out = createFrame(frame.width, frame.height);
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) if (getPixel(frame, x, y)) setPixel(out, x + dx, y + dy, true);
  }
  return out;
}

export function framesEqual(a: Frame, b: Frame): boolean {
  if (a.width !== b.width || a.height !== b.height) return false;
  for (let i = 0; i < a.bytes.length; i++) if (a.bytes[i] !== b.bytes[i]) return false;
  return true;
}
