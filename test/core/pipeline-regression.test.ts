// The pipeline's whole output over a long price path, pinned: same signals, same ids, same reasons,
// same records and same snapshots, for the default strategy and for one using a rule of every kind
// on several timeframes, on the forming candle, with stop-loss and take-profit. A change of any of
// them is a change of what people are told: update the fingerprints only on purpose.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { btcPrices } from '../../bench/bench.js';
import { DEFAULT_INDICATOR_PERIODS } from '../../core/indicators/indicator-set.js';
import { signalRecord } from '../../core/contracts/index.js';
import { SymbolPipeline, type PipelineSettings } from '../../core/pipeline.js';
import { RULE_DEFAULTS, type RuleConfig } from '../../core/rules/rule-config.js';
import type { AlertConfig } from '../../core/alerts/alert-config.js';
import { DEFAULT_STRATEGY, type StrategyConfig } from '../../core/strategy/strategy-config.js';
import { fnv1a64 } from '../../core/rules/signal-id.js';

const test = suite('pipeline output over a long path');

// Every rule type, both Bollinger modes, confirmation, price as a series, and both combinations.
const everyKind: RuleConfig[] = [
  ...Object.values(RULE_DEFAULTS).map((r) => ({ ...r, name: `${r.name}-x`, cooldownMs: 20_000 })),
  { ...RULE_DEFAULTS.rsi, name: 'rsi-confirmed', confirmTicks: 4, cooldownMs: 0 },
  { ...RULE_DEFAULTS['ma-crossover'], name: 'price-bb', fast: 'price', slow: 'bbMiddle', confirmTicks: 2, cooldownMs: 0 },
  { ...RULE_DEFAULTS.bollinger, name: 'bb-break', mode: 'breakout', cooldownMs: 0 },
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
  {
    type: 'any-of',
    name: 'macd-or-ma',
    window: 10,
    confirmTicks: 1,
    cooldownMs: 0,
    rules: [
      { ...RULE_DEFAULTS['macd-cross'], name: 'macd-inner', confirmTicks: 1, cooldownMs: 0 },
      { ...RULE_DEFAULTS['ma-crossover'], name: 'ma-inner', confirmTicks: 1, cooldownMs: 0 },
    ],
  },
];

/**
 * "signals fnv(signal and record lines) fnv(snapshots)": every signal line, a record every 997
 * ticks, and a snapshot every 50,021 ticks from which the run continues through JSON.
 */
function fingerprint(settings: PipelineSettings, length: number, seed: number): string {
  const prices = btcPrices(length, seed);
  let pipeline = new SymbolPipeline('BTC-USD', settings);
  const lines: string[] = [];
  const snapshots: string[] = [];
  let signals = 0;
  for (let i = 0; i < length; i++) {
    const tick = { symbol: 'BTC-USD', ts: Date.UTC(2025, 0, 1) + i * 1000, price: prices[i]!, source: 'test' };
    for (const signal of pipeline.step(tick)!) {
      lines.push(JSON.stringify(signalRecord(signal)));
      signals++;
    }
    if (i % 997 === 0) lines.push(JSON.stringify(pipeline.record(tick)));
    if (i % 50_021 === 0) {
      const snapshot = JSON.stringify(pipeline.snapshot());
      snapshots.push(snapshot);
      pipeline = SymbolPipeline.restore('BTC-USD', JSON.parse(snapshot), settings);
    }
  }
  return `${signals} ${fnv1a64(lines.join('\n'))} ${fnv1a64(snapshots.join('\n'))}`;
}

const everyKindStrategy: StrategyConfig = {
  name: 'every-kind',
  timeframe: '1m',
  entry: everyKind.map((rule) => ({ ...rule, name: `${rule.name}-in`, ...(rule.type === 'rsi' ? { timeframe: '5m' as const } : {}) })),
  exit: [
    ...everyKind.slice(0, 4).map((rule) => ({ ...rule, name: `${rule.name}-out` })),
    { ...RULE_DEFAULTS['ma-crossover'], name: 'price-ema-forming', fast: 'price' as const, slow: 'ema' as const, on: 'forming' as const },
  ],
  stopLossPercent: 1.5,
  takeProfitPercent: 3,
  minHoldMinutes: 10,
};

const everyAlert: AlertConfig[] = [
  { type: 'above', name: 'above-81k', price: 81_000, hysteresisPercent: 0.2, cooldownMinutes: 30 },
  { type: 'below', name: 'below-79k', price: 79_000, hysteresisPercent: 0.2, cooldownMinutes: 0 },
  { type: 'move', name: 'day-1pct', percent: 1, window: 'day', hysteresisPercent: 0.3, cooldownMinutes: 60 },
  { type: 'move', name: 'hour-half', percent: 0.5, window: '1h', hysteresisPercent: 0.1, cooldownMinutes: 10 },
  { type: 'new-high', name: 'high-1d', days: 1, hysteresisPercent: 0, cooldownMinutes: 0 },
  { type: 'new-low', name: 'low-2d', days: 2, hysteresisPercent: 0, cooldownMinutes: 0 },
];

// Recorded when the strategies on candles and the alerts arrived (issue 15); the records' hash again
// when they gained `warmup` while a timeframe is short of candles (issue 16): the signals and the
// snapshots kept their hashes, and the records without that field hash as before.
test('the default strategy: the same output as when recorded', () => {
  assert.is(
    fingerprint({ periods: DEFAULT_INDICATOR_PERIODS, timeframes: ['1m', '5m'], strategy: DEFAULT_STRATEGY }, 200_000, 77),
    '6 3151c8f8037ab3c7 d15f85cb992a24d0',
  );
});

test('a rule of every kind, several timeframes, forming, stops, every alert: the same output as when recorded', () => {
  assert.is(
    fingerprint({ periods: DEFAULT_INDICATOR_PERIODS, timeframes: ['15m'], strategy: everyKindStrategy, alerts: everyAlert }, 200_000, 78),
    '3122 0bbef21ff4d12cb0 4f3638cd605cb37c',
  );
});

test.run();
