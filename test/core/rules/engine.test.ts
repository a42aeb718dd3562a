// The rule engine end to end: deterministic ids, snapshot/restore continuity, input and config checks.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Signal } from '../../../core/contracts/index.js';
import type { RuleTick } from '../../../core/rules/rule-engine.js';
import { IndicatorSet } from '../../../core/indicators/indicator-set.js';
import { DEFAULT_RULES, RULE_DEFAULTS, type RuleConfig } from '../../../core/rules/rule-config.js';
import { RuleEngine, type RuleEngineSnapshot } from '../../../core/rules/rule-engine.js';
import { fnv1a64, signalId } from '../../../core/rules/signal-id.js';
import { btcWalk } from '../indicators/price-series.js';
import { rsiPath, START_TS } from './ticks.js';

const test = suite('rule engine');

// A realistic input: the indicator set over a BTC-like walk, one tick a second.
function ticks(length: number, seed: number, step = 150): RuleTick[] {
  const set = new IndicatorSet();
  return btcWalk(length, seed, step).map((price, i) => ({
    symbol: 'BTC-USD',
    ts: START_TS + i * 1000,
    price,
    indicators: { ...set.update(price) },
  }));
}

const rules: RuleConfig[] = [
  ...DEFAULT_RULES.map((r) => ({ ...r, cooldownMs: 20_000 })),
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
const all = (engine: RuleEngine, input: RuleTick[]): Signal[] => input.flatMap((t) => [...engine.step(t)]);

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

test('signal ids depend on (symbol, ts, rule) only, and a replay gives the same signals', () => {
  const first = all(new RuleEngine('BTC-USD', rules), series);
  const replay = all(new RuleEngine('BTC-USD', rules), series);
  assert.ok(first.length > 20, `the walk should produce signals, got ${first.length}`);
  assert.equal(replay, first);
  for (const s of first) assert.is(s.id, signalId(s.symbol, s.ts, s.rule, 'crossing'));
  assert.is(new Set(first.map((s) => s.id)).size, first.length, 'no two signals share an id');
  assert.is.not(signalId('BTC-USD', 1, 'a', 'crossing'), signalId('BTC-USD', 1, 'b', 'crossing'));
  assert.is.not(signalId('BTC-USD', 1, 'a', 'crossing'), signalId('BTC-USD', 2, 'a', 'crossing'));
  assert.is.not(signalId('BTC-USD', 1, 'a', 'crossing'), signalId('ETH-USD', 1, 'a', 'crossing'));
  assert.ok(/^[0-9a-f]{16}$/.test(first[0]!.id));
});

test('snapshot/restore at any tick continues with identical signals, also through JSON', () => {
  const expected = all(new RuleEngine('BTC-USD', rules), series);
  for (const at of [0, 1, 33, 500, 2_345, 4_000, 5_999]) {
    const engine = new RuleEngine('BTC-USD', rules);
    const before = all(engine, series.slice(0, at));
    const json = JSON.parse(JSON.stringify(engine.snapshot())) as RuleEngineSnapshot;
    assert.equal(json, engine.snapshot(), 'the snapshot is plain JSON');
    const restored = RuleEngine.fromSnapshot(json, rules);
    const inPlace = new RuleEngine('BTC-USD', rules);
    inPlace.restore(json);
    assert.equal([...before, ...all(restored, series.slice(at))], expected, `restored at ${at}`);
    assert.equal([...before, ...all(inPlace, series.slice(at))], expected, `restored in place at ${at}`);
  }
});

test('restore refuses another symbol, another configuration and damaged state, changing nothing', () => {
  const engine = new RuleEngine('BTC-USD', rules);
  all(engine, series.slice(0, 100));
  const good = engine.snapshot();
  assert.throws(() => new RuleEngine('ETH-USD', rules).restore(good), /engine.symbol/);
  assert.throws(() => RuleEngine.fromSnapshot(good, DEFAULT_RULES), /different rule configuration/);
  const damaged = JSON.parse(JSON.stringify(good)) as RuleEngineSnapshot & { rules: Array<{ detector: { armed: unknown } }> };
  damaged.rules[0]!.detector.armed = ['yes', false];
  const other = new RuleEngine('BTC-USD', rules);
  all(other, series.slice(0, 50));
  const before = JSON.stringify(other.snapshot());
  assert.throws(() => other.restore(damaged), /engine.rules\[0\] \(rsi-30-70\).detector.armed\[0\]: must be true or false/);
  assert.is(JSON.stringify(other.snapshot()), before);
});

test('rejects a tick for another symbol, out of order, or with a bad price, without changing state', () => {
  const engine = new RuleEngine('BTC-USD', [RULE_DEFAULTS.rsi]);
  const [a, b] = rsiPath([25, 31]);
  engine.step(b!);
  const before = JSON.stringify(engine.snapshot());
  assert.throws(() => engine.step({ ...a!, symbol: 'ETH-USD' }), /got a tick for ETH-USD/);
  assert.throws(() => engine.step(a!), /before the previous tick/);
  assert.throws(() => engine.step({ ...b!, price: Number.NaN }), /price must be a finite number > 0/);
  assert.throws(() => engine.step({ ...b!, ts: 1.5 }), /ts must be epoch ms/);
  assert.is(JSON.stringify(engine.snapshot()), before);
});

test('a rule never emits twice at one ts, even with no cooldown (ids stay unique)', () => {
  const engine = new RuleEngine('BTC-USD', [{ ...RULE_DEFAULTS.rsi, cooldownMs: 0 }]);
  const same = rsiPath([25, 31, 25, 31]).map((t) => ({ ...t, ts: START_TS }));
  assert.is(all(engine, same).length, 1);
});

test('the indicator set on a flat feed, and on a feed of tiny noise, emits no signals', () => {
  const flat = new RuleEngine('BTC-USD');
  const set = new IndicatorSet();
  for (let i = 0; i < 3_000; i++) {
    const tick = { symbol: 'BTC-USD', ts: START_TS + i * 1000, price: 64_000, indicators: { ...set.update(64_000) } };
    assert.equal(flat.step(tick), []);
  }
  // A cent of noise: the MA, MACD and Bollinger hysteresis (fractions of the price) swallow it.
  const quiet = new RuleEngine(
    'BTC-USD',
    DEFAULT_RULES.filter((r) => r.type !== 'rsi'),
  );
  assert.equal(all(quiet, ticks(3_000, 5, 0.01)), []);
});

test('configuration errors name the key', () => {
  const bad =
    (rule: Record<string, unknown>): (() => RuleEngine) =>
    () =>
      new RuleEngine('BTC-USD', [rule as unknown as RuleConfig]);
  assert.throws(bad({ ...RULE_DEFAULTS.rsi, oversold: 80 }), /rules\[0\].oversold: must be below overbought/);
  assert.throws(bad({ ...RULE_DEFAULTS.rsi, confirmTicks: 0 }), /rules\[0\].confirmTicks: must be an integer >= 1/);
  assert.throws(bad({ ...RULE_DEFAULTS['ma-crossover'], slow: 'vwap' }), /rules\[0\].slow: must be one of/);
  assert.throws(bad({ ...RULE_DEFAULTS.bollinger, hysteresis: 2 }), /rules\[0\].hysteresis: must be a fraction/);
  assert.throws(bad({ type: 'all-of', name: 'x', window: 5, confirmTicks: 1, cooldownMs: 0, rules: [] }), /rules\[0\].rules: must list/);
  assert.throws(() => new RuleEngine('BTC-USD', [RULE_DEFAULTS.rsi, RULE_DEFAULTS.rsi]), /rules\[1\].name: "rsi-30-70" is used/);
  assert.throws(bad({ ...RULE_DEFAULTS.rsi, type: 'stochastic' }), /rules\[0\].type: unknown rule type "stochastic"/);
});

test.run();
