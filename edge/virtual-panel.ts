// The edge's face in memory: the frame on the (real or virtual) OLED and the LED and buzzer levels,
// with events when they change, so a dashboard can show the same panel without any hardware.
import { EventEmitter } from 'node:events';
import type { PanelSnapshot, PanelView } from '../core/contracts/index.js';
import type { LineLevels } from '../core/edge/alerts.js';
import { ALL_OFF } from '../core/edge/alerts.js';
import { createFrame, framesEqual, type Frame } from '../core/edge/frame.js';

export interface PanelEvents {
  frame: [PanelSnapshot];
  leds: [LineLevels];
}

export class EdgePanel extends EventEmitter<PanelEvents> implements PanelView {
  private frame: Frame;
  private displayOn = true;
  private contrast = 0;
  private page = 0;
  private leds: LineLevels = ALL_OFF;

  constructor(
    width: number,
    height: number,
    readonly hardware: { readonly display: boolean; readonly gpio: boolean },
  ) {
    super();
    this.frame = createFrame(width, height);
  }

  setFrame(frame: Frame, on: boolean, contrast: number, page: number): void {
    if (framesEqual(frame, this.frame) && on === this.displayOn && contrast === this.contrast && page === this.page) return;
    this.frame = { width: frame.width, height: frame.height, bytes: frame.bytes.slice() };
    this.displayOn = on;
    this.contrast = contrast;
    this.page = page;
    this.emit('frame', this.snapshot());
  }

  setLeds(levels: LineLevels): void {
    if (levels.buyLed === this.leds.buyLed && levels.sellLed === this.leds.sellLed && levels.buzzer === this.leds.buzzer) return;
    this.leds = levels;
    this.emit('leds', levels);
  }

  currentFrame(): Frame {
    return this.frame;
  }

  snapshot(): PanelSnapshot {
    return {
      width: this.frame.width,
      height: this.frame.height,
      frame: Buffer.from(this.frame.bytes).toString('base64'),
      on: this.displayOn,
      contrast: this.contrast,
      page: this.page,
      leds: this.leds,
      hardware: this.hardware,
    };
  }
}
