// How the default strategy was chosen: candidate strategies replayed through the real core over the
// bundled simulated week and over weeks of simulated one-second ticks, with a hypothetical account
// (all in on buy, all out on sell, 0.1 % fee), drawdown marked to market at every hourly close, and
// recommendations per day. Simulated data: a comparison of noise-resistance, never a promise of profit.
//   node --import tsx bench/strategy-evaluation.ts            (prints the Markdown table docs/signals.md shows)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Backtest } from '../core/backtest/backtest.js';
import { initialSimulatorState, stepSimulator, type SimulatorOptions } from '../core/ingest/simulator.js';
import { DEFAULT_INDICATOR_PERIODS } from '../core/indicators/indicator-set.js';
import { SymbolPipeline } from '../core/pipeline.js';
import { RULE_DEFAULTS, type RuleConfig } from '../core/rules/rule-config.js';
import { DEFAULT_STRATEGY, type StrategyConfig } from '../core/strategy/strategy-config.js';

const HOUR = 3_600_000;
const FEE = 0.001;

type Series = { name: string; ticks: () => Iterable<{ ts: number; price: number }> };

function bundledWeek(): Series {
  const file = join(import.meta.dirname, '..', 'examples', 'simulated-btc-usd-1w.csv');
  const rows = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  return {
    name: 'bundled week (1-min rows)',
    ticks: () => rows.map((row) => ({ ts: Date.parse(row.split(',')[0]!), price: Number(row.split(',')[1]) })),
  };
}

function simulatedSeconds(seed: number, days: number): Series {
  const options: SimulatorOptions = { seed, startPrice: 95_000, symbols: ['BTC-USD'], stepSeconds: 1 };
  return {
    name: `simulated 1-s ticks, ${days} days, seed ${seed}`,
    *ticks() {
      let state = initialSimulatorState(options);
      const start = Date.UTC(2026, 0, 1);
      for (let i = 0; i < days * 86_400; i++) {
        const step = stepSimulator(state, options, start + i * 1000);
        state = step.state;
        yield { ts: start + i * 1000, price: step.ticks[0]!.price };
      }
    },
  };
}

/** One rule in and out (its buy side enters, its sell side exits), no stop. */
const pair = (name: string, timeframe: StrategyConfig['timeframe'], rule: RuleConfig): StrategyConfig => ({
  ...DEFAULT_STRATEGY,
  name,
  timeframe,
  stopLossPercent: null,
  entry: [{ ...rule, name: `${rule.name}-in`, confirmTicks: 1, cooldownMs: HOUR }],
  exit: [{ ...rule, name: `${rule.name}-out`, confirmTicks: 1, cooldownMs: HOUR }],
});

export const CANDIDATES: readonly StrategyConfig[] = [
  DEFAULT_STRATEGY,
  { ...pair('bollinger-1h-no-stop', '1h', RULE_DEFAULTS.bollinger), stopLossPercent: null },
  pair('bollinger-15m', '15m', RULE_DEFAULTS.bollinger),
  pair('macd-1h', '1h', { ...RULE_DEFAULTS['macd-cross'], hysteresis: 0 }),
  pair('macd-15m', '15m', { ...RULE_DEFAULTS['macd-cross'], hysteresis: 0 }),
  pair('macd-4h', '4h', { ...RULE_DEFAULTS['macd-cross'], hysteresis: 0 }),
  pair('ema-sma-1h', '1h', { ...RULE_DEFAULTS['ma-crossover'], hysteresis: 0 }),
  pair('rsi-30-70-1h', '1h', RULE_DEFAULTS.rsi),
  pair('rsi-30-70-15m', '15m', RULE_DEFAULTS.rsi),
];

interface Result {
  readonly strategy: string;
  readonly series: string;
  readonly days: number;
  readonly strategyReturn: number;
  readonly holdReturn: number;
  readonly drawdown: number;
  readonly holdDrawdown: number;
  readonly perDay: number;
  readonly alternating: boolean;
}

export function evaluate(strategy: StrategyConfig, series: Series): Result {
  const pipeline = new SymbolPipeline('BTC-USD', { periods: DEFAULT_INDICATOR_PERIODS, timeframes: ['1h'], strategy });
  const account = new Backtest({ feeRate: FEE, slippageRate: 0, timeframe: strategy.timeframe });
  let first: number | undefined;
  let firstTs = 0;
  let lastTs = 0;
  let recommendations = 0;
  let lastSide: string | undefined;
  let alternating = true;
  let peak = 1;
  let holdPeak = 0;
  let drawdown = 0;
  let holdDrawdown = 0;
  for (const { ts, price } of series.ticks()) {
    if (first === undefined) [first, firstTs] = [price, ts];
    lastTs = ts;
    account.observe(ts, price);
    for (const signal of pipeline.step({ symbol: 'BTC-USD', ts, price, source: 'evaluation' }) ?? []) {
      if (signal.kind !== 'recommendation') continue;
      recommendations++;
      if (signal.side === lastSide) alternating = false;
      lastSide = signal.side;
      account.follow(signal.side, ts, price);
    }
    if (pipeline.closedOnLastTick && pipeline.closedCandles().some((candle) => candle.timeframe === '1h')) {
      const equity = account.equityAt(price);
      peak = Math.max(peak, equity);
      drawdown = Math.max(drawdown, 1 - equity / peak);
      holdPeak = Math.max(holdPeak, price);
      holdDrawdown = Math.max(holdDrawdown, 1 - price / holdPeak);
    }
  }
  const summary = account.report();
  const days = (lastTs - firstTs) / 86_400_000;
  return {
    strategy: strategy.name,
    series: series.name,
    days,
    strategyReturn: summary.totalReturn,
    holdReturn: summary.buyAndHoldReturn,
    drawdown,
    holdDrawdown,
    perDay: recommendations / days,
    alternating,
  };
}

function percent(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
}

if (import.meta.filename === process.argv[1]) {
  const datasets = [bundledWeek(), simulatedSeconds(1, 28), simulatedSeconds(2, 28), simulatedSeconds(3, 28)];
  console.log('| strategy | data | return | buy and hold | max drawdown (hold) | recommendations a day | alternate |');
  console.log('|---|---|---|---|---|---|---|');
  for (const strategy of CANDIDATES) {
    for (const series of datasets) {
      const r = evaluate(strategy, series);
      console.log(
        `| ${r.strategy} | ${r.series} | ${percent(r.strategyReturn)} | ${percent(r.holdReturn)} | ${percent(-r.drawdown)} (${percent(-r.holdDrawdown)}) | ${r.perDay.toFixed(2)} | ${r.alternating ? 'yes' : 'NO'} |`,
      );
    }
  }
}
