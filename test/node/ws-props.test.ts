// Property tests (fast-check) of the WebSocket wire format modules. Node only: fast-check cannot
// load inside XS.
import * as crypto from "node:crypto";
import fc from "fast-check";
import * as A from "../lib/assert.js";
import {
  FrameParser, encodeFrame, OPCODE_CONTINUATION, type DataInfo, type FrameParserOptions,
} from "../../src/roles/ws/frame.js";
import { xorMask } from "../../src/roles/ws/mask.js";
import { createNodePlatform } from "../../platform/node/index.js";
import { Utf8Validator, isValidUtf8 } from "../../src/roles/ws/utf8.js";
import { buildClosePayload, parseClosePayload } from "../../src/roles/ws/close.js";
import { sha1 } from "../../src/core/sha1.js";
import { base64Decode, base64Encode } from "../../src/core/base64.js";
import { formatExtension, parseExtensions, parseProtocolList, type Extension } from "../../src/roles/ws/handshake.js";
import { concatBytes as concat, cut } from "../lib/env.js";


type Ev = { t: "msg"; opcode: number; compressed: boolean; data: Uint8Array; done: boolean } | { t: "control"; opcode: number; data: Uint8Array } | { t: "error"; code: number };

interface Recorded {
  evs: Ev[];
  /** bytes handed out as data, total */
  dataBytes: number;
}

/**
 * Parses `chunks` (each in a buffer of its own, copied), checking that data pieces are views of
 * the input (the parser keeps no payload), that the parser's own control buffer stays within 125
 * bytes, and that nothing is reported after an error. Data is coalesced per message.
 */
function parseChunks(opts: Partial<FrameParserOptions>, chunks: Uint8Array[]): Recorded {
  const evs: Ev[] = [];
  let msg: Extract<Ev, { t: "msg" }> | null = null;
  let current: Uint8Array | null = null;
  let failed = false;
  let dataBytes = 0;
  const parser = new FrameParser({ isServer: true, maxMessageSize: 1 << 16, rsv1Allowed: false, ...opts }, {
    onData(d: Uint8Array, info: DataInfo) {
      A.ok(!failed, "no event after an error");
      A.ok(d.length === 0 || d.buffer === current!.buffer, "a data piece is a view of the input");
      dataBytes += d.length;
      if (info.first) {
        A.ok(msg === null || msg.done, "first only when no message is open");
        msg = { t: "msg", opcode: info.opcode, compressed: info.compressed, data: d.slice(), done: info.final };
        evs.push(msg);
      } else {
        A.ok(msg !== null && !msg.done && msg.opcode === info.opcode);
        msg.data = concat([msg.data, d]);
        msg.done = info.final;
      }
    },
    onControl(opcode: number, d: Uint8Array) {
      A.ok(!failed, "no event after an error");
      A.ok(d.length <= 125);
      evs.push({ t: "control", opcode, data: d.slice() });
    },
    onError(code: number) {
      A.ok(!failed, "one error");
      failed = true;
      evs.push({ t: "error", code });
    },
  });
  for (const c of chunks) {
    current = c.slice();
    let r: number;
    try {
      r = parser.execute(current);
    } catch (e) {
      throw new Error(`execute threw: ${e}`);
    }
    const ctrl = (parser as unknown as { ctrl: Uint8Array | null }).ctrl;
    A.ok(ctrl === null || ctrl.length === 125, "the parser's own buffer is one control frame");
    if (r < 0) {
      A.ok(parser.failed && failed);
      break;
    }
    A.equal(r, current.length);
  }
  return { evs, dataBytes };
}

// ------------------------------------------------------------------ generators

const maskArb = fc.uint8Array({ minLength: 4, maxLength: 4 });
const textArb = fc.string({ unit: fc.constantFrom("a", "é", "€", "\u{1f600}", "\u0000", "z"), maxLength: 60 }).map((s) => new TextEncoder().encode(s));
const binArb = fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.tuple(fc.integer({ min: 120, max: 70000 }), fc.nat()).map(([n, seed]) => {
  // long payloads from a seed (reproducible, unlike crypto.randomBytes; cheaper than generating each byte)
  const b = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    b[i] = x;
  }
  return b;
}));

const messageArb = fc.record({
  opcode: fc.constantFrom(1, 2),
  text: textArb,
  bin: binArb,
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
  controls: fc.array(fc.record({ opcode: fc.constantFrom(8, 9, 10), payload: fc.uint8Array({ maxLength: 125 }), after: fc.nat(5) }), { maxLength: 3 }),
});

/** A stream of messages (fragmented, with control frames interleaved) and the events it must give. */
type Message = typeof messageArb extends fc.Arbitrary<infer T> ? T : never;
function buildStream(messages: Message[], mask: Uint8Array | null) {
  const frames: Uint8Array[] = [];
  const want: Ev[] = [];
  for (const m of messages) {
    const payload = m.opcode === 1 ? m.text : m.bin;
    const pieces = cut(payload, m.cuts);
    want.push({ t: "msg", opcode: m.opcode, compressed: false, data: payload, done: true });
    pieces.forEach((p, i) => {
      frames.push(encodeFrame(i === 0 ? m.opcode : OPCODE_CONTINUATION, p, { fin: i === pieces.length - 1, mask }));
      for (const c of m.controls) {
        if (Math.min(c.after, pieces.length - 1) === i) {
          frames.push(encodeFrame(c.opcode, c.payload, { mask }));
          want.push({ t: "control", opcode: c.opcode, data: c.payload });
        }
      }
    });
  }
  return { stream: concat(frames), want };
}

describe("ws properties", function () {
  this.timeout(120000);

  it("encode -> parse round-trips messages for any payload, fragmentation, mask and split", () => {
    fc.assert(
      fc.property(fc.array(messageArb, { minLength: 1, maxLength: 4 }), fc.boolean(), maskArb, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }), (messages, isServer, mask, splits) => {
        const { stream, want } = buildStream(messages, isServer ? mask : null);
        const got = parseChunks({ isServer, maxMessageSize: 1 << 20 }, cut(stream, splits));
        A.deepEqual(got.evs, want);
      }),
      { numRuns: 200 },
    );
  });

  it("byte-at-a-time input gives the same events as whole input", () => {
    fc.assert(
      fc.property(fc.array(messageArb.map((m) => ({ ...m, bin: m.bin.subarray(0, 300) })), { minLength: 1, maxLength: 3 }), maskArb, (messages, mask) => {
        const { stream, want } = buildStream(messages, mask);
        const bytes: Uint8Array[] = [];
        for (let i = 0; i < stream.length; i++) bytes.push(stream.subarray(i, i + 1));
        A.deepEqual(parseChunks({}, bytes).evs, want);
      }),
      { numRuns: 100 },
    );
  });

  // Arbitrary bytes, and valid streams with a few bytes changed (to get past the first header).
  const noiseArb = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.tuple(fc.array(messageArb, { minLength: 1, maxLength: 3 }), fc.boolean(), maskArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }))
      .map(([messages, isServer, mask, edits]) => {
        const { stream } = buildStream(messages.map((m) => ({ ...m, bin: m.bin.subarray(0, 200) })), isServer ? mask : null);
        for (const [at, v] of edits) if (stream.length) stream[at % stream.length] = v;
        return stream;
      }),
  );
  const optsArb = fc.record({ isServer: fc.boolean(), rsv1Allowed: fc.boolean(), maxMessageSize: fc.oneof(fc.nat(300), fc.constant(Infinity)) });

  it("arbitrary bytes never throw, never exceed the limits, and give the same events for any split", () => {
    fc.assert(
      fc.property(noiseArb, optsArb, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }), (bytes, opts, splits) => {
        const whole = parseChunks(opts, [bytes]);
        A.ok(whole.dataBytes <= bytes.length);
        A.deepEqual(parseChunks(opts, cut(bytes, splits)).evs, whole.evs);
        const one: Uint8Array[] = [];
        for (let i = 0; i < bytes.length; i++) one.push(bytes.subarray(i, i + 1));
        A.deepEqual(parseChunks(opts, one).evs, whole.evs);
      }),
      { numRuns: 500 },
    );
  });

  it("xorMask (portable, and the Node platform's native hook) equals a naive reference for any offset, length, phase and mask", () => {
    const naive = (d: Uint8Array, m: Uint8Array, phase: number) => {
      for (let i = 0; i < d.length; i++) d[i] ^= m[(phase + i) & 3]!;
      return (phase + d.length) & 3;
    };
    // the portable transform, and platform/node's hook (bufferutil's native unmask from 128 bytes)
    const hook = createNodePlatform().hooks.xorMask;
    A.ok(hook !== xorMask, "bufferutil is installed here (a devDependency): the hook is the native one");
    for (const f of [xorMask, hook])
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(600), fc.nat(600), fc.integer({ min: 0, max: 3 }), maskArb, (buf, a, b, phase, mask) => {
          const start = Math.min(a, buf.length), end = Math.min(Math.max(b, start), buf.length);
          const x = buf.slice(), y = buf.slice();
          const px = f(x.subarray(start, end), mask, phase);
          const py = naive(y.subarray(start, end), mask, phase);
          A.equal(px, py);
          A.deepEqual(x, y); // the bytes around the view are untouched too
        }),
        { numRuns: 1000 },
      );
  });

  // Arbitrary bytes, and UTF-8 with a few bytes changed.
  const utf8ish = fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    fc.uint8Array({ maxLength: 40 }).map((b) => b.map((x) => (x & 1 ? x | 0x80 : x))),
    fc.tuple(fc.string({ unit: "binary", maxLength: 30 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0x80, max: 0xff })), { maxLength: 2 })).map(([s, edits]) => {
      const b = new TextEncoder().encode(s);
      for (const [at, v] of edits) if (b.length) b[at % b.length] = v;
      return b;
    }),
    fc.constantFrom(...[0xc2, 0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf1, 0xf4, 0xf5]).chain((lead) =>
      fc.uint8Array({ minLength: 0, maxLength: 4 }).map((rest) => Uint8Array.from([lead, ...rest.map((x) => 0x80 | (x & 0x3f))]))),
  );

  /** Where a fail-fast validator must fail: the first byte after which the prefix cannot be valid (streaming TextDecoder), the length if only the end is wrong, -1 if valid. */
  function reference(b: Uint8Array): number {
    for (let i = 1; i <= b.length; i++) {
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(b.subarray(0, i), { stream: true });
      } catch {
        return i - 1;
      }
    }
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(b);
      return -1;
    } catch {
      return b.length;
    }
  }

  it("Utf8Validator agrees with TextDecoder (fatal) for any bytes and any split, failing at the first impossible byte", () => {
    fc.assert(
      fc.property(utf8ish, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 5 }), (b, splits) => {
        let valid = true;
        try {
          new TextDecoder("utf-8", { fatal: true }).decode(b);
        } catch {
          valid = false;
        }
        A.equal(isValidUtf8(b), valid);
        const v = new Utf8Validator();
        const pieces = cut(b, splits);
        let ok = true;
        let failedOnPiece = -1;
        pieces.forEach((p, i) => {
          if (ok && !v.push(p, i === pieces.length - 1)) {
            ok = false;
            failedOnPiece = i;
          }
        });
        A.equal(ok, valid);
        const at = reference(b);
        A.equal(v.failedAt, at);
        if (!ok && at < b.length) {
          // push() returned false on the piece holding the bad byte, not later
          let start = 0;
          for (let i = 0; i < failedOnPiece; i++) start += pieces[i]!.length;
          A.ok(at >= start && (at < start + pieces[failedOnPiece]!.length), "failed on the piece with the bad byte");
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("close payloads stay within 125 bytes and keep a well-formed prefix of the reason", () => {
    const codeArb = fc.oneof(fc.constantFrom(1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014), fc.integer({ min: 3000, max: 4999 }));
    fc.assert(
      fc.property(codeArb, fc.string({ unit: fc.oneof(fc.constantFrom("a", "é", "€", "\u{1f600}"), fc.string({ unit: "binary", maxLength: 1 })), maxLength: 200 }), (code, reason) => {
        const p = buildClosePayload(code, reason);
        A.ok(p.length >= 2 && p.length <= 125);
        const back = parseClosePayload(p);
        A.ok("code" in back, "parses");
        A.equal(back.code, code);
        const wellFormed = new TextDecoder().decode(new TextEncoder().encode(reason));
        A.ok(wellFormed.startsWith(back.reason));
        const full = new TextEncoder().encode(wellFormed).length;
        if (full <= 123) A.equal(back.reason, wellFormed);
        else A.ok(p.length > 125 - 4, "cut only when needed, less than one character short");
      }),
      { numRuns: 1000 },
    );
  });

  it("sha1 and base64 agree with node:crypto and Buffer", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        A.equal(Buffer.from(sha1(b)).toString("hex"), crypto.createHash("sha1").update(b).digest("hex"));
        const s = base64Encode(b);
        A.equal(s, Buffer.from(b).toString("base64"));
        A.deepEqual(base64Decode(s), b);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("A", "Q", "z", "0", "+", "/", "=", " ", "-"), maxLength: 16 }), (s) => {
        const d = base64Decode(s);
        if (d !== null) A.equal(base64Encode(d), s, "only canonical text decodes");
      }),
      { numRuns: 2000 },
    );
  });

  it("Sec-WebSocket-Extensions and -Protocol parsers never throw and round-trip what they format", () => {
    const tokenArb = fc.string({ unit: fc.constantFrom("a", "b", "_", "-", "9", "!", "~"), minLength: 1, maxLength: 6 });
    const extArb: fc.Arbitrary<Extension> = fc.record({
      name: tokenArb,
      params: fc.array(fc.record({ name: tokenArb, value: fc.oneof(fc.constant(true as const), tokenArb) }), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(extArb, { minLength: 1, maxLength: 3 }), (exts) => {
        A.equal(JSON.stringify(parseExtensions(exts.map(formatExtension).join(", "))), JSON.stringify(exts));
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", ";", ",", "=", '"', "\\", " ", "\t", "é", "/"), maxLength: 20 }), (s) => {
        const r = parseExtensions(s);
        A.ok(r === null || r.length > 0);
        const p = parseProtocolList(s);
        A.ok(p === null || p.length > 0);
      }),
      { numRuns: 2000 },
    );
  });
});
