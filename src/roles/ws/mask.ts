// The WebSocket masking transform (RFC 6455 section 5.3): data[i] ^= mask[(phase + i) % 4], in
// place. It is its own inverse, so it both masks and unmasks. `phase` is the offset into the mask
// of data[0]: a frame's payload arriving in pieces continues where the last piece stopped.
//
// Bytes up to a 4-byte boundary of the underlying buffer go one at a time, then whole 32-bit words
// through a Uint32Array view (four bytes per step, in V8 and in XS), then the remaining bytes. The
// mask word is assembled in the platform's byte order (found once, at module init: a constant),
// so the result does not depend on endianness. Nothing at module level changes after init
// (preload-safe). On the device, FrameParserOptions.unmask can replace this with native code.

const WORD_MIN = 16; // shorter data: the byte loop is cheaper than making a view
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** XORs `data` in place with `mask` (4 bytes) starting at mask offset `phase` (0..3); returns the phase after it. */
export function xorMask(data: Uint8Array, mask: Uint8Array, phase: number): number {
  const n = data.length;
  let p = phase & 3;
  let i = 0;
  if (n >= WORD_MIN) {
    const head = (4 - (data.byteOffset & 3)) & 3;
    for (; i < head; i++) {
      data[i] ^= mask[p]!;
      p = (p + 1) & 3;
    }
    const count = (n - head) >>> 2;
    const m0 = mask[p]!, m1 = mask[(p + 1) & 3]!, m2 = mask[(p + 2) & 3]!, m3 = mask[(p + 3) & 3]!;
    const m = LITTLE_ENDIAN ? (m0 | (m1 << 8) | (m2 << 16) | (m3 << 24)) >>> 0 : ((m0 << 24) | (m1 << 16) | (m2 << 8) | m3) >>> 0;
    const words = new Uint32Array(data.buffer, data.byteOffset + head, count);
    let k = 0;
    const k4 = count & ~3;
    for (; k < k4; k += 4) {
      words[k] ^= m;
      words[k + 1] ^= m;
      words[k + 2] ^= m;
      words[k + 3] ^= m;
    }
    for (; k < count; k++) words[k] ^= m;
    i = head + (count << 2);
  }
  for (; i < n; i++) {
    data[i] ^= mask[p]!;
    p = (p + 1) & 3;
  }
  return p;
}
