// Compares an indicator's output series with a reference series, index by index.
import * as assert from 'uvu/assert';

export type Series = readonly (number | null)[];

/** Largest |ours − reference| / scale(i), after checking both are null at the same indices. */
export function maxError(ours: Series, reference: Series, scale: (i: number) => number = () => 1): number {
  assert.is(ours.length, reference.length, 'series lengths differ');
  let worst = 0;
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i] ?? null;
    const b = reference[i] ?? null;
    if (a === null || b === null) {
      assert.ok(a === b, `index ${i}: ours is ${String(a)}, reference is ${String(b)}`);
      continue;
    }
    worst = Math.max(worst, Math.abs(a - b) / scale(i));
  }
  return worst;
}

export function assertClose(ours: Series, reference: Series, tolerance: number, scale?: (i: number) => number): void {
  const worst = maxError(ours, reference, scale);
  assert.ok(worst <= tolerance, `largest error ${worst} exceeds ${tolerance}`);
}

/** Feeds prices one by one and records what `read` sees after each update. */
export function run<T, R = number | null>(
  indicator: T & { update(price: number): unknown },
  prices: readonly number[],
  read: (indicator: T) => R,
): R[] {
  return prices.map((price) => {
    indicator.update(price);
    return read(indicator);
  });
}
