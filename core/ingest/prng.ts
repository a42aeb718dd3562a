// A small seeded pseudo-random generator (mulberry32) whose whole state is one 32-bit integer, so a
// simulation can be saved as JSON and resumed exactly where it stopped.

/** The generator's state: a 32-bit unsigned integer. */
export type PrngState = number;

/** Advances `state` and returns the next state and a uniform number in [0, 1). */
export function nextUniform(state: PrngState): { state: PrngState; value: number } {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  const value = ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  return { state: next, value };
}

/**
 * A standard normal number (Box-Muller, one of the pair kept unused for simplicity of state).
 * Returns the advanced state with it.
 */
export function nextNormal(state: PrngState): { state: PrngState; value: number } {
  const a = nextUniform(state);
  const b = nextUniform(a.state);
  // 1 - u lies in (0, 1], so the logarithm is finite.
  const radius = Math.sqrt(-2 * Math.log(1 - a.value));
  return { state: b.state, value: radius * Math.cos(2 * Math.PI * b.value) };
}
