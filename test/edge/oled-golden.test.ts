// Golden frames: each screen state rendered by the core, sent by the OLED adapter through oled-i2c-bus
// and the I2C queue into the SSD1306 emulator, and the emulator's panel compared pixel for pixel with
// test/fixtures/edge/<name>.pbm. To regenerate after an intended change, run
//   UPDATE_GOLDEN=1 node --import tsx test/edge/oled-golden.test.ts
// then review the images (any PBM viewer, or the text art it prints) and commit them with the change.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderDisplay } from '../../core/edge/display-controller.js';
import { framesEqual } from '../../core/edge/frame.js';
import { frameToArt, frameToPbm, pbmToFrame } from '../../core/edge/pbm.js';
import { OledDisplay } from '../../edge/oled.js';
import { displaySettings, SCREEN_CASES } from '../support/edge-screens.js';
import { Ssd1306Emulator } from '../support/ssd1306-emulator.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'edge');
const update = process.env.UPDATE_GOLDEN === '1';

for (const screen of SCREEN_CASES) {
  test(`${screen.name}: ${screen.description}`, async () => {
    const settings = displaySettings(screen.width, screen.height, screen.settings);
    const output = renderDisplay(screen.state, screen.busConnected, { now: screen.now, minuteOfDay: screen.minuteOfDay }, settings);
    const emulator = new Ssd1306Emulator();
    const oled = new OledDisplay({ bus: emulator, address: 0x3c, width: screen.width, height: screen.height });
    await oled.show(output.frame, { on: output.on, contrast: output.contrast });
    const panel = emulator.panel(screen.width);
    // The wire carried exactly the core's frame.
    assert.ok(framesEqual(panel, output.frame), 'the emulator shows the rendered frame');
    const path = join(FIXTURES, `${screen.name}.pbm`);
    if (update) {
      writeFileSync(path, frameToPbm(panel, `${screen.name}: ${screen.description}`));
      console.log(`\n${screen.name}\n${frameToArt(panel)}`);
      return;
    }
    const golden = pbmToFrame(readFileSync(path, 'utf8'));
    if (!framesEqual(panel, golden)) {
      assert.unreachable(`${screen.name} differs from its golden image.\nexpected:\n${frameToArt(golden)}\nactual:\n${frameToArt(panel)}`);
    }
  });
}

test.run();
