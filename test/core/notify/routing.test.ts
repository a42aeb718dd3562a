// Routing: symbols, sides, kinds and alerts by name pick the subscribers; each channel once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emptyIndicatorValues } from '../../../core/indicators/indicator-set.js';
import type { Notice } from '../../../core/notify/notice.js';
import { route, type SubscriberFilter } from '../../../core/notify/routing.js';

const notice = (over: Partial<Notice>): Notice => ({
  id: 'n1',
  symbol: 'BTC-USD',
  ts: Date.UTC(2026, 0, 1),
  side: 'buy',
  rule: 'rsi-ema',
  price: 97_000,
  reason: 'test',
  kind: 'recommendation',
  timeframe: '1h',
  indicators: emptyIndicatorValues(),
  ...over,
});

const everything: Omit<SubscriberFilter, 'name'> = {
  channels: ['dashboard'],
  symbols: [],
  sides: ['buy', 'sell'],
  kinds: ['recommendation', 'alert'],
  alerts: 'all',
};
const subscribers: SubscriberFilter[] = [
  { ...everything, name: 'all' },
  { ...everything, name: 'recommendations', kinds: ['recommendation'] },
  { ...everything, name: 'alerts', kinds: ['alert'] },
  { ...everything, name: 'chosen', alerts: ['btc-100k'] },
  { ...everything, name: 'chosen-alerts-only', kinds: ['alert'], alerts: ['btc-100k', 'eth-move'] },
];
const who = (n: Notice) => route(n, subscribers).map((target) => target.subscriber);

test('a recommendation reaches every subscriber taking recommendations', () => {
  assert.equal(who(notice({})), ['all', 'recommendations', 'chosen']);
});

test('an alert reaches those taking alerts, and of those naming alerts only the ones naming it', () => {
  assert.equal(who(notice({ kind: 'alert', rule: 'btc-100k', timeframe: 'tick' })), ['all', 'alerts', 'chosen', 'chosen-alerts-only']);
  assert.equal(who(notice({ kind: 'alert', rule: 'eth-move', timeframe: '24h' })), ['all', 'alerts', 'chosen-alerts-only']);
  assert.equal(who(notice({ kind: 'alert', rule: 'other', timeframe: 'tick' })), ['all', 'alerts']);
});

test("alert names do not filter recommendations, even one whose strategy has an alert's name", () => {
  assert.equal(who(notice({ rule: 'btc-100k' })), ['all', 'recommendations', 'chosen']);
});

test('symbols and sides still filter, and a channel listed twice is used once', () => {
  const subs: SubscriberFilter[] = [
    { ...everything, name: 'eth', symbols: ['ETH-USD'] },
    { ...everything, name: 'sells', sides: ['sell'] },
    { ...everything, name: 'twice', channels: ['dashboard', 'email', 'dashboard'] },
  ];
  assert.equal(route(notice({ kind: 'alert', rule: 'a' }), subs), [
    { subscriber: 'twice', channel: 'dashboard' },
    { subscriber: 'twice', channel: 'email' },
  ]);
});

test('crossings reach nobody by kind', () => {
  assert.equal(who(notice({ kind: 'crossing' })), []);
});

test.run();
