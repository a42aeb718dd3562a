// Each rule on hand-made paths that must and must not trigger.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RULE_DEFAULTS, type RuleConfig } from '../../../core/rules/rule-config.js';
import { fire, path, rsiPath, type Fired, type PathTick } from './ticks.js';

const test = suite('rules');

const run = (rule: RuleConfig, ticks: PathTick[]): Fired[] => fire([rule], ticks);
const sides = (signals: Array<{ side: string; index: number }>): string[] => signals.map((s) => `${s.side}@${s.index}`);
const rsi = { ...RULE_DEFAULTS.rsi, cooldownMs: 0 };

test('RSI: buy when it comes back above 30 from below, sell when back below 70 from above', () => {
  const signals = run(rsi, rsiPath([50, 40, 27, 22, 25, 29.9, 31, 45, 60, 72.5, 80, 71, 69, 55]));
  assert.equal(sides(signals), ['buy@6', 'sell@12']);
  assert.is(signals[0]!.reason, 'RSI rose back above 30 after falling to 22.00 (now 31.00)');
  assert.is(signals[1]!.reason, 'RSI fell back below 70 after rising to 80.00 (now 69.00)');
  assert.is(signals[0]!.rule, 'rsi-30-70');
});

test('RSI: entering or staying in a zone is not a signal; a shallow dip inside the hysteresis is not either', () => {
  assert.equal(run(rsi, rsiPath([50, 35, 25, 20, 15, 10, 12, 9])), []);
  assert.equal(run(rsi, rsiPath([50, 60, 75, 85, 90])), []);
  // Dips to 29 and 28.5 only: never below 30 − 2, so never armed.
  assert.equal(run(rsi, rsiPath([50, 29, 31, 28.5, 33, 71, 68.5, 72, 69])), []);
  // Warm-up (null) ticks change nothing.
  assert.equal(sides(run(rsi, rsiPath([null, 25, null, null, 31]))), ['buy@4']);
});

test('RSI: noise around 30 does not flap once armed and fired', () => {
  // Armed by 25, fires once at 30.5; the noise around 30 afterwards never dips below 28.
  const noisy = [25, 30.5, 29.5, 30.4, 29.1, 30.9, 28.6, 31, 29, 30.2];
  assert.equal(sides(run(rsi, rsiPath(noisy))), ['buy@1']);
});

test('MA crossover: EMA over SMA buys, under sells, with hysteresis as a fraction of price', () => {
  const rule = { ...RULE_DEFAULTS['ma-crossover'], confirmTicks: 1, cooldownMs: 0 };
  // Gap in dollars at price 80,000; hysteresis 0.0005 → 40 dollars.
  const gaps = [-100, -60, -10, 5, 30, 80, 20, -5, -20, -45, 10, -30, 50];
  const ticks = path(gaps.length, (i) => ({ ema: 80_000 + gaps[i]!, sma: 80_000 }));
  const signals = run(rule, ticks);
  assert.equal(sides(signals), ['buy@3', 'sell@7', 'buy@10']);
  assert.is(signals[0]!.reason, 'EMA crossed above SMA (EMA 80005.00, SMA 80000.00)');
  // Tiny wiggles (never beyond ±40) around the crossing produce nothing.
  const wiggle = path(20, (i) => ({ ema: 80_000 + (i % 2 === 0 ? 15 : -15), sma: 80_000 }));
  assert.equal(run(rule, wiggle), []);
});

test('MACD: line crossing its signal line', () => {
  const rule = { ...RULE_DEFAULTS['macd-cross'], confirmTicks: 1, cooldownMs: 0 };
  const hist = [-30, -12, -2, 3, 15, 40, 6, -1, -9, 2];
  const ticks = path(hist.length, (i) => ({ macd: 50 + hist[i]!, macdSignal: 50, macdHist: hist[i]! }));
  const signals = run(rule, ticks);
  // Hysteresis 0.0001 × 80,000 = 8 dollars: the dip to −9 re-arms the buy, so index 9 counts.
  assert.equal(sides(signals), ['buy@3', 'sell@7', 'buy@9']);
  assert.is(signals[0]!.reason, 'MACD line crossed above its signal line (MACD 53.00, signal 50.00)');
  const shallow = [-5, 3, -6, 4, -7, 2];
  assert.equal(
    run(
      rule,
      path(shallow.length, (i) => ({ macd: 0, macdSignal: 0, macdHist: shallow[i]! })),
    ),
    [],
  );
});

test('Bollinger reversion: back inside from below buys, from above sells', () => {
  const rule = { ...RULE_DEFAULTS.bollinger, cooldownMs: 0 };
  const prices = [80_000, 79_000, 78_900, 79_150, 80_000, 81_100, 81_200, 80_900, 80_000];
  const ticks = path(prices.length, (i) => ({ price: prices[i]!, bbLower: 79_100, bbMiddle: 80_000, bbUpper: 81_000 }));
  const signals = run(rule, ticks);
  assert.equal(sides(signals), ['buy@3', 'sell@7']);
  assert.is(signals[0]!.reason, 'price came back above the lower band (price 79150.00, lower band 79100.00)');
});

test('Bollinger breakout: through the upper band buys, through the lower sells', () => {
  const rule = { ...RULE_DEFAULTS.bollinger, name: 'bb-breakout', mode: 'breakout' as const, cooldownMs: 0 };
  const prices = [80_000, 81_050, 80_500, 78_900, 80_000];
  const ticks = path(prices.length, (i) => ({ price: prices[i]!, bbLower: 79_000, bbMiddle: 80_000, bbUpper: 81_000 }));
  assert.equal(sides(run(rule, ticks)), ['buy@1', 'sell@3']);
});

test('a flat price (bands collapsed onto it, RSI 50, no gap) never signals', () => {
  const flat = path(500, () => ({
    price: 70_000,
    rsi: 50,
    sma: 70_000,
    ema: 70_000,
    macd: 0,
    macdSignal: 0,
    macdHist: 0,
    bbUpper: 70_000,
    bbMiddle: 70_000,
    bbLower: 70_000,
  }));
  assert.equal(fire(Object.values(RULE_DEFAULTS), flat), []);
});

test.run();
