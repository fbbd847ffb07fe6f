// Base64 (RFC 4648 section 4, the standard alphabet with "=" padding), strict: decoding refuses
// anything that base64Encode() could not have produced (a length not a multiple of 4, characters
// outside the alphabet, white space, misplaced or missing padding, non-zero pad bits).
//
// Written for XS, where every method call on a string primitive (s.charCodeAt(i), s[i],
// s.length) allocates a wrapper object: characters are read through String.prototype.charCodeAt
// called directly, and text is made from byte codes. The tables are built once and only read
// (preload-safe).

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const charCodeAt = String.prototype.charCodeAt;
const fromCharCode = String.fromCharCode;

/** 6-bit value -> character code */
const CODES = new Uint8Array(64);
/** character code -> 6-bit value, or -1 */
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  const c = ALPHABET.charCodeAt(i);
  CODES[i] = c;
  VALUES[c] = i;
}

/** the code of text[i] (no wrapper object in XS) */
export function codeAt(text: string, i: number): number {
  return charCodeAt.call(text, i);
}

/** The length of base64Encode()'s text for `n` bytes. */
export function base64Length(n: number): number {
  return Math.ceil(n / 3) * 4;
}

/** Writes the base64 text of `bytes` as character codes into `out` at `at`; returns the end. */
export function base64EncodeInto(bytes: Uint8Array, out: Uint8Array, at: number): number {
  const n = bytes.length;
  let o = at;
  let i = 0;
  for (; i + 3 <= n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = CODES[v >>> 18]!;
    out[o++] = CODES[(v >>> 12) & 63]!;
    out[o++] = CODES[(v >>> 6) & 63]!;
    out[o++] = CODES[v & 63]!;
  }
  if (n - i === 1) {
    const v = bytes[i]!;
    out[o++] = CODES[v >>> 2]!;
    out[o++] = CODES[(v << 4) & 63]!;
    out[o++] = 61;
    out[o++] = 61;
  } else if (n - i === 2) {
    const v = (bytes[i]! << 8) | bytes[i + 1]!;
    out[o++] = CODES[v >>> 10]!;
    out[o++] = CODES[(v >>> 4) & 63]!;
    out[o++] = CODES[(v << 2) & 63]!;
    out[o++] = 61;
  }
  return o;
}

/** Base64 text of `bytes`, padded. */
export function base64Encode(bytes: Uint8Array): string {
  const codes = new Uint8Array(base64Length(bytes.length));
  base64EncodeInto(bytes, codes, 0);
  // characters made in slices (XS passes apply()'s arguments on its stack), joined once:
  // repeated concatenation of one long string is quadratic in XS
  const SLICE = 128;
  if (codes.length <= SLICE) return fromCharCode.apply(null, codes as unknown as number[]);
  const parts: string[] = [];
  for (let i = 0; i < codes.length; i += SLICE) parts.push(fromCharCode.apply(null, codes.subarray(i, i + SLICE) as unknown as number[]));
  return parts.join("");
}

function value(text: string, i: number): number {
  const c = charCodeAt.call(text, i);
  return c < 128 ? VALUES[c]! : -1;
}

/** True when `text` is the canonical padded base64 of exactly `n` bytes (checked without decoding it). */
export function isBase64Of(text: string, n: number): boolean {
  const len = text.length;
  if (len !== base64Length(n)) return false;
  const pad = (3 - (n % 3)) % 3;
  const full = len - pad;
  for (let i = 0; i < full; i++) if (value(text, i) < 0) return false;
  for (let i = full; i < len; i++) if (charCodeAt.call(text, i) !== 61) return false;
  // the bits past the last byte are zero
  if (pad === 2) return (value(text, full - 1) & 15) === 0;
  if (pad === 1) return (value(text, full - 1) & 3) === 0;
  return true;
}

/** The bytes encoded by `text`, or null when it is not canonical padded base64. */
export function base64Decode(text: string): Uint8Array | null {
  const n = text.length;
  if (n % 4 !== 0) return null;
  if (n === 0) return new Uint8Array(0);
  const pad = charCodeAt.call(text, n - 1) !== 61 ? 0 : charCodeAt.call(text, n - 2) !== 61 ? 1 : 2; // "="
  const out = new Uint8Array((n / 4) * 3 - pad);
  const full = pad ? n - 4 : n;
  let o = 0;
  for (let i = 0; i < full; i += 4) {
    const a = value(text, i), b = value(text, i + 1), c = value(text, i + 2), d = value(text, i + 3);
    if ((a | b | c | d) < 0) return null;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >>> 16;
    out[o++] = v >>> 8;
    out[o++] = v;
  }
  if (pad) {
    const a = value(text, full), b = value(text, full + 1);
    if ((a | b) < 0) return null;
    if (pad === 2) {
      if (b & 15) return null; // non-zero pad bits
      out[o] = (a << 2) | (b >>> 4);
    } else {
      const c = value(text, full + 2);
      if (c < 0 || c & 3) return null;
      out[o++] = (a << 2) | (b >>> 4);
      out[o] = (b << 4) | (c >>> 2);
    }
  }
  return out;
}
