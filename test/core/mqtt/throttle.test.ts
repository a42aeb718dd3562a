// The state throttle as a table of times and prices: what goes out at once, what waits and until when.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StateThrottle, type ThrottleDecision } from '../../../core/mqtt/throttle.js';

type Row = readonly [now: number, price: number | null, urgent: boolean, expected: 'now' | number, why: string];

function run(rows: readonly Row[], intervalMs = 10_000, moveFraction = 0.005) {
  const throttle = new StateThrottle({ intervalMs, moveFraction });
  for (const [now, price, urgent, expected, why] of rows) {
    const decision: ThrottleDecision = throttle.offer('BTC-USD', { now, price, urgent });
    assert.equal(decision, expected === 'now' ? { publish: true } : { publish: false, dueAt: expected }, `t=${now} ${why}`);
  }
}

test('at most once per interval, the rest held until the interval ends', () => {
  run([
    [0, 100, false, 'now', 'the first value'],
    [100, 100.1, false, 10_000, 'a small move within the interval waits'],
    [9_999, 100.2, false, 10_000, 'still within it'],
    [10_000, 100.3, false, 'now', 'the interval is over'],
    [10_001, 100.3, false, 20_000, 'the next interval starts at the last publication'],
    [25_000, 100.3, false, 'now', 'long after'],
  ]);
});

test('a recommendation or an alert, and a move over the fraction, go out at once', () => {
  run([
    [0, 100, false, 'now', 'first'],
    [1_000, 100.4, false, 10_000, '0.4 % is under 0.5 %'],
    [2_000, 100.6, false, 'now', '0.6 % since the last published price'],
    [3_000, 100.6, true, 'now', 'a signal or an alert'],
    [4_000, 100.1, false, 13_000, '0.497 % down since 100.6: waits for the interval from the signal'],
    [5_000, 100.0, false, 'now', '0.6 % down'],
    [6_000, null, false, 15_000, 'no price (warming up): only the interval'],
  ]);
});

test('interval 0 publishes every change; symbols are throttled apart', () => {
  run(
    [
      [0, 100, false, 'now', 'first'],
      [1, 100, false, 'now', 'no throttle'],
      [2, 100, false, 'now', 'no throttle'],
    ],
    0,
  );
  const throttle = new StateThrottle({ intervalMs: 1000, moveFraction: 0.005 });
  assert.equal(throttle.offer('BTC-USD', { now: 0, price: 1, urgent: false }), { publish: true });
  assert.equal(throttle.offer('ETH-USD', { now: 10, price: 1, urgent: false }), { publish: true });
  assert.equal(throttle.offer('BTC-USD', { now: 20, price: 1, urgent: false }), { publish: false, dueAt: 1000 });
  throttle.published('BTC-USD', 1000, 1);
  assert.equal(throttle.offer('BTC-USD', { now: 1500, price: 1, urgent: false }), { publish: false, dueAt: 2000 }, 'the flush counts');
});

test.run();
