// Replay speed: `stock-stream replay --signals-only` over a 1,000,000-row CSV (the real command),
// against reading the same file with a plain loop (the floor) and against the peer libraries doing
// the same indicators over it in-process. Ours also runs four signal rules; the peers do not.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'trading-signals';
import { initialSimulatorState, stepSimulator } from '../core/ingest/simulator.js';
import { btcPrices, type BenchRow } from './bench.js';
import { median } from './roles.js';

const ti = createRequire(import.meta.url)('technicalindicators') as typeof import('technicalindicators');
const ROWS = 1_000_000;
const ROUNDS = 3;
const BIN = join(import.meta.dirname, '..', 'bin', 'stock-stream.js');

/** A random walk as volatile as Bitcoin: the simulator's regimes (35-120 % a year), one tick a second. */
function simulatedPrices(rows: number): Float64Array {
  const options = { seed: 5, startPrice: 95_000, symbols: ['BTC-USD'], stepSeconds: 1 };
  let state = initialSimulatorState(options);
  const prices = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const step = stepSimulator(state, options, i * 1000);
    state = step.state;
    prices[i] = step.ticks[0]!.price;
  }
  return prices;
}

function writeCsv(prices: Float64Array = btcPrices(ROWS, 77)): string {
  const start = Date.UTC(2025, 0, 1);
  const lines = new Array<string>(ROWS + 1);
  lines[0] = 'ts,price,volume';
  for (let i = 0; i < ROWS; i++) lines[i + 1] = `${start + i * 1000},${prices[i]},${((i % 97) / 50).toFixed(4)}`;
  const file = join(mkdtempSync(join(tmpdir(), 'bench-replay-')), 'btc-1m.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Rows of the file as [ts, price] pairs, the way a plain script would read it. */
function plainRows(file: string, each: (ts: number, price: number) => void): void {
  const lines = readFileSync(file, 'latin1').split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const comma = line.indexOf(',');
    each(Number(line.slice(0, comma)), Number(line.slice(comma + 1, line.indexOf(',', comma + 1))));
  }
}

function timed(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / ROWS;
}

const perSecond = (ns: number) => `${(1e9 / ns / 1e6).toFixed(2)} M ticks/s`;

export async function replayBench(): Promise<BenchRow[]> {
  const file = writeCsv();
  const volatile = writeCsv(simulatedPrices(ROWS));
  const samples: Record<string, number[]> = {
    'stock-stream': [],
    'stock-stream, volatile walk': [],
    'hand loop': [],
    'trading-signals': [],
    technicalindicators: [],
  };
  const walls: number[] = [];
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const began = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [BIN, 'replay', '--input', file, '--signals-only'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    walls.push(Number(process.hrtime.bigint() - began) / 1e6);
    const rate = /, (\d+) ticks\/s/.exec(run.stderr);
    if (run.status !== 0 || !rate) throw new Error(`replay failed: ${run.stderr}`);
    samples['stock-stream']!.push(1e9 / Number(rate[1]));
    const walk = spawnSync(process.execPath, [BIN, 'replay', '--input', volatile, '--signals-only'], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    const walkRate = /, (\d+) ticks\/s/.exec(walk.stderr);
    if (walk.status !== 0 || !walkRate) throw new Error(`replay failed: ${walk.stderr}`);
    samples['stock-stream, volatile walk']!.push(1e9 / Number(walkRate[1]));

    samples['hand loop']!.push(timed(() => plainRows(file, (_, price) => (sink += price))));
    samples['trading-signals']!.push(
      timed(() => {
        const [sma, ema, rsi, macd, bb] = [
          new ts.SMA(20),
          new ts.EMA(20),
          new ts.RSI(14),
          new ts.MACD(new ts.EMA(12), new ts.EMA(26), new ts.EMA(9)),
          new ts.BollingerBands(20, 2),
        ];
        plainRows(file, (_, price) => {
          sma.add(price);
          ema.add(price);
          rsi.add(price);
          macd.add(price);
          bb.add(price);
        });
        sink += Number(sma.getResult() ?? 0);
      }),
    );
    samples.technicalindicators!.push(
      timed(() => {
        const sma = new ti.SMA({ period: 20, values: [] });
        const ema = new ti.EMA({ period: 20, values: [] });
        const rsi = new ti.RSI({ period: 14, values: [] });
        const macd = new ti.MACD({
          fastPeriod: 12,
          slowPeriod: 26,
          signalPeriod: 9,
          SimpleMAOscillator: false,
          SimpleMASignal: false,
          values: [],
        });
        const bb = new ti.BollingerBands({ period: 20, stdDev: 2, values: [] });
        plainRows(file, (_, price) => {
          sma.nextValue(price);
          ema.nextValue(price);
          rsi.nextValue(price);
          macd.nextValue(price);
          bb.nextValue(price);
        });
      }),
    );
  }
  if (sink === 42) console.log('');
  const group = 'replay 1M-row CSV';
  return [
    {
      group,
      implementation: 'stock-stream',
      nsPerUpdate: median(samples['stock-stream']!),
      note: `${perSecond(median(samples['stock-stream']!))} (replay --signals-only, its own figure; whole command ${median(walls).toFixed(0)} ms with start-up)`,
    },
    {
      group,
      implementation: 'stock-stream, volatile walk',
      nsPerUpdate: median(samples['stock-stream, volatile walk']!),
      note: `${perSecond(median(samples['stock-stream, volatile walk']!))} (the same over the simulator's Bitcoin-like volatility: more crossings and recommendations)`,
    },
    {
      group,
      implementation: 'hand loop',
      nsPerUpdate: median(samples['hand loop']!),
      note: `${perSecond(median(samples['hand loop']!))} (read, split, Number(): no indicators)`,
    },
    {
      group,
      implementation: 'trading-signals',
      nsPerUpdate: median(samples['trading-signals']!),
      note: `${perSecond(median(samples['trading-signals']!))} (same read, 5 indicators, no rules)`,
    },
    {
      group,
      implementation: 'technicalindicators',
      nsPerUpdate: median(samples.technicalindicators!),
      note: `${perSecond(median(samples.technicalindicators!))} (same read, 5 indicators, no rules)`,
    },
  ];
}
