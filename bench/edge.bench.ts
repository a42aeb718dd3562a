// Edge display: one frame rendered by the core vs a plain fill loop over the same 1 KiB framebuffer
// (the floor), and what goes over I2C for a typical update (one price change) vs a whole frame.
import { renderDisplay } from '../core/edge/display-controller.js';
import { applyIndicators, applySignal, applyTick, initialDisplayState } from '../core/edge/display-state.js';
import { OledDisplay } from '../edge/oled.js';
import { Ssd1306Emulator } from '../test/support/ssd1306-emulator.js';
import { displaySettings } from '../test/support/edge-screens.js';
import { btcPrices, measure, type BenchRow } from './bench.js';

const NOW = Date.UTC(2025, 0, 15, 12);

function stateAt(prices: Float64Array, count: number) {
  let state = initialDisplayState(['BTC-USD']);
  for (let i = 0; i < count; i++)
    state = applyTick(state, { symbol: 'BTC-USD', price: prices[i]! / 100, ts: NOW - (count - i) * 60_000, source: 'kraken' }, NOW);
  state = applyIndicators(state, { symbol: 'BTC-USD', rsi: 55 });
  return applySignal(state, { id: 'b', symbol: 'BTC-USD', side: 'buy', ts: NOW - 300_000, price: prices[0]! / 100 }, NOW);
}

async function bytesPerUpdate(): Promise<{ full: number; typical: number }> {
  const prices = btcPrices(200);
  const settings = displaySettings(128, 64);
  const emulator = new Ssd1306Emulator();
  const oled = new OledDisplay({ bus: emulator, address: 0x3c, width: 128, height: 64 });
  let state = stateAt(prices, 130);
  await oled.show(renderDisplay(state, true, { now: NOW, minuteOfDay: 720 }, settings).frame, { on: true, contrast: 0xcf });
  const afterFirst = emulator.stats.bytes;
  // The typical update: the next tick within the same sparkline minute, a new price shown.
  state = applyTick(state, { symbol: 'BTC-USD', price: prices[131]! / 100, ts: NOW - 30_000, source: 'kraken' }, NOW);
  await oled.show(renderDisplay(state, true, { now: NOW, minuteOfDay: 720 }, settings).frame, { on: true, contrast: 0xcf });
  return { full: afterFirst, typical: emulator.stats.bytes - afterFirst };
}

export async function edgeBench(): Promise<BenchRow[]> {
  const prices = btcPrices(256);
  const state = stateAt(prices, 126);
  const settings = displaySettings(128, 64);
  const buffer = new Uint8Array(1024);
  const rows = await measure(
    'OLED frame 128x64',
    [
      {
        implementation: 'stock-stream',
        rounds: 30,
        loop: (times) => {
          let sum = 0;
          for (let i = 0; i < times.length; i++)
            sum += renderDisplay(state, true, { now: NOW + i * 1000, minuteOfDay: 720 }, settings).frame.bytes[200]!;
          return sum;
        },
      },
      {
        implementation: 'hand loop',
        rounds: 30,
        loop: (times) => {
          let sum = 0;
          for (let i = 0; i < times.length; i++) {
            for (let b = 0; b < buffer.length; b++) buffer[b] = (b + i) & 0xff;
            sum += buffer[200]!;
          }
          return sum;
        },
      },
    ],
    new Float64Array(200),
  );
  const bytes = await bytesPerUpdate();
  for (const row of rows) {
    if (row.implementation === 'stock-stream') {
      row.note = `${(row.nsPerUpdate / 1e6).toFixed(3)} ms/frame (aim <= 1 ms); I2C bytes: first frame ${bytes.full} (init + update()), a price change ${bytes.typical} (oled-i2c-bus update() alone: 1037); the edge process's memory: the memory module`;
    } else row.note = 'fills the 1 KiB framebuffer once, the floor';
  }
  return rows;
}
