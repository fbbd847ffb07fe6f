// Test data for the raw DEFLATE codec's tests (test/unit/deflate-codec.test.ts,
// test/node/deflate-codec-zlib.test.ts): deterministic in Node and XS.

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** mulberry32: deterministic in both engines */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const WORDS = ["id", "name", "value", "status", "ok", "error", "items", "count", "user", "alpha", "beta", "gamma", "delta", "true", "false", "null"];
/** JSON-like text with a skewed vocabulary: compresses well, as messages do */
export function jsonText(n: number, seed: number): Uint8Array {
  const r = prng(seed);
  let s = "[";
  while (s.length < n) {
    const w = WORDS[Math.floor(r() * r() * WORDS.length)];
    s += `{"${w}":${Math.floor(r() * 1000)},"${WORDS[Math.floor(r() * WORDS.length)]}":"${w}${Math.floor(r() * 50)}"},`;
  }
  return ascii(s.slice(0, n));
}
export function randomBytes(n: number, seed: number): Uint8Array {
  const r = prng(seed), b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (r() * 256) | 0;
  return b;
}
/** text, random bytes, long runs and far repeats, in turn, in pieces of 50 to 50 + `maxPiece` bytes */
export function mixed(n: number, seed: number, maxPiece = 1500): Uint8Array {
  const r = prng(seed), b = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    const k = Math.min(n - i, 50 + Math.floor(r() * maxPiece)), kind = Math.floor(r() * 4);
    if (kind === 0) b.set(jsonText(k, seed + i), i);
    else if (kind === 1) b.set(randomBytes(k, seed + i), i);
    else if (kind === 2) b.fill(Math.floor(r() * 256), i, i + k);
    else for (let j = 0; j < k; j++) b[i + j] = i > 0 ? b[Math.floor(r() * i * 0.3) + j % 7] : 7;
    i += k;
  }
  return b;
}

