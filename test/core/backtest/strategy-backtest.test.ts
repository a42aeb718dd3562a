// The pipeline and the account stepped together (what replay and the Strategy view run): the same
// figures as driving SymbolPipeline and Backtest by hand, and an equity curve that stays within its
// bound, keeps its first and last closes, and whose points are the account's equity at those closes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Backtest } from '../../../core/backtest/backtest.js';
import { StrategyBacktest } from '../../../core/backtest/strategy-backtest.js';
import { DEFAULT_PIPELINE_SETTINGS, SymbolPipeline } from '../../../core/pipeline.js';

const HOUR = 3_600_000;
const START = Date.UTC(2025, 0, 1);
const prices = Array.from({ length: 3000 }, (_, i) => 97_000 + 2500 * Math.sin(i / 6) + 900 * Math.sin(i / 1.7) - 5 * i);

test('the same report and trades as the pipeline and the account driven by hand', () => {
  const run = new StrategyBacktest('BTC-USD', DEFAULT_PIPELINE_SETTINGS, { feeRate: 0.001, slippageRate: 0.0005 });
  const pipeline = new SymbolPipeline('BTC-USD', DEFAULT_PIPELINE_SETTINGS);
  const backtest = new Backtest({ feeRate: 0.001, slippageRate: 0.0005, timeframe: '1h' });
  prices.forEach((price, i) => {
    const ts = START + i * HOUR;
    run.step(ts, price);
    const signals = pipeline.step({ symbol: 'BTC-USD', ts, price, source: 'test' })!;
    backtest.observe(ts, price);
    for (const candle of pipeline.closedOnLastTick ? pipeline.closedCandles() : [])
      if (candle.timeframe === '1h') backtest.candleClosed(candle.close);
    for (const signal of signals) if (signal.kind === 'recommendation') backtest.follow(signal.side, signal.ts, signal.price);
  });
  const result = run.result();
  assert.ok(result.report.trades > 10, `${result.report.trades} trades`);
  assert.equal(result.report, backtest.report());
  assert.equal(result.trades, backtest.trades());
});

test('a repeated or older ts is left out and changes nothing', () => {
  const run = new StrategyBacktest('BTC-USD', DEFAULT_PIPELINE_SETTINGS, { feeRate: 0, slippageRate: 0 });
  assert.ok(run.step(START + HOUR, 97_000) !== undefined);
  assert.is(run.step(START + HOUR, 90_000), undefined);
  assert.is(run.step(START, 90_000), undefined);
  assert.is(run.result().report.end, START + HOUR);
});

test('the curve: bounded, evenly thinned, first and last closes kept, points on the account', () => {
  const run = new StrategyBacktest('BTC-USD', DEFAULT_PIPELINE_SETTINGS, { feeRate: 0.001, slippageRate: 0 }, 100);
  prices.forEach((price, i) => run.step(START + i * HOUR, price));
  const { curve, report } = run.result();
  assert.ok(curve.length <= 100 && curve.length >= 50, `${curve.length} points`);
  assert.is(curve[0]!.ts, START);
  assert.is(curve[curve.length - 1]!.ts, START + 2998 * HOUR); // the last closed candle
  const gaps = new Set(curve.slice(1, -1).map((p, i) => p.ts - curve[i]!.ts));
  assert.is(gaps.size, 1, 'evenly spaced');
  for (const point of curve) {
    assert.ok(point.drawdown >= 0 && point.drawdown <= report.maxDrawdown + 1e-12);
    assert.ok(point.holdDrawdown >= 0 && point.holdDrawdown <= report.buyAndHoldMaxDrawdown + 1e-12);
  }
  // Buying and holding at the close of candle i: the units bought at the first price, at that close.
  const first = curve[0]!;
  assert.ok(Math.abs(first.hold - (0.999 / prices[0]!) * prices[0]!) < 1e-12);
  assert.throws(() => new StrategyBacktest('BTC-USD', DEFAULT_PIPELINE_SETTINGS, { feeRate: 0, slippageRate: 0 }, 1), /maxCurvePoints/);
});

test.run();
