// GPIO lines through the kernel's sysfs interface, with the numbering of current Raspberry Pi OS:
// since kernel 6.6 a line's sysfs number is its pinctrl chip's base plus the BCM pin (base 512 on a
// Pi 4; the pinctrl-rp1 chip on a Pi 5), so the chip is found by its label, never hard-coded.
// The project's own small adapter rather than onoff: onoff fixes the root at /sys/class/gpio (so it
// cannot be tested on a fake tree) and waits for udev in a synchronous busy loop. Every call here is
// asynchronous and the root is injectable.
import { access, readdir, readFile, writeFile, constants } from 'node:fs/promises';
import { join } from 'node:path';

export const SYSFS_GPIO_ROOT = '/sys/class/gpio';

/** The labels of the Raspberry Pi's main GPIO controllers, newest first. */
export const PI_CHIP_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2712', 'pinctrl-bcm2711', 'pinctrl-bcm2835'] as const;

export interface GpioChip {
  readonly name: string;
  readonly label: string;
  readonly base: number;
  readonly ngpio: number;
}

export class GpioUnavailableError extends Error {
  readonly code = 'ERR_GPIO_UNAVAILABLE';
  constructor(message: string) {
    super(message);
    this.name = 'GpioUnavailableError';
  }
}

export async function listChips(root: string): Promise<GpioChip[]> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    throw new GpioUnavailableError(
      `sysfs GPIO is not available (${root} does not exist). On Raspberry Pi OS it is built in; elsewhere the kernel needs ` +
        'CONFIG_GPIO_SYSFS. In a container, mount /sys/class/gpio from the host. Without LEDs, set edge.hardware: virtual.',
    );
  }
  const chips: GpioChip[] = [];
  for (const name of entries.filter((entry) => /^gpiochip\d+$/.test(entry)).sort()) {
    const read = async (file: string) => (await readFile(join(root, name, file), 'utf8')).trim();
    try {
      chips.push({ name, label: await read('label'), base: Number(await read('base')), ngpio: Number(await read('ngpio')) });
    } catch {
      // A chip directory without its attributes is not one we can drive.
    }
  }
  return chips;
}

/** The Pi's main GPIO chip (or the one labelled `label`), found by label under the sysfs root. */
export async function findChip(root: string, label?: string): Promise<GpioChip> {
  const chips = await listChips(root);
  const wanted: readonly string[] = label ? [label] : PI_CHIP_LABELS;
  for (const candidate of wanted) {
    const chip = chips.find((c) => c.label === candidate);
    if (chip) return chip;
  }
  const seen = chips.map((c) => `${c.name} "${c.label}" base ${c.base}`).join(', ') || 'none';
  throw new GpioUnavailableError(
    `no GPIO chip labelled ${wanted.map((l) => `"${l}"`).join(' or ')} under ${root} (found: ${seen}). ` +
      'Set edge.gpio.chipLabel to the label of the chip your pins are on.',
  );
}

/** The sysfs number of a BCM pin on the chip. */
export function sysfsNumber(chip: GpioChip, bcmPin: number): number {
  if (!Number.isInteger(bcmPin) || bcmPin < 0 || bcmPin >= chip.ngpio) {
    throw new RangeError(`GPIO ${bcmPin}: the chip "${chip.label}" has lines 0..${chip.ngpio - 1}`);
  }
  return chip.base + bcmPin;
}

export interface GpioLine {
  readonly bcmPin: number;
  readonly number: number;
  write(value: 0 | 1): Promise<void>;
  read(): Promise<0 | 1>;
  /** Outputs go low, then the line is unexported. */
  release(): Promise<void>;
}

export interface SysfsGpioOptions {
  readonly root?: string;
  readonly chipLabel?: string;
  /** How long to wait for the kernel (and udev's permissions) after an export. */
  readonly exportTimeoutMs?: number;
}

export class SysfsGpio {
  private constructor(
    readonly root: string,
    readonly chip: GpioChip,
    private readonly exportTimeoutMs: number,
  ) {}

  static async open(options: SysfsGpioOptions = {}): Promise<SysfsGpio> {
    const root = options.root ?? SYSFS_GPIO_ROOT;
    const chip = await findChip(root, options.chipLabel);
    return new SysfsGpio(root, chip, options.exportTimeoutMs ?? 2_000);
  }

  async output(bcmPin: number): Promise<GpioLine> {
    const line = await this.export(bcmPin);
    // "low" makes it an output already driven low: no glitch high on the way.
    await writeFile(join(line, 'direction'), 'low');
    return this.line(bcmPin, line, true);
  }

  async input(bcmPin: number): Promise<GpioLine> {
    const line = await this.export(bcmPin);
    await writeFile(join(line, 'direction'), 'in');
    return this.line(bcmPin, line, false);
  }

  private async export(bcmPin: number): Promise<string> {
    const number = sysfsNumber(this.chip, bcmPin);
    const dir = join(this.root, `gpio${number}`);
    if (!(await writable(join(dir, 'value')))) {
      try {
        await writeFile(join(this.root, 'export'), String(number));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EACCES' || code === 'EPERM') {
          throw new GpioUnavailableError(
            `cannot export GPIO ${bcmPin} (sysfs ${number}): permission denied on ${this.root}/export. ` +
              'Add the service user to the gpio group (firmware-config/apply.sh does it) or run as root.',
          );
        }
        if (code !== 'EBUSY') throw error; // EBUSY: exported already, by us or another program
      }
      // udev sets the group and mode a moment after the kernel creates the files.
      const deadline = Date.now() + this.exportTimeoutMs;
      while (!(await writable(join(dir, 'value')))) {
        if (Date.now() > deadline) {
          throw new GpioUnavailableError(`GPIO ${bcmPin} (sysfs ${number}) was exported but ${dir}/value did not become writable`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    return dir;
  }

  private line(bcmPin: number, dir: string, output: boolean): GpioLine {
    const root = this.root;
    const number = sysfsNumber(this.chip, bcmPin);
    return {
      bcmPin,
      number,
      write: (value) => writeFile(join(dir, 'value'), value ? '1' : '0'),
      read: async () => ((await readFile(join(dir, 'value'), 'utf8')).trim() === '1' ? 1 : 0),
      async release() {
        if (output) await writeFile(join(dir, 'value'), '0').catch(() => undefined);
        await writeFile(join(root, 'unexport'), String(number)).catch(() => undefined);
        // The kernel removes the directory; wait for it so the next line's unexport is not mixed up with this one.
        for (let tries = 0; tries < 50 && (await exists(join(dir, 'value'))); tries++)
          await new Promise((resolve) => setTimeout(resolve, 10));
      },
    };
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function writable(path: string): Promise<boolean> {
  try {
    await access(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
