// The rules on a realistic input, as the strategy runs them: deterministic ids, snapshot/restore
// continuity, refused state and configuration errors.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { IndicatorSet } from '../../../core/indicators/indicator-set.js';
import { RULE_DEFAULTS, validateRules, type RuleConfig } from '../../../core/rules/rule-config.js';
import { fnv1a64, signalId } from '../../../core/rules/signal-id.js';
import { btcWalk } from '../indicators/price-series.js';
import { fire, RuleRun, START_TS, type PathTick } from './ticks.js';

const test = suite('rule state and ids');

// A realistic input: the indicator set over a BTC-like walk, one tick a second.
function ticks(length: number, seed: number, step = 150): PathTick[] {
  const set = new IndicatorSet();
  return btcWalk(length, seed, step).map((price, i) => ({ ts: START_TS + i * 1000, price, indicators: { ...set.update(price) } }));
}

const DEFAULTS: RuleConfig[] = Object.values(RULE_DEFAULTS);
const rules: RuleConfig[] = [
  ...DEFAULTS.map((r) => ({ ...r, cooldownMs: 20_000 })),
  { ...RULE_DEFAULTS.rsi, name: 'rsi-confirmed', confirmTicks: 4, cooldownMs: 0 },
  {
    type: 'all-of',
    name: 'rsi-and-bollinger',
    window: 30,
    confirmTicks: 2,
    cooldownMs: 60_000,
    rules: [
      { ...RULE_DEFAULTS.rsi, name: 'rsi-inner', cooldownMs: 0 },
      { ...RULE_DEFAULTS.bollinger, name: 'bb-inner', cooldownMs: 0 },
    ],
  },
];
const series = ticks(6_000, 31);

test('FNV-1a 64 matches the published test vectors', () => {
  // From the FNV reference test suite (Fowler/Noll/Vo, isthe.com/chongo/tech/comp/fnv).
  assert.is(fnv1a64(''), 'cbf29ce484222325');
  assert.is(fnv1a64('a'), 'af63dc4c8601ec8c');
  assert.is(fnv1a64('foobar'), '85944171f73967e8');
});

test('FNV-1a 64 hashes the UTF-8 bytes of any text, as a BigInt reference does', () => {
  // The straightforward 64-bit form, to check the two-halves arithmetic and the UTF-8 encoding.
  const reference = (text: string): string => {
    let hash = 0xcbf29ce484222325n;
    for (const byte of new TextEncoder().encode(text)) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
    return hash.toString(16).padStart(16, '0');
  };
  const texts = ['BTC-USD\u00001735689600000\u0000rsi-30-70', 'é€𝄞 ÿ߿ࠀ￿', 'lone \ud800 and \udc00', 'end \ud83d', 'x'.repeat(500)];
  for (const text of texts) assert.is(fnv1a64(text), reference(text), JSON.stringify(text));
});

test('signal ids depend on (symbol, ts, rule) only, and a replay fires the same', () => {
  const first = fire(rules, series);
  assert.ok(first.length > 20, `the walk should fire the rules, got ${first.length}`);
  assert.equal(fire(rules, series), first);
  const ids = first.map((s) => signalId('BTC-USD', s.ts, s.rule, 'crossing'));
  assert.is(new Set(ids).size, first.length, 'no two signals share an id');
  assert.is.not(signalId('BTC-USD', 1, 'a', 'crossing'), signalId('BTC-USD', 1, 'b', 'crossing'));
  assert.is.not(signalId('BTC-USD', 1, 'a', 'crossing'), signalId('BTC-USD', 2, 'a', 'crossing'));
  assert.is.not(signalId('BTC-USD', 1, 'a', 'crossing'), signalId('ETH-USD', 1, 'a', 'crossing'));
  assert.ok(/^[0-9a-f]{16}$/.test(ids[0]!));
});

test('state restored through JSON at any tick continues with identical signals', () => {
  const expected = fire(rules, series);
  for (const at of [0, 1, 33, 500, 2_345, 4_000, 5_999]) {
    const run = new RuleRun(rules);
    const before = run.step(series.slice(0, at));
    const restored = RuleRun.restore(rules, run.snapshot());
    assert.equal([...before, ...restored.step(series.slice(at))], expected, `restored at ${at}`);
  }
});

test('restore refuses damaged state, naming where', () => {
  const run = new RuleRun(rules);
  run.step(series.slice(0, 100));
  const damaged = JSON.parse(run.snapshot()) as { rules: Array<{ detector: { armed: unknown } }> };
  damaged.rules[0]!.detector.armed = ['yes', false];
  assert.throws(
    () => RuleRun.restore(rules, JSON.stringify(damaged)),
    /rules\[0\] \(rsi-30-70\).detector.armed\[0\]: must be true or false/,
  );
});

test('the indicator set on a flat feed, and on a feed of tiny noise, fires nothing', () => {
  const set = new IndicatorSet();
  const flat = Array.from({ length: 3_000 }, (_, i) => ({ ts: START_TS + i * 1000, price: 64_000, indicators: { ...set.update(64_000) } }));
  assert.equal(fire(DEFAULTS, flat), []);
  // A cent of noise: the MA, MACD and Bollinger hysteresis (fractions of the price) swallow it.
  assert.equal(
    fire(
      DEFAULTS.filter((r) => r.type !== 'rsi'),
      ticks(3_000, 5, 0.01),
    ),
    [],
  );
});

test('configuration errors name the key', () => {
  const bad = (rule: Record<string, unknown>) => () => validateRules([rule as unknown as RuleConfig]);
  assert.throws(bad({ ...RULE_DEFAULTS.rsi, oversold: 80 }), /rules\[0\].oversold: must be below overbought/);
  assert.throws(bad({ ...RULE_DEFAULTS.rsi, confirmTicks: 0 }), /rules\[0\].confirmTicks: must be an integer >= 1/);
  assert.throws(bad({ ...RULE_DEFAULTS['ma-crossover'], slow: 'vwap' }), /rules\[0\].slow: must be one of/);
  assert.throws(bad({ ...RULE_DEFAULTS.bollinger, hysteresis: 2 }), /rules\[0\].hysteresis: must be a fraction/);
  assert.throws(bad({ type: 'all-of', name: 'x', window: 5, confirmTicks: 1, cooldownMs: 0, rules: [] }), /rules\[0\].rules: must list/);
  assert.throws(() => validateRules([RULE_DEFAULTS.rsi, RULE_DEFAULTS.rsi]), /rules\[1\].name: "rsi-30-70" is used/);
  assert.throws(bad({ ...RULE_DEFAULTS.rsi, type: 'stochastic' }), /rules\[0\].type: unknown rule type "stochastic"/);
});

test.run();
