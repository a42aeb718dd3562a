// The notifications topic's contract: what the notifier's dashboard channel publishes passes the check
// every web role applies, and malformed or hostile records are refused with a one-line reason.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkNotification, MAX_NOTIFIED_SIGNALS, notificationRecord } from '../../../core/contracts/index.js';

const ts = Date.UTC(2026, 0, 1, 12);
const signal = {
  id: 'BTC-USD:1767268800000:macd-up',
  symbol: 'BTC-USD',
  side: 'buy',
  price: 97000.5,
  ts,
  rule: 'macd-up',
  reason: 'MACD crossed up',
};
const record = notificationRecord({
  id: 'ss-0123abcd',
  subscriber: 'alice',
  title: 'BUY BTC-USD',
  text: 'signal id: x',
  ts,
  signals: [signal] as never,
});

test('a record as the dashboard channel publishes it passes unchanged, through JSON', () => {
  const checked = checkNotification(JSON.parse(JSON.stringify(record)));
  assert.ok(checked.ok);
  assert.equal(checked.ok && checked.value, {
    id: 'ss-0123abcd',
    subscriber: 'alice',
    title: 'BUY BTC-USD',
    text: 'signal id: x',
    ts,
    signals: [signal],
  });
});

test('malformed and hostile records are refused with the field at fault', () => {
  const cases: Array<[unknown, RegExp]> = [
    [null, /^not an object$/],
    [[record], /^not an object$/],
    [{ ...record, type: 'signal' }, /^type: must be "notification"$/],
    [{ ...record, id: '<script>' }, /^id: /],
    [{ ...record, id: 'x'.repeat(129) }, /^id: /],
    [{ ...record, subscriber: '' }, /^subscriber: /],
    [{ ...record, title: { toString: 'x' } }, /^title: must be text$/],
    [{ ...record, text: 42 }, /^text: must be text$/],
    [{ ...record, ts: 'now' }, /^ts: /],
    [{ ...record, ts: 1 }, /^ts: /],
    [{ ...record, signals: 'all' }, /^signals: must be a list of at most 1000 signals$/],
    [{ ...record, signals: Array(MAX_NOTIFIED_SIGNALS + 1).fill(signal) }, /^signals: must be a list/],
    [{ ...record, signals: [{ ...signal, side: 'hold' }] }, /^signals\[0\]: side: /],
    [{ ...record, signals: [signal, { ...signal, price: -1 }] }, /^signals\[1\]: price/],
    [{ ...record, signals: [null] }, /^signals\[0\]: not an object$/],
  ];
  for (const [value, reason] of cases) {
    const checked = checkNotification(value);
    assert.is(checked.ok, false, JSON.stringify(value)?.slice(0, 80));
    assert.match(!checked.ok ? checked.reason : '', reason);
    assert.not.match(!checked.ok ? checked.reason : '', /\n/, 'one line');
  }
});

test('long texts are clipped, not refused; a future ts passes only below the bound given', () => {
  const long = checkNotification({ ...record, title: 't'.repeat(10_000), text: 'x'.repeat(100_000) });
  assert.ok(long.ok && long.value.title.length === 200 && long.value.text.length === 4000);
  assert.is(checkNotification(record, ts + 1).ok, true);
  assert.is(checkNotification(record, ts - 1).ok, false);
});

test('a record without a type (written before it had one) still reads', () => {
  const { type: _type, ...untyped } = record;
  assert.is(checkNotification(untyped).ok, true);
});

test.run();
