// A raw DEFLATE (RFC 1951) codec in plain TypeScript: no zlib, no Node modules, only what XS
// has. The sim platform uses it for permessage-deflate inside XS, and it stands in for the
// Moddable SDK's inflate/deflate modules. It follows zlib where the RFC leaves room (which
// incomplete codes are accepted, what a sync flush looks like) so that streams interoperate.

const EMPTY = new Uint8Array(0);

// ------------------------------------------------------------------ RFC 1951 tables

const LEN_BASE = Uint16Array.of(3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258);
const LEN_EXTRA = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0);
const DIST_BASE = Uint16Array.of(
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
);
const DIST_EXTRA = Uint8Array.of(0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13);
const CL_ORDER = Uint8Array.of(16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15);

const REV8 = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let r = 0;
  for (let b = 0; b < 8; b++) if (i & (1 << b)) r |= 0x80 >>> b;
  REV8[i] = r;
}
/** Huffman codes are defined MSB-first but packed LSB-first, so both sides work with them reversed. */
function reverse(code: number, len: number): number {
  return ((REV8[code & 255] << 8) | REV8[code >>> 8]) >>> (16 - len);
}

// scratch for table building; every user runs to completion synchronously
const COUNT = new Uint16Array(16);
const NEXT = new Uint16Array(16);
const SYMCODE = new Uint16Array(320);
const SUBMAX = new Uint8Array(1024);
const SUBOFF = new Int32Array(1024);

/** Fills NEXT with the first canonical code of each length; COUNT must hold the counts. */
function firstCodes(): void {
  COUNT[0] = 0;
  let code = 0;
  for (let b = 1; b < 16; b++) {
    code = (code + COUNT[b - 1]) << 1;
    NEXT[b] = code;
  }
}

// ------------------------------------------------------------------ inflate

/** Why inflating failed: the data is not DEFLATE, or it expands past the caller's limit. */
export class InflateError extends Error {
  readonly kind: "invalid" | "too big";
  constructor(kind: "invalid" | "too big", detail?: string) {
    super(detail ? `${kind}: ${detail}` : kind);
    this.name = "InflateError";
    this.kind = kind;
  }
}
const bad = (detail: string) => new InflateError("invalid", detail);
const tooBig = () => new InflateError("too big", "output exceeds the limit");

/**
 * A decoding table. An entry is one of
 *   leaf:    symbol << 8 | code length (1..15)
 *   link:    subtable offset << 8 | 16 | subtable index bits
 *   INVALID: a leaf whose symbol no caller accepts, so the range checks that follow every
 *            decode catch it without a test of their own on the fast path.
 */
interface Table {
  t: Int32Array;
  bits: number;
}
const INVALID = (999 << 8) | 1;

/**
 * Builds the table for the code with lengths lens[off, off+n), with at most `maxRoot` bits
 * looked up at once (longer codes go through a second level). Returns false where zlib rejects
 * the lengths: over-subscribed, or incomplete unless it is a lone code of length 1 (zlib's
 * encoder emits those for a block with one distance) or has no codes at all.
 */
function buildTable(lens: Uint8Array, off: number, n: number, maxRoot: number, isCodeLengthCode: boolean, into: Table): boolean {
  COUNT.fill(0);
  for (let i = 0; i < n; i++) COUNT[lens[off + i]]++;
  let max = 15;
  while (max > 0 && COUNT[max] === 0) max--;
  if (max === 0) {
    // no codes: any attempt to decode with this table fails (a block of literals only has this distance code)
    if (isCodeLengthCode) return false;
    into.t.fill(INVALID, 0, 2);
    into.bits = 1;
    return true;
  }
  let left = 1;
  for (let b = 1; b < 16; b++) {
    left = (left << 1) - COUNT[b];
    if (left < 0) return false;
  }
  if (left > 0 && (isCodeLengthCode || max !== 1)) return false;
  firstCodes();
  const root = max < maxRoot ? max : maxRoot;
  const size = 1 << root, mask = size - 1;
  for (let i = 0; i < n; i++) {
    const len = lens[off + i];
    if (len !== 0) SYMCODE[i] = reverse(NEXT[len]++, len);
  }
  let total = size;
  if (max > root) {
    SUBMAX.fill(0, 0, size);
    for (let i = 0; i < n; i++) {
      const len = lens[off + i];
      if (len > root) {
        const r = SYMCODE[i] & mask;
        if (len > SUBMAX[r]) SUBMAX[r] = len;
      }
    }
    for (let r = 0; r < size; r++) {
      if (SUBMAX[r] !== 0) {
        SUBOFF[r] = total;
        total += 1 << (SUBMAX[r] - root);
      }
    }
  }
  if (into.t.length < total) into.t = new Int32Array(total + 256);
  const t = into.t;
  t.fill(INVALID, 0, size);
  if (max > root) for (let r = 0; r < size; r++) if (SUBMAX[r] !== 0) t[r] = (SUBOFF[r] << 8) | 16 | (SUBMAX[r] - root);
  for (let i = 0; i < n; i++) {
    const len = lens[off + i];
    if (len === 0) continue;
    const code = SYMCODE[i], entry = (i << 8) | len;
    if (len <= root) {
      for (let j = code; j < size; j += 1 << len) t[j] = entry;
    } else {
      const r = code & mask, at = SUBOFF[r], subSize = 1 << (SUBMAX[r] - root);
      for (let j = code >>> root; j < subSize; j += 1 << (len - root)) t[at + j] = entry;
    }
  }
  into.bits = root;
  return true;
}

const FIXED_LIT: Table = { t: new Int32Array(512), bits: 0 };
const FIXED_DIST: Table = { t: new Int32Array(32), bits: 0 };
{
  const l = new Uint8Array(288);
  l.fill(8, 0, 144);
  l.fill(9, 144, 256);
  l.fill(7, 256, 280);
  l.fill(8, 280, 288);
  buildTable(l, 0, 288, 10, false, FIXED_LIT);
  // 32 codes, not 30: distance codes 30 and 31 have codes in the fixed block, and decoding one is an error
  buildTable(new Uint8Array(32).fill(5), 0, 32, 8, false, FIXED_DIST);
}

/**
 * Copies a match of `len` bytes from `dist` back. Native copyWithin beats a JS loop once the
 * match is a few bytes long (much more so in XS); overlapping matches are copied in doubling
 * steps, each of which only reads bytes already written.
 */
function copyMatch(buf: Uint8Array, pos: number, dist: number, len: number): number {
  const from = pos - dist;
  if (len <= 8) {
    for (let f = from, stop = pos + len; pos < stop; ) buf[pos++] = buf[f++];
    return pos;
  }
  if (dist >= len) {
    buf.copyWithin(pos, from, from + len);
    return pos + len;
  }
  const stop = pos + len;
  while (pos < stop) {
    let n = pos - from;
    if (n > stop - pos) n = stop - pos;
    buf.copyWithin(pos, from, from + n);
    pos += n;
  }
  return pos;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 0) return EMPTY;
  if (chunks.length === 1) return chunks[0];
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  n = 0;
  for (const c of chunks) {
    out.set(c, n);
    n += c.length;
  }
  return out;
}

const M_HEADER = 0, M_STORED_LEN = 1, M_STORED = 2, M_TABLE = 3, M_CLENS = 4, M_LENS = 5, M_CODES = 6, M_DIST = 7, M_DISTEXT = 8, M_DONE = 9;

interface InflateOptions {
  /** 8..15, default 15: the window; a distance further back is an error */
  windowBits?: number;
  /** history the stream may refer to before its first byte (its last 2^windowBits bytes count) */
  dictionary?: Uint8Array | null;
  /** most bytes the stream may expand to, default Infinity */
  maxOut?: number;
}

/**
 * Streaming raw-DEFLATE decoder. Input may be split anywhere; only the unfinished symbol's bits
 * are carried between pushes, so decoding stays linear however the input is cut. Output is
 * decoded into a buffer that holds the window plus room ahead; when that fills, the new bytes
 * are taken out and the last window's worth moved to the front, so memory stays bounded on
 * streams of any length.
 */
export class RawInflater {
  private readonly wsize: number;
  private readonly buf: Uint8Array;
  private readonly slideAt: number;
  private readonly maxOut: number;
  private pos = 0;
  /** buf[emitStart, pos) is output not yet returned */
  private emitStart = 0;
  /** bytes returned or taken out so far */
  private flushed = 0;
  /** position in buf past which output would exceed maxOut */
  private maxPos: number;
  private bb = 0;
  private bc = 0;
  private mode = M_HEADER;
  private last = false;
  private left = 0;
  private nlen = 0;
  private ndist = 0;
  private ncl = 0;
  private idx = 0;
  private mlen = 0;
  private dsym = 0;
  private readonly lens = new Uint8Array(320);
  private readonly clLens = new Uint8Array(19);
  private readonly clTab: Table = { t: new Int32Array(128), bits: 0 };
  private readonly litTab: Table = { t: new Int32Array(1024 + 512), bits: 0 };
  private readonly distTab: Table = { t: new Int32Array(256 + 256), bits: 0 };
  private lt: Int32Array = FIXED_LIT.t;
  private lbits = FIXED_LIT.bits;
  private dt: Int32Array = FIXED_DIST.t;
  private dbits = FIXED_DIST.bits;
  private failure: InflateError | null = null;
  private trail = 0;

  constructor(opts: InflateOptions = {}) {
    const wb = opts.windowBits ?? 15;
    if (!Number.isInteger(wb) || wb < 8 || wb > 15) throw new RangeError(`windowBits ${wb} is not 8..15`);
    const maxOut = opts.maxOut ?? Infinity;
    if (!(maxOut >= 0)) throw new RangeError(`maxOut ${maxOut} is not a size`);
    this.wsize = 1 << wb;
    // room ahead of the window: at least 32 KiB so small windows do not slide every few bytes,
    // plus a longest match so a match never needs a slide in its middle
    const cap = this.wsize + Math.max(this.wsize, 32768) + 258;
    this.buf = new Uint8Array(cap);
    this.slideAt = cap - 258;
    this.maxOut = maxOut;
    const dict = opts.dictionary;
    if (dict && dict.length) {
      const n = Math.min(dict.length, this.wsize);
      this.buf.set(dict.subarray(dict.length - n), 0);
      this.pos = this.emitStart = n;
    }
    this.maxPos = this.emitStart + maxOut;
  }

  /** true once the block marked final has been decoded */
  get ended(): boolean {
    return this.mode === M_DONE;
  }
  /** whole input bytes after the end of the stream, which were ignored */
  get trailing(): number {
    return this.trail;
  }
  /** bytes output so far */
  get totalOut(): number {
    return this.flushed + (this.pos - this.emitStart);
  }

  /**
   * Decodes `data` and returns the output it completes (possibly empty). Throws InflateError
   * "invalid" on corrupt data and "too big" once the output would pass maxOut; after either,
   * every push throws the same error.
   */
  push(data: Uint8Array): Uint8Array {
    if (this.failure) throw this.failure;
    if (this.mode === M_DONE) {
      this.trail += data.length;
      return EMPTY;
    }
    const chunks: Uint8Array[] = [];
    try {
      this.run(data, chunks);
    } catch (e) {
      if (e instanceof InflateError) this.failure = e;
      throw e;
    }
    const pos = this.pos, start = this.emitStart;
    if (pos > start) {
      chunks.push(this.buf.slice(start, pos));
      this.flushed += pos - start;
      this.emitStart = pos;
    }
    return concat(chunks);
  }

  /** Takes out the new output and keeps only the window's worth of history; returns the new pos. */
  private slide(pos: number, chunks: Uint8Array[]): number {
    const buf = this.buf, w = this.wsize;
    if (pos > this.emitStart) {
      chunks.push(buf.slice(this.emitStart, pos));
      this.flushed += pos - this.emitStart;
    }
    buf.copyWithin(0, pos - w, pos);
    this.emitStart = w;
    this.maxPos = w + (this.maxOut - this.flushed);
    return w;
  }

  private run(inp: Uint8Array, chunks: Uint8Array[]): void {
    const buf = this.buf, W = this.wsize, slideAt = this.slideAt, end = inp.length;
    let p = 0, bb = this.bb, bc = this.bc, pos = this.pos, maxPos = this.maxPos, mode = this.mode;
    // The bit buffer stays below 2^28 except briefly for a stored block's header, so it is a
    // small integer in both engines. Input is pulled a byte at a time only as far as the step
    // at hand needs, so stopping anywhere loses nothing: the state below is all there is.
    outer: for (;;) {
      switch (mode) {
        case M_HEADER: {
          if (bc < 3) {
            if (p === end) break outer;
            bb |= inp[p++] << bc;
            bc += 8;
          }
          this.last = (bb & 1) !== 0;
          const type = (bb >>> 1) & 3;
          bb >>>= 3;
          bc -= 3;
          if (type === 0) {
            const k = bc & 7;
            bb >>>= k;
            bc -= k;
            mode = M_STORED_LEN;
          } else if (type === 1) {
            this.lt = FIXED_LIT.t;
            this.lbits = FIXED_LIT.bits;
            this.dt = FIXED_DIST.t;
            this.dbits = FIXED_DIST.bits;
            mode = M_CODES;
          } else if (type === 2) {
            mode = M_TABLE;
          } else {
            throw bad("invalid block type");
          }
          continue;
        }
        case M_STORED_LEN: {
          // byte aligned here, so whole bytes are pulled and LEN and NLEN fill the buffer exactly
          while (bc < 32) {
            if (p === end) break outer;
            bb |= inp[p++] << bc;
            bc += 8;
          }
          const len = bb & 0xffff;
          if (((bb >>> 16) ^ 0xffff) !== len) throw bad("invalid stored block lengths");
          bb = 0;
          bc = 0;
          this.left = len;
          mode = M_STORED;
          continue;
        }
        case M_STORED: {
          let left = this.left;
          while (left > 0) {
            if (pos >= slideAt) {
              pos = this.slide(pos, chunks);
              maxPos = this.maxPos;
            }
            if (p === end) {
              this.left = left;
              break outer;
            }
            let n = end - p;
            if (n > left) n = left;
            if (n > buf.length - pos) n = buf.length - pos;
            if (pos + n > maxPos) throw tooBig();
            buf.set(inp.subarray(p, p + n), pos);
            p += n;
            pos += n;
            left -= n;
          }
          this.left = 0;
          mode = this.last ? M_DONE : M_HEADER;
          continue;
        }
        case M_TABLE: {
          while (bc < 14) {
            if (p === end) break outer;
            bb |= inp[p++] << bc;
            bc += 8;
          }
          this.nlen = (bb & 31) + 257;
          this.ndist = ((bb >>> 5) & 31) + 1;
          this.ncl = ((bb >>> 10) & 15) + 4;
          bb >>>= 14;
          bc -= 14;
          if (this.nlen > 286 || this.ndist > 30) throw bad("too many length or distance symbols");
          this.idx = 0;
          mode = M_CLENS;
          continue;
        }
        case M_CLENS: {
          const cl = this.clLens, ncl = this.ncl;
          let idx = this.idx;
          while (idx < ncl) {
            if (bc < 3) {
              if (p === end) {
                this.idx = idx;
                break outer;
              }
              bb |= inp[p++] << bc;
              bc += 8;
            }
            cl[CL_ORDER[idx++]] = bb & 7;
            bb >>>= 3;
            bc -= 3;
          }
          for (; idx < 19; idx++) cl[CL_ORDER[idx]] = 0;
          if (!buildTable(cl, 0, 19, 7, true, this.clTab)) throw bad("invalid code lengths set");
          this.idx = 0;
          mode = M_LENS;
          continue;
        }
        case M_LENS: {
          // the code length code is complete and at most 7 bits: one level, no invalid entries
          const t = this.clTab.t, tm = (1 << this.clTab.bits) - 1, lens = this.lens;
          const total = this.nlen + this.ndist;
          let idx = this.idx;
          while (idx < total) {
            while (bc < 14 && p < end) {
              bb |= inp[p++] << bc;
              bc += 8;
            }
            const e = t[bb & tm], n = e & 15, sym = e >>> 8;
            if (n > bc) {
              this.idx = idx;
              break outer;
            }
            if (sym < 16) {
              bb >>>= n;
              bc -= n;
              lens[idx++] = sym;
              continue;
            }
            const x = sym === 16 ? 2 : sym === 17 ? 3 : 7;
            if (n + x > bc) {
              this.idx = idx;
              break outer;
            }
            bb >>>= n;
            const rep = (sym === 18 ? 11 : 3) + (bb & ((1 << x) - 1));
            bb >>>= x;
            bc -= n + x;
            let v = 0;
            if (sym === 16) {
              if (idx === 0) throw bad("invalid bit length repeat");
              v = lens[idx - 1];
            }
            if (idx + rep > total) throw bad("invalid bit length repeat");
            lens.fill(v, idx, idx + rep);
            idx += rep;
          }
          if (lens[256] === 0) throw bad("invalid code -- missing end-of-block");
          if (!buildTable(lens, 0, this.nlen, 10, false, this.litTab)) throw bad("invalid literal/lengths set");
          if (!buildTable(lens, this.nlen, this.ndist, 8, false, this.distTab)) throw bad("invalid distances set");
          this.lt = this.litTab.t;
          this.lbits = this.litTab.bits;
          this.dt = this.distTab.t;
          this.dbits = this.distTab.bits;
          mode = M_CODES;
          continue;
        }
        case M_CODES: {
          const lt = this.lt, lb = this.lbits, lm = (1 << lb) - 1, dt = this.dt, db = this.dbits, dm = (1 << db) - 1;
          for (;;) {
            if (pos >= slideAt) {
              pos = this.slide(pos, chunks);
              maxPos = this.maxPos;
            }
            if (end - p >= 12) {
              // a whole literal or length/distance pair needs at most 48 bits and the refills
              // below pull at most 9 bytes for it: no input checks on this path
              while (bc <= 16) {
                bb |= inp[p++] << bc;
                bc += 8;
              }
              let e = lt[bb & lm];
              if (e & 16) e = lt[(e >>> 8) + ((bb >>> lb) & ((1 << (e & 15)) - 1))];
              let n = e & 15;
              bb >>>= n;
              bc -= n;
              let sym = e >>> 8;
              if (sym < 256) {
                if (pos >= maxPos) throw tooBig();
                buf[pos++] = sym;
                continue;
              }
              if (sym === 256) {
                mode = this.last ? M_DONE : M_HEADER;
                break;
              }
              sym -= 257;
              if (sym >= 29) throw bad("invalid literal/length code");
              let len = LEN_BASE[sym];
              n = LEN_EXTRA[sym];
              if (n !== 0) {
                while (bc < n) {
                  bb |= inp[p++] << bc;
                  bc += 8;
                }
                len += bb & ((1 << n) - 1);
                bb >>>= n;
                bc -= n;
              }
              while (bc <= 16) {
                bb |= inp[p++] << bc;
                bc += 8;
              }
              e = dt[bb & dm];
              if (e & 16) e = dt[(e >>> 8) + ((bb >>> db) & ((1 << (e & 15)) - 1))];
              n = e & 15;
              bb >>>= n;
              bc -= n;
              sym = e >>> 8;
              if (sym >= 30) throw bad("invalid distance code");
              let dist = DIST_BASE[sym];
              n = DIST_EXTRA[sym];
              if (n !== 0) {
                while (bc < n) {
                  bb |= inp[p++] << bc;
                  bc += 8;
                }
                dist += bb & ((1 << n) - 1);
                bb >>>= n;
                bc -= n;
              }
              if (dist > pos || dist > W) throw bad("invalid distance too far back");
              if (pos + len > maxPos) throw tooBig();
              pos = copyMatch(buf, pos, dist, len);
              continue;
            }
            // near the end of the input: decode only when every bit of the symbol is here
            while (bc < 20 && p < end) {
              bb |= inp[p++] << bc;
              bc += 8;
            }
            let e = lt[bb & lm];
            if (e & 16) e = lt[(e >>> 8) + ((bb >>> lb) & ((1 << (e & 15)) - 1))];
            const n = e & 15;
            if (n > bc) break outer;
            let sym = e >>> 8;
            if (sym < 256) {
              bb >>>= n;
              bc -= n;
              if (pos >= maxPos) throw tooBig();
              buf[pos++] = sym;
              continue;
            }
            if (sym === 256) {
              bb >>>= n;
              bc -= n;
              mode = this.last ? M_DONE : M_HEADER;
              break;
            }
            sym -= 257;
            if (sym >= 29) throw bad("invalid literal/length code");
            const x = LEN_EXTRA[sym];
            if (n + x > bc) break outer;
            bb >>>= n;
            this.mlen = LEN_BASE[sym] + (bb & ((1 << x) - 1));
            bb >>>= x;
            bc -= n + x;
            // the distance may be up to 28 more bits: decoded in two steps so the buffer cannot overflow
            mode = M_DIST;
            break;
          }
          continue;
        }
        case M_DIST: {
          while (bc < 15 && p < end) {
            bb |= inp[p++] << bc;
            bc += 8;
          }
          const dt = this.dt, db = this.dbits;
          let e = dt[bb & ((1 << db) - 1)];
          if (e & 16) e = dt[(e >>> 8) + ((bb >>> db) & ((1 << (e & 15)) - 1))];
          const n = e & 15;
          if (n > bc) break outer;
          bb >>>= n;
          bc -= n;
          const sym = e >>> 8;
          if (sym >= 30) throw bad("invalid distance code");
          this.dsym = sym;
          mode = M_DISTEXT;
          continue;
        }
        case M_DISTEXT: {
          const n = DIST_EXTRA[this.dsym];
          while (bc < n) {
            if (p === end) break outer;
            bb |= inp[p++] << bc;
            bc += 8;
          }
          const dist = DIST_BASE[this.dsym] + (bb & ((1 << n) - 1));
          bb >>>= n;
          bc -= n;
          if (pos >= slideAt) {
            pos = this.slide(pos, chunks);
            maxPos = this.maxPos;
          }
          if (dist > pos || dist > W) throw bad("invalid distance too far back");
          const len = this.mlen;
          if (pos + len > maxPos) throw tooBig();
          pos = copyMatch(buf, pos, dist, len);
          mode = M_CODES;
          continue;
        }
        default: {
          // M_DONE: whole bytes still in the bit buffer were never part of the stream
          this.trail += (bc >>> 3) + (end - p);
          bb = 0;
          bc = 0;
          p = end;
          break outer;
        }
      }
    }
    this.bb = bb;
    this.bc = bc;
    this.pos = pos;
    this.mode = mode;
  }
}

/**
 * Inflates all of `data` (which need not end the stream: a permessage-deflate message ends
 * with a sync flush, not a final block). Returns "invalid" or "too big" instead of throwing.
 */
export function inflateRaw(data: Uint8Array, opts?: InflateOptions): Uint8Array | "invalid" | "too big" {
  try {
    return new RawInflater(opts).push(data);
  } catch (e) {
    if (e instanceof InflateError) return e.kind;
    throw e;
  }
}

// ------------------------------------------------------------------ deflate

/** length 3..258 → length code 0..28 (symbol 257 + code) */
const LEN_CODE = new Uint8Array(259);
for (let c = 0; c < 29; c++) for (let l = LEN_BASE[c], n = 0; n < 1 << LEN_EXTRA[c] && l + n < 259; n++) LEN_CODE[l + n] = c;
LEN_CODE[258] = 28;
/** distance - 1 → code: directly below 256, else by (distance - 1) >> 7, as every code from 16 up spans whole 128s */
const DIST_CODE = new Uint8Array(512);
for (let c = 0; c < 30; c++) {
  for (let d = DIST_BASE[c] - 1, stop = d + (1 << DIST_EXTRA[c]); d < stop; d++) {
    if (d < 256) DIST_CODE[d] = c;
    else DIST_CODE[256 + (d >>> 7)] = c;
  }
}
const distCode = (d: number) => (d <= 256 ? DIST_CODE[d - 1] : DIST_CODE[256 + ((d - 1) >>> 7)]);

/** Canonical codes (reversed, ready to write) for the lengths lens[0, n). */
function canonCodes(lens: Uint8Array, n: number, codes: Uint16Array): void {
  COUNT.fill(0);
  for (let s = 0; s < n; s++) COUNT[lens[s]]++;
  firstCodes();
  for (let s = 0; s < n; s++) {
    const l = lens[s];
    if (l !== 0) codes[s] = reverse(NEXT[l]++, l);
  }
}

const FIXED_LL = new Uint8Array(288);
FIXED_LL.fill(8, 0, 144);
FIXED_LL.fill(9, 144, 256);
FIXED_LL.fill(7, 256, 280);
FIXED_LL.fill(8, 280, 288);
const FIXED_LC = new Uint16Array(288);
canonCodes(FIXED_LL, 288, FIXED_LC);
const FIXED_DL = new Uint8Array(30).fill(5);
const FIXED_DC = new Uint16Array(30);
canonCodes(FIXED_DL, 30, FIXED_DC);

// scratch for huffLengths
const H_SYMS: number[] = [];
const H_WT = new Int32Array(286);
const H_NODE = new Int32Array(572);
const H_PAR = new Int32Array(572);
const H_DEP = new Uint16Array(572);

/**
 * Huffman code lengths for freq[0, n), none longer than maxBits. The tree is built with two
 * queues over the sorted leaves; when it is too deep the frequencies are halved (keeping them
 * nonzero) and it is built again, which flattens it towards a balanced tree: rarely needed,
 * and never more than a few rounds.
 */
function huffLengths(freq: Int32Array, n: number, maxBits: number, lens: Uint8Array): void {
  lens.fill(0, 0, n);
  const syms = H_SYMS, wt = H_WT, node = H_NODE, par = H_PAR, dep = H_DEP;
  syms.length = 0;
  for (let s = 0; s < n; s++) {
    if (freq[s] !== 0) {
      syms.push(s);
      wt[s] = freq[s];
    }
  }
  const m = syms.length;
  if (m < 2) {
    // as zlib: always two codes of length 1, a complete code that every decoder takes
    const s = m === 1 ? syms[0] : 0;
    lens[s] = 1;
    lens[s === 0 ? 1 : 0] = 1;
    return;
  }
  const byWeight = (a: number, b: number) => wt[a] - wt[b] || a - b;
  for (;;) {
    syms.sort(byWeight);
    for (let i = 0; i < m; i++) node[i] = wt[syms[i]];
    let i = 0, j = m;
    for (let k = m; k < 2 * m - 1; k++) {
      const a = i < m && (j >= k || node[i] <= node[j]) ? i++ : j++;
      const b = i < m && (j >= k || node[i] <= node[j]) ? i++ : j++;
      node[k] = node[a] + node[b];
      par[a] = k;
      par[b] = k;
    }
    dep[2 * m - 2] = 0;
    let deepest = 0;
    for (let k = 2 * m - 3; k >= 0; k--) {
      const d = (dep[k] = dep[par[k]] + 1);
      if (k < m && d > deepest) deepest = d;
    }
    if (deepest <= maxBits) {
      for (let k = 0; k < m; k++) lens[syms[k]] = dep[k];
      return;
    }
    for (let k = 0; k < m; k++) wt[syms[k]] = (wt[syms[k]] >>> 1) | 1;
  }
}

/** Run-length codes (16: repeat previous, 17/18: runs of zeros) for lens[0, n), appended at `at`. */
function rleLengths(lens: Uint8Array, n: number, sym: Uint8Array, extra: Uint8Array, at: number): number {
  let i = 0;
  while (i < n) {
    const v = lens[i];
    let run = 1;
    while (i + run < n && lens[i + run] === v) run++;
    i += run;
    if (v === 0) {
      while (run >= 11) {
        const r = run > 138 ? 138 : run;
        sym[at] = 18;
        extra[at++] = r - 11;
        run -= r;
      }
      if (run >= 3) {
        sym[at] = 17;
        extra[at++] = run - 3;
        run = 0;
      }
    } else {
      sym[at++] = v;
      run--;
      while (run >= 3) {
        const r = run > 6 ? 6 : run;
        sym[at] = 16;
        extra[at++] = r - 3;
        run -= r;
      }
    }
    while (run-- > 0) sym[at++] = v;
  }
  return at;
}

/** [good, lazy (max_insert for the fast levels), nice, chain, lazy matching]: zlib's tuning */
const LEVELS: ReadonlyArray<readonly [number, number, number, number, boolean]> = [
  [0, 0, 0, 0, false],
  [4, 4, 8, 4, false],
  [4, 5, 16, 8, false],
  [4, 6, 32, 32, false],
  [4, 4, 16, 16, true],
  [8, 16, 32, 32, true],
  [8, 16, 128, 128, true],
  [8, 32, 128, 256, true],
  [32, 128, 258, 1024, true],
  [32, 258, 258, 4096, true],
];

/** a match found with this much input ahead cannot have been cut short by the input's end */
const MIN_LOOKAHEAD = 262;
/** symbols per block: bounds the block's memory, and lets the codes follow changing data */
const SYM_BUF = 16384;
/** a 3-byte match further back than this costs more bits than three literals */
const TOO_FAR = 4096;

interface DeflateOptions {
  /** 0..9, default 1; 0 writes stored blocks only */
  level?: number;
  /** 9..15, default 15: no match reaches further back than 2^windowBits */
  windowBits?: number;
}

/**
 * Streaming raw-DEFLATE encoder: LZ77 over a hash chain, each block written as stored, fixed or
 * dynamic Huffman, whichever is smallest. Positions in the hash tables are absolute stream
 * offsets rather than buffer indexes, so moving the window along costs one copy of the data
 * and nothing for the tables.
 */
export class RawDeflater {
  private readonly level: number;
  private readonly wsize: number;
  private readonly wmask: number;
  private readonly hmask: number;
  private readonly hshift: number;
  private readonly good: number;
  private readonly lazy: number;
  private readonly nice: number;
  private readonly chain: number;
  private readonly lazyMode: boolean;
  private readonly cap: number;
  private win: Uint8Array;
  private head: Int32Array;
  private prev: Int32Array;
  /** absolute offset of win[0] */
  private base = 0;
  /** absolute offset of the end of the input taken in */
  private end = 0;
  /** absolute offset of the next byte to match */
  private cur = 0;
  /** nothing before this may be referred to (reset()) */
  private resetBase = 0;
  /** first position left out of the hash for want of 3 bytes to hash, or -1 */
  private tailIns = -1;
  /** lazy matching: the byte before cur is waiting, with the match found there */
  private mAvail = false;
  private mLen = 2;
  private mDist = 0;
  private readonly symL: Uint16Array;
  private readonly symD: Uint16Array;
  private nsym = 0;
  /** absolute offset up to which symbols have been produced; the block covers [blockStart, symPos) */
  private symPos = 0;
  private blockStart = 0;
  private out = new Uint8Array(1024);
  private o = 0;
  private bb = 0;
  private bc = 0;
  private finished = false;
  private stash: Uint8Array;
  private nstash = 0;
  /** when the absolute offsets get this large they are shifted down */
  private renormAt = 1 << 30;
  private readonly lf = new Int32Array(286);
  private readonly df = new Int32Array(30);
  private readonly ll = new Uint8Array(286);
  private readonly dl = new Uint8Array(30);
  private readonly lc = new Uint16Array(286);
  private readonly dc = new Uint16Array(30);
  private readonly clf = new Int32Array(19);
  private readonly cll = new Uint8Array(19);
  private readonly clc = new Uint16Array(19);
  private readonly clSym = new Uint8Array(320);
  private readonly clX = new Uint8Array(320);

  constructor(opts: DeflateOptions = {}) {
    const level = opts.level ?? 1, wb = opts.windowBits ?? 15;
    if (!Number.isInteger(level) || level < 0 || level > 9) throw new RangeError(`level ${level} is not 0..9`);
    if (!Number.isInteger(wb) || wb < 9 || wb > 15) throw new RangeError(`windowBits ${wb} is not 9..15`);
    this.level = level;
    this.wsize = 1 << wb;
    this.wmask = this.wsize - 1;
    const hbits = wb < 13 ? wb + 2 : 15;
    this.hmask = (1 << hbits) - 1;
    this.hshift = Math.ceil(hbits / 3);
    [this.good, this.lazy, this.nice, this.chain, this.lazyMode] = LEVELS[level];
    this.cap = this.wsize + Math.max(this.wsize, 32768) + MIN_LOOKAHEAD;
    if (level === 0) {
      this.win = EMPTY;
      this.head = this.prev = new Int32Array(0);
      this.symL = this.symD = new Uint16Array(0);
      this.stash = new Uint8Array(65535);
    } else {
      this.win = new Uint8Array(this.cap);
      this.head = new Int32Array(1 << hbits).fill(-1);
      this.prev = new Int32Array(this.wsize);
      this.symL = new Uint16Array(SYM_BUF);
      this.symD = new Uint16Array(SYM_BUF);
      this.stash = EMPTY;
    }
  }

  /**
   * Compresses `data`. flush "none" may keep input back; "sync" writes everything and ends
   * with an empty stored block (00 00 ff ff, byte aligned) while later pushes can still refer
   * back; "finish" ends the stream with a final block. Returns the bytes completed by this call.
   */
  push(data: Uint8Array, flush: "none" | "sync" | "finish" = "none"): Uint8Array {
    if (this.finished) throw new Error("deflate: the stream is finished");
    if (flush !== "none" && flush !== "sync" && flush !== "finish") throw new RangeError(`flush ${String(flush)}`);
    this.o = 0;
    if (this.level === 0) this.pushStored(data, flush);
    else {
      const n = data.length;
      let ip = 0;
      while (ip < n) {
        let room = this.cap - (this.end - this.base);
        if (room === 0) {
          this.slide();
          room = this.cap - (this.end - this.base);
        }
        const k = room < n - ip ? room : n - ip;
        this.win.set(data.subarray(ip, ip + k), this.end - this.base);
        this.end += k;
        ip += k;
        this.process(ip === n && flush !== "none");
      }
      if (n === 0 && flush !== "none") this.process(true);
      if (flush === "sync") {
        if (this.nsym !== 0) this.emitBlock(false);
        this.emptyStored();
      } else if (flush === "finish") {
        this.emitBlock(true);
        this.align();
        this.finished = true;
      }
    }
    const result = this.out.slice(0, this.o);
    this.o = 0;
    // one large push should not pin a large buffer for the life of a connection
    if (this.out.length > 65536) this.out = new Uint8Array(1024);
    return result;
  }

  /** Forgets all history and anything not yet flushed, as if new (no_context_takeover). */
  reset(): void {
    this.cur = this.end;
    this.resetBase = this.end;
    this.symPos = this.blockStart = this.end;
    this.nsym = 0;
    this.tailIns = -1;
    this.mAvail = false;
    this.mLen = 2;
    this.mDist = 0;
    this.bb = this.bc = 0;
    this.nstash = 0;
    this.finished = false;
  }

  // ---------------------------------------------------------------- bits out

  private ensure(bytes: number): void {
    if (this.o + bytes <= this.out.length) return;
    let size = this.out.length * 2;
    while (size < this.o + bytes) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.out.subarray(0, this.o));
    this.out = next;
  }

  /** Writes the n (≤ 16) low bits of v; the caller has ensured room. */
  private put(v: number, n: number): void {
    let bb = this.bb | (v << this.bc), bc = this.bc + n;
    const out = this.out;
    while (bc >= 8) {
      out[this.o++] = bb;
      bb >>>= 8;
      bc -= 8;
    }
    this.bb = bb;
    this.bc = bc;
  }

  private align(): void {
    this.ensure(2);
    while (this.bc > 0) {
      this.out[this.o++] = this.bb;
      this.bb >>>= 8;
      this.bc -= 8;
    }
    this.bb = this.bc = 0;
  }

  private emptyStored(): void {
    this.ensure(8);
    this.put(0, 3);
    this.align();
    const out = this.out;
    out[this.o++] = 0;
    out[this.o++] = 0;
    out[this.o++] = 0xff;
    out[this.o++] = 0xff;
  }

  /** Stored blocks for src[at, at+len), the last one final if asked; at least one block. */
  private storedBlocks(src: Uint8Array, at: number, len: number, final: boolean): void {
    do {
      const k = len > 65535 ? 65535 : len;
      len -= k;
      this.ensure(k + 8);
      this.put(final && len === 0 ? 1 : 0, 3);
      this.align();
      const out = this.out;
      out[this.o++] = k;
      out[this.o++] = k >>> 8;
      out[this.o++] = ~k;
      out[this.o++] = ~k >>> 8;
      out.set(src.subarray(at, at + k), this.o);
      this.o += k;
      at += k;
    } while (len > 0);
  }

  /** level 0: input gathered into stored blocks of up to 64 KiB */
  private pushStored(data: Uint8Array, flush: "none" | "sync" | "finish"): void {
    const n = data.length;
    let ip = 0;
    while (ip < n) {
      const k = Math.min(65535 - this.nstash, n - ip);
      this.stash.set(data.subarray(ip, ip + k), this.nstash);
      this.nstash += k;
      ip += k;
      if (this.nstash === 65535 && !(ip === n && flush === "finish")) {
        this.storedBlocks(this.stash, 0, 65535, false);
        this.nstash = 0;
      }
    }
    if (flush === "sync") {
      if (this.nstash !== 0) this.storedBlocks(this.stash, 0, this.nstash, false);
      this.nstash = 0;
      this.emptyStored();
    } else if (flush === "finish") {
      this.storedBlocks(this.stash, 0, this.nstash, true);
      this.nstash = 0;
      this.align();
      this.finished = true;
    }
  }

  // ---------------------------------------------------------------- LZ77

  /** Makes room in win: keeps one window of history before cur and the input not yet matched. */
  private slide(): void {
    const keep = this.cur - this.wsize;
    // a stored block is copied from win, so the pending block must be written before its bytes go
    if (this.nsym !== 0 && this.blockStart < keep) this.emitBlock(false);
    const shift = keep - this.base;
    this.win.copyWithin(0, shift, this.end - this.base);
    this.base = keep;
    if (this.base >= this.renormAt) this.renormalize();
  }

  /** Shifts every absolute offset down by a multiple of the window (prev is indexed modulo it). */
  private renormalize(): void {
    const off = this.base & ~this.wmask;
    const shift = (t: Int32Array) => {
      for (let i = 0; i < t.length; i++) t[i] = t[i] >= off ? t[i] - off : -1;
    };
    shift(this.head);
    shift(this.prev);
    this.base -= off;
    this.end -= off;
    this.cur -= off;
    this.symPos -= off;
    this.blockStart -= off;
    this.resetBase = this.resetBase > off ? this.resetBase - off : 0;
    if (this.tailIns >= 0) this.tailIns = this.tailIns > off ? this.tailIns - off : 0;
  }

  private process(flushAll: boolean): void {
    if (this.tailIns >= 0) {
      // positions that had too few bytes after them to hash, at the end of the last flush
      const w = this.win, head = this.head, prev = this.prev, base = this.base, end = this.end, cur = this.cur;
      const s1 = this.hshift, s2 = s1 * 2, hmask = this.hmask, wmask = this.wmask;
      let q = this.tailIns < this.resetBase ? this.resetBase : this.tailIns;
      for (; q < cur && q + 2 < end; q++) {
        const qi = q - base, h = ((w[qi] << s2) ^ (w[qi + 1] << s1) ^ w[qi + 2]) & hmask;
        prev[q & wmask] = head[h];
        head[h] = q;
      }
      this.tailIns = q < cur ? q : -1;
    }
    if (this.lazyMode) this.matchLazy(flushAll);
    else this.matchFast(flushAll);
  }

  /** levels 1-3: take the first match found, hash inside short matches only */
  private matchFast(flushAll: boolean): void {
    const w = this.win, head = this.head, prev = this.prev, base = this.base, end = this.end;
    const s1 = this.hshift, s2 = s1 * 2, hmask = this.hmask, wmask = this.wmask, window = this.wsize;
    const lookEnd = flushAll ? end : end - MIN_LOOKAHEAD, resetBase = this.resetBase;
    const maxChain = this.chain, nice = this.nice, maxInsert = this.lazy;
    const sl = this.symL, sd = this.symD;
    let cur = this.cur, nsym = this.nsym, symPos = this.symPos, tailIns = this.tailIns;
    while (cur < lookEnd) {
      const ci = cur - base;
      let mlen = 0, mdist = 0;
      if (cur + 2 < end) {
        const h = ((w[ci] << s2) ^ (w[ci + 1] << s1) ^ w[ci + 2]) & hmask;
        let cand = head[h];
        prev[cur & wmask] = cand;
        head[h] = cur;
        const lim = cur - window + 1 > resetBase ? cur - window + 1 : resetBase;
        if (cand >= lim) {
          const maxLen = end - cur < 258 ? end - cur : 258, stopAt = nice < maxLen ? nice : maxLen;
          let best = 2, chain = maxChain;
          do {
            const mi = cand - base;
            if (w[mi + best] === w[ci + best] && w[mi] === w[ci] && w[mi + 1] === w[ci + 1]) {
              let l = 2;
              while (l < maxLen && w[mi + l] === w[ci + l]) l++;
              if (l > best) {
                best = l;
                mdist = cur - cand;
                if (l >= stopAt) break;
              }
            }
            cand = prev[cand & wmask];
          } while (cand >= lim && --chain > 0);
          if (best >= 3) mlen = best;
        }
      } else if (tailIns < 0) tailIns = cur;
      if (mlen !== 0) {
        sl[nsym] = mlen;
        sd[nsym++] = mdist;
        symPos += mlen;
        const stop = cur + mlen;
        if (mlen <= maxInsert) {
          for (let q = cur + 1; q < stop; q++) {
            if (q + 2 >= end) {
              if (tailIns < 0) tailIns = q;
              break;
            }
            const qi = q - base, h = ((w[qi] << s2) ^ (w[qi + 1] << s1) ^ w[qi + 2]) & hmask;
            prev[q & wmask] = head[h];
            head[h] = q;
          }
        }
        cur = stop;
      } else {
        sl[nsym] = w[ci];
        sd[nsym++] = 0;
        symPos++;
        cur++;
      }
      if (nsym === SYM_BUF) {
        this.nsym = nsym;
        this.symPos = symPos;
        this.emitBlock(false);
        nsym = 0;
      }
    }
    this.cur = cur;
    this.nsym = nsym;
    this.symPos = symPos;
    this.tailIns = tailIns;
  }

  /** levels 4-9: a match is taken only if the next position does not start a longer one */
  private matchLazy(flushAll: boolean): void {
    const w = this.win, head = this.head, prev = this.prev, base = this.base, end = this.end;
    const s1 = this.hshift, s2 = s1 * 2, hmask = this.hmask, wmask = this.wmask, window = this.wsize;
    const lookEnd = flushAll ? end : end - MIN_LOOKAHEAD, resetBase = this.resetBase;
    const maxChain = this.chain, nice = this.nice, maxLazy = this.lazy, good = this.good;
    const sl = this.symL, sd = this.symD;
    let cur = this.cur, nsym = this.nsym, symPos = this.symPos, tailIns = this.tailIns;
    let mAvail = this.mAvail, prevLen = this.mLen, prevDist = this.mDist;
    while (cur < lookEnd) {
      const ci = cur - base;
      let cand = -1;
      if (cur + 2 < end) {
        const h = ((w[ci] << s2) ^ (w[ci + 1] << s1) ^ w[ci + 2]) & hmask;
        cand = head[h];
        prev[cur & wmask] = cand;
        head[h] = cur;
      } else if (tailIns < 0) tailIns = cur;
      let mlen = 2, mdist = 0;
      const lim = cur - window + 1 > resetBase ? cur - window + 1 : resetBase;
      if (cand >= lim && prevLen < maxLazy) {
        const maxLen = end - cur < 258 ? end - cur : 258;
        let best = prevLen > 2 ? prevLen : 2;
        if (best < maxLen) {
          const stopAt = nice < maxLen ? nice : maxLen;
          let chain = prevLen >= good ? maxChain >> 2 : maxChain;
          do {
            const mi = cand - base;
            if (w[mi + best] === w[ci + best] && w[mi] === w[ci] && w[mi + 1] === w[ci + 1]) {
              let l = 2;
              while (l < maxLen && w[mi + l] === w[ci + l]) l++;
              if (l > best) {
                best = l;
                mlen = l;
                mdist = cur - cand;
                if (l >= stopAt) break;
              }
            }
            cand = prev[cand & wmask];
          } while (cand >= lim && --chain > 0);
          if (mlen === 3 && mdist > TOO_FAR) mlen = 2;
        }
      }
      if (prevLen >= 3 && mlen <= prevLen) {
        sl[nsym] = prevLen;
        sd[nsym++] = prevDist;
        symPos += prevLen;
        const stop = cur - 1 + prevLen;
        for (let q = cur + 1; q < stop; q++) {
          if (q + 2 >= end) {
            if (tailIns < 0) tailIns = q;
            break;
          }
          const qi = q - base, h = ((w[qi] << s2) ^ (w[qi + 1] << s1) ^ w[qi + 2]) & hmask;
          prev[q & wmask] = head[h];
          head[h] = q;
        }
        cur = stop;
        mAvail = false;
        prevLen = 2;
      } else {
        if (mAvail) {
          sl[nsym] = w[ci - 1];
          sd[nsym++] = 0;
          symPos++;
        }
        mAvail = true;
        cur++;
        prevLen = mlen;
        prevDist = mdist;
      }
      if (nsym === SYM_BUF) {
        this.nsym = nsym;
        this.symPos = symPos;
        this.emitBlock(false);
        nsym = 0;
      }
    }
    if (flushAll && mAvail) {
      // nothing follows to beat it, and a match there would reach past the input
      sl[nsym] = w[cur - 1 - base];
      sd[nsym++] = 0;
      symPos++;
      mAvail = false;
      prevLen = 2;
      if (nsym === SYM_BUF) {
        this.nsym = nsym;
        this.symPos = symPos;
        this.emitBlock(false);
        nsym = 0;
      }
    }
    this.cur = cur;
    this.nsym = nsym;
    this.symPos = symPos;
    this.tailIns = tailIns;
    this.mAvail = mAvail;
    this.mLen = prevLen;
    this.mDist = prevDist;
  }

  // ---------------------------------------------------------------- blocks

  /** Writes the pending symbols as one block, in whichever of the three forms is smallest. */
  private emitBlock(final: boolean): void {
    const n = this.nsym, sl = this.symL, sd = this.symD, lf = this.lf, df = this.df;
    lf.fill(0);
    df.fill(0);
    let extra = 0;
    for (let i = 0; i < n; i++) {
      const d = sd[i];
      if (d === 0) lf[sl[i]]++;
      else {
        const c = LEN_CODE[sl[i]], dc = distCode(d);
        lf[257 + c]++;
        df[dc]++;
        extra += LEN_EXTRA[c] + DIST_EXTRA[dc];
      }
    }
    lf[256] = 1;
    const ll = this.ll, dl = this.dl, clf = this.clf, cll = this.cll, clSym = this.clSym;
    huffLengths(lf, 286, 15, ll);
    huffLengths(df, 30, 15, dl);
    let hlit = 286;
    while (hlit > 257 && ll[hlit - 1] === 0) hlit--;
    let hdist = 30;
    while (hdist > 1 && dl[hdist - 1] === 0) hdist--;
    let ncl = rleLengths(ll, hlit, clSym, this.clX, 0);
    ncl = rleLengths(dl, hdist, clSym, this.clX, ncl);
    clf.fill(0);
    for (let i = 0; i < ncl; i++) clf[clSym[i]]++;
    huffLengths(clf, 19, 7, cll);
    let hclen = 19;
    while (hclen > 4 && cll[CL_ORDER[hclen - 1]] === 0) hclen--;
    let dyn = 3 + 14 + 3 * hclen + 2 * clf[16] + 3 * clf[17] + 7 * clf[18] + extra;
    let fix = 3 + extra;
    for (let s = 0; s < 19; s++) dyn += clf[s] * cll[s];
    for (let s = 0; s < 286; s++) {
      dyn += lf[s] * ll[s];
      fix += lf[s] * FIXED_LL[s];
    }
    for (let s = 0; s < 30; s++) {
      dyn += df[s] * dl[s];
      fix += df[s] * 5;
    }
    const raw = this.symPos - this.blockStart;
    const stored = raw * 8 + Math.max(1, Math.ceil(raw / 65535)) * 40 + 7;
    if (stored <= dyn && stored <= fix) {
      this.storedBlocks(this.win, this.blockStart - this.base, raw, final);
    } else if (dyn < fix) {
      this.ensure((dyn >>> 3) + 16);
      canonCodes(ll, hlit, this.lc);
      canonCodes(dl, hdist, this.dc);
      canonCodes(cll, 19, this.clc);
      this.put(final ? 5 : 4, 3);
      this.put(hlit - 257, 5);
      this.put(hdist - 1, 5);
      this.put(hclen - 4, 4);
      for (let i = 0; i < hclen; i++) this.put(cll[CL_ORDER[i]], 3);
      const clc = this.clc, clX = this.clX;
      for (let i = 0; i < ncl; i++) {
        const s = clSym[i];
        this.put(clc[s], cll[s]);
        if (s >= 16) this.put(clX[i], s === 16 ? 2 : s === 17 ? 3 : 7);
      }
      this.writeSymbols(this.lc, ll, this.dc, dl);
    } else {
      this.ensure((fix >>> 3) + 16);
      this.put(final ? 3 : 2, 3);
      this.writeSymbols(FIXED_LC, FIXED_LL, FIXED_DC, FIXED_DL);
    }
    this.nsym = 0;
    this.blockStart = this.symPos;
  }

  private writeSymbols(lcodes: Uint16Array, llens: Uint8Array, dcodes: Uint16Array, dlens: Uint8Array): void {
    const n = this.nsym, sl = this.symL, sd = this.symD, out = this.out;
    let bb = this.bb, bc = this.bc, o = this.o;
    // fewer than 16 bits are held between writes, and no write is over 15 bits
    for (let i = 0; i < n; i++) {
      const d = sd[i], l = sl[i];
      if (d === 0) {
        bb |= lcodes[l] << bc;
        bc += llens[l];
      } else {
        const c = LEN_CODE[l], s = 257 + c;
        bb |= lcodes[s] << bc;
        bc += llens[s];
        let x = LEN_EXTRA[c];
        if (x !== 0) {
          if (bc >= 16) {
            out[o++] = bb;
            out[o++] = bb >>> 8;
            bb >>>= 16;
            bc -= 16;
          }
          bb |= (l - LEN_BASE[c]) << bc;
          bc += x;
        }
        if (bc >= 16) {
          out[o++] = bb;
          out[o++] = bb >>> 8;
          bb >>>= 16;
          bc -= 16;
        }
        const dc = distCode(d);
        bb |= dcodes[dc] << bc;
        bc += dlens[dc];
        x = DIST_EXTRA[dc];
        if (x !== 0) {
          if (bc >= 16) {
            out[o++] = bb;
            out[o++] = bb >>> 8;
            bb >>>= 16;
            bc -= 16;
          }
          bb |= (d - DIST_BASE[dc]) << bc;
          bc += x;
        }
      }
      if (bc >= 16) {
        out[o++] = bb;
        out[o++] = bb >>> 8;
        bb >>>= 16;
        bc -= 16;
      }
    }
    this.bb = bb;
    this.bc = bc;
    this.o = o;
    this.put(lcodes[256], llens[256]);
  }
}

/** Compresses `data` in one go, ending with a sync flush (default) or a final block. */
export function deflateRaw(data: Uint8Array, opts?: DeflateOptions & { flush?: "sync" | "finish" }): Uint8Array {
  return new RawDeflater(opts).push(data, opts?.flush ?? "sync");
}
