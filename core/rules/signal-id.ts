// Deterministic signal ids: FNV-1a 64-bit over (symbol, ts, rule), as 16 hex digits.

const OFFSET_BASIS = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const utf8 = new TextEncoder();

/** FNV-1a 64 of the UTF-8 bytes of `text` (the published FNV test vectors are in the tests). */
export function fnv1a64(text: string): string {
  let hash = OFFSET_BASIS;
  for (const byte of utf8.encode(text)) {
    hash = ((hash ^ BigInt(byte)) * PRIME) & MASK;
  }
  return hash.toString(16).padStart(16, '0');
}

// NUL separators: no symbol or number contains one, so two different triples never share an input.
export function signalId(symbol: string, ts: number, rule: string): string {
  return fnv1a64(`${symbol}\u0000${ts}\u0000${rule}`);
}
