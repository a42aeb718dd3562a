// Price alerts: a level crossed (armed only from the other side, re-armed past the hysteresis), a
// move since the UTC day's open or within a rolling hour, a new N-day high or low once a day; the
// cooldown drops (never delays); state that survives JSON; ids, kind and timeframe on every alert.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AlertConfig } from '../../../core/alerts/alert-config.js';
import { validateAlerts } from '../../../core/alerts/alert-config.js';
import { AlertEngine } from '../../../core/alerts/alert-engine.js';
import type { Signal } from '../../../core/contracts/index.js';
import { signalId } from '../../../core/rules/signal-id.js';
import { seededRandom } from '../indicators/price-series.js';

const T0 = Date.UTC(2026, 5, 1);
const MIN = 60_000;
const DAY = 86_400_000;
const common = { hysteresisPercent: 1, cooldownMinutes: 0 };

function run(alerts: AlertConfig[], path: ReadonlyArray<readonly [number, number]>): Signal[] {
  const engine = new AlertEngine('BTC-USD', alerts);
  const out: Signal[] = [];
  for (const [ts, price] of path) engine.step(ts, price, out);
  return out;
}

test('above: fires when the price crosses up, not when it starts above; again only after falling 1 % below', () => {
  const above: AlertConfig = { type: 'above', name: 'btc-100k', price: 100_000, ...common };
  assert.equal(
    run(
      [above],
      [
        [T0, 100_500],
        [T0 + MIN, 101_000],
      ],
    ),
    [],
    'already above at start: no crossing',
  );
  const path: Array<[number, number]> = [
    [T0, 98_000],
    [T0 + MIN, 100_001],
    [T0 + 2 * MIN, 99_500],
    [T0 + 3 * MIN, 100_200],
    [T0 + 4 * MIN, 98_900],
    [T0 + 5 * MIN, 100_100],
  ];
  const fired = run([above], path);
  assert.equal(
    fired.map((s) => s.ts),
    [T0 + MIN, T0 + 5 * MIN],
    'the dip to 99,500 was within the hysteresis',
  );
  assert.equal(
    { side: fired[0]!.side, kind: fired[0]!.kind, rule: fired[0]!.rule, timeframe: fired[0]!.timeframe, reason: fired[0]!.reason },
    { side: 'buy', kind: 'alert', rule: 'btc-100k', timeframe: 'tick', reason: 'price 100,001 crossed above 100,000' },
  );
  assert.is(fired[0]!.id, signalId('BTC-USD', T0 + MIN, 'btc-100k', 'alert'));
  const below = run(
    [{ type: 'below', name: 'btc-90k', price: 90_000, ...common }],
    [
      [T0, 91_000],
      [T0 + MIN, 89_999],
    ],
  );
  assert.equal(
    below.map((s) => [s.side, s.reason]),
    [['sell', 'price 89,999 crossed below 90,000']],
  );
});

test('the cooldown drops an alert inside it (it is not delayed)', () => {
  const alert: AlertConfig = { type: 'above', name: 'a', price: 100, hysteresisPercent: 0, cooldownMinutes: 30 };
  const path: Array<[number, number]> = [
    [T0, 99],
    [T0 + MIN, 101],
    [T0 + 2 * MIN, 99],
    [T0 + 3 * MIN, 101],
    [T0 + 40 * MIN, 99],
    [T0 + 41 * MIN, 101],
  ];
  assert.equal(
    run([alert], path).map((s) => s.ts),
    [T0 + MIN, T0 + 41 * MIN],
  );
});

test("move since the UTC day's open: up and down once each until the move shrinks by the hysteresis; a new day starts over", () => {
  const move: AlertConfig = { type: 'move', name: 'day-5', percent: 5, window: 'day', ...common };
  const path: Array<[number, number]> = [
    [T0 + 1000, 100],
    [T0 + MIN, 105.2],
    [T0 + 2 * MIN, 104.5],
    [T0 + 3 * MIN, 106],
    [T0 + 4 * MIN, 103.9],
    [T0 + 5 * MIN, 105.1],
    [T0 + 6 * MIN, 94.9],
    [T0 + DAY + 1000, 94],
    [T0 + DAY + MIN, 89.2],
  ];
  const fired = run([move], path);
  assert.equal(
    fired.map((s) => [s.ts, s.side]),
    [
      [T0 + MIN, 'buy'],
      [T0 + 5 * MIN, 'buy'],
      [T0 + 6 * MIN, 'sell'],
      [T0 + DAY + MIN, 'sell'],
    ],
  );
  assert.is(fired[0]!.reason, "up 5.20 % since the UTC day's open at 100");
  assert.is(fired[3]!.reason, "down 5.11 % since the UTC day's open at 94");
  assert.is(fired[0]!.timeframe, '1d');
});

test('rolling 1 h: against the last price of the minute an hour ago, checked plainly; a silence leaves no reference', () => {
  const random = seededRandom(3);
  const path: Array<[number, number]> = [];
  let price = 100;
  let ts = T0;
  for (let i = 0; i < 20_000; i++) {
    ts += 5_000 + Math.floor(random() * 20_000);
    if (i === 9_000) ts += 3 * 3_600_000;
    price *= 1 + (random() - 0.5) * 0.006;
    path.push([ts, price]);
  }
  const alert: AlertConfig = { type: 'move', name: 'hour-2', percent: 2, window: '1h', hysteresisPercent: 0.5, cooldownMinutes: 0 };
  const fired = run([alert], path);
  // Directly: the last price of minute m - 60, then the same arming rules.
  const lastOfMinute = new Map<number, number>();
  const expected: Array<[number, string]> = [];
  let armedUp = false;
  let armedDown = false;
  for (const [t, p] of path) {
    const minute = Math.floor(t / MIN);
    lastOfMinute.set(minute, p);
    const reference = lastOfMinute.get(minute - 60);
    if (reference === undefined) continue;
    const change = p / reference - 1;
    if (change <= 0.02 - 0.005) armedUp = true;
    if (change >= -0.02 + 0.005) armedDown = true;
    if (armedUp && change >= 0.02) {
      armedUp = false;
      expected.push([t, 'buy']);
    } else if (armedDown && change <= -0.02) {
      armedDown = false;
      expected.push([t, 'sell']);
    }
  }
  assert.ok(expected.length >= 5, `the path moves enough (${expected.length})`);
  assert.equal(
    fired.map((s) => [s.ts, s.side]),
    expected,
  );
});

test('new N-day high and low: only once N days are seen, at most once a UTC day', () => {
  const high: AlertConfig = { type: 'new-high', name: 'high-3d', days: 3, ...common };
  const low: AlertConfig = { type: 'new-low', name: 'low-3d', days: 3, ...common };
  const path: Array<[number, number]> = [
    [T0 + 1000, 100],
    [T0 + 2000, 110],
    [T0 + DAY, 105],
    [T0 + DAY + 1000, 111],
    [T0 + 2 * DAY, 100],
    [T0 + 2 * DAY + 1000, 112],
    [T0 + 2 * DAY + 2000, 113],
    [T0 + 2 * DAY + 3000, 95],
    [T0 + 3 * DAY, 100],
    [T0 + 3 * DAY + 1000, 112.5],
    [T0 + 4 * DAY, 100],
    [T0 + 4 * DAY + 1000, 112],
    [T0 + 5 * DAY, 100],
    [T0 + 5 * DAY + 1000, 112.6],
  ];
  const fired = run([high, low], path);
  assert.equal(
    fired.map((s) => [s.ts, s.rule, s.side]),
    [
      [T0 + 2 * DAY + 1000, 'high-3d', 'buy'],
      [T0 + 2 * DAY + 3000, 'low-3d', 'sell'],
      [T0 + 5 * DAY + 1000, 'high-3d', 'buy'],
    ],
    'day 3: above 111 (days 1-3); day 4: 112.5 < 113 of day 3; day 5: 112 < 113 still; day 6: 112.6 > 112.5 once 113 has left',
  );
  assert.is(fired[0]!.reason, 'new 3-day high 112 (before: 111)');
  assert.is(fired[0]!.timeframe, '3d');
});

test('state survives JSON at any tick: the same alerts as an uninterrupted run', () => {
  const alerts: AlertConfig[] = [
    { type: 'above', name: 'up', price: 101, ...common },
    { type: 'below', name: 'down', price: 99, ...common },
    { type: 'move', name: 'day', percent: 1, window: 'day', ...common },
    { type: 'move', name: 'day24', percent: 1.5, window: '24h', hysteresisPercent: 0.2, cooldownMinutes: 10 },
    { type: 'new-high', name: 'h', days: 2, ...common },
    { type: 'new-low', name: 'l', days: 2, ...common },
  ];
  const random = seededRandom(9);
  const path: Array<[number, number]> = [];
  let price = 100;
  for (let i = 0; i < 30_000; i++) {
    price *= 1 + (random() - 0.5) * 0.004;
    path.push([T0 + i * 20_000, price]);
  }
  const expected = run(alerts, path);
  assert.ok(expected.length > 50);
  let engine = new AlertEngine('BTC-USD', alerts);
  const got: Signal[] = [];
  for (const [ts, p] of path) {
    engine.step(ts, p, got);
    if (random() < 0.003) {
      const restored = new AlertEngine('BTC-USD', alerts);
      restored.restore(JSON.parse(JSON.stringify(engine.snapshot())));
      engine = restored;
    }
  }
  assert.equal(got, expected);
  assert.throws(() => new AlertEngine('BTC-USD', alerts.slice(1)).restore(engine.snapshot()), /alerts.names/);
});

test('symbols: an alert for another symbol does nothing here', () => {
  assert.equal(
    run(
      [{ type: 'above', name: 'eth', price: 100, symbols: ['ETH-USD'], ...common }],
      [
        [T0, 90],
        [T0 + MIN, 110],
      ],
    ),
    [],
  );
});

test('bad configurations are refused naming the key', () => {
  const bad = (alert: Record<string, unknown>) => () =>
    validateAlerts([{ hysteresisPercent: 0.5, cooldownMinutes: 60, ...alert } as unknown as AlertConfig]);
  assert.throws(bad({ type: 'above', name: 'x', price: -1 }), /alerts\[0\]\.price: must be a price above 0/);
  assert.throws(bad({ type: 'move', name: 'x', percent: 5, window: '2h' }), /alerts\[0\]\.window: must be day, 1h or 24h/);
  assert.throws(bad({ type: 'move', name: 'x', percent: 0.2, window: 'day' }), /hysteresisPercent: must be below percent/);
  assert.throws(bad({ type: 'new-high', name: 'x', days: 0 }), /alerts\[0\]\.days/);
  assert.throws(bad({ type: 'moon', name: 'x' }), /unknown alert type "moon"/);
  assert.throws(bad({ type: 'above', name: 'bad name', price: 1 }), /alerts\[0\]\.name/);
});

test.run();
