// Drives the buy LED, sell LED and buzzer lines from the alert core's levels (writing only what
// changed), and turns button presses into events. Lines are optional: a missing pin is skipped.
import type { LineLevels } from '../core/edge/alerts.js';
import { SysfsGpio, type GpioLine, type SysfsGpioOptions } from './gpio.js';

export interface AlertPins {
  readonly buyLed: number;
  readonly sellLed: number;
  readonly buzzer: number | null;
  readonly button: number | null;
  /** The button pulls the line low when pressed (wired to ground, pull-up enabled). */
  readonly buttonActiveLow: boolean;
}

/** Where LED levels go: GPIO lines, or nothing (virtual mode keeps only the panel). */
export interface AlertOutputs {
  apply(levels: LineLevels): Promise<void>;
  /** True once per press (on the edge from released to pressed). */
  pollButton(): Promise<boolean>;
  close(): Promise<void>;
}

export class GpioAlertOutputs implements AlertOutputs {
  private written: Partial<Record<keyof LineLevels, 0 | 1>> = {};
  private buttonWasDown = false;

  private constructor(
    private readonly lines: Partial<Record<keyof LineLevels, GpioLine>>,
    private readonly button: GpioLine | undefined,
    private readonly buttonActiveLow: boolean,
  ) {}

  static async open(pins: AlertPins, options: SysfsGpioOptions = {}): Promise<GpioAlertOutputs> {
    const gpio = await SysfsGpio.open(options);
    const opened: GpioLine[] = [];
    try {
      const take = async (line: Promise<GpioLine>) => {
        const value = await line;
        opened.push(value);
        return value;
      };
      const lines: Partial<Record<keyof LineLevels, GpioLine>> = {
        buyLed: await take(gpio.output(pins.buyLed)),
        sellLed: await take(gpio.output(pins.sellLed)),
      };
      if (pins.buzzer !== null) lines.buzzer = await take(gpio.output(pins.buzzer));
      const button = pins.button === null ? undefined : await take(gpio.input(pins.button));
      return new GpioAlertOutputs(lines, button, pins.buttonActiveLow);
    } catch (error) {
      for (const line of opened) await line.release();
      throw error;
    }
  }

  async apply(levels: LineLevels): Promise<void> {
    for (const name of ['buyLed', 'sellLed', 'buzzer'] as const) {
      const line = this.lines[name];
      if (!line || this.written[name] === levels[name]) continue;
      await line.write(levels[name]);
      this.written[name] = levels[name];
    }
  }

  async pollButton(): Promise<boolean> {
    if (!this.button) return false;
    const value = await this.button.read();
    const down = this.buttonActiveLow ? value === 0 : value === 1;
    const pressed = down && !this.buttonWasDown;
    this.buttonWasDown = down;
    return pressed;
  }

  /** LEDs and buzzer off, every line unexported. */
  async close(): Promise<void> {
    for (const line of Object.values(this.lines)) await line.release();
    await this.button?.release();
  }
}
