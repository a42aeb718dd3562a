// Price alerts: what most ticker owners ask for first. Not a strategy (no stance): a level crossed,
// a move within a window, a new N-day high or low. Plain data a zod schema mirrors.

interface AlertCommon {
  /** Names the alert in its signals and their ids. */
  readonly name: string;
  /** Only these symbols; absent: every followed symbol. */
  readonly symbols?: readonly string[];
  /** After firing, the price must come back this far (percent) before the alert can fire again. */
  readonly hysteresisPercent: number;
  /** After firing, the alert stays quiet this long (in the ticks' time). */
  readonly cooldownMinutes: number;
}

/** The price crosses a level: `above` upwards, `below` downwards. */
export interface LevelAlertConfig extends AlertCommon {
  readonly type: 'above' | 'below';
  readonly price: number;
}

/** The price has moved ±`percent` since the UTC day's first tick (`day`) or within a rolling 1 h / 24 h. */
export interface MoveAlertConfig extends AlertCommon {
  readonly type: 'move';
  readonly percent: number;
  readonly window: 'day' | '1h' | '24h';
}

/** A price above the highest (below the lowest) of the last `days` UTC days, today included; at most once a day. */
export interface ExtremeAlertConfig extends AlertCommon {
  readonly type: 'new-high' | 'new-low';
  readonly days: number;
}

export type AlertConfig = LevelAlertConfig | MoveAlertConfig | ExtremeAlertConfig;

export const MAX_EXTREME_DAYS = 366;

/** Throws one clear error naming the offending key, e.g. "alerts[0].price: must be ...". */
export function validateAlerts(alerts: readonly AlertConfig[], path = 'alerts'): void {
  const names = new Set<string>();
  alerts.forEach((alert, i) => {
    const fail = (key: string, message: string): never => {
      throw new RangeError(`${path}[${i}].${key}: ${message}`);
    };
    if (typeof alert.name !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(alert.name)) fail('name', 'must be 1-64 letters, digits or "._-"');
    if (names.has(alert.name)) fail('name', `"${alert.name}" is used by another alert`);
    names.add(alert.name);
    if (!Number.isFinite(alert.hysteresisPercent) || alert.hysteresisPercent < 0 || alert.hysteresisPercent >= 50)
      fail('hysteresisPercent', 'must be from 0 to below 50');
    if (!Number.isFinite(alert.cooldownMinutes) || alert.cooldownMinutes < 0) fail('cooldownMinutes', 'must be 0 or more');
    if (alert.symbols !== undefined && (!Array.isArray(alert.symbols) || alert.symbols.some((s) => typeof s !== 'string')))
      fail('symbols', 'must be a list of symbols');
    switch (alert.type) {
      case 'above':
      case 'below':
        if (!Number.isFinite(alert.price) || alert.price <= 0) fail('price', 'must be a price above 0');
        break;
      case 'move':
        if (!Number.isFinite(alert.percent) || alert.percent <= 0 || alert.percent >= 100) fail('percent', 'must be above 0 and below 100');
        if (alert.window !== 'day' && alert.window !== '1h' && alert.window !== '24h') fail('window', 'must be day, 1h or 24h');
        if (alert.hysteresisPercent >= alert.percent) fail('hysteresisPercent', 'must be below percent');
        break;
      case 'new-high':
      case 'new-low':
        if (!Number.isInteger(alert.days) || alert.days < 1 || alert.days > MAX_EXTREME_DAYS)
          fail('days', `must be a whole number from 1 to ${MAX_EXTREME_DAYS}`);
        break;
      default:
        fail('type', `unknown alert type ${JSON.stringify((alert as { type: unknown }).type)}: above, below, move, new-high or new-low`);
    }
  });
}
