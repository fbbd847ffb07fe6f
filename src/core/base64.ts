// Base64 (RFC 4648 section 4, the standard alphabet with "=" padding), strict: decoding refuses
// anything that base64Encode() could not have produced (a length not a multiple of 4, characters
// outside the alphabet, white space, misplaced or missing padding, non-zero pad bits).

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** character code -> 6-bit value, or -1 */
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

/** Base64 text of `bytes`, padded. */
export function base64Encode(bytes: Uint8Array): string {
  // Pieces of at most 4 KiB of text, joined once: repeated concatenation of one long string is
  // quadratic in XS.
  const CHUNK = 3072;
  if (bytes.length <= CHUNK) return encodeChunk(bytes);
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) parts.push(encodeChunk(bytes.subarray(i, i + CHUNK)));
  return parts.join("");
}

function encodeChunk(bytes: Uint8Array): string {
  const n = bytes.length;
  let out = "";
  let i = 0;
  for (; i + 3 <= n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[v >>> 18]! + ALPHABET[(v >>> 12) & 63]! + ALPHABET[(v >>> 6) & 63]! + ALPHABET[v & 63]!;
  }
  if (n - i === 1) {
    const v = bytes[i]!;
    out += ALPHABET[v >>> 2]! + ALPHABET[(v << 4) & 63]! + "==";
  } else if (n - i === 2) {
    const v = (bytes[i]! << 8) | bytes[i + 1]!;
    out += ALPHABET[v >>> 10]! + ALPHABET[(v >>> 4) & 63]! + ALPHABET[(v << 2) & 63]! + "=";
  }
  return out;
}

function value(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c < 128 ? VALUES[c]! : -1;
}

/** The bytes encoded by `text`, or null when it is not canonical padded base64. */
export function base64Decode(text: string): Uint8Array | null {
  const n = text.length;
  if (n % 4 !== 0) return null;
  if (n === 0) return new Uint8Array(0);
  const pad = text.charCodeAt(n - 1) !== 61 ? 0 : text.charCodeAt(n - 2) !== 61 ? 1 : 2; // "="
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
