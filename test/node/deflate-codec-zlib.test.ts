// The portable raw DEFLATE codec (platform/sim/deflate.ts) against node:zlib: zlib's streams
// (every level, window size and strategy, sync-flushed messages with context) decode; ours
// decode in zlib; damaged streams are rejected exactly when zlib rejects them; sizes are sane.
import * as zlib from "node:zlib";
import * as A from "../lib/assert.js";
import { InflateError, RawDeflater, RawInflater, deflateRaw, inflateRaw } from "../../platform/sim/deflate.js";
import { jsonText, mixed, prng, randomBytes } from "../lib/deflate-data.js";

const { Z_SYNC_FLUSH } = zlib.constants;

const concat = (list: Uint8Array[]) => new Uint8Array(Buffer.concat(list));
const same = (a: Uint8Array, b: Uint8Array, message: string) => {
  if (Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0) return;
  A.equal(a.length, b.length, `${message}: length`);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) A.fail(`${message}: first difference at ${i}`);
};
/** ours, fed in random pieces */
function inflatePieces(z: Uint8Array, opts: ConstructorParameters<typeof RawInflater>[0], r: () => number, maxPiece = 70000): Uint8Array {
  const inf = new RawInflater(opts);
  const out: Uint8Array[] = [];
  for (let at = 0; at < z.length; ) {
    const k = 1 + Math.floor(r() * r() * maxPiece);
    out.push(inf.push(z.subarray(at, at + k)));
    at += k;
  }
  return concat(out);
}

/** zlib's deflate with a sync flush after each message, as permessage-deflate with context takeover sends them */
async function zlibMessages(messages: Uint8Array[], opts: zlib.ZlibOptions): Promise<Uint8Array[]> {
  const d = zlib.createDeflateRaw(opts);
  let got: Buffer[] = [];
  d.on("data", (b: Buffer) => got.push(b));
  const out: Uint8Array[] = [];
  for (const m of messages) {
    d.write(m);
    await new Promise<void>((resolve) => d.flush(Z_SYNC_FLUSH, () => resolve()));
    out.push(concat(got));
    got = [];
  }
  d.close();
  return out;
}
/** zlib's inflate kept across chunks, flushed after each */
async function zlibInflateChunks(chunks: Uint8Array[], windowBits: number): Promise<Uint8Array[]> {
  const inf = zlib.createInflateRaw({ windowBits });
  let got: Buffer[] = [];
  let failure: Error | null = null;
  inf.on("data", (b: Buffer) => got.push(b));
  inf.on("error", (e) => (failure = e));
  const out: Uint8Array[] = [];
  for (const c of chunks) {
    inf.write(c);
    await new Promise<void>((resolve) => inf.flush(Z_SYNC_FLUSH, () => resolve()));
    if (failure) throw failure;
    out.push(concat(got));
    got = [];
  }
  inf.close();
  return out;
}

describe("raw DEFLATE codec against node:zlib", function () {
  this.timeout(60000);
  const data = mixed(70000, 1, 20000);
  const text = jsonText(40000, 2);

  it("inflates zlib's output at every level, window size and strategy, finished and sync-flushed", () => {
    const r = prng(3);
    const strategies = [zlib.constants.Z_DEFAULT_STRATEGY, zlib.constants.Z_FILTERED, zlib.constants.Z_HUFFMAN_ONLY, zlib.constants.Z_RLE, zlib.constants.Z_FIXED];
    for (let level = 1; level <= 9; level++) {
      for (let windowBits = 9; windowBits <= 15; windowBits++) {
        for (const strategy of strategies) {
          for (const [name, input] of [["mixed", data], ["json", text]] as const) {
            const memLevel = 1 + Math.floor(r() * 9);
            const finished = zlib.deflateRawSync(input, { level, windowBits, strategy, memLevel });
            const what = `${name} level ${level} windowBits ${windowBits} strategy ${strategy} memLevel ${memLevel}`;
            same(inflatePieces(finished, { windowBits }, r), input, what);
            const flushed = zlib.deflateRawSync(input, { level, windowBits, strategy, memLevel, finishFlush: Z_SYNC_FLUSH });
            const inf = new RawInflater({ windowBits });
            same(inf.push(flushed), input, `${what}, sync`);
            A.ok(!inf.ended);
          }
        }
      }
    }
  });

  it("inflates zlib's sync-flushed messages with context takeover, and with a dictionary", async () => {
    const r = prng(4);
    for (const [level, windowBits] of [[1, 15], [6, 15], [9, 10], [6, 9]]) {
      const messages = Array.from({ length: 30 }, (_, i) => (i % 5 === 4 ? randomBytes(500, i) : jsonText(200 + Math.floor(r() * 5000), 100 + (i % 3))));
      const chunks = await zlibMessages(messages, { level, windowBits });
      // as permessage-deflate: the 00 00 ff ff is taken off when sent and put back for inflating
      const inf = new RawInflater({ windowBits });
      messages.forEach((m, i) => {
        const c = chunks[i];
        A.equal(Buffer.from(c.subarray(c.length - 4)).toString("hex"), "0000ffff");
        same(concat([inf.push(c.subarray(0, c.length - 4)), inf.push(Uint8Array.of(0, 0, 0xff, 0xff))]), m, `message ${i} level ${level} windowBits ${windowBits}`);
      });
      // the sim's permessage-deflate inflates each message alone, with the window so far as the dictionary
      let history = new Uint8Array(0);
      messages.forEach((m, i) => {
        const out = inflateRaw(chunks[i], { windowBits, dictionary: history });
        A.ok(out instanceof Uint8Array, `message ${i}: ${out}`);
        same(out, m, `message ${i} against its dictionary`);
        history = concat([history, m]).slice(-(1 << windowBits));
      });
    }
    for (let windowBits = 9; windowBits <= 15; windowBits++) {
      const dictionary = jsonText(50000, 5), input = jsonText(20000, 5 + windowBits);
      const z = zlib.deflateRawSync(input, { windowBits, dictionary });
      same(inflatePieces(z, { windowBits, dictionary }, r), input, `dictionary, windowBits ${windowBits}`);
    }
  });

  it("deflates so that zlib inflates it, at every level and window size", () => {
    const r = prng(5);
    for (let level = 0; level <= 9; level++) {
      for (let windowBits = 9; windowBits <= 15; windowBits++) {
        for (const input of [data, text, new Uint8Array(0), Uint8Array.of(1, 2)]) {
          const what = `level ${level} windowBits ${windowBits} ${input.length} bytes`;
          const fin = deflateRaw(input, { level, windowBits, flush: "finish" });
          same(zlib.inflateRawSync(fin, { windowBits }), input, what);
          const sync = deflateRaw(input, { level, windowBits });
          same(zlib.inflateRawSync(sync, { windowBits, finishFlush: Z_SYNC_FLUSH }), input, `${what}, sync`);
          // and in pieces with no flush in between
          const d = new RawDeflater({ level, windowBits });
          const out: Uint8Array[] = [];
          for (let at = 0; at < input.length; ) {
            const k = 1 + Math.floor(r() * r() * 40000);
            out.push(d.push(input.subarray(at, at + k)));
            at += k;
          }
          out.push(d.push(new Uint8Array(0), "finish"));
          same(zlib.inflateRawSync(concat(out), { windowBits }), input, `${what}, in pieces`);
        }
      }
    }
  });

  it("deflates sync-flushed messages that a persistent zlib inflate decodes with context takeover", async () => {
    const r = prng(6);
    for (const [level, windowBits] of [[1, 15], [6, 15], [9, 12], [1, 9], [4, 9]]) {
      const messages = Array.from({ length: 40 }, (_, i) => (i % 7 === 6 ? mixed(3000, i, 20000) : jsonText(100 + Math.floor(r() * 3000), 200 + (i % 4))));
      const d = new RawDeflater({ level, windowBits });
      const chunks = messages.map((m) => d.push(m, "sync"));
      chunks.forEach((c, i) => A.equal(Buffer.from(c.subarray(c.length - 4)).toString("hex"), "0000ffff", `message ${i}`));
      const outs = await zlibInflateChunks(chunks, windowBits);
      messages.forEach((m, i) => same(outs[i], m, `message ${i} level ${level} windowBits ${windowBits}`));
      same(zlib.inflateRawSync(concat(chunks), { windowBits, finishFlush: Z_SYNC_FLUSH }), concat(messages), "all at once");
      const total = chunks.reduce((n, c) => n + c.length, 0);
      const alone = messages.reduce((n, m) => n + deflateRaw(m, { level, windowBits }).length, 0);
      // (smaller windows reach back to few earlier messages)
      A.ok(total < alone * (windowBits === 15 ? 0.6 : 0.97), `context takeover pays: ${total} bytes against ${alone} alone`);
      // no_context_takeover: after reset() each message stands alone
      for (const m of messages.slice(0, 8)) {
        d.reset();
        same(zlib.inflateRawSync(d.push(m, "sync"), { windowBits, finishFlush: Z_SYNC_FLUSH }), m, "after reset");
      }
    }
  });

  it("round-trips a few MB both ways, in pieces", () => {
    const r = prng(7);
    const big = concat([mixed(2_000_000, 8, 20000), jsonText(1_000_000, 9), randomBytes(300_000, 10)]);
    for (const level of [1, 6]) {
      const d = new RawDeflater({ level });
      const out: Uint8Array[] = [];
      for (let at = 0; at < big.length; ) {
        const k = 1 + Math.floor(r() * 100000);
        out.push(d.push(big.subarray(at, at + k), r() < 0.2 ? "sync" : "none"));
        at += k;
      }
      out.push(d.push(new Uint8Array(0), "finish"));
      const z = concat(out);
      same(zlib.inflateRawSync(z), big, `ours at level ${level}, zlib inflating`);
      same(inflatePieces(z, {}, r, 200000), big, `ours at level ${level}, ours inflating`);
    }
    same(inflatePieces(zlib.deflateRawSync(big, { level: 6 }), {}, r, 200000), big, "zlib deflating, ours inflating");
  });

  it("keeps working when its stream offsets are shifted down", () => {
    const r = prng(8);
    for (const level of [1, 6]) {
      const d = new RawDeflater({ level, windowBits: 10 });
      (d as unknown as { renormAt: number }).renormAt = 1 << 16;
      const messages = Array.from({ length: 60 }, (_, i) => jsonText(500 + Math.floor(r() * 8000), 300 + (i % 5)));
      const chunks = messages.map((m) => d.push(m, "sync"));
      same(zlib.inflateRawSync(concat(chunks), { windowBits: 10, finishFlush: Z_SYNC_FLUSH }), concat(messages), `level ${level}`);
      A.ok((d as unknown as { base: number }).base < 1 << 17, "the offsets were shifted");
    }
  });

  it("compresses JSON-like text about as well as zlib", () => {
    const json = jsonText(500_000, 11);
    for (const level of [1, 6, 9]) {
      const ours = deflateRaw(json, { level }).length, theirs = zlib.deflateRawSync(json, { level }).length;
      A.ok(ours < json.length * (level === 1 ? 0.5 : 0.3), `level ${level}: ${ours} of ${json.length}`);
      A.ok(ours < theirs * (level === 1 ? 1.35 : 1.05), `level ${level}: ours ${ours}, zlib ${theirs}`);
    }
    const rnd = randomBytes(200_000, 12);
    A.ok(deflateRaw(rnd, { level: 6 }).length < rnd.length + 100, "random data is stored, not expanded");
  });

  it("rejects a damaged stream exactly when zlib does, and decodes the same bytes otherwise", () => {
    const r = prng(13);
    const sources = [deflateRaw(mixed(5000, 14, 20000), { level: 6, flush: "finish" }), zlib.deflateRawSync(jsonText(4000, 15), { level: 9 }), zlib.deflateRawSync(mixed(3000, 16, 20000), { strategy: zlib.constants.Z_FIXED })];
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const src = sources[i % sources.length];
      const bad = i % 10 === 0 ? randomBytes(1 + Math.floor(r() * 400), i) : src.slice(0, Math.floor(src.length * (0.3 + 0.7 * r())) + 1);
      const flips = 1 + Math.floor(r() * 3);
      for (let k = 0; k < flips; k++) bad[Math.floor(r() * bad.length)] ^= 1 << Math.floor(r() * 8);
      const ours = inflateRaw(bad);
      let theirs: Uint8Array | "invalid";
      try {
        theirs = zlib.inflateRawSync(bad, { finishFlush: Z_SYNC_FLUSH });
      } catch {
        theirs = "invalid";
      }
      if (theirs === "invalid") {
        A.equal(ours, "invalid", `case ${i}: zlib rejects it`);
        rejected++;
      } else if (ours === "invalid") {
        // zlib takes an empty code length code and finds the error only once the lengths are all
        // read; we reject it at once. Then zlib must not have reached the end of the stream.
        A.throws(() => zlib.inflateRawSync(bad), undefined, `case ${i}: we reject what zlib decodes`);
      } else {
        A.ok(ours instanceof Uint8Array);
        same(ours, theirs, `case ${i}`);
      }
    }
    A.ok(rejected > 500, `${rejected} rejected`);
  });

  it("fails fast on a stream that would inflate to 1 GB", () => {
    // a fixed block: one zero byte, then copies of 258 bytes from 1 back, 13 bits each, so that
    // after the first byte the stream repeats every 13 bytes (8 copies)
    const bits: number[] = [0, 1, 0];
    const code = (c: number, n: number) => {
      for (let i = n - 1; i >= 0; i--) bits.push((c >>> i) & 1);
    };
    code(0x30, 8);
    for (let i = 0; i < 40; i++) {
      code(0xc5, 8);
      code(0, 5);
    }
    const head = new Uint8Array(bits.length >> 3);
    for (let i = 0; i < head.length * 8; i++) head[i >> 3] |= bits[i] << (i & 7);
    const unit = head.subarray(1, 14);
    A.equal(Buffer.from(head.subarray(14, 27)).toString("hex"), Buffer.from(unit).toString("hex"));
    const units = Math.ceil((1 << 30) / (8 * 258));
    const bomb = new Uint8Array(1 + units * 13);
    bomb[0] = head[0];
    for (let i = 0; i < units; i++) bomb.set(unit, 1 + i * 13);
    A.ok(bomb.length < 7_000_000);
    const started = Date.now();
    const inf = new RawInflater({ maxOut: 1 << 20 });
    let out = 0;
    let kind = "";
    try {
      for (let at = 0; at < bomb.length; at += 65536) out += inf.push(bomb.subarray(at, at + 65536)).length;
    } catch (e) {
      A.ok(e instanceof InflateError);
      kind = e.kind;
    }
    A.equal(kind, "too big");
    A.ok(out <= 1 << 20, `${out} bytes came out`);
    A.ok(Date.now() - started < 1000, `${Date.now() - started} ms`);
    // and the whole of it decodes, in bounded memory, when allowed: the first 100 MB
    const all = new RawInflater();
    let total = 0;
    const before = process.memoryUsage().arrayBuffers;
    for (let at = 0; at < 700_000; at += 65536) {
      const o = all.push(bomb.subarray(at, Math.min(at + 65536, 700_000)));
      total += o.length;
      if (o.length && (o[0] | o[o.length >> 1] | o[o.length - 1]) !== 0) A.fail("only zeros come out");
    }
    A.ok(total > 100_000_000, `${total} bytes`);
    A.ok(process.memoryUsage().arrayBuffers - before < 50_000_000, "no output history is kept");
  });
});
