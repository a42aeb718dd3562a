// Seeded BTC-like price series for the indicator tests: reproducible, no Math.random.

/** mulberry32: a tiny seeded PRNG, enough for test data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random walk between 60,000 and 100,000 quoted in cents, like BTC-USD ticks. `step` is the
 * largest move per tick in dollars; a step of 0.05 gives the quiet stretches where TA-Lib's
 * Bollinger variance loses its digits. Some ticks repeat the price, as real feeds do.
 */
export function btcWalk(length: number, seed = 42, step = 150, start = 80_000): number[] {
  const random = seededRandom(seed);
  const prices: number[] = [];
  let price = start;
  for (let i = 0; i < length; i++) {
    const r = random();
    const move = r < 0.1 ? 0 : (random() * 2 - 1) * step;
    price = Math.min(100_000, Math.max(60_000, price + move));
    price = Math.round(price * 100) / 100;
    prices.push(price);
  }
  return prices;
}
