// The emulator itself, against byte streams written by hand from the SSD1306 datasheet: if it decoded
// wrongly, the golden frames would prove nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getPixel } from '../../core/edge/frame.js';
import { Ssd1306Emulator } from '../support/ssd1306-emulator.js';

function write(emulator: Ssd1306Emulator, ...bytes: number[]): void {
  emulator.i2cWriteSync(0x3c, bytes.length, Buffer.from(bytes));
}

function on(emulator: Ssd1306Emulator): void {
  // Multiplex 64, upright orientation (segment remap 0xA1, COM scan 0xC8), display on.
  write(emulator, 0x00, 0xa8, 0x3f, 0xa1, 0xc8, 0xaf);
}

test('horizontal addressing: data fills the column range, then wraps to the next page', () => {
  const emulator = new Ssd1306Emulator();
  on(emulator);
  write(emulator, 0x00, 0x20, 0x00, 0x21, 10, 11, 0x22, 2, 3);
  write(emulator, 0x40, 0x01, 0x02, 0x04, 0x80);
  const panel = emulator.panel();
  assert.ok(getPixel(panel, 10, 16), 'page 2 column 10 bit 0');
  assert.ok(getPixel(panel, 11, 17), 'page 2 column 11 bit 1');
  assert.ok(getPixel(panel, 10, 26), 'wrapped to page 3 column 10 bit 2');
  assert.ok(getPixel(panel, 11, 31), 'page 3 column 11 bit 7');
  assert.is(emulator.stats.dataBytes, 4);
});

test('page addressing: 0xB0-0xB7 picks the page, 0x0X/0x1X the column; the column advances alone', () => {
  const emulator = new Ssd1306Emulator();
  on(emulator);
  write(emulator, 0x00, 0x20, 0x02, 0xb5, 0x04, 0x12); // page 5, column 0x24 = 36
  write(emulator, 0x40, 0xff, 0x01);
  const panel = emulator.panel();
  assert.ok(getPixel(panel, 36, 40) && getPixel(panel, 36, 47));
  assert.ok(getPixel(panel, 37, 40) && !getPixel(panel, 37, 41));
});

test('commands split over many 2-byte writes keep their arguments (what oled-i2c-bus sends)', () => {
  const emulator = new Ssd1306Emulator();
  for (const byte of [0x81, 0x10, 0x20, 0x00, 0xa8, 0x1f]) write(emulator, 0x00, byte);
  assert.is(emulator.contrast, 0x10);
  assert.is(emulator.addressingMode, 'horizontal');
  assert.is(emulator.multiplex, 31);
  assert.equal(emulator.commandLog, [
    [0x81, 0x10],
    [0x20, 0x00],
    [0xa8, 0x1f],
  ]);
});

test('Co=1 control bytes interleave single commands and data in one transaction', () => {
  const emulator = new Ssd1306Emulator();
  on(emulator);
  write(emulator, 0x00, 0x20, 0x02);
  write(emulator, 0x80, 0xb1, 0x80, 0x00, 0x80, 0x10, 0xc0, 0x03);
  assert.ok(getPixel(emulator.panel(), 0, 8) && getPixel(emulator.panel(), 0, 9));
});

test('display off shows nothing; inverse, entire-on, start line and mirroring change the panel', () => {
  const emulator = new Ssd1306Emulator();
  write(emulator, 0x00, 0x20, 0x00, 0x21, 0, 127, 0x22, 0, 7);
  write(emulator, 0x40, 0x01); // pixel (0, 0) in RAM
  assert.not.ok(getPixel(emulator.panel(), 0, 0), 'off after reset');
  on(emulator);
  assert.ok(getPixel(emulator.panel(), 0, 0));
  write(emulator, 0x00, 0xa7);
  assert.not.ok(getPixel(emulator.panel(), 0, 0));
  assert.ok(getPixel(emulator.panel(), 1, 0));
  write(emulator, 0x00, 0xa6, 0x41); // start line 1: RAM row 1 on panel row 0
  assert.ok(getPixel(emulator.panel(), 0, 63));
  write(emulator, 0x00, 0x40, 0xa0); // segment remap off: mirrored
  assert.ok(getPixel(emulator.panel(), 127, 0));
  write(emulator, 0x00, 0xa5);
  assert.ok(getPixel(emulator.panel(), 64, 32));
});

test('a write to another address fails like a missing device; a bad control byte is refused', () => {
  const emulator = new Ssd1306Emulator();
  assert.throws(() => emulator.i2cWriteSync(0x3d, 2, Buffer.from([0x00, 0xaf])), /Remote I\/O/);
  assert.throws(() => write(emulator, 0x01, 0xaf), /invalid control byte/);
});

test.run();
