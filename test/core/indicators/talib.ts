// Calls the real TA-Lib C library (npm `talib`, a node addon) to get reference values for the tests.
import { createRequire } from 'node:module';

interface TalibResult {
  begIndex: number;
  nbElement: number;
  result: Record<string, number[]>;
}
interface Talib {
  execute(request: Record<string, unknown>): TalibResult;
}

const talib = createRequire(import.meta.url)('talib') as Talib;

/**
 * Runs a TA-Lib function over the whole series and returns each output aligned with the input:
 * index i holds the value after price i, or null during TA-Lib's lookback.
 */
export function talibSeries(name: string, prices: readonly number[], options: Record<string, number>): Record<string, (number | null)[]> {
  const run = talib.execute({ name, startIdx: 0, endIdx: prices.length - 1, inReal: prices, ...options });
  const aligned: Record<string, (number | null)[]> = {};
  for (const [key, values] of Object.entries(run.result)) {
    aligned[key] = prices.map((_, i) => (i < run.begIndex ? null : (values[i - run.begIndex] ?? null)));
  }
  return aligned;
}

/** TA-Lib's lookback: the index of its first output for these settings. */
export function talibLookback(name: string, options: Record<string, number>, length = 2000): number {
  const prices = Array.from({ length }, (_, i) => 100 + Math.sin(i));
  return talib.execute({ name, startIdx: 0, endIdx: length - 1, inReal: prices, ...options }).begIndex;
}
