// Number formatting for signal reasons: fixed decimals, no locale, so replays produce identical text.

export function fixed(value: number, decimals = 2): string {
  return value.toFixed(decimals);
}
