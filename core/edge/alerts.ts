// The buy/sell LEDs and the buzzer as a pure state machine driven by time passed in: a fresh signal
// blinks its LED in its own pattern and sounds its own beeps, then the LED stays lit until the next
// signal or the button. A cool-down keeps a burst of signals from blinking and beeping again and
// again; quiet hours mute the buzzer (the LEDs still show); the button acknowledges and silences.
import type { Side } from '../contracts/index.js';
import { inWindow, type DailyWindow } from './schedule.js';

export interface AlertSettings {
  /** How long a fresh signal blinks its LED before it stays lit. */
  readonly blinkMs: number;
  /** After an alert, further signals within this time only update the lit LED. */
  readonly cooldownMs: number;
  /** A signal whose own time is older than this when it arrives lights its LED without an alert. */
  readonly maxSignalAgeMs: number;
  readonly quietHours: DailyWindow | null;
}

export const DEFAULT_ALERT_SETTINGS: AlertSettings = { blinkMs: 30_000, cooldownMs: 60_000, maxSignalAgeMs: 300_000, quietHours: null };

export interface AlertState {
  /** The side whose LED is lit (steady once the alert is over), or null. */
  readonly latched: Side | null;
  /**
   * The alert in progress: its side and when it started; null when none or acknowledged. `price`:
   * a price alert (news, not advice), which blinks its own pattern and leaves the lit LED alone.
   */
  readonly alert: { readonly side: Side; readonly startedAt: number; readonly price?: boolean } | null;
  readonly lastAlertAt: number | null;
  /** Ids of the latest signals, to drop redeliveries (the bus delivers at least once). */
  readonly recentIds: readonly string[];
  /** The buzzer muted by a command (MQTT): alerts still blink, silently. Absent in older snapshots: not muted. */
  readonly muted?: boolean;
}

export type AlertInput =
  | {
      readonly type: 'signal';
      readonly id: string;
      readonly side: Side;
      readonly ts: number;
      readonly now: number;
      readonly price?: boolean;
    }
  | { readonly type: 'button'; readonly now: number }
  | { readonly type: 'mute'; readonly muted: boolean };

export type AlertEvent = 'alert' | 'cooldown' | 'late' | 'duplicate' | 'acknowledged' | 'cleared' | 'muted' | 'unmuted' | 'none';

export interface LineLevels {
  readonly buyLed: 0 | 1;
  readonly sellLed: 0 | 1;
  readonly buzzer: 0 | 1;
}

export const ALL_OFF: LineLevels = { buyLed: 0, sellLed: 0, buzzer: 0 };

export const INITIAL_ALERT_STATE: AlertState = { latched: null, alert: null, lastAlertAt: null, recentIds: [] };

const RECENT_IDS = 64;

/** LED patterns while an alert lasts, as [on ms, off ms, ...] repeated: buy blinks evenly, sell double-flashes. */
export const LED_PATTERNS: Record<Side, readonly number[]> = {
  buy: [250, 250],
  sell: [100, 100, 100, 700],
};

/** A price alert: three quick flashes and a pause on its direction's LED, and one short chirp. */
export const PRICE_ALERT_LED_PATTERN: readonly number[] = [60, 60, 60, 60, 60, 700];
export const PRICE_ALERT_BUZZER_PATTERN: readonly number[] = [60];

/** Buzzer patterns played once at the start of an alert: buy two short rising beeps, sell one long. */
export const BUZZER_PATTERNS: Record<Side, readonly number[]> = {
  buy: [120, 120, 120],
  sell: [700],
};

export function alertStep(state: AlertState, input: AlertInput, settings: AlertSettings): { state: AlertState; event: AlertEvent } {
  if (input.type === 'mute') return { state: { ...state, muted: input.muted }, event: input.muted ? 'muted' : 'unmuted' };
  if (input.type === 'button') {
    if (state.alert) return { state: { ...state, alert: null }, event: 'acknowledged' };
    if (state.latched) return { state: { ...state, latched: null }, event: 'cleared' };
    return { state, event: 'none' };
  }
  if (state.recentIds.includes(input.id)) return { state, event: 'duplicate' };
  const recentIds = [...state.recentIds, input.id].slice(-RECENT_IDS);
  // A price alert is news: the lit LED keeps showing the last recommendation.
  const latched = input.price === true ? { ...state, recentIds } : { ...state, latched: input.side, recentIds };
  if (input.now - input.ts > settings.maxSignalAgeMs) return { state: { ...latched, alert: null }, event: 'late' };
  if (state.lastAlertAt !== null && input.now - state.lastAlertAt < settings.cooldownMs && input.now >= state.lastAlertAt) {
    // Within the cool-down: the LED shows the new side steadily, no new blinking or beeping.
    return { state: { ...latched, alert: state.alert?.side === input.side ? state.alert : null }, event: 'cooldown' };
  }
  const alert = input.price === true ? { side: input.side, startedAt: input.now, price: true } : { side: input.side, startedAt: input.now };
  return { state: { ...latched, alert, lastAlertAt: input.now }, event: 'alert' };
}

/** Whether a repeating on/off pattern is on at `elapsed` ms. */
function patternOn(pattern: readonly number[], elapsed: number, repeat: boolean): boolean {
  const period = pattern.reduce((sum, ms) => sum + ms, 0);
  if (elapsed < 0 || (!repeat && elapsed >= period)) return false;
  let t = repeat ? elapsed % period : elapsed;
  for (let i = 0; i < pattern.length; i++) {
    if (t < pattern[i]!) return i % 2 === 0;
    t -= pattern[i]!;
  }
  return false;
}

/** The level of each line at `now`; the shell writes the lines that changed. */
export function alertLevels(state: AlertState, now: number, minuteOfDay: number, settings: AlertSettings): LineLevels {
  const level = (side: Side): 0 | 1 => {
    const alert = state.alert;
    if (alert?.price === true && alert.side === side && now - alert.startedAt < settings.blinkMs) {
      return patternOn(PRICE_ALERT_LED_PATTERN, now - alert.startedAt, true) ? 1 : 0;
    }
    if (state.latched !== side) return 0;
    if (!alert || alert.side !== side || alert.price === true) return 1;
    const elapsed = now - alert.startedAt;
    if (elapsed >= settings.blinkMs) return 1;
    return patternOn(LED_PATTERNS[side], elapsed, true) ? 1 : 0;
  };
  const alert = state.alert;
  const buzzing =
    alert !== null &&
    state.muted !== true &&
    !inWindow(settings.quietHours, minuteOfDay) &&
    patternOn(alert.price === true ? PRICE_ALERT_BUZZER_PATTERN : BUZZER_PATTERNS[alert.side], now - alert.startedAt, false);
  return { buyLed: level('buy'), sellLed: level('sell'), buzzer: buzzing ? 1 : 0 };
}
