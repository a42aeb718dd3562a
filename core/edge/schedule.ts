// Daily time windows ("22:00" to "07:00") for night mode and quiet hours. The minute of the local
// day comes in as an argument: the core never reads a clock or a time zone.

export interface DailyWindow {
  /** Minutes after local midnight, 0..1439. */
  readonly start: number;
  readonly end: number;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "HH:MM" to minutes after midnight, or undefined when it is not a 24-hour time. */
export function parseClockTime(text: string): number | undefined {
  const match = HH_MM.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** True inside [start, end); a window whose end is before its start spans midnight. Empty when start = end. */
export function inWindow(window: DailyWindow | null | undefined, minuteOfDay: number): boolean {
  if (!window || window.start === window.end) return false;
  return window.start < window.end
    ? minuteOfDay >= window.start && minuteOfDay < window.end
    : minuteOfDay >= window.start || minuteOfDay < window.end;
}
