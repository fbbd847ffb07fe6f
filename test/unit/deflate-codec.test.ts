// The portable raw DEFLATE codec (platform/sim/deflate.ts): round trips, streaming with context
// takeover, vectors from zlib, every way of cutting a stream, corrupt streams, output limits.
// Runs in Node and in XS, so sizes stay small; node:zlib cross-checks are in test/node.
import * as A from "../lib/assert.js";
import { InflateError, RawDeflater, RawInflater, deflateRaw, inflateRaw } from "../../platform/sim/deflate.js";
import { concatBytes as concat } from "../lib/env.js";
import { jsonText, mixed, prng, randomBytes } from "../lib/deflate-data.js";

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const str = (b: Uint8Array) => {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
};
const fromHex = (h: string) => {
  const b = new Uint8Array(h.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return b;
};
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const same = (a: Uint8Array, b: Uint8Array, message: string) => {
  A.equal(a.length, b.length, `${message}: length`);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) A.fail(`${message}: first difference at ${i} (${a[i]} vs ${b[i]})`);
};

/** Writes DEFLATE bits for hand-made streams: header fields LSB first, Huffman codes MSB first. */
class Bits {
  private bytes: number[] = [];
  private acc = 0;
  private n = 0;
  put(v: number, k: number): this {
    for (let i = 0; i < k; i++) {
      this.acc |= ((v >>> i) & 1) << this.n;
      if (++this.n === 8) {
        this.bytes.push(this.acc);
        this.acc = this.n = 0;
      }
    }
    return this;
  }
  code(c: number, k: number): this {
    for (let i = k - 1; i >= 0; i--) this.put((c >>> i) & 1, 1);
    return this;
  }
  /** a symbol of the fixed literal/length code */
  fixed(sym: number): this {
    if (sym < 144) return this.code(0x30 + sym, 8);
    if (sym < 256) return this.code(0x190 + sym - 144, 9);
    if (sym < 280) return this.code(sym - 256, 7);
    return this.code(0xc0 + sym - 280, 8);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.n ? [...this.bytes, this.acc] : this.bytes);
  }
}
/** canonical codes for the lengths, as the RFC assigns them */
function canon(lens: number[]): number[] {
  const count = new Array(16).fill(0), next = new Array(16).fill(0), codes = new Array(lens.length).fill(0);
  for (const l of lens) if (l) count[l]++;
  for (let b = 1, c = 0; b < 16; b++) next[b] = c = (c + count[b - 1]) << 1;
  lens.forEach((l, s) => l && (codes[s] = next[l]++));
  return codes;
}
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
/**
 * A final dynamic block: the code length code from `cl` (symbol → length), then `seq` (code
 * length symbols with their extra bits); `body` writes the data with the codes the literal/length
 * and distance lengths in `lens` give.
 */
function dynamic(cl: Record<number, number>, seq: Array<[number, number?]>, hlit: number, hdist: number, body?: (b: Bits, lit: (s: number) => void, dist: (s: number) => void) => void): Uint8Array {
  const clLens = Array.from({ length: 19 }, (_, s) => cl[s] ?? 0), clCodes = canon(clLens);
  const b = new Bits().put(1, 1).put(2, 2).put(hlit - 257, 5).put(hdist - 1, 5).put(15, 4);
  for (const s of CL_ORDER) b.put(clLens[s], 3);
  const lens: number[] = [];
  for (const [s, x = 0] of seq) {
    b.code(clCodes[s], clLens[s]);
    if (s === 16) b.put(x, 2), lens.push(...new Array(3 + x).fill(lens[lens.length - 1]));
    else if (s === 17) b.put(x, 3), lens.push(...new Array(3 + x).fill(0));
    else if (s === 18) b.put(x, 7), lens.push(...new Array(11 + x).fill(0));
    else lens.push(s);
  }
  if (body) {
    const ll = lens.slice(0, hlit), dl = lens.slice(hlit, hlit + hdist), lc = canon(ll), dc = canon(dl);
    body(b, (s) => b.code(lc[s], ll[s]), (s) => b.code(dc[s], dl[s]));
  }
  return b.done();
}

const inflateAll = (data: Uint8Array, opts?: ConstructorParameters<typeof RawInflater>[0]) => {
  const out = inflateRaw(data, opts);
  if (typeof out === "string") A.fail(`inflate failed: ${out}`);
  return out;
};
const kindOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    A.ok(e instanceof InflateError, `an InflateError, not ${String(e)}`);
    return e.kind;
  }
  return "no error";
};

describe("raw DEFLATE codec", () => {
  describe("inflate", () => {
    // made with node's zlib.deflateRawSync
    it("decodes zlib's fixed, dynamic and stored blocks, a sync flush and an empty stream", () => {
      A.equal(str(inflateAll(fromHex("cb48cdc9c957c8402701"))), "hello hello hello hello");
      const dyn =
        "258bc111004108c26a5509d87f0537eefd9824201626183ccc3869406c8eb460cfc42234bf3c586a4a620c81e2bf0d79dbc8cb3cd7db83954b4bd8fb01";
      A.equal((fromHex(dyn)[0] >> 1) & 3, 2, "the vector is a dynamic block");
      A.equal(
        str(inflateAll(fromHex(dyn))),
        "edeheecgefeefceccfggbeeedehgeefcbdeehefcegfdegebebeeedeeeheadbeaddecfeegeeaeeeedehcegeaeeefedfheceegeebhbcefdgcfeeadeffh",
      );
      A.equal(str(inflateAll(fromHex("010700f8ff73746f72656421"))), "stored!");
      const sync = new RawInflater();
      A.equal(str(sync.push(fromHex("4a4c4a4e842100000000ffff"))), "abcabcabcabc");
      A.equal(sync.ended, false, "a sync flush does not end the stream");
      const empty = new RawInflater();
      A.equal(empty.push(fromHex("0300")).length, 0);
      A.equal(empty.ended, true);
      A.equal(empty.trailing, 0);
    });

    it("decodes against a dictionary (a zlib vector, and a stream that continues after a sync flush)", () => {
      const dict = ascii("dictionary words appear");
      A.equal(str(inflateAll(fromHex("2bc9485548c12ea590915a940a00"), { dictionary: dict })), "the dictionary words appear here");
      A.equal(inflateRaw(fromHex("2bc9485548c12ea590915a940a00")), "invalid", "it refers to the dictionary");
      // whatever a deflater writes after a sync flush is byte aligned and refers back into what
      // it was given before: with that as the dictionary, it decodes alone
      for (const windowBits of [9, 15]) {
        const d = new RawDeflater({ level: 6, windowBits });
        const before = jsonText(3000, 1), after = jsonText(2000, 1);
        d.push(before, "sync");
        const part = d.push(after, "sync");
        A.ok(part.length < deflateRaw(after, { windowBits }).length, "it does refer back");
        same(inflateAll(part, { windowBits, dictionary: before }), after, `windowBits ${windowBits}`);
        A.equal(inflateRaw(part, { windowBits, dictionary: before.subarray(before.length - 10) }), "invalid");
      }
    });

    // a stream with stored, fixed and dynamic blocks: three deflaters' sync-flushed output one
    // after another is one stream, as each refers back only into its own data, which comes last
    const pieces = [ascii("stored data\u0000\u00ff"), ascii("fixed fixed fixed"), jsonText(300, 9)];
    const multi = concat([deflateRaw(pieces[0], { level: 0 }), deflateRaw(pieces[1], { level: 1 }), deflateRaw(pieces[2], { level: 9, flush: "finish" })]);
    const multiOut = concat(pieces);

    it("decodes a stream fed a byte at a time, and cut in two at every point", () => {
      A.ok(multi.length > 150, `${multi.length} bytes`);
      const one = new RawInflater({ windowBits: 9 });
      const got: Uint8Array[] = [];
      for (let i = 0; i < multi.length; i++) got.push(one.push(multi.subarray(i, i + 1)));
      same(concat(got), multiOut, "byte at a time");
      A.ok(one.ended);
      A.equal(one.totalOut, multiOut.length);
      for (let cut = 0; cut <= multi.length; cut++) {
        const inf = new RawInflater({ windowBits: 9 });
        const a = inf.push(multi.subarray(0, cut)), b = inf.push(multi.subarray(cut));
        A.ok(inf.ended, `cut at ${cut}`);
        same(concat([a, b]), multiOut, `cut at ${cut}`);
      }
    });

    it("decodes larger streams cut at random points", () => {
      const r = prng(3);
      for (const [data, level] of [[mixed(20000, 4), 6], [jsonText(15000, 5), 1], [randomBytes(3000, 6), 9]] as const) {
        const z = deflateRaw(data, { level, flush: "finish" });
        for (let round = 0; round < 3; round++) {
          const inf = new RawInflater();
          const got: Uint8Array[] = [];
          for (let at = 0; at < z.length; ) {
            const k = 1 + Math.floor(r() * r() * 300);
            got.push(inf.push(z.subarray(at, at + k)));
            at += k;
          }
          same(concat(got), data, `level ${level}`);
          A.ok(inf.ended);
        }
      }
    });

    it("counts bytes after the end of the stream as trailing and ignores them", () => {
      const inf = new RawInflater();
      A.equal(str(inf.push(concat([fromHex("cb48cdc9c957c8402701"), ascii("xyz")]))), "hello hello hello hello");
      A.equal(inf.ended, true);
      A.equal(inf.trailing, 3);
      A.equal(inf.push(ascii("more")).length, 0);
      A.equal(inf.trailing, 7);
    });

    it("accepts what zlib accepts: a lone code of length 1, no distance codes", () => {
      // literal/length code with only end-of-block, of length 1; no distance codes
      const onlyEob = dynamic({ 0: 2, 1: 2, 18: 1 }, [[18, 127], [18, 107], [1], [0]], 257, 1, (_b, lit) => lit(256));
      const inf = new RawInflater();
      A.equal(inf.push(onlyEob).length, 0);
      A.ok(inf.ended);
      // one distance code (of length 1); the other one-bit pattern is not a code
      // lengths: 'a' (97) = 1, 256 = 2, 257 = 2; distance 0 = 1
      const seq: Array<[number, number?]> = [[18, 86], [1], [18, 127], [18, 9], [2], [2], [1]];
      const oneDist = (bad: boolean) =>
        dynamic({ 0: 2, 1: 2, 2: 2, 18: 2 }, seq, 258, 1, (b, lit, dist) => {
          lit(97);
          lit(257);
          if (bad) b.code(1, 1);
          else dist(0);
          lit(256);
        });
      A.equal(str(inflateAll(oneDist(false))), "aaaa");
      A.equal(inflateRaw(oneDist(true)), "invalid");
    });

    it("reports corrupt streams as invalid", () => {
      // the reasons are zlib's
      const reasons: Record<string, string> = {
        "block type 3": "invalid block type",
        "stored LEN and NLEN disagree": "invalid stored block lengths",
        "literal/length code 286": "invalid literal/length code",
        "literal/length code 287": "invalid literal/length code",
        "distance code 30": "invalid distance code",
        "distance code 31": "invalid distance code",
        "HLIT 287": "too many length or distance symbols",
        "HDIST 31": "too many length or distance symbols",
        "over-subscribed code length code": "invalid code lengths set",
        "incomplete code length code": "invalid code lengths set",
        "empty code length code": "invalid code lengths set",
        "repeat with no previous length": "invalid bit length repeat",
        "repeat past the last length": "invalid bit length repeat",
        "no end-of-block code": "invalid code -- missing end-of-block",
        "incomplete literal/length code": "invalid literal/lengths set",
        "over-subscribed literal/length code": "invalid literal/lengths set",
        "incomplete distance code of two lengths": "invalid distances set",
      };
      const invalid = (data: Uint8Array, why: string, opts?: ConstructorParameters<typeof RawInflater>[0]) => {
        A.equal(inflateRaw(data, opts), "invalid", why);
        try {
          new RawInflater(opts).push(data);
        } catch (e) {
          const reason = reasons[why] ?? "invalid distance too far back";
          A.ok((e as Error).message.includes(reason), `${why}: "${(e as Error).message}" gives the reason "${reason}"`);
        }
        // and the same fed a byte at a time, where the error comes from the byte that shows it
        const inf = new RawInflater(opts);
        A.equal(kindOf(() => { for (let i = 0; i < data.length; i++) inf.push(data.subarray(i, i + 1)); }), "invalid", `${why}, a byte at a time`);
        A.equal(kindOf(() => inf.push(new Uint8Array(1))), "invalid", "the error sticks");
      };
      invalid(fromHex("07"), "block type 3");
      invalid(fromHex("0105000000"), "stored LEN and NLEN disagree");
      invalid(new Bits().put(1, 1).put(1, 2).fixed(257).code(0, 5).done(), "distance before the start");
      invalid(new Bits().put(1, 1).put(1, 2).fixed(97).fixed(97).fixed(257).code(2, 5).done(), "distance 3 after 2 bytes");
      A.equal(str(inflateAll(new Bits().put(1, 1).put(1, 2).fixed(97).fixed(98).fixed(257).code(1, 5).fixed(256).done())), "ababa");
      invalid(new Bits().put(1, 1).put(1, 2).fixed(257).code(3, 5).done(), "distance 4 beyond a 3-byte dictionary", { dictionary: ascii("abc") });
      A.equal(str(inflateAll(new Bits().put(1, 1).put(1, 2).fixed(257).code(2, 5).fixed(256).done(), { dictionary: ascii("abc") })), "abc");
      invalid(new Bits().put(1, 1).put(1, 2).fixed(286).done(), "literal/length code 286");
      invalid(new Bits().put(1, 1).put(1, 2).fixed(287).done(), "literal/length code 287");
      invalid(new Bits().put(1, 1).put(1, 2).fixed(97).fixed(257).code(30, 5).done(), "distance code 30");
      invalid(new Bits().put(1, 1).put(1, 2).fixed(97).fixed(257).code(31, 5).done(), "distance code 31");
      invalid(new Bits().put(1, 1).put(2, 2).put(30, 5).put(0, 5).put(0, 4).done(), "HLIT 287");
      invalid(new Bits().put(1, 1).put(2, 2).put(0, 5).put(30, 5).put(0, 4).done(), "HDIST 31");
      invalid(dynamic({ 0: 1, 1: 1, 2: 1 }, [], 257, 1), "over-subscribed code length code");
      invalid(dynamic({ 0: 1 }, [], 257, 1), "incomplete code length code");
      invalid(dynamic({}, [], 257, 1), "empty code length code");
      invalid(dynamic({ 0: 1, 16: 1 }, [[16, 0]], 257, 1), "repeat with no previous length");
      invalid(dynamic({ 0: 1, 18: 1 }, [[18, 127], [18, 127]], 257, 1), "repeat past the last length");
      invalid(dynamic({ 0: 1, 18: 1 }, [[18, 127], [18, 109]], 257, 1), "no end-of-block code");
      invalid(dynamic({ 1: 2, 2: 2, 18: 1 }, [[2], [18, 127], [18, 106], [2], [1]], 257, 1), "incomplete literal/length code");
      invalid(dynamic({ 1: 1, 2: 2, 18: 2 }, [[1], [1], [1], [18, 127], [18, 104], [1], [2]], 257, 1), "over-subscribed literal/length code");
      invalid(dynamic({ 0: 2, 1: 2, 2: 2, 18: 2 }, [[18, 127], [18, 107], [1], [2], [2]], 257, 2), "incomplete distance code of two lengths");
      // a window smaller than the distances the stream uses
      const far = concat([randomBytes(600, 7), randomBytes(600, 7)]);
      const z = deflateRaw(far, { level: 1 });
      same(inflateAll(z, { windowBits: 10 }), far, "the window holds the distance");
      invalid(z, "distance beyond a 512-byte window", { windowBits: 9 });
    });

    it("stops with too big once the output would pass maxOut, without making it", () => {
      // a fixed block of 258-byte copies of the previous byte: about 160 KiB from 1 KiB
      const b = new Bits().put(0, 1).put(1, 2).fixed(0);
      for (let i = 0; i < 640; i++) b.fixed(285).code(0, 5);
      const bomb = b.done();
      A.ok(bomb.length < 1100);
      A.equal(inflateAll(bomb).length, 1 + 640 * 258);
      A.equal(inflateRaw(bomb, { maxOut: 10000 }), "too big");
      A.equal(inflateAll(bomb, { maxOut: 1 + 640 * 258 }).length, 1 + 640 * 258, "exactly maxOut is fine");
      A.equal(inflateRaw(bomb, { maxOut: 640 * 258 }), "too big");
      A.equal(inflateRaw(fromHex("010700f8ff73746f72656421"), { maxOut: 6 }), "too big", "stored data counts");
      A.equal(inflateRaw(fromHex("cb48cdc9c957c8402701"), { maxOut: 0 }), "too big");
      // in pieces: what comes out before the limit is passed stays within it
      const inf = new RawInflater({ maxOut: 50000 });
      let out = 0;
      A.equal(kindOf(() => { for (let i = 0; i < bomb.length; i += 20) out += inf.push(bomb.subarray(i, i + 20)).length; }), "too big");
      A.ok(out <= 50000 && out > 40000, `${out} bytes out`);
    });

    it("throws nothing but InflateError on random and damaged input", () => {
      const r = prng(11);
      let errors = 0, decoded = 0;
      const attempt = (data: Uint8Array) => {
        const inf = new RawInflater({ maxOut: 1 << 20, windowBits: 8 + Math.floor(r() * 8) });
        try {
          for (let at = 0; at < data.length; ) {
            const k = 1 + Math.floor(r() * 40);
            inf.push(data.subarray(at, at + k));
            at += k;
          }
          decoded++;
        } catch (e) {
          if (!(e instanceof InflateError)) throw e;
          errors++;
        }
      };
      for (let i = 0; i < 300; i++) attempt(randomBytes(1 + Math.floor(r() * 300), 1000 + i));
      // random bytes after a valid dynamic block header: deeper into the decoder
      const head = deflateRaw(jsonText(400, 12), { level: 6 }).subarray(0, 60);
      for (let i = 0; i < 200; i++) attempt(concat([head, randomBytes(Math.floor(r() * 200), 2000 + i)]));
      const good = deflateRaw(mixed(3000, 13), { level: 6, flush: "finish" });
      for (let i = 0; i < 150; i++) {
        const bad = good.slice(0, Math.floor(r() * (good.length + 1)));
        for (let k = 0; k < 3; k++) if (bad.length) bad[Math.floor(r() * bad.length)] ^= 1 << Math.floor(r() * 8);
        attempt(bad);
      }
      A.ok(errors > 100 && decoded > 10, `${errors} errors, ${decoded} decoded`);
    });
  });

  describe("deflate", () => {
    const samples: Array<[string, Uint8Array]> = [
      ["empty", new Uint8Array(0)],
      ["one byte", ascii("x")],
      ["three bytes", ascii("aaa")],
      ["json", jsonText(6000, 21)],
      ["random", randomBytes(2000, 22)],
      ["run", new Uint8Array(5000).fill(0x41)],
      ["mixed", mixed(20000, 23)],
    ];

    it("round-trips at levels 0, 1, 6 and 9, with a sync flush and with finish", () => {
      for (const level of [0, 1, 6, 9]) {
        for (const [name, data] of samples) {
          const sync = deflateRaw(data, { level });
          A.equal(hex(sync.subarray(sync.length - 4)), "0000ffff", `${name} level ${level}: sync ends with an empty stored block`);
          const inf = new RawInflater();
          same(inf.push(sync), data, `${name} level ${level} sync`);
          A.equal(inf.ended, false);
          const fin = deflateRaw(data, { level, flush: "finish" });
          const inf2 = new RawInflater();
          same(inf2.push(fin), data, `${name} level ${level} finish`);
          A.ok(inf2.ended && inf2.trailing === 0, `${name} level ${level}: ends exactly at the end`);
          if (level > 0 && name === "json") A.ok(fin.length < data.length / 3, `json level ${level}: ${fin.length} bytes`);
          if (name === "random") A.ok(fin.length <= data.length + 5 * Math.ceil(data.length / 65535) + 5, `random level ${level} stays stored: ${fin.length}`);
        }
      }
    });

    it("writes what zlib writes for small cases", () => {
      A.equal(hex(deflateRaw(new Uint8Array(0), { flush: "finish" })), "0300");
      A.equal(hex(deflateRaw(ascii("stored!"), { level: 0, flush: "finish" })), "010700f8ff73746f72656421");
      A.equal(hex(deflateRaw(new Uint8Array(0), { level: 0, flush: "finish" })), "010000ffff");
      A.equal(hex(deflateRaw(new Uint8Array(0))), "000000ffff");
    });

    it("keeps its context across sync flushes, and forgets it on reset()", () => {
      for (const level of [1, 6]) {
        const d = new RawDeflater({ level });
        const inf = new RawInflater();
        const messages = [0, 1, 2, 3, 4, 5].map((i) => jsonText(800 + 100 * i, 30));
        messages.forEach((m, i) => {
          const z = d.push(m, "sync");
          same(inf.push(z), m, `level ${level}`);
          // each message starts with the one before
          const alone = deflateRaw(m, { level }).length;
          if (i > 0) A.ok(z.length < alone / 2, `message ${i} refers back: ${z.length} bytes, ${alone} alone`);
        });
        d.reset();
        const alone = d.push(messages[1], "sync");
        same(inflateAll(alone), messages[1], "after reset the output stands alone");
        same(inf.push(alone), messages[1], "and still continues the stream");
      }
    });

    it("streams input pushed in pieces with no flush, then flushed", () => {
      const r = prng(40);
      for (const level of [0, 1, 4, 9]) {
        const data = mixed(12000, 41 + level);
        const d = new RawDeflater({ level });
        const out: Uint8Array[] = [];
        for (let at = 0; at < data.length; ) {
          const k = level === 4 ? 1 : 1 + Math.floor(r() * 2000);
          out.push(d.push(data.subarray(at, at + k)));
          at += k;
          if (r() < 0.05) out.push(d.push(new Uint8Array(0), "sync"));
        }
        out.push(d.push(new Uint8Array(0), "finish"));
        A.throws(() => d.push(new Uint8Array(1)), /finished/);
        const inf = new RawInflater();
        same(inf.push(concat(out)), data, `level ${level}`);
        A.ok(inf.ended);
        d.reset();
        same(inflateAll(d.push(data.subarray(0, 100), "finish")), data.subarray(0, 100), "reset after finish starts anew");
      }
    });

    it("keeps matches within the window, across blocks and window moves", () => {
      // 70 KB moves a 512-byte window's buffer along twice
      const data = concat([mixed(30000, 50), mixed(10000, 50), new Uint8Array(20000).fill(3), mixed(10000, 51)]);
      for (const level of [1, 6]) {
        const d = new RawDeflater({ level, windowBits: 9 });
        const inf = new RawInflater({ windowBits: 9 });
        const out: Uint8Array[] = [];
        for (let at = 0; at < data.length; at += 7000) out.push(inf.push(d.push(data.subarray(at, at + 7000), at % 14000 ? "none" : "sync")));
        out.push(inf.push(d.push(new Uint8Array(0), "finish")));
        same(concat(out), data, `level ${level}`);
      }
      // a 4 KiB window cannot reach a repeat 5000 bytes back; a 32 KiB one can
      const far = concat([randomBytes(5000, 52), randomBytes(5000, 52)]);
      A.ok(deflateRaw(far, { windowBits: 12 }).length > 9000);
      A.ok(deflateRaw(far, { windowBits: 15 }).length < 5200);
      same(inflateAll(deflateRaw(far, { windowBits: 12 }), { windowBits: 12 }), far, "windowBits 12");
    });

    it("compresses better at higher levels", () => {
      const data = jsonText(20000, 60);
      const l1 = deflateRaw(data, { level: 1 }).length, l6 = deflateRaw(data, { level: 6 }).length, l9 = deflateRaw(data, { level: 9 }).length;
      A.ok(l9 <= l6 && l6 < l1 && l1 < data.length / 3, `level 1: ${l1}, 6: ${l6}, 9: ${l9} of ${data.length}`);
    });
  });
});
