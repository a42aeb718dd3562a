// The floor for the indicator bench: the same algorithms as core/indicators, written as one flat loop each.
// No classes, no validation, no null handling: what our classes cost is the distance to these.
// Same math and same outputs, bit for bit: each returns the sum of every output the indicator
// publishes, which test/core/indicators/hand-loops.test.ts checks against the classes.

export function smaLoop(prices: Float64Array, period: number): number {
  const ring = new Float64Array(period);
  let head = 0,
    sum = 0,
    cycleSum = 0,
    acc = 0;
  for (let i = 0; i < prices.length; i++) {
    const x = prices[i]!;
    sum += x - ring[head]!;
    ring[head] = x;
    cycleSum += x;
    if (++head === period) {
      head = 0;
      sum = cycleSum;
      cycleSum = 0;
    }
    if (i >= period - 1) acc += sum / period;
  }
  return acc;
}

export function emaLoop(prices: Float64Array, period: number): number {
  const k = 2 / (period + 1);
  let ema = 0,
    acc = 0;
  for (let i = 0; i < prices.length; i++) {
    const x = prices[i]!;
    if (i < period) {
      ema += x;
      if (i === period - 1) ema /= period;
      else continue;
    } else {
      ema = (x - ema) * k + ema;
    }
    acc += ema;
  }
  return acc;
}

/**
 * emaLoop with its running value kept in memory between prices, as any streaming object must keep
 * it between update calls: the loop-carried dependency then goes through a store and a load
 * (store-to-load forwarding, a few cycles) instead of a register. This is the floor for a class.
 */
export function emaLoopStateInMemory(prices: Float64Array, period: number): number {
  const k = 2 / (period + 1);
  // An object field, as in a class; NaN first so V8 gives the field a double representation.
  const state = { ema: Number.NaN };
  state.ema = 0;
  let acc = 0;
  for (let i = 0; i < prices.length; i++) {
    const x = prices[i]!;
    if (i < period) {
      state.ema += x;
      if (i === period - 1) state.ema /= period;
      else continue;
    } else {
      state.ema = (x - state.ema) * k + state.ema;
    }
    acc += state.ema;
  }
  return acc;
}

export function rsiLoop(prices: Float64Array, period: number): number {
  let previous = prices[0]!,
    gain = 0,
    loss = 0,
    acc = 0;
  for (let i = 1; i < prices.length; i++) {
    const x = prices[i]!;
    const change = x - previous;
    previous = x;
    if (i <= period) {
      if (change < 0) loss -= change;
      else gain += change;
      if (i < period) continue;
      gain /= period;
      loss /= period;
    } else {
      loss *= period - 1;
      gain *= period - 1;
      if (change < 0) loss -= change;
      else gain += change;
      loss /= period;
      gain /= period;
    }
    let total = gain + loss;
    // The flush core/indicators/rsi.ts does after a long flat stretch (RSI 50, not 0 or 100).
    if (total !== 0 && total < Math.abs(x) * Number.EPSILON) {
      gain = 0;
      loss = 0;
      total = 0;
    }
    acc += total === 0 ? 50 : 100 * (gain / total);
  }
  return acc;
}

export function macdLoop(prices: Float64Array, fast: number, slow: number, signal: number): number {
  const kFast = 2 / (fast + 1),
    kSlow = 2 / (slow + 1),
    kSignal = 2 / (signal + 1);
  let fastEma = 0,
    slowEma = 0,
    signalEma = 0,
    signalCount = 0,
    acc = 0;
  for (let i = 0; i < prices.length; i++) {
    const x = prices[i]!;
    if (i < slow) {
      slowEma += x;
      if (i >= slow - fast) fastEma += x;
      if (i < slow - 1) continue;
      slowEma /= slow;
      fastEma /= fast;
    } else {
      fastEma = (x - fastEma) * kFast + fastEma;
      slowEma = (x - slowEma) * kSlow + slowEma;
    }
    const line = fastEma - slowEma;
    if (signalCount < signal) {
      signalEma += line;
      if (++signalCount < signal) continue;
      signalEma /= signal;
    } else {
      signalEma = (line - signalEma) * kSignal + signalEma;
    }
    acc += line + signalEma + (line - signalEma);
  }
  return acc;
}

export function bollingerLoop(prices: Float64Array, period: number, stdDev: number): number {
  const ring = new Float64Array(period);
  let head = 0,
    filled = 0,
    mean = 0,
    m2 = 0,
    reference = 0,
    cycleSum = 0,
    cycleSquares = 0,
    flatRun = 0,
    acc = 0;
  for (let i = 0; i < prices.length; i++) {
    const x = prices[i]!;
    const old = ring[head]!;
    if (filled < period) {
      filled++;
      const delta = x - mean;
      mean += delta / filled;
      m2 += delta * (x - mean);
    } else {
      const next = mean + (x - old) / period;
      m2 += (x - old) * (x - next + (old - mean));
      mean = next;
    }
    flatRun = filled > 1 && x === ring[head === 0 ? period - 1 : head - 1] ? Math.min(flatRun + 1, period) : 1;
    ring[head] = x;
    if (head === 0) {
      reference = x;
      cycleSum = 0;
      cycleSquares = 0;
    }
    const d = x - reference;
    cycleSum += d;
    cycleSquares += d * d;
    if (++head === period) {
      head = 0;
      mean = reference + cycleSum / period;
      m2 = Math.max(0, cycleSquares - (cycleSum * cycleSum) / period);
    }
    if (filled < period) continue;
    const middle = flatRun === period ? x : mean;
    const width = flatRun === period || m2 <= 0 ? 0 : stdDev * Math.sqrt(m2 / period);
    acc += middle + width + middle + (middle - width);
  }
  return acc;
}
