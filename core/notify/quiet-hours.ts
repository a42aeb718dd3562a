// Local clock times in a subscriber's IANA time zone (through Intl, which carries the zone data),
// and whether an instant falls in their quiet hours. The instant always comes in as an argument.

export interface QuietHours {
  readonly start: string;
  readonly end: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The instant's wall-clock parts in the zone. */
export function localParts(ts: number, timeZone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'zone', string> {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(ts))
      .map((part) => [part.type, part.value]),
  );
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
    zone: parts.timeZoneName!,
  };
}

/** "2026-11-27 09:15:02 CET": the time a subscriber reads in their own zone. */
export function localTime(ts: number, timeZone: string): string {
  const p = localParts(ts, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.zone}`;
}

/** Minutes since local midnight. */
export function localMinutes(ts: number, timeZone: string): number {
  const p = localParts(ts, timeZone);
  return Number(p.hour) * 60 + Number(p.minute);
}

function minutesOf(clock: string): number {
  const [h, m] = clock.split(':');
  return Number(h) * 60 + Number(m);
}

/** Quiet from start (inclusive) to end (exclusive), local time; a span over midnight wraps. start == end is never quiet. */
export function isQuiet(ts: number, timeZone: string, quiet: QuietHours | undefined): boolean {
  if (!quiet) return false;
  const now = localMinutes(ts, timeZone);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}
