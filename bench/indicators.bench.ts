// Indicator speed: our streaming classes vs a hand-written loop (the floor) vs trading-signals and technicalindicators.
import { createRequire } from 'node:module';
import * as ts from 'trading-signals';
import { Bollinger } from '../core/indicators/bollinger.js';
import { Ema } from '../core/indicators/ema.js';
import { Macd } from '../core/indicators/macd.js';
import { Rsi } from '../core/indicators/rsi.js';
import { Sma } from '../core/indicators/sma.js';
import { btcPrices, measure, type BenchRow, type Contender } from './bench.js';
import { bollingerLoop, emaLoop, macdLoop, rsiLoop, smaLoop } from './hand-loops.js';

// A CommonJS bundle whose named exports Node's ESM loader cannot see, hence require.
const ti = createRequire(import.meta.url)('technicalindicators') as typeof import('technicalindicators');

type Loop = (prices: Float64Array) => number;

// Each loop is its own function literal so every call site stays monomorphic, as in real use.
const groups: Array<{ group: string; loops: Record<string, Loop> }> = [
  {
    group: 'SMA(20)',
    loops: {
      'stock-stream': (prices) => {
        const sma = new Sma(20);
        let acc = 0;
        for (let i = 0; i < prices.length; i++) acc += sma.update(prices[i]!) ?? 0;
        return acc;
      },
      'hand loop': (prices) => smaLoop(prices, 20),
      'trading-signals': (prices) => {
        const sma = new ts.SMA(20);
        let acc = 0;
        for (let i = 0; i < prices.length; i++) acc += sma.add(prices[i]!) ?? 0;
        return acc;
      },
      technicalindicators: (prices) => {
        const sma = new ti.SMA({ period: 20, values: [] });
        let acc = 0;
        for (let i = 0; i < prices.length; i++) acc += sma.nextValue(prices[i]!) ?? 0;
        return acc;
      },
    },
  },
  {
    group: 'EMA(20)',
    loops: {
      'stock-stream': (prices) => {
        const ema = new Ema(20);
        let acc = 0;
        for (let i = 0; i < prices.length; i++) acc += ema.update(prices[i]!) ?? 0;
        return acc;
      },
      'hand loop': (prices) => emaLoop(prices, 20),
      'trading-signals': (prices) => {
        const ema = new ts.EMA(20);
        let acc = 0;
        for (let i = 0; i < prices.length; i++) acc += ema.add(prices[i]!) ?? 0;
        return acc;
      },
      technicalindicators: (prices) => {
        const ema = new ti.EMA({ period: 20, values: [] });
        let acc = 0;
        for (let i = 0; i < prices.length; i++) acc += ema.nextValue(prices[i]!) ?? 0;
        return acc;
      },
    },
  },
  {
    group: 'RSI(14)',
    loops: {
      'stock-stream': (prices) => {
        const rsi = new Rsi(14);
        let acc = 0;
        for (let i = 0; i < prices.length; i++) acc += rsi.update(prices[i]!) ?? 0;
        return acc;
      },
      'hand loop': (prices) => rsiLoop(prices, 14),
      'trading-signals': (prices) => {
        const rsi = new ts.RSI(14);
        let acc = 0;
        for (let i = 0; i < prices.length; i++) acc += rsi.add(prices[i]!) ?? 0;
        return acc;
      },
      technicalindicators: (prices) => {
        const rsi = new ti.RSI({ period: 14, values: [] });
        let acc = 0;
        for (let i = 0; i < prices.length; i++) acc += rsi.nextValue(prices[i]!) ?? 0;
        return acc;
      },
    },
  },
  {
    group: 'MACD(12,26,9)',
    loops: {
      'stock-stream': (prices) => {
        const macd = new Macd(12, 26, 9);
        let acc = 0;
        for (let i = 0; i < prices.length; i++) {
          if (macd.update(prices[i]!) !== null) acc += macd.macd! + macd.signal! + macd.histogram!;
        }
        return acc;
      },
      // The same, reading only update's return value: the difference is what reading three
      // nullable getters costs (V8 boxes a double returned through number | null).
      'stock-stream, line only': (prices) => {
        const macd = new Macd(12, 26, 9);
        let acc = 0;
        for (let i = 0; i < prices.length; i++) acc += macd.update(prices[i]!) ?? 0;
        return acc;
      },
      'hand loop': (prices) => macdLoop(prices, 12, 26, 9),
      'trading-signals': (prices) => {
        const macd = new ts.MACD(new ts.EMA(12), new ts.EMA(26), new ts.EMA(9));
        let acc = 0;
        for (let i = 0; i < prices.length; i++) {
          const r = macd.add(prices[i]!);
          if (r) acc += r.macd + r.signal + r.histogram;
        }
        return acc;
      },
      technicalindicators: (prices) => {
        const options = { fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false };
        const macd = new ti.MACD({ ...options, values: [] });
        let acc = 0;
        for (let i = 0; i < prices.length; i++) {
          const r = macd.nextValue(prices[i]!);
          if (r?.signal !== undefined) acc += r.MACD! + r.signal + r.histogram!;
        }
        return acc;
      },
    },
  },
  {
    group: 'Bollinger(20,2)',
    loops: {
      'stock-stream': (prices) => {
        const bb = new Bollinger(20, 2);
        let acc = 0;
        for (let i = 0; i < prices.length; i++) {
          if (bb.update(prices[i]!) !== null) acc += bb.upper! + bb.middle! + bb.lower!;
        }
        return acc;
      },
      'stock-stream, middle only': (prices) => {
        const bb = new Bollinger(20, 2);
        let acc = 0;
        for (let i = 0; i < prices.length; i++) acc += bb.update(prices[i]!) ?? 0;
        return acc;
      },
      'hand loop': (prices) => bollingerLoop(prices, 20, 2),
      'trading-signals': (prices) => {
        const bb = new ts.BollingerBands(20, 2);
        let acc = 0;
        for (let i = 0; i < prices.length; i++) {
          const r = bb.add(prices[i]!);
          if (r) acc += r.upper + r.middle + r.lower;
        }
        return acc;
      },
      technicalindicators: (prices) => {
        const bb = new ti.BollingerBands({ period: 20, stdDev: 2, values: [] });
        let acc = 0;
        for (let i = 0; i < prices.length; i++) {
          const r = bb.nextValue(prices[i]!);
          if (r) acc += r.upper + r.middle + r.lower;
        }
        return acc;
      },
    },
  },
];

const OURS = 'stock-stream';

export async function indicatorsBench(): Promise<BenchRow[]> {
  const prices = btcPrices(1_000_000);
  const rows: BenchRow[] = [];
  for (const { group, loops } of groups) {
    const contenders: Contender[] = Object.entries(loops).map(([implementation, loop]) => ({
      implementation,
      loop,
      // The peers are one to two orders slower; three rounds still give a median.
      rounds: implementation.startsWith(OURS) || implementation === 'hand loop' ? 11 : 3,
    }));
    rows.push(...(await measure(group, contenders, prices)));
  }
  return rows;
}
