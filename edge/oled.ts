// The OLED adapter: oled-i2c-bus (initialisation, on/off, whole-frame update()) over i2c-bus, fed
// frames rendered by the core. Each frame is complete before anything is sent (no flicker); only the
// pages that changed go over the wire; every write goes through the asynchronous queue.
import Oled from 'oled-i2c-bus';
import { changedPages, pageRuns } from '../core/edge/page-diff.js';
import type { Frame } from '../core/edge/frame.js';
import { I2cWriteQueue, type AsyncI2cBus } from './i2c-queue.js';
import { SSD1306 } from './ssd1306.js';

export interface OledOptions {
  /** An open i2c-bus Bus (or the tests' emulator). */
  readonly bus: AsyncI2cBus;
  readonly address: number;
  readonly width: number;
  readonly height: number;
}

export interface DisplayPower {
  readonly on: boolean;
  /** 0..255 */
  readonly contrast: number;
}

export interface OledStats {
  frames: number;
  pagesSent: number;
  fullUpdates: number;
  /** Frames skipped because the previous one was still being sent. */
  dropped: number;
}

/** Where frames go: the real display, or nothing (virtual mode keeps only the panel). */
export interface FrameSink {
  show(frame: Frame, power: DisplayPower): Promise<void>;
  close(): Promise<void>;
  health(): { ok: boolean; detail: string };
  /** Bytes written and pages sent since start. */
  counters(): { bytes: number; pages: number };
}

export class OledDisplay implements FrameSink {
  readonly queue: I2cWriteQueue;
  readonly stats: OledStats = { frames: 0, pagesSent: 0, fullUpdates: 0, dropped: 0 };
  private readonly oled: Oled;
  private shown: Frame | undefined;
  private power: DisplayPower | undefined;
  private busy = false;

  constructor(private readonly options: OledOptions) {
    this.queue = new I2cWriteQueue(options.bus);
    // The constructor writes the library's initialisation sequence (into the queue).
    this.oled = new Oled(this.queue, { width: options.width, height: options.height, address: options.address });
    // oled-i2c-bus sends 0x00 as its "set start line" (0x40 | line is the real command): set it here.
    this.queue.commands(options.address, [SSD1306.SET_START_LINE | 0]);
  }

  /**
   * Sends what differs from the frame on screen. While a frame is still on the wire the new one is
   * dropped (the next render carries the news), so a slow bus never builds a backlog.
   */
  async show(frame: Frame, power: DisplayPower): Promise<void> {
    if (this.busy) {
      this.stats.dropped++;
      return;
    }
    this.busy = true;
    try {
      const { address } = this.options;
      if (this.power?.contrast !== power.contrast) this.queue.commands(address, [SSD1306.SET_CONTRAST, clampByte(power.contrast)]);
      if (this.power?.on !== power.on) this.queue.commands(address, [power.on ? SSD1306.DISPLAY_ON : SSD1306.DISPLAY_OFF]);
      this.power = power;
      const pages = changedPages(this.shown, frame);
      if (pages.length > 0) {
        this.stats.frames++;
        this.stats.pagesSent += pages.length;
        if (pages.length === frame.height / 8) await this.fullUpdate(frame);
        else this.partialUpdate(frame, pages);
        this.shown = { width: frame.width, height: frame.height, bytes: frame.bytes.slice() };
      }
      await this.queue.idle();
    } finally {
      this.busy = false;
    }
  }

  /** The library's own update(): column and page range, then the whole buffer in one write. */
  private async fullUpdate(frame: Frame): Promise<void> {
    this.stats.fullUpdates++;
    this.oled.buffer.set(frame.bytes);
    const sent = this.queue.nextWrite((bytes) => bytes[0] === SSD1306.CONTROL_DATA && bytes.length === frame.bytes.length + 1);
    this.oled.update(); // writes on a zero-delay timer, after its (never busy) status check
    await sent;
  }

  /** Each run of changed pages: one column/page address command, one data write. */
  private partialUpdate(frame: Frame, pages: readonly number[]): void {
    const { address, width } = this.options;
    for (const run of pageRuns(pages)) {
      this.queue.commands(address, [SSD1306.COLUMN_ADDR, 0, width - 1, SSD1306.PAGE_ADDR, run.first, run.last]);
      this.queue.data(address, frame.bytes.subarray(run.first * width, (run.last + 1) * width));
    }
  }

  /** Blanks and switches the panel off (a static image left on burns in), then waits for the bus. */
  async close(): Promise<void> {
    this.oled.buffer.fill(0);
    this.queue.commands(this.options.address, [SSD1306.DISPLAY_OFF]);
    await this.queue.idle();
  }

  counters(): { bytes: number; pages: number } {
    return { bytes: this.queue.stats.bytes, pages: this.stats.pagesSent };
  }

  health(): { ok: boolean; detail: string } {
    const error = this.queue.lastError;
    return error
      ? { ok: false, detail: `OLED at 0x${this.options.address.toString(16)}: ${error.message}` }
      : {
          ok: true,
          detail: `OLED ${this.options.width}x${this.options.height} at 0x${this.options.address.toString(16)}, ${this.stats.frames} frames`,
        };
  }
}

function clampByte(value: number): number {
  return Math.max(0, Math.min(255, Math.round(value)));
}
