// A fake /sys/class/gpio tree in a temporary directory, as a Raspberry Pi with kernel 6.6+ shows it,
// and a small fake kernel that answers writes to export/unexport by creating/removing gpioN/.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeChip {
  readonly name: string;
  readonly label: string;
  readonly base: number;
  readonly ngpio: number;
}

/** Raspberry Pi 4, kernel 6.6+: the SoC's lines at base 512, the firmware expander after them. */
export const PI4_CHIPS: readonly FakeChip[] = [
  { name: 'gpiochip512', label: 'pinctrl-bcm2711', base: 512, ngpio: 58 },
  { name: 'gpiochip570', label: 'raspberrypi-exp-gpio', base: 570, ngpio: 8 },
];

/** Raspberry Pi 5, kernel 6.6+: the header's lines on the RP1's chip, after the SoC's own chips. */
export const PI5_CHIPS: readonly FakeChip[] = [
  { name: 'gpiochip512', label: 'gpio-brcmstb@107d508500', base: 512, ngpio: 32 },
  { name: 'gpiochip544', label: 'gpio-brcmstb@107d508520', base: 544, ngpio: 27 },
  { name: 'gpiochip571', label: 'pinctrl-rp1', base: 571, ngpio: 54 },
];

export class FakeSysfs {
  readonly root: string;
  private readonly timer: NodeJS.Timeout;
  readonly exported: number[] = [];
  readonly unexported: number[] = [];

  constructor(chips: readonly FakeChip[]) {
    this.root = join(mkdtempSync(join(tmpdir(), 'fake-sysfs-')), 'class', 'gpio');
    mkdirSync(this.root, { recursive: true });
    writeFileSync(join(this.root, 'export'), '');
    writeFileSync(join(this.root, 'unexport'), '');
    for (const chip of chips) {
      mkdirSync(join(this.root, chip.name));
      writeFileSync(join(this.root, chip.name, 'label'), `${chip.label}\n`);
      writeFileSync(join(this.root, chip.name, 'base'), `${chip.base}\n`);
      writeFileSync(join(this.root, chip.name, 'ngpio'), `${chip.ngpio}\n`);
    }
    this.timer = setInterval(() => this.kernel(), 2);
  }

  /** What the kernel does after a write to export or unexport. */
  private kernel(): void {
    const exported = readFileSync(join(this.root, 'export'), 'utf8').trim();
    if (exported) {
      writeFileSync(join(this.root, 'export'), '');
      const dir = join(this.root, `gpio${exported}`);
      mkdirSync(dir, { recursive: true });
      for (const [file, value] of [
        ['value', '0'],
        ['direction', 'in'],
        ['active_low', '0'],
        ['edge', 'none'],
      ])
        writeFileSync(join(dir, file!), `${value}\n`);
      this.exported.push(Number(exported));
    }
    const unexported = readFileSync(join(this.root, 'unexport'), 'utf8').trim();
    if (unexported) {
      writeFileSync(join(this.root, 'unexport'), '');
      rmSync(join(this.root, `gpio${unexported}`), { recursive: true, force: true });
      this.unexported.push(Number(unexported));
    }
  }

  value(number: number): string | undefined {
    const path = join(this.root, `gpio${number}`, 'value');
    return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
  }

  direction(number: number): string | undefined {
    const path = join(this.root, `gpio${number}`, 'direction');
    return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
  }

  /** Sets an input's level, as a pressed or released button does. */
  setValue(number: number, value: 0 | 1): void {
    writeFileSync(join(this.root, `gpio${number}`, 'value'), `${value}\n`);
  }

  close(): void {
    clearInterval(this.timer);
    rmSync(join(this.root, '..', '..'), { recursive: true, force: true });
  }
}
