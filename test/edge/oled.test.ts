// The OLED adapter over the emulator: the initialisation oled-i2c-bus sends, only changed pages on the
// wire, brightness and power commands, writes that never block, and a failing bus that does not throw.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createFrame, fillRect, framesEqual } from '../../core/edge/frame.js';
import { OledDisplay } from '../../edge/oled.js';
import { Ssd1306Emulator } from '../support/ssd1306-emulator.js';

const power = { on: true, contrast: 0xcf };

test('128x64: the init sequence configures the panel, and the first frame is sent whole by update()', async () => {
  const emulator = new Ssd1306Emulator();
  const oled = new OledDisplay({ bus: emulator, address: 0x3c, width: 128, height: 64 });
  const frame = createFrame(128, 64);
  fillRect(frame, 5, 5, 20, 50);
  await oled.show(frame, power);
  assert.is(emulator.multiplex, 63);
  assert.is(emulator.comPins, 0x12);
  assert.is(emulator.addressingMode, 'horizontal');
  assert.ok(emulator.chargePump && emulator.displayOn);
  assert.is(emulator.startLine, 0);
  assert.is(emulator.contrast, 0xcf);
  assert.ok(framesEqual(emulator.panel(), frame));
  assert.is(oled.stats.fullUpdates, 1);
});

test('128x32: multiplex 32 and sequential COM pins', async () => {
  const emulator = new Ssd1306Emulator();
  const oled = new OledDisplay({ bus: emulator, address: 0x3c, width: 128, height: 32 });
  const frame = createFrame(128, 32);
  fillRect(frame, 0, 30, 128, 2);
  await oled.show(frame, power);
  assert.is(emulator.multiplex, 31);
  assert.is(emulator.comPins, 0x02);
  assert.ok(framesEqual(emulator.panel(), frame));
});

test('a changed page goes alone; an unchanged frame sends nothing', async () => {
  const emulator = new Ssd1306Emulator();
  const oled = new OledDisplay({ bus: emulator, address: 0x3c, width: 128, height: 64 });
  const frame = createFrame(128, 64);
  await oled.show(frame, power);
  const before = { ...emulator.stats };
  const next = createFrame(128, 64);
  fillRect(next, 10, 17, 3, 3); // page 2 only
  await oled.show(next, power);
  assert.is(emulator.stats.dataBytes - before.dataBytes, 128);
  assert.is(emulator.stats.bytes - before.bytes, 7 + 129, 'one command transaction, one data transaction');
  assert.ok(framesEqual(emulator.panel(), next));
  const after = { ...emulator.stats };
  await oled.show(next, power);
  assert.equal(emulator.stats, after);
});

test('brightness and night-off are commands only; the frame in RAM is kept', async () => {
  const emulator = new Ssd1306Emulator();
  const oled = new OledDisplay({ bus: emulator, address: 0x3c, width: 128, height: 64 });
  const frame = createFrame(128, 64);
  fillRect(frame, 0, 0, 8, 8);
  await oled.show(frame, power);
  await oled.show(frame, { on: true, contrast: 12 });
  assert.is(emulator.contrast, 12);
  await oled.show(frame, { on: false, contrast: 12 });
  assert.not.ok(emulator.displayOn);
  await oled.show(frame, power);
  assert.ok(framesEqual(emulator.panel(), frame));
  await oled.close();
  assert.not.ok(emulator.displayOn, 'off on close');
});

test('writes are queued: show() returns to the event loop before the bus has the bytes', async () => {
  const emulator = new Ssd1306Emulator();
  const oled = new OledDisplay({ bus: emulator, address: 0x3c, width: 128, height: 64 });
  assert.is(emulator.stats.transactions, 0, 'the constructor only queued its init sequence');
  const frame = createFrame(128, 64);
  fillRect(frame, 0, 0, 128, 64);
  const shown = oled.show(frame, power);
  assert.is(emulator.stats.dataBytes, 0);
  // A second frame while the first is on the wire is dropped, not queued behind it.
  await oled.show(createFrame(128, 64), power);
  assert.is(oled.stats.dropped, 1);
  await shown;
  assert.ok(framesEqual(emulator.panel(), frame));
  // oled-i2c-bus's ~25 two-byte init commands travel as one transaction.
  assert.ok(oled.queue.stats.transactions <= 5, `transactions: ${oled.queue.stats.transactions}`);
});

test('a failing bus (display unplugged) is reported by health(), never thrown, and recovers', async () => {
  const emulator = new Ssd1306Emulator();
  const oled = new OledDisplay({ bus: emulator, address: 0x3c, width: 128, height: 64 });
  emulator.failWrites = Object.assign(new Error('Remote I/O error'), { code: 'EREMOTEIO' });
  const frame = createFrame(128, 64);
  fillRect(frame, 3, 3, 9, 9);
  await oled.show(frame, power);
  assert.not.ok(oled.health().ok);
  assert.match(oled.health().detail, /Remote I\/O/);
  emulator.failWrites = undefined;
  await oled.show(createFrame(128, 64), power);
  assert.ok(oled.health().ok);
});

test.run();
