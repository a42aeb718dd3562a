// The virtual OLED: the edge's 1-bit frame (SSD1306 page order, base64) drawn pixel for pixel.
import type { Panel } from './types.js';

export function drawFrame(canvas: HTMLCanvasElement, panel: Panel, on: string, off: string): number {
  const context = canvas.getContext('2d');
  if (!context) return 0;
  if (canvas.width !== panel.width || canvas.height !== panel.height) {
    canvas.width = panel.width;
    canvas.height = panel.height;
  }
  const bytes = Uint8Array.from(atob(panel.frame), (c) => c.charCodeAt(0));
  context.fillStyle = off;
  context.fillRect(0, 0, panel.width, panel.height);
  if (!panel.on) return 0;
  context.fillStyle = on;
  let lit = 0;
  // Byte (page * width + x) holds column x of rows page*8 .. page*8+7, least significant bit on top.
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index]!;
    if (byte === 0) continue;
    const x = index % panel.width;
    const top = Math.floor(index / panel.width) * 8;
    for (let bit = 0; bit < 8; bit++) {
      if (byte & (1 << bit)) {
        context.fillRect(x, top + bit, 1, 1);
        lit++;
      }
    }
  }
  return lit;
}
