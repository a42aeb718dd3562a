// What a bench module returns, and the timing loop they share: warm up, take turns, take the median.

export interface BenchRow {
  /** What is computed, e.g. "SMA(20)"; rows of one group are compared with each other. */
  group: string;
  implementation: string;
  nsPerUpdate: number;
  /** Shown beside the figures, e.g. the same figure as ticks per second. */
  note?: string;
  /** Latency rows carry their p99 in nsPerUpdate and are printed in ms. */
  unit?: 'ns/update' | 'ms p99';
  /** Named figures the report's summary reads, e.g. { p50Ms, p99Ms }. */
  figures?: Record<string, number>;
}

/** One line of the report's summary: an aim from the issues beside what this run measured. */
export interface SummaryLine {
  figure: string;
  aim: string;
  measured: string;
  verdict: 'met' | 'not met' | 'no aim';
}

/**
 * What a module returns when a table of ns/update does not fit its figures (memory, soak): its own
 * table, notes under it, and its lines of the summary.
 */
export interface BenchSection {
  table: { header: string[]; rows: string[][] };
  notes: string[];
  summary: SummaryLine[];
}

/** A bench module exports one of these; bench/run.ts calls them in turn. */
export type Bench = () => Promise<BenchRow[] | BenchSection>;

export interface Contender {
  implementation: string;
  /** Processes every price once and returns a checksum, so the JIT cannot drop the work. */
  loop: (prices: Float64Array) => number;
  /** Timed rounds; slow peers get fewer so the run stays short. */
  rounds: number;
}

// Written with every checksum so no loop is dead code.
export let sink = 0;

/**
 * Median ns per update of each contender. After two warm-up passes the contenders take turns,
 * round after round, so a burst of load on a shared machine hits all of them alike.
 */
export async function measure(group: string, contenders: Contender[], prices: Float64Array): Promise<BenchRow[]> {
  for (const contender of contenders) for (let i = 0; i < 2; i++) sink += contender.loop(prices);
  const samples = contenders.map((): number[] => []);
  const maxRounds = Math.max(...contenders.map((c) => c.rounds));
  for (let round = 0; round < maxRounds; round++) {
    for (const [i, contender] of contenders.entries()) {
      if (round >= contender.rounds) continue;
      const start = process.hrtime.bigint();
      sink += contender.loop(prices);
      samples[i]!.push(Number(process.hrtime.bigint() - start) / prices.length);
    }
    // Let the event loop breathe between rounds (and GC run outside the timed loops).
    await new Promise((resolve) => setImmediate(resolve));
  }
  return contenders.map((contender, i) => {
    const sorted = samples[i]!.sort((a, b) => a - b);
    return { group, implementation: contender.implementation, nsPerUpdate: sorted[Math.floor(sorted.length / 2)]! };
  });
}

/** The p-th percentile of some values (nearest rank, on a sorted copy). */
export const percentile = (values: readonly number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

/** A reproducible BTC-like random walk (cents, 60,000 to 100,000), the same for every bench. */
export function btcPrices(length: number, seed = 2024): Float64Array {
  const prices = new Float64Array(length);
  let state = seed >>> 0;
  let price = 80_000;
  for (let i = 0; i < length; i++) {
    // xorshift32: cheap and seeded, so every run measures the same series.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const r = (state >>> 0) / 4294967296;
    price = Math.min(100_000, Math.max(60_000, price + (r * 2 - 1) * 150));
    prices[i] = Math.round(price * 100) / 100;
  }
  return prices;
}

/**
 * When the coordinator refused a transaction request with CONCURRENT_TRANSACTIONS (kafkajs retries
 * it), from the processor's JSON log lines: kafkajs logs each refusal twice, as the broker's answer
 * (`Connection`, the error in `error`) and as the producer's retry; the answers are counted.
 */
export function refusedTransactions(logLines: string): number[] {
  return logLines
    .split('\n')
    .filter((line) =>
      /"error":"(?:The producer attempted to update a transaction while another concurrent operation|[^"]*CONCURRENT_TRANSACTIONS)/.test(
        line,
      ),
    )
    .map((line) => Date.parse((JSON.parse(line) as { time: string }).time));
}
