// Tick streams for tests: a reproducible BTC-like path as bus messages, and the signals the core
// produces for it when run directly (the expected output of any correct processor), with a
// strategy quick enough for a short path (the default reads 1-hour candles: days of ticks).
import { signalRecord } from '../../core/contracts/index.js';
import { SymbolPipeline, type PipelineSettings } from '../../core/pipeline.js';
import type { Tick } from '../../core/contracts/index.js';
import { btcWalk } from '../core/indicators/price-series.js';

/** Ticks one minute apart (so that the rules' cooldowns let many signals through), symbols interleaved. */
export function tickPath(count: number, symbols: readonly string[] = ['BTC-USD'], seed = 7): Tick[] {
  const perSymbol = symbols.map((_, i) => btcWalk(Math.ceil(count / symbols.length), seed + i, 400));
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const s = i % symbols.length;
    const n = Math.floor(i / symbols.length);
    return { symbol: symbols[s]!, price: perSymbol[s]![n]!, ts: start + n * 60_000, source: 'test', volume: 0.5 };
  });
}

/** 1-minute candles, short periods: a path of ticks a minute apart gives many crossings and recommendations. */
export const TEST_SETTINGS: PipelineSettings = {
  periods: { sma: 5, ema: 5, rsi: 5, macd: { fast: 3, slow: 6, signal: 3 }, bollinger: { period: 5, stdDev: 2 } },
  timeframes: ['5m'],
  strategy: {
    name: 'test-1m',
    timeframe: '1m',
    entry: [
      { type: 'macd-cross', name: 'macd-up', hysteresis: 0, confirmTicks: 1, cooldownMs: 0 },
      { type: 'rsi', name: 'rsi-in', oversold: 30, overbought: 70, hysteresis: 2, confirmTicks: 1, cooldownMs: 0 },
    ],
    exit: [{ type: 'macd-cross', name: 'macd-down', hysteresis: 0, confirmTicks: 1, cooldownMs: 0 }],
    stopLossPercent: 3,
    takeProfitPercent: null,
    minHoldMinutes: 0,
  },
};

/** TEST_SETTINGS as configuration-file lines (YAML), for tests that run the real command. */
export const TEST_SETTINGS_YAML = [
  `indicators: ${JSON.stringify(TEST_SETTINGS.periods)}`,
  `timeframes: ${JSON.stringify(TEST_SETTINGS.timeframes)}`,
  `strategy: ${JSON.stringify(TEST_SETTINGS.strategy)}`,
  '',
].join('\n');

export function expectedSignals(ticks: readonly Tick[], settings: PipelineSettings = TEST_SETTINGS): string[] {
  const pipelines = new Map<string, SymbolPipeline>();
  const out: string[] = [];
  for (const tick of ticks) {
    let pipeline = pipelines.get(tick.symbol);
    if (!pipeline) pipelines.set(tick.symbol, (pipeline = new SymbolPipeline(tick.symbol, settings)));
    for (const signal of pipeline.step(tick) ?? []) out.push(JSON.stringify(signalRecord(signal)));
  }
  return out;
}

export const asMessages = (ticks: readonly Tick[]) => ticks.map((tick) => ({ key: tick.symbol, value: JSON.stringify(tick) }));
