// Frames as plain PBM (P1) text: the golden images of the tests, readable in any editor or image viewer.
import { createFrame, getPixel, setPixel, type Frame } from './frame.js';

/** P1 text, one row per line, "1" for a lit pixel; a comment line may say what the frame shows. */
export function frameToPbm(frame: Frame, comment?: string): string {
  const lines = ['P1'];
  if (comment) for (const line of comment.split('\n')) lines.push(`# ${line}`);
  lines.push(`${frame.width} ${frame.height}`);
  for (let y = 0; y < frame.height; y++) {
    let row = '';
    for (let x = 0; x < frame.width; x++) row += getPixel(frame, x, y) ? '1' : '0';
    lines.push(row);
  }
  return `${lines.join('\n')}\n`;
}

/** Reads P1 text (comments and any whitespace between pixels allowed). */
export function pbmToFrame(text: string): Frame {
  const tokens = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join(' ')
    .trim();
  if (!tokens.startsWith('P1')) throw new RangeError('pbm: not a plain (P1) bitmap');
  const match = /^P1\s+(\d+)\s+(\d+)\s+([01\s]*)$/.exec(tokens);
  if (!match) throw new RangeError('pbm: malformed header or pixels');
  const frame = createFrame(Number(match[1]), Number(match[2]));
  const bits = match[3]!.replace(/\s+/g, '');
  if (bits.length !== frame.width * frame.height)
    throw new RangeError(`pbm: ${bits.length} pixels, expected ${frame.width * frame.height}`);
  for (let i = 0; i < bits.length; i++) if (bits[i] === '1') setPixel(frame, i % frame.width, Math.floor(i / frame.width), true);
  return frame;
}

/** The frame as text art ("#" lit, "." dark), for test failure messages and reviewing golden images. */
export function frameToArt(frame: Frame): string {
  const rows: string[] = [];
  for (let y = 0; y < frame.height; y++) {
    let row = '';
    for (let x = 0; x < frame.width; x++) row += getPixel(frame, x, y) ? '#' : '.';
    rows.push(row);
  }
  return rows.join('\n');
}
