// The edge section of the configuration turned into the core's display and alert settings.
import type { Config } from '../platform/config/schema.js';
import type { AlertSettings } from '../core/edge/alerts.js';
import type { DisplaySettings } from '../core/edge/display-controller.js';
import { parseClockTime, type DailyWindow } from '../core/edge/schedule.js';

export function contrastFromPercent(percent: number): number {
  return Math.round((Math.max(0, Math.min(100, percent)) / 100) * 255);
}

function window(start: string, end: string): DailyWindow {
  // The schema has checked both are HH:MM.
  return { start: parseClockTime(start) ?? 0, end: parseClockTime(end) ?? 0 };
}

export function edgeSettings(edge: Config['edge']): { display: DisplaySettings; alerts: AlertSettings } {
  const { display, alerts } = edge;
  return {
    display: {
      width: display.width,
      height: display.height,
      contrast: contrastFromPercent(display.brightness),
      pageMs: display.pageSeconds * 1000,
      staleMs: edge.staleSeconds * 1000,
      signalHoldMs: alerts.blinkSeconds * 1000,
      shiftMs: display.shiftMinutes * 60_000,
      night:
        display.night.mode === 'none'
          ? null
          : {
              window: window(display.night.start, display.night.end),
              mode: display.night.mode,
              contrast: contrastFromPercent(display.night.brightness),
            },
    },
    alerts: {
      blinkMs: alerts.blinkSeconds * 1000,
      cooldownMs: alerts.cooldownSeconds * 1000,
      maxSignalAgeMs: alerts.maxSignalAgeSeconds * 1000,
      quietHours: alerts.quietHours ? window(alerts.quietHours.start, alerts.quietHours.end) : null,
    },
  };
}
