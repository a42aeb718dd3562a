// Confirmation over N ticks, cooldown in tick time, and combinations within a window of ticks.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RULE_DEFAULTS, type RuleConfig } from '../../../core/rules/rule-config.js';
import { fire, path, rsiPath, START_TS, type PathTick } from './ticks.js';

const test = suite('confirmation, cooldown, combinations');

function fired(rules: RuleConfig[], ticks: PathTick[]): string[] {
  return fire(rules, ticks).map((s) => `${s.rule}:${s.side}@${s.index}`);
}
const rsi = { ...RULE_DEFAULTS.rsi, cooldownMs: 0 };

test('confirmation: emitted when the crossing has held for N ticks, dropped if it falls back', () => {
  const confirmed = { ...rsi, confirmTicks: 3 };
  assert.equal(fired([confirmed], rsiPath([25, 31, 32, 33, 34])), ['rsi-30-70:buy@3']);
  // Falls back below 30 on the second tick: no signal, and no late one either.
  assert.equal(fired([confirmed], rsiPath([25, 31, 29, 33, 34, 35])), []);
  const [signal] = fire([confirmed], rsiPath([25, 31, 32, 33]));
  assert.is(signal!.reason, 'RSI rose back above 30 after falling to 25.00 (now 31.00), held for 3 ticks');
  assert.is(signal!.ts, START_TS + 3000, 'the signal carries the tick that confirmed it');
});

test('cooldown counts tick time: a second crossing inside it is dropped, after it is emitted', () => {
  const cooled = { ...rsi, cooldownMs: 60_000 };
  // One tick a second: the second buy (index 4) is 3 s after the first, the third (index 104) 103 s.
  const values = [25, 31, 25, 26, 31, ...Array<number>(97).fill(40), 25, 26, 31];
  assert.equal(fired([cooled], rsiPath(values)), ['rsi-30-70:buy@1', 'rsi-30-70:buy@104']);
  // The sides share the cooldown: a sell 2 s after a buy is dropped too.
  assert.equal(fired([cooled], rsiPath([25, 31, 75, 69])), ['rsi-30-70:buy@1']);
});

test('hysteresis and cooldown together: a noisy RSI swinging around 30 and 28 emits one signal', () => {
  const noisy = Array.from({ length: 600 }, (_, i) => 29.5 + 2.5 * Math.sin(i * 1.7));
  const signals = fired([{ ...RULE_DEFAULTS.rsi }], rsiPath(noisy));
  // 600 s of noise spanning 27..32 with a 5-minute cooldown: at most one signal per 300 s.
  assert.ok(signals.length <= 2, signals.join(', '));
  assert.equal(fired([{ ...rsi, hysteresis: 3 }], rsiPath(noisy)), [], 'a hysteresis wider than the noise: none at all');
});

const bbRule = { ...RULE_DEFAULTS.bollinger, cooldownMs: 0 };
// RSI buys at index 2; the Bollinger reversion buy comes at index `bbAt`.
function twoRulePath(bbAt: number, length = 30): PathTick[] {
  return path(length, (i) => ({
    rsi: i < 2 ? 25 : 35,
    price: i < bbAt ? 79_000 : 79_300,
    bbLower: 79_100,
    bbMiddle: 80_000,
    bbUpper: 81_000,
  }));
}

test('all-of fires once when every rule fired the same side within the window', () => {
  const both: RuleConfig = { type: 'all-of', name: 'rsi-and-bb', window: 5, confirmTicks: 1, cooldownMs: 0, rules: [rsi, bbRule] };
  assert.equal(fired([both], twoRulePath(6)), ['rsi-and-bb:buy@6']);
  // Index 2 and index 7 are 6 ticks apart: outside a window of 5.
  assert.equal(fired([both], twoRulePath(7)), []);
});

test('any-of fires on the first rule and not again while the window still holds a trigger', () => {
  const either: RuleConfig = { type: 'any-of', name: 'rsi-or-bb', window: 5, confirmTicks: 1, cooldownMs: 0, rules: [rsi, bbRule] };
  assert.equal(fired([either], twoRulePath(4)), ['rsi-or-bb:buy@2']);
  assert.equal(fired([either], twoRulePath(12)), ['rsi-or-bb:buy@2', 'rsi-or-bb:buy@12']);
});

test('rules run side by side and each emits its own signal', () => {
  assert.equal(fired([rsi, bbRule], twoRulePath(6)), ['rsi-30-70:buy@2', 'bollinger-reversion:buy@6']);
});

test('a rule never emits twice at one ts, even with no cooldown (ids stay unique)', () => {
  const same = rsiPath([25, 31, 25, 31]).map((t) => ({ ...t, ts: START_TS }));
  assert.is(fire([rsi], same).length, 1);
});

test.run();
