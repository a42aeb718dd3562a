// Chooses the edge's hardware from the configuration: the OLED when /dev/i2c-N exists, the GPIO
// lines when sysfs GPIO does, and the in-memory panel alone otherwise (a laptop, CI) unless
// edge.hardware is "required", where a missing part is an error that says what to do.
import { access } from 'node:fs/promises';
import type { Config } from '../platform/config/schema.js';
import type { Logger } from '../platform/log.js';
import { GpioAlertOutputs, type AlertOutputs } from './alert-lines.js';
import { OledDisplay, type FrameSink } from './oled.js';

export interface EdgeHardware {
  readonly frameSink: FrameSink | undefined;
  readonly outputs: AlertOutputs | undefined;
}

export class HardwareMissingError extends Error {
  readonly code = 'ERR_EDGE_HARDWARE';
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export async function openEdgeHardware(edge: Config['edge'], logger: Logger, devPrefix = '/dev/i2c-'): Promise<EdgeHardware> {
  if (edge.hardware === 'virtual') return { frameSink: undefined, outputs: undefined };
  const required = edge.hardware === 'required';
  let frameSink: FrameSink | undefined;
  const device = `${devPrefix}${edge.display.i2cBus}`;
  if (await exists(device)) {
    const { default: i2c } = await import('i2c-bus');
    const bus = await new Promise<ReturnType<typeof i2c.open>>((resolve, reject) => {
      const opened = i2c.open(edge.display.i2cBus, (error) => (error ? reject(error) : resolve(opened)));
    }).catch((error: Error) => {
      throw new HardwareMissingError(`cannot open ${device}: ${error.message} (is the user in the i2c group? see firmware-config/)`);
    });
    frameSink = new OledDisplay({ bus, address: edge.display.address, width: edge.display.width, height: edge.display.height });
    logger.info({ device, address: edge.display.address }, 'OLED on I2C');
  } else if (required) {
    throw new HardwareMissingError(
      `${device} does not exist: enable I2C (dtparam=i2c_arm=on in config.txt, see firmware-config/) or set edge.hardware: auto`,
    );
  } else {
    logger.info({ device }, `no ${device}: virtual display only`);
  }
  let outputs: AlertOutputs | undefined;
  if (await exists(edge.gpio.root)) {
    outputs = await GpioAlertOutputs.open(edge.gpio, {
      root: edge.gpio.root,
      ...(edge.gpio.chipLabel ? { chipLabel: edge.gpio.chipLabel } : {}),
    }).catch(async (error: Error) => {
      await frameSink?.close();
      throw error;
    });
    logger.info({ root: edge.gpio.root }, 'LEDs, buzzer and button on GPIO');
  } else if (required) {
    await frameSink?.close();
    // Let the GPIO adapter say what to do.
    await GpioAlertOutputs.open(edge.gpio, { root: edge.gpio.root });
  } else {
    logger.info({ root: edge.gpio.root }, 'no sysfs GPIO: virtual LEDs only');
  }
  return { frameSink, outputs };
}
