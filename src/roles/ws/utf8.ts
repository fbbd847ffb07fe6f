// Incremental UTF-8 validation (RFC 3629; the Unicode Standard, table 3-7 "Well-Formed UTF-8 Byte
// Sequences"), failing fast: push() returns false at the first byte after which the input seen
// since reset() can no longer be the beginning of valid UTF-8 — an overlong form (C0, C1, E0 80..9F,
// F0 80..8F), a surrogate (ED A0..BF), a code point above U+10FFFF (F4 90..BF, F5..FF), a stray
// continuation byte, a lead byte where a continuation byte is due — or, on the final push, at the
// end of a truncated sequence. The WebSocket parser uses it for TEXT messages across fragments;
// the role uses it after inflating a compressed message.
//
// ASCII runs are skipped four bytes at a time through a 32-bit view of the aligned middle of the
// chunk (the byte loop is what costs in XS).

const WORD_SCAN_MIN = 32; // below this many bytes a 32-bit view is not worth its allocation

export class Utf8Validator {
  /** @param native a platform's whole-buffer UTF-8 check (PlatformHooks.isUtf8), used as a fast path */
  constructor(private readonly native: ((bytes: Uint8Array) => boolean) | null = null) {}
  /** continuation bytes still due in the current sequence */
  private need = 0;
  /** allowed range of the next continuation byte */
  private lo = 0x80;
  private hi = 0xbf;
  /** bytes pushed since reset() (or since the last successful final push) */
  private total = 0;
  private bad = -1;

  /**
   * The offset, counted from reset() (or from the end of the last message completed by a final
   * push), of the first byte that made the input invalid; the length of the input for a sequence
   * left truncated by the final push; -1 while the input is valid.
   */
  get failedAt(): number {
    return this.bad;
  }

  /**
   * Feeds the next bytes; `final` when they end the text. Returns false as soon as the input is
   * invalid (then always false until reset()). A successful final push starts a new text.
   */
  push(bytes: Uint8Array, final: boolean): boolean {
    if (this.bad >= 0) return false;
    const n = bytes.length;
    // a platform's native whole-buffer check, for the common case: nothing
    // pending and the piece valid and complete; anything else takes the exact
    // path below (which finds the failing byte, or a sequence cut at the end)
    if (this.need === 0 && this.native && n >= 64 && this.native(bytes)) {
      this.total = final ? 0 : this.total + n;
      return true;
    }
    let need = this.need, lo = this.lo, hi = this.hi;
    let i = 0;
    let words: Uint32Array | null = null;
    while (i < n) {
      const b = bytes[i]!;
      if (need === 0) {
        if (b < 0x80) {
          i++;
          if (n - i >= WORD_SCAN_MIN) {
            // an ASCII run: bytes up to a 4-byte boundary, then whole words, then bytes
            const base = bytes.byteOffset;
            while (i < n && (base + i) & 3) {
              if (bytes[i]! >= 0x80) break;
              i++;
            }
            if (i < n && !((base + i) & 3) && bytes[i]! < 0x80) {
              if (words === null) {
                const start = (base + 3) & ~3;
                words = new Uint32Array(bytes.buffer, start, (base + n - start) >>> 2);
              }
              let k = (base + i - ((base + 3) & ~3)) >>> 2;
              const kn = words.length;
              while (k + 4 <= kn && ((words[k]! | words[k + 1]! | words[k + 2]! | words[k + 3]!) & 0x80808080) === 0) k += 4;
              while (k < kn && (words[k]! & 0x80808080) === 0) k++;
              i = ((base + 3) & ~3) - base + (k << 2);
            }
          }
          continue;
        }
        if (b < 0xc2) break;
        if (b < 0xe0) {
          need = 1;
        } else if (b < 0xf0) {
          need = 2;
          if (b === 0xe0) lo = 0xa0;
          else if (b === 0xed) hi = 0x9f;
        } else if (b < 0xf5) {
          need = 3;
          if (b === 0xf0) lo = 0x90;
          else if (b === 0xf4) hi = 0x8f;
        } else break;
      } else {
        if (b < lo || b > hi) break;
        need--;
        lo = 0x80;
        hi = 0xbf;
      }
      i++;
    }
    if (i < n) {
      this.bad = this.total + i;
      return false;
    }
    this.total += n;
    if (final) {
      if (need !== 0) {
        this.bad = this.total;
        return false;
      }
      this.total = 0;
    }
    this.need = need;
    this.lo = lo;
    this.hi = hi;
    return true;
  }

  /** Forgets everything pushed: a new text begins. */
  reset(): void {
    this.need = 0;
    this.lo = 0x80;
    this.hi = 0xbf;
    this.total = 0;
    this.bad = -1;
  }
}

/** True when `bytes` is a complete, valid UTF-8 text. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return new Utf8Validator().push(bytes, true);
}
