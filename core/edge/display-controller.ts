// One display update: which symbol's page to show, the frame for it (shifted against burn-in), and
// whether the panel is on and how bright, from the state and the time passed in.
import { shiftFrame, type Frame } from './frame.js';
import type { DisplayState } from './display-state.js';
import { inWindow, type DailyWindow } from './schedule.js';
import { renderScreen } from './screen.js';

export interface DisplaySettings {
  readonly width: number;
  readonly height: number;
  /** Contrast in daytime, 0..255. */
  readonly contrast: number;
  readonly pageMs: number;
  readonly staleMs: number;
  /** A fresh signal keeps its symbol's page on screen this long. */
  readonly signalHoldMs: number;
  /** The frame moves to the next burn-in offset this often; 0 never moves it. */
  readonly shiftMs: number;
  readonly night: { readonly window: DailyWindow; readonly mode: 'dim' | 'off'; readonly contrast: number } | null;
}

export interface DisplayClock {
  /** Epoch ms on the edge's clock. */
  readonly now: number;
  /** Minutes after local midnight, 0..1439. */
  readonly minuteOfDay: number;
}

export interface DisplayOutput {
  readonly frame: Frame;
  readonly on: boolean;
  readonly contrast: number;
  /** Index of the symbol shown. */
  readonly page: number;
}

// Small moves around the home position; 128x32 has no spare rows, so it moves only sideways.
const SHIFTS_TALL: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0, 1],
  [-1, 1],
  [-1, 0],
];
const SHIFTS_SHORT: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [1, 0],
  [0, 0],
  [-1, 0],
];

export function burnInShift(now: number, shiftMs: number, height: number): readonly [number, number] {
  if (shiftMs <= 0) return [0, 0];
  const shifts = height >= 64 ? SHIFTS_TALL : SHIFTS_SHORT;
  return shifts[Math.floor(now / shiftMs) % shifts.length]!;
}

/** The page on screen: a symbol whose signal arrived within signalHoldMs, else the rotation's turn. */
export function currentPage(state: DisplayState, now: number, settings: Pick<DisplaySettings, 'pageMs' | 'signalHoldMs'>): number {
  const count = state.symbols.length;
  if (count <= 1) return 0;
  let held = -1;
  let heldAt = Number.NEGATIVE_INFINITY;
  state.symbols.forEach((view, index) => {
    const at = view.signal?.receivedAt;
    if (at !== undefined && now - at < settings.signalHoldMs && now >= at && at > heldAt) {
      held = index;
      heldAt = at;
    }
  });
  if (held >= 0) return held;
  return Math.floor(now / settings.pageMs) % count;
}

export function renderDisplay(state: DisplayState, busConnected: boolean, clock: DisplayClock, settings: DisplaySettings): DisplayOutput {
  const page = currentPage(state, clock.now, settings);
  const view = state.symbols[page];
  if (!view) throw new RangeError('display: no symbol to show');
  const night = settings.night !== null && inWindow(settings.night.window, clock.minuteOfDay) ? settings.night : null;
  const frame = renderScreen(
    { view, now: clock.now, staleMs: settings.staleMs, busConnected, page, pages: state.symbols.length },
    settings.width,
    settings.height,
  );
  const [dx, dy] = burnInShift(clock.now, settings.shiftMs, settings.height);
  return {
    frame: shiftFrame(frame, dx, dy),
    on: night?.mode !== 'off',
    contrast: night?.mode === 'dim' ? night.contrast : settings.contrast,
    page,
  };
}
