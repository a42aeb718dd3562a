// Generated observations for the validation fuzz test: good ticks, and good ticks broken in one way
// each, with the reason code the ingestor must give. Seeded, so a failure can be replayed.
import type { RejectReason } from '../../../cluster/ingest/source.js';

export interface FuzzCase {
  readonly candidate: Record<string, unknown>;
  readonly raw: string;
  readonly expected: 'accept' | RejectReason;
  readonly what: string;
}

export const FUZZ_LIMITS = { symbols: ['BTC-USD', 'ETH-USD'], maxClockSkewMs: 10_000, maxAgeMs: 3_600_000 } as const;

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Mutation = [
  what: string,
  expected: RejectReason,
  apply: (tick: Record<string, unknown>, now: number, random: () => number) => unknown,
];

const BAD_NUMBERS: unknown[] = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  -1e-9,
  '42000',
  null,
  true,
  {},
  [],
  [42000],
  1e13,
];
const pick = <T>(random: () => number, values: readonly T[]): T => values[Math.floor(random() * values.length)]!;

const MUTATIONS: Mutation[] = [
  ['price missing', 'invalid', (t) => void delete t.price],
  ['price bad', 'invalid', (t, _n, r) => void (t.price = pick(r, [...BAD_NUMBERS, 0]))],
  ['ts missing', 'invalid', (t) => void delete t.ts],
  [
    'ts bad',
    'invalid',
    (t, n, r) =>
      void (t.ts = pick(r, [...BAD_NUMBERS.filter((v) => v !== 1e13), 0, n + 0.5, new Date(n).toISOString(), Math.floor(n / 1000)])),
  ],
  ['ts future', 'future', (t, n, r) => void (t.ts = n + FUZZ_LIMITS.maxClockSkewMs + 1 + Math.floor(r() * 1e9))],
  ['ts too old', 'too-old', (t, n, r) => void (t.ts = n - FUZZ_LIMITS.maxAgeMs - 1 - Math.floor(r() * 1e10))],
  [
    'symbol bad',
    'invalid',
    (t, _n, r) =>
      void (t.symbol = pick(r, [
        'btc-usd',
        'BTCUSD',
        '',
        'B-USD',
        'BTC-',
        `${'X'.repeat(11)}-USD`,
        'BTC-USD ',
        42,
        null,
        ['BTC-USD'],
        'BTC/USD',
      ])),
  ],
  ['symbol missing', 'invalid', (t) => void delete t.symbol],
  ['symbol unknown', 'unknown-symbol', (t, _n, r) => void (t.symbol = pick(r, ['DOGE-USD', 'BTC-EUR', 'ETH-BTC']))],
  ['source bad', 'invalid', (t, _n, r) => void (t.source = pick(r, [undefined, '', 42, 'x'.repeat(100), 'a b']))],
  [
    'volume bad',
    'invalid',
    (t, _n, r) =>
      void (t.volume = pick(
        r,
        BAD_NUMBERS.filter((v) => v !== null && v !== 1e13),
      )),
  ],
  ['bid bad', 'invalid', (t, _n, r) => void (t.bid = pick(r, [...BAD_NUMBERS.filter((v) => v !== null && v !== 1e13), 0]))],
  ['bid above ask', 'invalid', (t) => void ((t.bid = 2), (t.ask = 1))],
];

/** `count` cases, roughly a third good; good ones get unique times so none is a duplicate. */
export function fuzzCases(count: number, now: number, seed = 1): FuzzCase[] {
  const random = mulberry32(seed);
  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const tick: Record<string, unknown> = {
      symbol: pick(random, FUZZ_LIMITS.symbols),
      price: Math.round((1 + random() * 100_000) * 100) / 100,
      // Spread over the allowed window, one millisecond per case apart.
      ts: now - FUZZ_LIMITS.maxAgeMs + 60_000 + i,
      source: 'fuzz',
    };
    if (random() < 0.5) tick.volume = Math.round(random() * 1000) / 100;
    if (random() < 0.3)
      Object.assign(tick, {
        bid: (tick.price as number) - 1 > 0 ? (tick.price as number) - 0.5 : undefined,
        ask: (tick.price as number) + 0.5,
      });
    if (random() < 0.2) tick[pick(random, ['extra', 'exchange', '__proto__x', 'nested'])] = pick(random, [1, 'x', { deep: [1, 2] }, null]);
    if (random() < 0.35) {
      cases.push({ candidate: tick, raw: JSON.stringify(tick), expected: 'accept', what: 'good' });
      continue;
    }
    const [what, expected, apply] = pick(random, MUTATIONS);
    apply(tick, now, random);
    let raw: string;
    try {
      raw = JSON.stringify(tick);
    } catch {
      raw = String(tick);
    }
    // Now and then a huge raw payload: the DLQ keeps a bounded piece of it.
    if (random() < 0.02) raw += ' '.repeat(50_000 + Math.floor(random() * 50_000));
    cases.push({ candidate: tick, raw, expected, what });
  }
  return cases;
}
