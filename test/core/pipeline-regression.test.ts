// The pipeline's whole output over a long price path, pinned to what it produced before the hot
// path was reworked (raw indicator slots, lazy reasons, BigInt-free ids): same signals, same ids,
// same reasons, same records and same snapshots, for the default rules and for one of every kind.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { btcPrices } from '../../bench/bench.js';
import { DEFAULT_INDICATOR_PERIODS } from '../../core/indicators/indicator-set.js';
import { signalRecord } from '../../core/contracts/index.js';
import { SymbolPipeline, type PipelineSettings } from '../../core/pipeline.js';
import { DEFAULT_RULES, RULE_DEFAULTS, type RuleConfig } from '../../core/rules/rule-config.js';
import { fnv1a64 } from '../../core/rules/signal-id.js';

const test = suite('pipeline output over a long path');

// Every rule type, both Bollinger modes, confirmation, price as a series, and both combinations.
const everyKind: RuleConfig[] = [
  ...DEFAULT_RULES.map((r) => ({ ...r, name: `${r.name}-x`, cooldownMs: 20_000 })),
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

// Recorded with the code as it was before the rework (commit 0cbcfba).
test('the default rules: the same output as before', () => {
  assert.is(
    fingerprint({ periods: DEFAULT_INDICATOR_PERIODS, rules: DEFAULT_RULES }, 200_000, 77),
    '2429 6f14af3e75a82de6 0086ed34deb7297f',
  );
});

test('a rule of every kind: the same output as before', () => {
  assert.is(fingerprint({ periods: DEFAULT_INDICATOR_PERIODS, rules: everyKind }, 200_000, 78), '59720 191715abda5c97e9 8649902bd0804790');
});

test.run();
