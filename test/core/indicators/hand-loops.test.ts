// The bench's floor must compute what our classes compute, or the ratios in `npm run bench` mean nothing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { btcPrices } from '../../../bench/bench.js';
import { bollingerLoop, emaLoop, emaLoopStateInMemory, macdLoop, rsiLoop, smaLoop } from '../../../bench/hand-loops.js';
import { Bollinger } from '../../../core/indicators/bollinger.js';
import { Ema } from '../../../core/indicators/ema.js';
import { Macd } from '../../../core/indicators/macd.js';
import { Rsi } from '../../../core/indicators/rsi.js';
import { Sma } from '../../../core/indicators/sma.js';

const test = suite('bench hand loops');

// A random walk and 2,000 frozen ticks (RSI flush, Bollinger flat bands), twice.
const walk = btcPrices(3_000);
const frozen = new Array<number>(2_000).fill(walk[2_999]!);
const prices = new Float64Array([...walk, ...frozen, ...walk, ...frozen]);

/** Sums the outputs in the order the hand loops add them, skipping the warm-up (NaN). */
function checksum(update: (price: number) => number, outputs: () => readonly number[]): number {
  let acc = 0;
  for (const price of prices) {
    if (Number.isNaN(update(price))) continue;
    const [first, ...rest] = outputs();
    let sum = first!;
    for (const x of rest) sum += x;
    acc += sum;
  }
  return acc;
}

test('every hand loop returns bit for bit the sum of the outputs of our class', () => {
  const sma = new Sma(20);
  const ema = new Ema(20);
  const rsi = new Rsi(14);
  const macd = new Macd(12, 26, 9);
  const bb = new Bollinger(20, 2);
  const cases: Array<[string, number, number]> = [
    [
      'SMA',
      smaLoop(prices, 20),
      checksum(
        (p) => sma.updateRaw(p),
        () => [sma.value!],
      ),
    ],
    [
      'EMA',
      emaLoop(prices, 20),
      checksum(
        (p) => ema.updateRaw(p),
        () => [ema.value!],
      ),
    ],
    ['EMA, state in memory', emaLoopStateInMemory(prices, 20), emaLoop(prices, 20)],
    [
      'RSI',
      rsiLoop(prices, 14),
      checksum(
        (p) => rsi.updateRaw(p),
        () => [rsi.value!],
      ),
    ],
    [
      'MACD',
      macdLoop(prices, 12, 26, 9),
      checksum(
        (p) => macd.updateRaw(p),
        () => [...macd.raw],
      ),
    ],
    [
      'Bollinger',
      bollingerLoop(prices, 20, 2),
      checksum(
        (p) => bb.updateRaw(p),
        () => [...bb.raw],
      ),
    ],
  ];
  for (const [name, hand, ours] of cases) assert.ok(Object.is(hand, ours), `${name}: hand loop ${hand}, ours ${ours}`);
  assert.is(rsi.value, 50, 'the flat stretch reached the RSI flush');
});

test.run();
