// GPIO numbering and the LED/buzzer/button lines on fake sysfs trees of a Pi 4 and a Pi 5 (kernel
// 6.6+), the error when sysfs GPIO is absent, and the alert patterns seen as value-file levels over time.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { alertLevels, alertStep, DEFAULT_ALERT_SETTINGS, INITIAL_ALERT_STATE } from '../../core/edge/alerts.js';
import { GpioAlertOutputs } from '../../edge/alert-lines.js';
import { findChip, GpioUnavailableError, SysfsGpio, sysfsNumber } from '../../edge/gpio.js';
import { FakeSysfs, PI4_CHIPS, PI5_CHIPS } from '../support/fake-sysfs.js';

const pins = { buyLed: 17, sellLed: 27, buzzer: 22, button: 23, buttonActiveLow: true };

test('Pi 4, kernel 6.6+: the pinctrl-bcm2711 chip at base 512, so BCM 17 is sysfs 529', async () => {
  const sysfs = new FakeSysfs(PI4_CHIPS);
  try {
    const chip = await findChip(sysfs.root);
    assert.equal(chip, { name: 'gpiochip512', label: 'pinctrl-bcm2711', base: 512, ngpio: 58 });
    assert.is(sysfsNumber(chip, 17), 529);
    const gpio = await SysfsGpio.open({ root: sysfs.root });
    const line = await gpio.output(17);
    assert.is(line.number, 529);
    assert.is(sysfs.direction(529), 'low');
    await line.write(1);
    assert.is(sysfs.value(529), '1');
    await line.release();
    assert.is(sysfs.value(529), undefined, 'unexported');
    assert.equal(sysfs.unexported, [529]);
  } finally {
    sysfs.close();
  }
});

test('Pi 5, kernel 6.6+: the header is on pinctrl-rp1 (base 571), not the first chip at 512', async () => {
  const sysfs = new FakeSysfs(PI5_CHIPS);
  try {
    const gpio = await SysfsGpio.open({ root: sysfs.root });
    assert.is(gpio.chip.label, 'pinctrl-rp1');
    const line = await gpio.output(17);
    assert.is(line.number, 588);
    assert.equal(sysfs.exported, [588]);
    await line.release();
  } finally {
    sysfs.close();
  }
});

test('no sysfs GPIO, or no known chip: a clear error that says what to do', async () => {
  const missing = join(tmpdir(), 'no-such-sysfs', 'class', 'gpio');
  const error = await SysfsGpio.open({ root: missing }).catch((e: unknown) => e);
  assert.instance(error, GpioUnavailableError);
  assert.match((error as Error).message, /sysfs GPIO is not available/);
  assert.match((error as Error).message, /edge\.hardware: virtual/);
  const other = new FakeSysfs([{ name: 'gpiochip0', label: 'tegra-gpio', base: 0, ngpio: 200 }]);
  try {
    const unknown = await SysfsGpio.open({ root: other.root }).catch((e: unknown) => e);
    assert.match((unknown as Error).message, /found: gpiochip0 "tegra-gpio" base 0/);
    assert.match((unknown as Error).message, /edge\.gpio\.chipLabel/);
    const chosen = await SysfsGpio.open({ root: other.root, chipLabel: 'tegra-gpio' });
    assert.is(chosen.chip.base, 0);
    assert.throws(() => sysfsNumber(chosen.chip, 200), /lines 0\.\.199/);
  } finally {
    other.close();
  }
});

test('buy and sell patterns seen as value-file levels, the button acknowledges, lines released off', async () => {
  const sysfs = new FakeSysfs(PI4_CHIPS);
  try {
    const outputs = await GpioAlertOutputs.open(pins, { root: sysfs.root });
    const [buy, sell, buzzer, button] = [529, 539, 534, 535];
    assert.is(sysfs.direction(button), 'in');
    sysfs.setValue(button, 1); // released (pulled up)
    const settings = { ...DEFAULT_ALERT_SETTINGS, blinkMs: 1_000 };
    const t0 = 1_736_942_400_000;
    let state = alertStep(INITIAL_ALERT_STATE, { type: 'signal', id: 'a', side: 'buy', ts: t0, now: t0 }, settings).state;
    const seen = { buy: '', sell: '', buzzer: '' };
    for (let t = 0; t < 1_200; t += 50) {
      await outputs.apply(alertLevels(state, t0 + t, 720, settings));
      seen.buy += sysfs.value(buy);
      seen.sell += sysfs.value(sell);
      seen.buzzer += sysfs.value(buzzer);
    }
    assert.is(seen.buy, `${'11111000001111100000'}1111`);
    assert.is(seen.sell, '0'.repeat(24));
    assert.is(seen.buzzer, `11100111${'0'.repeat(16)}`);
    state = alertStep(state, { type: 'signal', id: 'b', side: 'sell', ts: t0 + 70_000, now: t0 + 70_000 }, settings).state;
    await outputs.apply(alertLevels(state, t0 + 70_000, 720, settings));
    assert.equal([sysfs.value(buy), sysfs.value(sell), sysfs.value(buzzer)], ['0', '1', '1']);
    assert.is(await outputs.pollButton(), false);
    sysfs.setValue(button, 0);
    assert.is(await outputs.pollButton(), true, 'pressed');
    assert.is(await outputs.pollButton(), false, 'held: one press');
    state = alertStep(state, { type: 'button', now: t0 + 70_100 }, settings).state;
    await outputs.apply(alertLevels(state, t0 + 70_100, 720, settings));
    assert.equal([sysfs.value(sell), sysfs.value(buzzer)], ['1', '0'], 'silenced, LED steady');
    await outputs.close();
    assert.equal(sysfs.unexported.sort(), [buy, buzzer, button, sell].sort());
    for (const line of [buy, sell, buzzer, button]) assert.is(sysfs.value(line), undefined);
  } finally {
    sysfs.close();
  }
});

test('a line already exported (by another program, or a crashed run) is taken over', async () => {
  const sysfs = new FakeSysfs(PI4_CHIPS);
  try {
    const gpio = await SysfsGpio.open({ root: sysfs.root });
    await gpio.output(5);
    const again = await gpio.output(5);
    assert.equal(sysfs.exported, [517]);
    await again.release();
  } finally {
    sysfs.close();
  }
});

test.run();
