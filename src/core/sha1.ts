// SHA-1 (FIPS 180-4), portable: used for the WebSocket accept key when the platform has no
// native hash. Correct for any input length. It reads the input in place and keeps no state
// between calls (nothing at module level: preload-safe): per call, a 16-word message schedule
// (the rolling form of FIPS 180-4 section 6.1.3) and the 20-byte result. The padding is read on
// the fly, so there is no padded copy of the tail.

/** The 20-byte SHA-1 digest of `data`. */
export function sha1(data: Uint8Array): Uint8Array {
  const w = new Int32Array(16);
  const len = data.length;
  // the padded message: data, 0x80, zeros, the length in bits as 64 bits big-endian
  const blocks = Math.floor((len + 8) / 64) + 1;
  const bitsHi = Math.floor(len / 0x20000000) | 0; // len * 8 / 2^32
  const bitsLo = (len << 3) | 0;
  let h0 = 0x67452301, h1 = 0xefcdab89 | 0, h2 = 0x98badcfe | 0, h3 = 0x10325476, h4 = 0xc3d2e1f0 | 0;
  for (let blk = 0, base = 0; blk < blocks; blk++, base += 64) {
    if (base + 64 <= len) {
      for (let i = 0, j = base; i < 16; i++, j += 4) w[i] = (data[j]! << 24) | (data[j + 1]! << 16) | (data[j + 2]! << 8) | data[j + 3]!;
    } else {
      for (let i = 0, j = base; i < 16; i++) {
        let v = 0;
        for (let k = 0; k < 4; k++, j++) v = (v << 8) | (j < len ? data[j]! : j === len ? 0x80 : 0);
        w[i] = v;
      }
      if (blk === blocks - 1) {
        w[14] = bitsHi;
        w[15] = bitsLo;
      }
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4;
    for (let i = 0; i < 80; i++) {
      let x: number;
      if (i < 16) x = w[i]!;
      else {
        const t = w[(i + 13) & 15]! ^ w[(i + 8) & 15]! ^ w[(i + 2) & 15]! ^ w[i & 15]!;
        x = w[i & 15] = (t << 1) | (t >>> 31);
      }
      let f: number, k: number;
      if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
      else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
      else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc; }
      else { f = b ^ c ^ d; k = 0xca62c1d6; }
      const t = (((a << 5) | (a >>> 27)) + f + e + k + x) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  const out = new Uint8Array(20);
  put32(out, 0, h0);
  put32(out, 4, h1);
  put32(out, 8, h2);
  put32(out, 12, h3);
  put32(out, 16, h4);
  return out;
}

function put32(out: Uint8Array, o: number, v: number): void {
  out[o] = v >>> 24;
  out[o + 1] = v >>> 16;
  out[o + 2] = v >>> 8;
  out[o + 3] = v;
}
