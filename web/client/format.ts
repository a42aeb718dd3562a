// Numbers and times for people: prices with their currency's precision, times in the viewer's zone.

const priceFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const smallFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 4 });
const percentFormat = new Intl.NumberFormat(undefined, {
  style: 'percent',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  signDisplay: 'exceptZero',
});
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

export function price(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return Math.abs(value) >= 1 ? priceFormat.format(value) : smallFormat.format(value);
}

export function number(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(digits);
}

export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return percentFormat.format(value);
}

export function signed(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${value > 0 ? '+' : ''}${price(value)}`;
}

/** A time of today in the viewer's zone, or date and time when it is not today. */
export function time(ts: number, now = Date.now()): string {
  const date = new Date(ts);
  return new Date(now).toDateString() === date.toDateString() ? timeFormat.format(date) : dateTimeFormat.format(date);
}

export function age(ms: number | null): string {
  if (ms === null) return 'never';
  if (ms < 1000) return 'now';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s ago`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  return `${Math.round(ms / 3_600_000)} h ago`;
}

/** The viewer's zone, shown so nobody wonders which clock the times follow. */
export function zoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const fullFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** Date and time in the viewer's zone, always with the date (for history). */
export function dateTime(ts: number): string {
  return fullFormat.format(new Date(ts));
}

/** A return as a signed percentage, "+12.34 %" (the same digits as `replay`'s report). */
export function gain(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(2)} %`;
}

/** A fall below the peak, "-8.20 %". */
export function fall(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return `${value > 0 ? '-' : ''}${(value * 100).toFixed(2)} %`;
}

/** A share, "42.5 %". */
export function share(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return `${(value * 100).toFixed(1)} %`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return 'n/a';
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(0)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

/** The strategy's stance the way every panel says it: "LONG since 14:00 at 97,120.00" or "FLAT (no position)". */
export function stance(view: { strategy: string; stance: 'flat' | 'long'; since: number | null; entryPrice: number | null }): string {
  return view.stance === 'long'
    ? `${view.strategy}: LONG since ${time(view.since ?? 0)} at ${price(view.entryPrice)}`
    : `${view.strategy}: FLAT (no position)`;
}
