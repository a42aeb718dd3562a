// Tick streams for tests: a reproducible BTC-like path as bus messages, and the signals the core
// produces for it when run directly (the expected output of any correct processor).
import { signalRecord } from '../../core/contracts/index.js';
import { SymbolPipeline } from '../../core/pipeline.js';
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

export function expectedSignals(ticks: readonly Tick[]): string[] {
  const pipelines = new Map<string, SymbolPipeline>();
  const out: string[] = [];
  for (const tick of ticks) {
    let pipeline = pipelines.get(tick.symbol);
    if (!pipeline) pipelines.set(tick.symbol, (pipeline = new SymbolPipeline(tick.symbol)));
    for (const signal of pipeline.step(tick) ?? []) out.push(JSON.stringify(signalRecord(signal)));
  }
  return out;
}

export const asMessages = (ticks: readonly Tick[]) => ticks.map((tick) => ({ key: tick.symbol, value: JSON.stringify(tick) }));
