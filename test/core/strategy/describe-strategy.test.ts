// The strategy in words: every condition type on either side, the timeframes and "forming", the
// protections, and the periods of the indicator configuration.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_INDICATOR_PERIODS } from '../../../core/indicators/indicator-set.js';
import { describeStrategy } from '../../../core/strategy/describe-strategy.js';
import { DEFAULT_STRATEGY, type StrategyConfig } from '../../../core/strategy/strategy-config.js';

test('the default strategy, sentence by sentence', () => {
  assert.equal(describeStrategy(DEFAULT_STRATEGY, DEFAULT_INDICATOR_PERIODS), [
    'bollinger-1h reads 1-hour candles and holds one stance: flat (no position) or long (spot, no shorting).',
    'Buy when flat: the price comes back above the lower Bollinger band (20 candles, 2 standard deviations) (by more than 0.02 % of the price) on a 1-hour close, then quiet for 1 h [back-above-lower-band].',
    'Sell when long: the price comes back below the upper Bollinger band (20 candles, 2 standard deviations) (by more than 0.02 % of the price) on a 1-hour close, then quiet for 1 h [back-below-upper-band].',
    'Stop-loss: sell when the price falls 5 % below the entry price (checked on every tick).',
  ]);
});

test('every rule type, other timeframes, forming candles, take-profit and minimum hold', () => {
  const strategy: StrategyConfig = {
    name: 'mixed',
    timeframe: '5m',
    entry: [
      { type: 'rsi', name: 'rsi', oversold: 30, overbought: 70, hysteresis: 2, confirmTicks: 3, cooldownMs: 300_000, timeframe: '1h' },
      {
        type: 'all-of',
        name: 'both',
        window: 10,
        confirmTicks: 1,
        cooldownMs: 0,
        rules: [
          { type: 'ma-crossover', name: 'x', fast: 'ema', slow: 'sma', hysteresis: 0, confirmTicks: 1, cooldownMs: 0 },
          { type: 'macd-cross', name: 'm', hysteresis: 0.0001, confirmTicks: 1, cooldownMs: 0 },
        ],
      },
    ],
    exit: [{ type: 'bollinger', name: 'out', mode: 'breakout', hysteresis: 0, confirmTicks: 1, cooldownMs: 0, on: 'forming' }],
    stopLossPercent: null,
    takeProfitPercent: 8,
    minHoldMinutes: 90,
  };
  const lines = describeStrategy(strategy, { ...DEFAULT_INDICATOR_PERIODS, rsi: 21 });
  assert.is(lines[0], 'mixed reads 5-minute candles and holds one stance: flat (no position) or long (spot, no shorting).');
  assert.is(
    lines[1],
    'Buy when flat: RSI 21 comes back above 30 after falling below 28 on a 1-hour close, held for 3 ticks, then quiet for 5 min [rsi].',
  );
  assert.match(
    lines[2]!,
    /^Buy when flat: all of \(EMA \d+ crosses above SMA \d+; the MACD line \(12, 26\) crosses above its signal line \(9\) \(by more than 0\.01 % of the price\)\) within 10 ticks on a 5-minute close \[both\]\.$/,
  );
  assert.is(
    lines[3],
    'Sell when long: the price breaks down through the lower Bollinger band (20 candles, 2 standard deviations) on the forming 5-minute candle (at most once per candle) [out].',
  );
  assert.is(lines[4], 'Take-profit: sell when the price rises 8 % above the entry price (checked on every tick).');
  assert.is(lines[5], 'An exit condition is not acted on before the position is 90 minutes old (the stops are).');
  assert.is(lines.length, 6);
  const never = describeStrategy({ ...strategy, exit: [], takeProfitPercent: null }, DEFAULT_INDICATOR_PERIODS);
  assert.is(never[never.length - 1], 'Nothing ever sells: no exit condition, no stop-loss, no take-profit.');
});

test.run();
