// The edge's face as the dashboard reads it: the OLED frame and the LED and buzzer levels.
import type { LineLevels } from '../edge/alerts.js';

export interface PanelSnapshot {
  readonly width: number;
  readonly height: number;
  /** The frame's bytes in SSD1306 page order, base64. */
  readonly frame: string;
  readonly on: boolean;
  readonly contrast: number;
  readonly page: number;
  readonly leds: LineLevels;
  readonly hardware: { readonly display: boolean; readonly gpio: boolean };
}

/** The panel as another role watches it (the edge driver is its one writer). */
export interface PanelView {
  readonly hardware: { readonly display: boolean; readonly gpio: boolean };
  snapshot(): PanelSnapshot;
  on(event: 'frame', listener: (snapshot: PanelSnapshot) => void): unknown;
  on(event: 'leds', listener: (levels: LineLevels) => void): unknown;
  off(event: 'frame', listener: (snapshot: PanelSnapshot) => void): unknown;
  off(event: 'leds', listener: (levels: LineLevels) => void): unknown;
}
