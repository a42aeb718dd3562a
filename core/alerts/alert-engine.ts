// One symbol's price alerts, stepped with every tick in the ticks' own time: O(1) per tick and
// alert (a rolling window keeps one price a minute; extremes are re-read once a UTC day), with state
// that survives JSON. An alert's `side` is its direction: buy = up, sell = down.
import type { Side, Signal } from '../contracts/index.js';
import { emptyIndicatorValues } from '../indicators/indicator-set.js';
import { signalId } from '../rules/signal-id.js';
import { stateArray, stateError, stateNumber, stateRecord } from '../rules/state-reader.js';
import type { AlertConfig } from './alert-config.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

interface Fired {
  readonly side: Side;
  readonly reason: string;
}

/** One alert's running state; every field a finite number (or an array of them), so JSON keeps it exact. */
interface AlertState {
  /** Level and move alerts: 1 when an upward (level: the) crossing may fire, 0 when it must re-arm first. */
  armedUp: number;
  armedDown: number;
  /** -1: never fired. */
  lastFiredTs: number;
  /** Move 'day': the UTC day number and its first price. Extremes: the current UTC day. */
  day: number;
  open: number;
  /** Rolling move: the last price of each minute, 0 where a minute had no tick; extremes: the previous days' highs or lows. */
  ring: number[];
  /** Rolling move: the last minute written. Extremes: days seen, and the day fired on. */
  last: number;
  seen: number;
  firedDay: number;
  /** Extremes: today's high (or low) so far, and the previous days' one (recomputed once a day). */
  today: number;
  previous: number;
}

function freshState(config: AlertConfig): AlertState {
  const size =
    config.type === 'move' && config.window !== 'day'
      ? (config.window === '1h' ? 60 : 1440) + 1
      : config.type === 'new-high' || config.type === 'new-low'
        ? Math.max(1, config.days - 1)
        : 0;
  return {
    armedUp: 0,
    armedDown: 0,
    lastFiredTs: -1,
    day: -1,
    open: 0,
    ring: new Array<number>(size).fill(0),
    last: -1,
    seen: 0,
    firedDay: -1,
    today: 0,
    previous: 0,
  };
}

const price = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 2 });

export class AlertEngine {
  private readonly alerts: readonly AlertConfig[];
  private states: AlertState[];

  constructor(
    readonly symbol: string,
    alerts: readonly AlertConfig[],
  ) {
    this.alerts = alerts.filter((alert) => alert.symbols === undefined || alert.symbols.includes(symbol));
    this.states = this.alerts.map(freshState);
  }

  /** Feeds one tick (ts rising); appends the alerts it fired to `out`. */
  step(ts: number, value: number, out: Signal[]): void {
    for (let i = 0; i < this.alerts.length; i++) {
      const config = this.alerts[i]!;
      const state = this.states[i]!;
      const fired = this.evaluate(config, state, ts, value);
      if (fired === undefined) continue;
      // Dropped, not delayed, inside the cooldown: an old alert is no news.
      if (state.lastFiredTs >= 0 && ts - state.lastFiredTs < config.cooldownMinutes * MINUTE) continue;
      state.lastFiredTs = ts;
      out.push({
        id: signalId(this.symbol, ts, config.name, 'alert'),
        symbol: this.symbol,
        ts,
        side: fired.side,
        rule: config.name,
        price: value,
        reason: fired.reason,
        kind: 'alert',
        timeframe: timeframeOf(config),
        indicators: emptyIndicatorValues(),
      });
    }
  }

  private evaluate(config: AlertConfig, state: AlertState, ts: number, value: number): Fired | undefined {
    const h = config.hysteresisPercent / 100;
    switch (config.type) {
      case 'above':
      case 'below': {
        const up = config.type === 'above';
        // Armed only once seen on the other side beyond the hysteresis: a price already past the level at start is no crossing.
        if (up ? value <= config.price * (1 - h) : value >= config.price * (1 + h)) state.armedUp = 1;
        if (state.armedUp === 1 && (up ? value > config.price : value < config.price)) {
          state.armedUp = 0;
          return { side: up ? 'buy' : 'sell', reason: `price ${price(value)} crossed ${up ? 'above' : 'below'} ${price(config.price)}` };
        }
        return undefined;
      }
      case 'move': {
        const reference = config.window === 'day' ? this.dayOpen(state, ts, value) : this.rolling(state, ts, value);
        if (reference === undefined) return undefined;
        return this.move(config.percent / 100, h, state, value / reference - 1, () =>
          config.window === 'day' ? `since the UTC day's open at ${price(reference)}` : `in ${config.window} (from ${price(reference)})`,
        );
      }
      case 'new-high':
      case 'new-low':
        return this.extreme(config.type === 'new-high', config.days, state, ts, value);
    }
  }

  private move(threshold: number, h: number, state: AlertState, change: number, from: () => string): Fired | undefined {
    if (change <= threshold - h) state.armedUp = 1;
    if (change >= -threshold + h) state.armedDown = 1;
    const text = (side: Side) => `${side === 'buy' ? 'up' : 'down'} ${(Math.abs(change) * 100).toFixed(2)} % ${from()}`;
    if (state.armedUp === 1 && change >= threshold) {
      state.armedUp = 0;
      return { side: 'buy', reason: text('buy') };
    }
    if (state.armedDown === 1 && change <= -threshold) {
      state.armedDown = 0;
      return { side: 'sell', reason: text('sell') };
    }
    return undefined;
  }

  private dayOpen(state: AlertState, ts: number, value: number): number | undefined {
    const day = Math.floor(ts / DAY);
    if (day !== state.day) {
      state.day = day;
      state.open = value;
    }
    return state.open;
  }

  /** The last price of the minute one window ago, if that minute had a tick. */
  private rolling(state: AlertState, ts: number, value: number): number | undefined {
    const ring = state.ring;
    const size = ring.length;
    const minute = Math.floor(ts / MINUTE);
    if (state.last >= 0 && minute > state.last) {
      // Minutes without a tick hold no price; after a silence longer than the window, none do.
      const skipped = Math.min(minute - state.last - 1, size);
      for (let k = 1; k <= skipped; k++) ring[(state.last + k) % size] = 0;
    }
    ring[minute % size] = value;
    state.last = minute;
    const reference = ring[(minute + 1) % size]!;
    return reference > 0 ? reference : undefined;
  }

  private extreme(high: boolean, days: number, state: AlertState, ts: number, value: number): Fired | undefined {
    const day = Math.floor(ts / DAY);
    if (day !== state.day) {
      if (state.day >= 0) {
        // Yesterday's extreme joins the ring; days without any tick leave nothing behind.
        const ring = state.ring;
        for (let d = state.day + 1; d < day && d < state.day + 1 + ring.length; d++) ring[d % ring.length] = 0;
        if (days > 1 && day - state.day <= ring.length) ring[state.day % ring.length] = state.today;
        const kept = days > 1 ? ring.filter((v) => v > 0) : [];
        state.previous = kept.length === 0 ? 0 : high ? Math.max(...kept) : Math.min(...kept);
      }
      state.day = day;
      state.today = value;
      state.seen++;
      return undefined;
    }
    const before =
      state.previous > 0 ? (high ? Math.max(state.previous, state.today) : Math.min(state.previous, state.today)) : state.today;
    state.today = high ? Math.max(state.today, value) : Math.min(state.today, value);
    // Only with the N days seen (today the Nth), and once a UTC day: new highs come in streaks.
    if (state.seen < days || state.firedDay === day || (high ? value <= before : value >= before)) return undefined;
    state.firedDay = day;
    return { side: high ? 'buy' : 'sell', reason: `new ${days}-day ${high ? 'high' : 'low'} ${price(value)} (before: ${price(before)})` };
  }

  snapshot(): unknown {
    return { kind: 'alerts', names: this.alerts.map((a) => a.name), states: this.states.map((s) => ({ ...s, ring: [...s.ring] })) };
  }

  restore(snapshot: unknown): void {
    const record = stateRecord(snapshot, 'alerts');
    const names = stateArray(record['names'], 'alerts.names', this.alerts.length);
    if (names.some((name, i) => name !== this.alerts[i]!.name)) throw stateError('alerts.names', 'were saved with other alerts');
    const states = stateArray(record['states'], 'alerts.states', this.alerts.length);
    this.states = this.alerts.map((config, i) => {
      const saved = stateRecord(states[i], `alerts.states[${i}]`);
      const fresh = freshState(config);
      const restored = { ...fresh } as Record<string, unknown>;
      for (const key of Object.keys(fresh) as Array<keyof AlertState>) {
        if (key === 'ring') {
          const ring = stateArray(saved['ring'], `alerts.states[${i}].ring`, fresh.ring.length);
          restored.ring = ring.map((v, k) => stateNumber(v, `alerts.states[${i}].ring[${k}]`));
        } else {
          restored[key] = stateNumber(saved[key], `alerts.states[${i}].${key}`);
        }
      }
      return restored as unknown as AlertState;
    });
  }
}

function timeframeOf(config: AlertConfig): string {
  switch (config.type) {
    case 'above':
    case 'below':
      return 'tick';
    case 'move':
      return config.window === 'day' ? '1d' : config.window;
    default:
      return `${config.days}d`;
  }
}
