// The tick contract's bounds on volume: finite sums whatever the ticks say.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkTick, MAX_VOLUME } from '../../../core/contracts/index.js';

const tick = (volume: unknown) => ({ symbol: 'BTC-USD', price: 97000, ts: Date.UTC(2025, 0, 1), source: 'test', volume });

test('a volume above the bound is refused, so a day of summed volumes stays finite', () => {
  // Two ticks of 1e308 each, each finite, would sum to Infinity in a daily or candle figure.
  assert.is(1e308 + 1e308, Number.POSITIVE_INFINITY);
  const huge = checkTick(tick(1e308));
  assert.equal(huge, { ok: false, reason: `volume: must be a finite number from 0 to ${MAX_VOLUME}` });
  assert.is(checkTick(tick(MAX_VOLUME * 1.5)).ok, false);
  // A billion ticks at the bound still sum to a finite number.
  assert.ok(Number.isFinite(MAX_VOLUME * 1e9));
});

test("volumes from 0 up to the bound pass, as do a cheap coin's large trades", () => {
  for (const volume of [0, 0.00000001, 21_000_000, 1e11, MAX_VOLUME]) {
    const checked = checkTick(tick(volume));
    assert.ok(checked.ok && checked.tick.volume === volume, String(volume));
  }
  assert.is(checkTick(tick(-1)).ok, false);
  assert.is(checkTick(tick(Number.POSITIVE_INFINITY)).ok, false);
});

test.run();
