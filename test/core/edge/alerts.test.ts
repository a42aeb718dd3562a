// The LED and buzzer state machine: distinct patterns, cool-down, quiet hours, the button, duplicates.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  alertLevels,
  alertStep,
  DEFAULT_ALERT_SETTINGS,
  INITIAL_ALERT_STATE,
  type AlertSettings,
  type AlertState,
} from '../../../core/edge/alerts.js';

const T0 = 1_736_942_400_000;
const settings: AlertSettings = {
  ...DEFAULT_ALERT_SETTINGS,
  blinkMs: 2_000,
  cooldownMs: 10_000,
  quietHours: { start: 22 * 60, end: 7 * 60 },
};
const noon = 720;

function signal(state: AlertState, side: 'buy' | 'sell', now: number, id = `${side}-${now}`) {
  return alertStep(state, { type: 'signal', id, side, ts: now - 500, now }, settings);
}

/** The line levels sampled every 50 ms, as strings of 0/1 per line. */
function timeline(state: AlertState, from: number, ms: number, minute = noon) {
  const lines = { buyLed: '', sellLed: '', buzzer: '' };
  for (let t = 0; t < ms; t += 50) {
    const levels = alertLevels(state, from + t, minute, settings);
    lines.buyLed += levels.buyLed;
    lines.sellLed += levels.sellLed;
    lines.buzzer += levels.buzzer;
  }
  return lines;
}

test('buy: even 250 ms blinking, two short beeps, then the LED stays lit', () => {
  const { state, event } = signal(INITIAL_ALERT_STATE, 'buy', T0);
  assert.is(event, 'alert');
  const lines = timeline(state, T0, 1000);
  assert.is(lines.buyLed, '11111000001111100000');
  assert.is(lines.sellLed, '0'.repeat(20));
  assert.is(lines.buzzer, `11100111${'0'.repeat(12)}`);
  assert.is(timeline(state, T0 + 2_000, 500).buyLed, '1'.repeat(10), 'steady after the blink time');
  assert.is(timeline(state, T0 + 2_000, 500).buzzer, '0'.repeat(10));
});

test('sell: double flash and one long beep, distinct from buy', () => {
  const { state } = signal(INITIAL_ALERT_STATE, 'sell', T0);
  const lines = timeline(state, T0, 1000);
  assert.is(lines.sellLed, '11001100000000000000');
  assert.is(lines.buzzer, '11111111111111000000');
  assert.is(lines.buyLed, '0'.repeat(20));
});

test("a price alert: three quick flashes on its direction's LED and one chirp; the lit LED still shows the recommendation", () => {
  const bought = signal(INITIAL_ALERT_STATE, 'buy', T0).state;
  const later = T0 + 20_000;
  const { state, event } = alertStep(
    bought,
    { type: 'signal', id: 'alert-1', side: 'sell', ts: later - 500, now: later, price: true },
    settings,
  );
  assert.is(event, 'alert');
  assert.is(state.latched, 'buy', 'the recommendation stays latched');
  const lines = timeline(state, later, 1000);
  assert.is(lines.sellLed, '11010100000000000000');
  assert.is(lines.buyLed, '1'.repeat(20));
  assert.is(lines.buzzer, `11${'0'.repeat(18)}`);
  const after = timeline(state, later + 2_000, 500);
  assert.equal([after.buyLed, after.sellLed], ['1'.repeat(10), '0'.repeat(10)], 'after the blink: back to the recommendation');
});

test('cool-down: a second signal soon after lights its LED steadily, without blinking or beeping', () => {
  const first = signal(INITIAL_ALERT_STATE, 'buy', T0).state;
  const second = signal(first, 'sell', T0 + 3_000);
  assert.is(second.event, 'cooldown');
  const lines = timeline(second.state, T0 + 3_000, 500);
  assert.is(lines.sellLed, '1'.repeat(10));
  assert.is(lines.buyLed, '0'.repeat(10));
  assert.is(lines.buzzer, '0'.repeat(10));
  const later = signal(second.state, 'buy', T0 + 10_000);
  assert.is(later.event, 'alert', 'after the cool-down an alert again');
});

test('quiet hours mute the buzzer, the LEDs still blink', () => {
  const { state } = signal(INITIAL_ALERT_STATE, 'buy', T0);
  const lines = timeline(state, T0, 1000, 23 * 60);
  assert.is(lines.buzzer, '0'.repeat(20));
  assert.is(lines.buyLed, '11111000001111100000');
});

test('the button acknowledges (silence, steady LED), a second press clears the LED', () => {
  const { state } = signal(INITIAL_ALERT_STATE, 'sell', T0);
  const acknowledged = alertStep(state, { type: 'button', now: T0 + 100 }, settings);
  assert.is(acknowledged.event, 'acknowledged');
  const lines = timeline(acknowledged.state, T0 + 100, 500);
  assert.is(lines.buzzer, '0'.repeat(10));
  assert.is(lines.sellLed, '1'.repeat(10));
  const cleared = alertStep(acknowledged.state, { type: 'button', now: T0 + 200 }, settings);
  assert.is(cleared.event, 'cleared');
  assert.equal(alertLevels(cleared.state, T0 + 300, noon, settings), { buyLed: 0, sellLed: 0, buzzer: 0 });
  assert.is(alertStep(cleared.state, { type: 'button', now: T0 + 400 }, settings).event, 'none');
});

test('a redelivered signal id is ignored; a late signal lights without an alert', () => {
  const first = signal(INITIAL_ALERT_STATE, 'buy', T0, 'same');
  const again = signal(first.state, 'buy', T0 + 20_000, 'same');
  assert.is(again.event, 'duplicate');
  assert.is(again.state, first.state);
  const late = alertStep(INITIAL_ALERT_STATE, { type: 'signal', id: 'old', side: 'sell', ts: T0 - 3_600_000, now: T0 }, settings);
  assert.is(late.event, 'late');
  assert.equal(alertLevels(late.state, T0, noon, settings), { buyLed: 0, sellLed: 1, buzzer: 0 });
});

test('the state is plain JSON and survives a round trip', () => {
  const { state } = signal(INITIAL_ALERT_STATE, 'buy', T0);
  const copy = JSON.parse(JSON.stringify(state)) as AlertState;
  assert.equal(alertLevels(copy, T0 + 120, noon, settings), alertLevels(state, T0 + 120, noon, settings));
});

test.run();
