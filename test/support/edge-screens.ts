// The screen states the golden-frame tests pin, built through the display reducers as the edge role does.
import { applyIndicators, applySignal, applyTick, initialDisplayState, type DisplayState } from '../../core/edge/display-state.js';
import type { DisplaySettings } from '../../core/edge/display-controller.js';

export const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const MINUTE = 60_000;

export interface ScreenCase {
  readonly name: string;
  readonly description: string;
  readonly width: number;
  readonly height: number;
  readonly state: DisplayState;
  readonly busConnected: boolean;
  readonly now: number;
  readonly minuteOfDay: number;
  readonly settings?: Partial<DisplaySettings>;
}

/** Two hours of one-minute prices that rise from the day's open with a wobble (no randomness). */
function feed(state: DisplayState, symbol: string, open: number, drift: number, source = 'coinbase', end = NOW): DisplayState {
  let next = state;
  for (let i = 120; i >= 0; i--) {
    const ts = end - i * MINUTE;
    const t = 120 - i;
    const price = Math.round((open + drift * t + Math.sin(t / 7) * open * 0.002) * 1e6) / 1e6;
    next = applyTick(next, { symbol, price, ts, source }, ts);
  }
  return next;
}

export function displaySettings(width: number, height: number, extra: Partial<DisplaySettings> = {}): DisplaySettings {
  return {
    width,
    height,
    contrast: 0xcf,
    pageMs: 8_000,
    staleMs: 30_000,
    signalHoldMs: 30_000,
    shiftMs: 0,
    night: null,
    ...extra,
  };
}

const buy = { id: 'sig-buy', symbol: 'BTC-USD', side: 'buy' as const, ts: NOW - 5 * MINUTE, price: 97_012.5 };
const sell = { id: 'sig-sell', symbol: 'BTC-USD', side: 'sell' as const, ts: NOW - 12 * MINUTE, price: 96_480 };

function rising(): DisplayState {
  let state = feed(initialDisplayState(['BTC-USD']), 'BTC-USD', 96_000, 9.5);
  state = applyIndicators(state, { symbol: 'BTC-USD', rsi: 61.4, timeframe: '1h' });
  return applySignal(state, buy, NOW - 5 * MINUTE);
}

function falling(): DisplayState {
  let state = feed(initialDisplayState(['BTC-USD']), 'BTC-USD', 97_500, -8.25, 'simulator', NOW - 2 * MINUTE);
  state = applyIndicators(state, { symbol: 'BTC-USD', rsi: 27.8, timeframe: '1h' });
  return applySignal(state, sell, NOW - 12 * MINUTE);
}

function warmingUp(): DisplayState {
  let state = initialDisplayState(['BTC-USD']);
  state = applyTick(state, { symbol: 'BTC-USD', price: 96_123.45, ts: NOW - 2000, source: 'kraken' }, NOW - 2000);
  return applyTick(state, { symbol: 'BTC-USD', price: 96_120.1, ts: NOW - 1000, source: 'kraken' }, NOW - 1000);
}

function threeSymbols(): DisplayState {
  let state = initialDisplayState(['BTC-USD', 'ETH-USD', 'SOL-USD']);
  state = feed(state, 'BTC-USD', 96_000, 9.5);
  state = feed(state, 'ETH-USD', 3_412.5, -0.4);
  state = feed(state, 'SOL-USD', 0.45, 0.0001);
  return applyIndicators(state, { symbol: 'ETH-USD', rsi: 48.2, timeframe: '1h' });
}

const noon = 12 * 60;

export const SCREEN_CASES: readonly ScreenCase[] = [
  {
    name: '128x64-waiting',
    description: 'no price yet for the followed symbol',
    width: 128,
    height: 64,
    state: initialDisplayState(['BTC-USD']),
    busConnected: true,
    now: NOW,
    minuteOfDay: noon,
  },
  {
    name: '128x64-rising-buy',
    description: 'price up since the UTC open, RSI 61, a buy 5 minutes ago',
    width: 128,
    height: 64,
    state: rising(),
    busConnected: true,
    now: NOW,
    minuteOfDay: noon,
  },
  {
    name: '128x64-falling-sell-stale-sim-nobus',
    description: 'simulated prices falling, a sell 12 minutes ago, no tick for 2 minutes, bus down',
    width: 128,
    height: 64,
    state: falling(),
    busConnected: false,
    now: NOW,
    minuteOfDay: noon,
  },
  {
    name: '128x64-warming-up',
    description: 'two ticks: RSI still warming up, no signal yet, change 0',
    width: 128,
    height: 64,
    state: warmingUp(),
    busConnected: true,
    now: NOW,
    minuteOfDay: noon,
  },
  {
    name: '128x64-page-2-of-3',
    description: 'three symbols rotate; ETH-USD, the second page, is on screen',
    width: 128,
    height: 64,
    state: threeSymbols(),
    busConnected: true,
    now: NOW + 8_000,
    minuteOfDay: noon,
  },
  {
    name: '128x64-page-3-small-price',
    description: 'a price under 1 shown with more decimals',
    width: 128,
    height: 64,
    state: threeSymbols(),
    busConnected: true,
    now: NOW + 16_000,
    minuteOfDay: noon,
  },
  {
    name: '128x64-burn-in-shift',
    description: 'the rising screen moved by the burn-in shift (1 right, 1 down)',
    width: 128,
    height: 64,
    state: rising(),
    busConnected: true,
    now: NOW,
    minuteOfDay: noon,
    settings: { shiftMs: 65_000 },
  },
  {
    name: '128x32-waiting',
    description: 'no price yet, 128x32 panel',
    width: 128,
    height: 32,
    state: initialDisplayState(['BTC-USD']),
    busConnected: true,
    now: NOW,
    minuteOfDay: noon,
  },
  {
    name: '128x32-rising-buy',
    description: 'price up, RSI 61, a buy 5 minutes ago, 128x32 panel',
    width: 128,
    height: 32,
    state: rising(),
    busConnected: true,
    now: NOW,
    minuteOfDay: noon,
  },
  {
    name: '128x32-falling-sell-stale-sim-nobus',
    description: 'simulated, falling, sell, stale and bus down, 128x32 panel',
    width: 128,
    height: 32,
    state: falling(),
    busConnected: false,
    now: NOW,
    minuteOfDay: noon,
  },
];
