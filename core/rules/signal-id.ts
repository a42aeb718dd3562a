// Deterministic signal ids: FNV-1a 64-bit over (symbol, ts, rule or strategy, kind), as 16 hex digits.

// The 64-bit basis and prime as 32-bit halves. The prime is 2^40 + 0x1b3, so multiplying by it is
// a multiply by 0x1b3 plus a shift by 40: plain doubles and Math.imul, no BigInt per byte.
const BASIS_HIGH = 0xcbf29ce4;
const BASIS_LOW = 0x84222325;
const PRIME_LOW = 0x1b3;
const TWO_32 = 0x1_0000_0000;

/** FNV-1a 64 of the UTF-8 bytes of `text` (the published FNV test vectors are in the tests). */
export function fnv1a64(text: string): string {
  const length = encodeUtf8(text);
  let high = BASIS_HIGH;
  let low = BASIS_LOW;
  for (let i = 0; i < length; i++) {
    low = (low ^ buffer[i]!) >>> 0;
    // low * 0x1b3 < 2^41: exact as a double; its top bits carry into the high half.
    const product = low * PRIME_LOW;
    high = (Math.imul(high, PRIME_LOW) + Math.floor(product / TWO_32) + (low << 8)) >>> 0;
    low = product >>> 0;
  }
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}

// Reused: ids are made one at a time, and most are short ASCII.
let buffer = new Uint8Array(64);

/** Writes the UTF-8 bytes of `text` (a lone surrogate as U+FFFD, as TextEncoder does) into `buffer`; returns their count. */
function encodeUtf8(text: string): number {
  if (buffer.length < text.length * 3) buffer = new Uint8Array(text.length * 3);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      buffer[n++] = code;
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        code = 0xfffd;
      }
    }
    if (code < 0x800) {
      buffer[n++] = 0xc0 | (code >> 6);
    } else if (code < 0x10000) {
      buffer[n++] = 0xe0 | (code >> 12);
      buffer[n++] = 0x80 | ((code >> 6) & 0x3f);
    } else {
      buffer[n++] = 0xf0 | (code >> 18);
      buffer[n++] = 0x80 | ((code >> 12) & 0x3f);
      buffer[n++] = 0x80 | ((code >> 6) & 0x3f);
    }
    buffer[n++] = 0x80 | (code & 0x3f);
  }
  return n;
}

// NUL separators: no symbol, number, name or kind contains one, so two different inputs never share one.
export function signalId(symbol: string, ts: number, rule: string, kind: string): string {
  return fnv1a64(`${symbol}\u0000${ts}\u0000${rule}\u0000${kind}`);
}
