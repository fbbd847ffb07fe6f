import * as A from "../lib/assert.js";
import {
  FrameParser, encodeFrame, frameHeaderSize, writeFrameHeader, isControlOpcode, MAX_CONTROL_PAYLOAD, MAX_FRAME_HEADER,
  OPCODE_BINARY, OPCODE_CLOSE, OPCODE_CONTINUATION, OPCODE_PING, OPCODE_PONG, OPCODE_TEXT,
  type DataInfo, type FrameParserOptions,
} from "../../src/roles/ws/frame.js";
import { xorMask } from "../../src/roles/ws/mask.js";
import { buildClosePayload, isValidCloseCode, parseClosePayload } from "../../src/roles/ws/close.js";

const bytes = (...parts: Array<number | number[] | Uint8Array | string>): Uint8Array => {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === "number") out.push(p);
    else if (typeof p === "string") for (let i = 0; i < p.length; i++) out.push(p.charCodeAt(i));
    else for (const x of p) out.push(x);
  }
  return Uint8Array.from(out);
};
const concat = (list: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(list.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of list) {
    out.set(b, o);
    o += b.length;
  }
  return out;
};
const MASK = bytes(0x37, 0xfa, 0x21, 0x3d);
const text = (s: string) => new TextEncoder().encode(s);

type Ev =
  | { t: "data"; opcode: number; first: boolean; final: boolean; compressed: boolean; data: Uint8Array; frameEnd: boolean }
  | { t: "control"; opcode: number; data: Uint8Array }
  | { t: "error"; code: number };

/**
 * Runs a parser over `chunks` and records its events with data pieces coalesced per frame (so
 * that different splits of the same stream compare equal), checking the DataInfo invariants.
 */
function run(opts: Partial<FrameParserOptions>, chunks: Uint8Array[], hook?: (p: FrameParser, ev: Ev) => void) {
  const evs: Ev[] = [];
  let open: Extract<Ev, { t: "data" }> | null = null;
  let inMessage = false;
  let lastRemaining = -1;
  const events = {
    onData(data: Uint8Array, info: DataInfo) {
      A.equal(info.first, !inMessage, "first is set exactly on the first piece of a message");
      inMessage = !info.final;
      if (info.final) A.equal(info.remaining, 0, "final has no bytes remaining");
      if (open) {
        A.ok(!info.first && info.opcode === open.opcode && info.compressed === open.compressed);
        A.equal(info.remaining, lastRemaining - data.length, "remaining counts down");
        open.data = concat([open.data, data]);
        open.final = info.final;
      } else {
        open = { t: "data", opcode: info.opcode, first: info.first, final: info.final, compressed: info.compressed, data: data.slice(), frameEnd: false };
        evs.push(open);
      }
      lastRemaining = info.remaining;
      if (info.remaining === 0) {
        open.frameEnd = true;
        open = null;
      }
      hook?.(parser, evs[evs.length - 1]!);
    },
    onControl(opcode: number, payload: Uint8Array) {
      A.ok(open === null, "no control frame inside a data frame");
      A.ok(payload.length <= 125);
      evs.push({ t: "control", opcode, data: payload.slice() });
      hook?.(parser, evs[evs.length - 1]!);
    },
    onError(code: number, reason: string) {
      A.ok(reason.length > 0);
      A.ok(!evs.some((e) => e.t === "error"), "one error only");
      open = null;
      evs.push({ t: "error", code });
    },
  };
  const parser: FrameParser = new FrameParser({ isServer: true, maxMessageSize: 1 << 20, rsv1Allowed: false, ...opts }, events);
  for (const c of chunks) {
    const r = parser.execute(c);
    if (r < 0) {
      A.ok(parser.failed);
      break;
    }
    A.equal(r, c.length, "everything consumed");
  }
  if (!parser.failed) open = null;
  return { evs, parser };
}

/** The events of one stream given whole. */
const parse = (stream: Uint8Array, opts: Partial<FrameParserOptions> = {}) => run(opts, [stream.slice()]).evs;
const errorOf = (stream: Uint8Array, opts: Partial<FrameParserOptions> = {}) => {
  const evs = parse(stream, opts);
  const last = evs[evs.length - 1];
  return last?.t === "error" ? last.code : 0;
};
/** The index of the byte at which a byte-at-a-time parse reports its error, -1 if none. */
function errorByte(stream: Uint8Array, opts: Partial<FrameParserOptions> = {}): number {
  let at = -1;
  const p = new FrameParser(
    { isServer: true, maxMessageSize: 1 << 20, rsv1Allowed: false, ...opts },
    { onData() {}, onControl() {}, onError() {} },
  );
  const s = stream.slice();
  for (let i = 0; i < s.length; i++) {
    if (p.execute(s.subarray(i, i + 1)) < 0) {
      at = i;
      break;
    }
  }
  return at;
}

const frame = (opcode: number, payload: Uint8Array | string, o: { fin?: boolean; rsv1?: boolean; mask?: Uint8Array | null } = {}) =>
  encodeFrame(opcode, typeof payload === "string" ? text(payload) : payload, { mask: MASK, ...o });
const cframe = (opcode: number, payload: Uint8Array | string, o: { fin?: boolean; rsv1?: boolean } = {}) =>
  frame(opcode, payload, { ...o, mask: null });

/** A masked frame header with a raw 7-bit length field and extended length bytes. */
const rawHeader = (b0: number, len7: number, ext: number[] = [], masked = true) => bytes(b0, (masked ? 0x80 : 0) | len7, ext, masked ? MASK : []);

const pattern = (n: number, seed = 0) => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed + (i >> 8)) & 0xff;
  return b;
};

describe("ws frame writer", () => {
  it("writes the RFC 6455 section 5.7 examples", () => {
    A.deepEqual(encodeFrame(OPCODE_TEXT, text("Hello")), bytes(0x81, 0x05, "Hello"));
    A.deepEqual(encodeFrame(OPCODE_TEXT, text("Hello"), { mask: MASK }), bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58));
    A.deepEqual(encodeFrame(OPCODE_TEXT, text("Hel"), { fin: false }), bytes(0x01, 0x03, "Hel"));
    A.deepEqual(encodeFrame(OPCODE_CONTINUATION, text("lo")), bytes(0x80, 0x02, "lo"));
    A.deepEqual(encodeFrame(OPCODE_PING, text("Hello")), bytes(0x89, 0x05, "Hello"));
    A.deepEqual(encodeFrame(OPCODE_PONG, text("Hello"), { mask: MASK }), bytes(0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58));
    A.deepEqual(encodeFrame(OPCODE_BINARY, new Uint8Array(256)).subarray(0, 4), bytes(0x82, 0x7e, 0x01, 0x00));
    A.deepEqual(encodeFrame(OPCODE_BINARY, new Uint8Array(65536)).subarray(0, 10), bytes(0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0));
  });

  it("uses the minimal length form and sizes headers", () => {
    const cases: Array<[number, number[]]> = [
      [0, [0]], [125, [125]], [126, [126, 0, 126]], [65535, [126, 255, 255]], [65536, [127, 0, 0, 0, 0, 0, 1, 0, 0]],
      [2 ** 32 + 5, [127, 0, 0, 0, 1, 0, 0, 0, 5]], [Number.MAX_SAFE_INTEGER, [127, 0, 0x1f, 255, 255, 255, 255, 255, 255]],
    ];
    for (const [len, want] of cases) {
      for (const mask of [null, MASK]) {
        const into = new Uint8Array(20);
        const n = writeFrameHeader(into, 3, OPCODE_BINARY, true, false, len, mask);
        A.equal(n, frameHeaderSize(len, mask !== null), `size for ${len}`);
        A.equal(n, 2 + want.length - 1 + (mask ? 4 : 0));
        A.deepEqual(into.subarray(3, 3 + n), bytes(0x82, want.map((x, i) => (i === 0 && mask ? x | 0x80 : x)), mask ?? []), `header for ${len}`);
      }
    }
    A.equal(frameHeaderSize(Number.MAX_SAFE_INTEGER, true), MAX_FRAME_HEADER);
  });

  it("sets FIN, RSV1 and the opcode", () => {
    const into = new Uint8Array(2);
    writeFrameHeader(into, 0, OPCODE_TEXT, false, true, 0, null);
    A.deepEqual(into, bytes(0x41, 0));
    writeFrameHeader(into, 0, OPCODE_CLOSE, true, false, 0, null);
    A.deepEqual(into, bytes(0x88, 0));
  });

  it("refuses impossible headers", () => {
    const into = new Uint8Array(14);
    A.throws(() => writeFrameHeader(into, 0, 16, true, false, 0, null), /opcode/);
    A.throws(() => writeFrameHeader(into, 0, -1, true, false, 0, null), /opcode/);
    A.throws(() => writeFrameHeader(into, 0, 1, true, false, -1, null), /length/);
    A.throws(() => writeFrameHeader(into, 0, 1, true, false, 1.5, null), /length/);
    A.throws(() => writeFrameHeader(into, 0, 1, true, false, 2 ** 53, null), /length/);
    A.throws(() => writeFrameHeader(into, 0, 1, true, false, NaN, null), /length/);
    A.throws(() => writeFrameHeader(into, 0, 1, true, false, 0, new Uint8Array(3)), /mask/);
    A.throws(() => writeFrameHeader(into, 5, 1, true, false, 70000, MASK), /room/);
  });

  it("masks a copy and leaves the payload alone", () => {
    const p = pattern(300);
    const copy = p.slice();
    const f = encodeFrame(OPCODE_BINARY, p, { mask: MASK });
    A.deepEqual(p, copy);
    const body = f.slice(8);
    xorMask(body, MASK, 0);
    A.deepEqual(body, p);
  });

  it("classifies opcodes", () => {
    for (let op = 0; op < 16; op++) A.equal(isControlOpcode(op), op >= 8);
  });
});

describe("ws frame parser", () => {
  it("parses the RFC 6455 section 5.7 examples", () => {
    A.deepEqual(parse(bytes(0x81, 0x05, "Hello"), { isServer: false }), [
      { t: "data", opcode: 1, first: true, final: true, compressed: false, data: text("Hello"), frameEnd: true },
    ]);
    A.deepEqual(parse(bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58)), [
      { t: "data", opcode: 1, first: true, final: true, compressed: false, data: text("Hello"), frameEnd: true },
    ]);
    A.deepEqual(parse(bytes(0x01, 0x03, "Hel", 0x80, 0x02, "lo"), { isServer: false }), [
      { t: "data", opcode: 1, first: true, final: false, compressed: false, data: text("Hel"), frameEnd: true },
      { t: "data", opcode: 1, first: false, final: true, compressed: false, data: text("lo"), frameEnd: true },
    ]);
    A.deepEqual(parse(bytes(0x89, 0x05, "Hello"), { isServer: false }), [{ t: "control", opcode: 9, data: text("Hello") }]);
    A.deepEqual(parse(bytes(0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58)), [{ t: "control", opcode: 10, data: text("Hello") }]);
  });

  it("round-trips every length form, masked and unmasked, TEXT and BINARY", () => {
    for (const len of [0, 1, 2, 3, 4, 5, 7, 8, 125, 126, 127, 1000, 65535, 65536, 70001]) {
      for (const masked of [true, false]) {
        const payload = pattern(len, len);
        for (let i = 0; i < len; i++) payload[i]! &= 0x7f; // ASCII: valid as TEXT too
        for (const opcode of [OPCODE_TEXT, OPCODE_BINARY]) {
          const f = encodeFrame(opcode, payload, { mask: masked ? MASK : null });
          A.equal(f.length, frameHeaderSize(len, masked) + len);
          A.deepEqual(parse(f, { isServer: masked }), [{ t: "data", opcode, first: true, final: true, compressed: false, data: payload, frameEnd: true }], `length ${len}`);
        }
      }
    }
  });

  it("round-trips every control opcode and control length 0..125", () => {
    for (const opcode of [OPCODE_CLOSE, OPCODE_PING, OPCODE_PONG]) {
      for (const len of [0, 1, 2, 3, 4, 5, 64, 124, 125]) {
        const payload = pattern(len, opcode);
        A.deepEqual(parse(frame(opcode, payload)), [{ t: "control", opcode, data: payload }]);
        A.deepEqual(parse(cframe(opcode, payload), { isServer: false }), [{ t: "control", opcode, data: payload }]);
      }
    }
  });

  it("delivers an empty message as one empty first and final piece", () => {
    A.deepEqual(parse(frame(OPCODE_TEXT, "")), [{ t: "data", opcode: 1, first: true, final: true, compressed: false, data: new Uint8Array(0), frameEnd: true }]);
    A.deepEqual(parse(concat([frame(OPCODE_BINARY, "", { fin: false }), frame(OPCODE_CONTINUATION, "ab", { fin: false }), frame(OPCODE_CONTINUATION, "")])), [
      { t: "data", opcode: 2, first: true, final: false, compressed: false, data: new Uint8Array(0), frameEnd: true },
      { t: "data", opcode: 2, first: false, final: false, compressed: false, data: text("ab"), frameEnd: true },
      { t: "data", opcode: 2, first: false, final: true, compressed: false, data: new Uint8Array(0), frameEnd: true },
    ]);
  });

  it("hands out the payload as it arrives, with the frame's remaining bytes", () => {
    const payload = pattern(1000);
    const f = frame(OPCODE_BINARY, payload);
    const seen: Array<[number, number, boolean]> = [];
    const p = new FrameParser({ isServer: true, maxMessageSize: 5000, rsv1Allowed: false }, {
      onData(d, info) { seen.push([d.length, info.remaining, info.final]); },
      onControl() { A.fail("no control"); },
      onError() { A.fail("no error"); },
    });
    A.equal(p.execute(f.subarray(0, 8 + 100)), 108);
    A.equal(p.execute(f.subarray(108, 508)), 400);
    A.equal(p.execute(f.subarray(508)), 500);
    A.deepEqual(seen, [[100, 900, false], [400, 500, false], [500, 0, true]]);
  });

  it("refuses non-minimal lengths (1002)", () => {
    A.equal(errorOf(rawHeader(0x82, 126, [0, 125])), 1002);
    A.equal(errorOf(rawHeader(0x82, 126, [0, 0])), 1002);
    A.equal(errorOf(concat([rawHeader(0x82, 126, [0, 126]), new Uint8Array(126)])), 0, "126 in 16 bits is minimal");
    A.equal(errorOf(rawHeader(0x82, 127, [0, 0, 0, 0, 0, 0, 0, 125])), 1002);
    A.equal(errorOf(rawHeader(0x82, 127, [0, 0, 0, 0, 0, 0, 0xff, 0xff])), 1002);
    A.equal(errorOf(concat([rawHeader(0x82, 127, [0, 0, 0, 0, 0, 1, 0, 0]), new Uint8Array(65536)])), 0, "65536 in 64 bits is minimal");
    A.equal(errorByte(rawHeader(0x82, 126, [0, 125])), 3, "decided on the last length byte");
    A.equal(errorByte(rawHeader(0x82, 127, [0, 0, 0, 0, 0, 0, 0xff, 0xff])), 9);
  });

  it("refuses a 64-bit length with the most significant bit set (1002), at that byte", () => {
    A.equal(errorOf(rawHeader(0x82, 127, [0x80, 0, 0, 0, 0, 0, 0, 1]), { maxMessageSize: Infinity }), 1002);
    A.equal(errorOf(rawHeader(0x82, 127, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), { maxMessageSize: Infinity }), 1002);
    A.equal(errorByte(rawHeader(0x82, 127, [0x80, 0, 0, 0, 0, 0, 0, 1])), 2);
  });

  it("refuses a length beyond 2^53 - 1 as too big (1009), even without a limit", () => {
    A.equal(errorOf(rawHeader(0x82, 127, [0x00, 0x20, 0, 0, 0, 0, 0, 0]), { maxMessageSize: Infinity }), 1009);
    A.equal(errorOf(rawHeader(0x82, 127, [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), { maxMessageSize: Infinity }), 1009);
  });

  it("refuses reserved bits without an extension (1002)", () => {
    for (const bits of [0x40, 0x20, 0x10, 0x70]) {
      A.equal(errorOf(frame(OPCODE_TEXT, "a").map((x, i) => (i === 0 ? x | bits : x))), 1002, `bits ${bits}`);
      A.equal(errorByte(frame(OPCODE_TEXT, "a").map((x, i) => (i === 0 ? x | bits : x))), 0);
    }
  });

  it("allows RSV1 on the first frame of a data message only, with the extension", () => {
    const opts = { rsv1Allowed: true };
    const invalidUtf8 = bytes(0xff, 0xfe, 0xc0);
    A.deepEqual(parse(concat([frame(OPCODE_TEXT, invalidUtf8, { rsv1: true, fin: false }), frame(OPCODE_CONTINUATION, invalidUtf8)]), opts), [
      { t: "data", opcode: 1, first: true, final: false, compressed: true, data: invalidUtf8, frameEnd: true },
      { t: "data", opcode: 1, first: false, final: true, compressed: true, data: invalidUtf8, frameEnd: true },
    ], "compressed TEXT is not validated here");
    A.deepEqual(parse(frame(OPCODE_BINARY, "x", { rsv1: true }), opts), [
      { t: "data", opcode: 2, first: true, final: true, compressed: true, data: text("x"), frameEnd: true },
    ]);
    A.deepEqual(parse(frame(OPCODE_TEXT, "x"), opts), [
      { t: "data", opcode: 1, first: true, final: true, compressed: false, data: text("x"), frameEnd: true },
    ]);
    A.equal(errorOf(concat([frame(OPCODE_TEXT, "a", { rsv1: true, fin: false }), frame(OPCODE_CONTINUATION, "b", { rsv1: true })]), opts), 1002);
    A.equal(errorOf(concat([frame(OPCODE_TEXT, "a", { fin: false }), frame(OPCODE_CONTINUATION, "b", { rsv1: true })]), opts), 1002);
    for (const op of [OPCODE_PING, OPCODE_PONG, OPCODE_CLOSE]) A.equal(errorOf(frame(op, "", { rsv1: true }), opts), 1002);
    A.equal(errorOf(frame(OPCODE_TEXT, "x").map((x, i) => (i === 0 ? x | 0x20 : x)), opts), 1002, "RSV2 stays reserved");
    A.equal(errorOf(frame(OPCODE_TEXT, "x").map((x, i) => (i === 0 ? x | 0x10 : x)), opts), 1002, "RSV3 stays reserved");
  });

  it("refuses reserved opcodes 3-7 and 11-15 (1002), at the first byte", () => {
    for (const op of [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]) {
      A.equal(errorOf(frame(op, "")), 1002, `opcode ${op}`);
      A.equal(errorByte(frame(op, "")), 0);
      A.equal(errorOf(concat([frame(OPCODE_TEXT, "a", { fin: false }), frame(op, "")])), 1002, `opcode ${op} inside a message`);
    }
  });

  it("refuses control frames longer than 125 (1002), at the second byte", () => {
    for (const op of [OPCODE_CLOSE, OPCODE_PING, OPCODE_PONG]) {
      A.equal(errorOf(frame(op, new Uint8Array(126))), 1002);
      A.equal(errorOf(frame(op, new Uint8Array(65536))), 1002);
      A.equal(errorByte(frame(op, new Uint8Array(126))), 1);
      A.equal(errorByte(frame(op, new Uint8Array(65536))), 1);
    }
  });

  it("refuses fragmented control frames (1002)", () => {
    for (const op of [OPCODE_CLOSE, OPCODE_PING, OPCODE_PONG]) {
      A.equal(errorOf(frame(op, "x", { fin: false })), 1002);
      A.equal(errorByte(frame(op, "x", { fin: false })), 0);
    }
  });

  it("delivers control frames interleaved in a fragmented message at once", () => {
    const stream = concat([
      frame(OPCODE_TEXT, "fra", { fin: false }), frame(OPCODE_PING, "p1"), frame(OPCODE_CONTINUATION, "gm", { fin: false }),
      frame(OPCODE_PONG, ""), frame(OPCODE_PING, "p2"), frame(OPCODE_CONTINUATION, "ent"), frame(OPCODE_CLOSE, bytes(3, 232)),
    ]);
    A.deepEqual(parse(stream), [
      { t: "data", opcode: 1, first: true, final: false, compressed: false, data: text("fra"), frameEnd: true },
      { t: "control", opcode: 9, data: text("p1") },
      { t: "data", opcode: 1, first: false, final: false, compressed: false, data: text("gm"), frameEnd: true },
      { t: "control", opcode: 10, data: new Uint8Array(0) },
      { t: "control", opcode: 9, data: text("p2") },
      { t: "data", opcode: 1, first: false, final: true, compressed: false, data: text("ent"), frameEnd: true },
      { t: "control", opcode: 8, data: bytes(3, 232) },
    ]);
  });

  it("refuses a CONTINUATION without a message in progress (1002)", () => {
    A.equal(errorOf(frame(OPCODE_CONTINUATION, "x")), 1002);
    A.equal(errorOf(frame(OPCODE_CONTINUATION, "x", { fin: false })), 1002);
    A.equal(errorOf(concat([frame(OPCODE_TEXT, "a"), frame(OPCODE_CONTINUATION, "b")])), 1002, "after a complete message");
    A.equal(errorOf(concat([frame(OPCODE_PING, ""), frame(OPCODE_CONTINUATION, "")])), 1002, "after a control frame");
    A.equal(errorByte(concat([frame(OPCODE_TEXT, "a"), frame(OPCODE_CONTINUATION, "b")])), 7);
  });

  it("refuses a new TEXT or BINARY while a fragmented message is in progress (1002)", () => {
    for (const op of [OPCODE_TEXT, OPCODE_BINARY])
      for (const first of [OPCODE_TEXT, OPCODE_BINARY])
        A.equal(errorOf(concat([frame(first, "a", { fin: false }), frame(OPCODE_PING, ""), frame(op, "b")])), 1002);
  });

  it("requires masked frames from a client and unmasked ones from a server (1002)", () => {
    A.equal(errorOf(cframe(OPCODE_TEXT, "a"), { isServer: true }), 1002);
    A.equal(errorOf(cframe(OPCODE_PING, ""), { isServer: true }), 1002);
    A.equal(errorOf(frame(OPCODE_TEXT, "a"), { isServer: false }), 1002);
    A.equal(errorOf(frame(OPCODE_CLOSE, ""), { isServer: false }), 1002);
    A.equal(errorByte(cframe(OPCODE_TEXT, "a"), { isServer: true }), 1);
    A.deepEqual(parse(cframe(OPCODE_BINARY, "ab"), { isServer: false }), [
      { t: "data", opcode: 2, first: true, final: true, compressed: false, data: text("ab"), frameEnd: true },
    ]);
  });

  it("enforces the message size limit from the header, before the payload (1009)", () => {
    const opts = { maxMessageSize: 1000 };
    A.equal(errorOf(frame(OPCODE_BINARY, new Uint8Array(1000)), opts), 0, "exactly the limit");
    A.equal(errorOf(frame(OPCODE_BINARY, new Uint8Array(1001)), opts), 1009);
    A.equal(errorByte(frame(OPCODE_BINARY, new Uint8Array(1001)), opts), 3, "decided on the last length byte");
    A.equal(errorByte(frame(OPCODE_BINARY, new Uint8Array(100)), { maxMessageSize: 99 }), 1, "7-bit length: on the second byte");
    A.equal(errorByte(rawHeader(0x82, 127, [0, 0, 0, 0, 0, 0x10, 0, 0]), opts), 9, "64-bit length: on the last length byte");
    // only the header is given: the error comes before any payload byte
    const evs = run(opts, [frame(OPCODE_BINARY, new Uint8Array(5000)).subarray(0, 4)]).evs;
    A.deepEqual(evs, [{ t: "error", code: 1009 }]);
    // across fragments
    const frag = (n: number, fin: boolean, first = false) => frame(first ? OPCODE_TEXT : OPCODE_CONTINUATION, new Uint8Array(n).fill(0x61), { fin });
    A.equal(errorOf(concat([frag(400, false, true), frag(400, false), frag(200, true)]), opts), 0);
    A.equal(errorOf(concat([frag(400, false, true), frag(400, false), frag(201, true)]), opts), 1009);
    A.equal(errorByte(concat([frag(400, false, true), frag(400, false), frag(201, true)]), opts), 8 + 400 + 8 + 400 + 3);
    // control frames do not count, and each message starts again from 0
    A.equal(errorOf(concat([frag(900, false, true), frame(OPCODE_PING, new Uint8Array(125)), frag(100, true), frag(1000, true, true)]), opts), 0);
    A.equal(errorOf(frame(OPCODE_PING, new Uint8Array(125)), { maxMessageSize: 0 }), 0);
    A.equal(errorOf(frame(OPCODE_BINARY, new Uint8Array(0)), { maxMessageSize: 0 }), 0);
    A.equal(errorOf(frame(OPCODE_BINARY, new Uint8Array(1)), { maxMessageSize: 0 }), 1009);
  });

  it("validates TEXT as UTF-8 across fragments, failing fast (1007)", () => {
    const euro = bytes(0xe2, 0x82, 0xac);
    // a character split across frames, with a control frame in between
    A.equal(errorOf(concat([frame(OPCODE_TEXT, euro.subarray(0, 1), { fin: false }), frame(OPCODE_PING, ""), frame(OPCODE_CONTINUATION, euro.subarray(1, 2), { fin: false }), frame(OPCODE_CONTINUATION, euro.subarray(2))])), 0);
    // invalid in the first fragment: failed before the rest of that frame or message arrives
    const bad = frame(OPCODE_TEXT, bytes("ab", 0xed, 0xa0, 0x80, "cd"), { fin: false });
    A.equal(errorByte(bad), 6 + 3, "at the byte after which no valid continuation exists");
    A.deepEqual(parse(bad), [
      { t: "data", opcode: 1, first: true, final: false, compressed: false, data: bytes("ab", 0xed), frameEnd: false },
      { t: "error", code: 1007 },
    ], "the valid prefix is handed out, then the error");
    // truncated at the end of the message
    A.equal(errorOf(frame(OPCODE_TEXT, bytes("ab", 0xe2, 0x82))), 1007);
    A.equal(errorOf(concat([frame(OPCODE_TEXT, bytes("ab", 0xe2, 0x82), { fin: false }), frame(OPCODE_CONTINUATION, "")])), 1007, "an empty final frame");
    A.equal(errorOf(concat([frame(OPCODE_TEXT, bytes(0xf0, 0x9f), { fin: false }), frame(OPCODE_CONTINUATION, bytes(0x98))])), 1007);
    A.equal(errorOf(concat([frame(OPCODE_TEXT, bytes(0xf0, 0x9f), { fin: false }), frame(OPCODE_CONTINUATION, bytes(0x98, 0x80))])), 0);
    // the invalid byte in a continuation frame
    A.equal(errorOf(concat([frame(OPCODE_TEXT, "abc", { fin: false }), frame(OPCODE_CONTINUATION, bytes(0xc0, 0x80))])), 1007);
    A.equal(errorByte(concat([frame(OPCODE_TEXT, "abc", { fin: false }), frame(OPCODE_CONTINUATION, bytes(0xc0, 0x80))])), 9 + 6);
    // BINARY is not validated; a new message starts a new text
    A.equal(errorOf(frame(OPCODE_BINARY, bytes(0xff))), 0);
    A.equal(errorOf(concat([frame(OPCODE_BINARY, bytes(0xe2), { fin: false }), frame(OPCODE_CONTINUATION, ""), frame(OPCODE_TEXT, "ok")])), 0);
    A.equal(errorOf(concat([frame(OPCODE_TEXT, "é"), frame(OPCODE_TEXT, "ü"), frame(OPCODE_TEXT, bytes(0x80))])), 1007);
  });

  it("reports one error and stays failed", () => {
    let errors = 0;
    let events = 0;
    const p = new FrameParser({ isServer: true, maxMessageSize: 100, rsv1Allowed: false }, {
      onData() { events++; },
      onControl() { events++; },
      onError() { errors++; },
    });
    A.ok(!p.failed);
    A.equal(p.execute(concat([frame(OPCODE_PING, ""), bytes(0x83)])), -1);
    A.ok(p.failed);
    A.equal(p.execute(frame(OPCODE_TEXT, "a")), -1);
    A.equal(p.execute(new Uint8Array(0)), -1);
    A.equal(errors, 1);
    A.equal(events, 1);
  });

  it("pauses from a callback and resumes with the rest", () => {
    const stream = concat([frame(OPCODE_TEXT, "abc", { fin: false }), frame(OPCODE_PING, "x"), frame(OPCODE_CONTINUATION, "def"), frame(OPCODE_BINARY, "")]);
    const want = parse(stream);
    const copy = stream.slice();
    const evs: Ev[] = [];
    let consumed = 0;
    const p = new FrameParser({ isServer: true, maxMessageSize: 100, rsv1Allowed: false }, {
      onData(d, info) {
        evs.push({ t: "data", opcode: info.opcode, first: info.first, final: info.final, compressed: info.compressed, data: d.slice(), frameEnd: info.remaining === 0 });
        p.pause();
      },
      onControl(opcode, d) {
        evs.push({ t: "control", opcode, data: d.slice() });
        p.pause();
      },
      onError() { A.fail("no error"); },
    });
    const stops: number[] = [];
    while (consumed < copy.length) {
      const r = p.execute(copy.subarray(consumed));
      A.ok(r > 0);
      consumed += r;
      stops.push(consumed);
    }
    A.deepEqual(evs, want);
    A.deepEqual(stops, [9, 9 + 7, 9 + 7 + 9, 9 + 7 + 9 + 6]);
  });

  it("unmasks through the platform hook", () => {
    const calls: number[] = [];
    const payload = pattern(300);
    const f = frame(OPCODE_BINARY, payload);
    const got: Uint8Array[] = [];
    const p = new FrameParser(
      { isServer: true, maxMessageSize: 1000, rsv1Allowed: false, unmask: (d, m, phase) => (calls.push(d.length, phase), xorMask(d, m, phase)) },
      { onData(d) { got.push(d.slice()); }, onControl() {}, onError() { A.fail("no error"); } },
    );
    p.execute(f.subarray(0, 8 + 5));
    p.execute(f.subarray(13, 100));
    p.execute(f.subarray(100));
    A.deepEqual(concat(got), payload);
    A.deepEqual(calls, [5, 0, 87, 1, 208, 0]);
  });

  it("assembles a control frame split across inputs into its own buffer", () => {
    const payload = pattern(125);
    const f = frame(OPCODE_PING, payload);
    for (const cut of [7, 8, 50, 130]) {
      const evs = run({}, [f.slice(0, cut), f.slice(cut)]).evs;
      A.deepEqual(evs, [{ t: "control", opcode: 9, data: payload }], `cut at ${cut}`);
    }
  });

  // Streams whose every split must give the same (coalesced) events.
  const samples: Array<[string, Uint8Array, Partial<FrameParserOptions>]> = [
    ["fragmented text with controls", concat([
      frame(OPCODE_TEXT, bytes("h", 0xc3), { fin: false }), frame(OPCODE_PING, "ab"), frame(OPCODE_CONTINUATION, bytes(0xa9, "llo ", 0xe2, 0x82), { fin: false }),
      frame(OPCODE_CONTINUATION, bytes(0xac)), frame(OPCODE_BINARY, pattern(20)), frame(OPCODE_CLOSE, bytes(3, 232, "bye")),
    ]), {}],
    ["client side, 16-bit length", concat([cframe(OPCODE_BINARY, pattern(130)), cframe(OPCODE_PONG, "z"), cframe(OPCODE_TEXT, "")]), { isServer: false }],
    ["invalid UTF-8 mid-frame", concat([frame(OPCODE_TEXT, "abc", { fin: false }), frame(OPCODE_CONTINUATION, bytes("de", 0xf4, 0x90, "xyz"))]), {}],
    ["truncated UTF-8 at the end", concat([frame(OPCODE_TEXT, bytes("abc", 0xf0, 0x9f, 0x98))]), {}],
    ["too big", concat([frame(OPCODE_BINARY, pattern(10), { fin: false }), frame(OPCODE_CONTINUATION, pattern(30))]), { maxMessageSize: 39 }],
    ["protocol error after data", concat([frame(OPCODE_BINARY, pattern(10)), frame(OPCODE_PING, "", { fin: false })]), {}],
  ];

  it("gives the same events for every split of sample streams into two and three pieces", () => {
    for (const [name, stream, opts] of samples) {
      const want = run(opts, [stream.slice()]).evs;
      A.ok(want.length > 1, name);
      for (let x = 0; x <= stream.length; x++) {
        const s = stream.slice();
        A.deepEqual(run(opts, [s.subarray(0, x), s.subarray(x)]).evs, want, `${name}: split at ${x}`);
      }
      if (stream.length <= 70) {
        for (let x = 0; x <= stream.length; x += 3) {
          for (let y = x; y <= stream.length; y++) {
            const s = stream.slice();
            A.deepEqual(run(opts, [s.subarray(0, x), s.subarray(x, y), s.subarray(y)]).evs, want, `${name}: split at ${x}, ${y}`);
          }
        }
      }
    }
  });

  it("gives the same events byte at a time", () => {
    for (const [name, stream, opts] of samples) {
      const want = run(opts, [stream.slice()]).evs;
      const s = stream.slice();
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < s.length; i++) chunks.push(s.subarray(i, i + 1));
      A.deepEqual(run(opts, chunks).evs, want, name);
    }
  });

  it("never throws on arbitrary bytes", () => {
    let seed = 12345;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8;
    for (let round = 0; round < 300; round++) {
      const len = rnd() % 64;
      const s = new Uint8Array(len);
      for (let i = 0; i < len; i++) s[i] = rnd() & 0xff;
      // bias towards plausible headers now and then
      if (round % 3 === 0 && len > 2) {
        s[0] = (s[0]! & 0x8f) | (rnd() % 3 === 0 ? 0x40 : 0);
        s[1] = (s[1]! | 0x80) & (rnd() % 2 ? 0xff : 0x87);
      }
      for (const opts of [{}, { isServer: false }, { rsv1Allowed: true, maxMessageSize: 10 }]) {
        const p = new FrameParser({ isServer: true, maxMessageSize: 1000, rsv1Allowed: false, ...opts }, { onData() {}, onControl() {}, onError() {} });
        const r = p.execute(s.slice());
        A.ok(r === len || (r === -1 && p.failed));
      }
    }
  });
});

describe("ws close payloads", () => {
  it("knows which codes may be sent", () => {
    const valid = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
    const invalid = [-1, 0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535, 1000.5, NaN];
    for (const c of valid) A.ok(isValidCloseCode(c), String(c));
    for (const c of invalid) A.ok(!isValidCloseCode(c), String(c));
  });

  it("parses close payloads", () => {
    A.deepEqual(parseClosePayload(new Uint8Array(0)), { code: 1005, reason: "" });
    A.deepEqual(parseClosePayload(bytes(3)), { error: 1002 });
    A.deepEqual(parseClosePayload(bytes(3, 232)), { code: 1000, reason: "" });
    A.deepEqual(parseClosePayload(bytes(0x0f, 0xa0, "bye")), { code: 4000, reason: "bye" });
    A.deepEqual(parseClosePayload(bytes(3, 232, 0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5)), { code: 1000, reason: "\u03ba\u1f79\u03c3\u03bc\u03b5" });
    A.deepEqual(parseClosePayload(bytes(3, 233, 0xf0, 0x9f, 0x98, 0x80)), { code: 1001, reason: "\u{1f600}" });
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535]) A.deepEqual(parseClosePayload(bytes(code >> 8, code & 255)), { error: 1002 }, String(code));
    A.deepEqual(parseClosePayload(bytes(3, 232, 0xff)), { error: 1007 });
    A.deepEqual(parseClosePayload(bytes(3, 232, "a", 0xed, 0xa0, 0x80)), { error: 1007 });
    A.deepEqual(parseClosePayload(bytes(3, 232, "a", 0xe2, 0x82)), { error: 1007 }, "truncated");
    A.deepEqual(parseClosePayload(bytes(3, 236, 0xff)), { error: 1002 }, "the code is checked first");
  });

  it("builds close payloads within 125 bytes, cut on a character boundary", () => {
    A.deepEqual(buildClosePayload(1000), bytes(3, 232));
    A.deepEqual(buildClosePayload(4001, "bye"), bytes(0x0f, 0xa1, "bye"));
    A.deepEqual(buildClosePayload(1005), new Uint8Array(0));
    A.deepEqual(buildClosePayload(1005, "ignored"), new Uint8Array(0));
    A.deepEqual(buildClosePayload(1000, "\ud800x"), bytes(3, 232, 0xef, 0xbf, 0xbd, "x"), "a lone surrogate as U+FFFD");
    const cases: Array<[string, number]> = [
      ["a".repeat(123), 125], ["a".repeat(124), 125], ["a".repeat(1000), 125], ["é".repeat(61), 124], ["é".repeat(62), 124],
      ["a" + "é".repeat(61), 125], ["€".repeat(41), 125], ["€".repeat(42), 125], ["a€".repeat(40), 2 + 121], ["\u{1f600}".repeat(31), 2 + 120],
      ["abc" + "\u{1f600}".repeat(31), 2 + 123], ["ab" + "\u{1f600}".repeat(31), 2 + 122], ["a" + "\u{1f600}".repeat(31), 2 + 121],
    ];
    for (const [reason, size] of cases) {
      const p = buildClosePayload(1000, reason);
      A.equal(p.length, size, `${reason.slice(0, 8)}… (${reason.length})`);
      const back = parseClosePayload(p);
      A.ok("code" in back && back.code === 1000 && reason.startsWith(back.reason), "a valid prefix of the reason");
    }
    for (const code of [0, 999, 1004, 1006, 1015, 2000, 5000]) A.throws(() => buildClosePayload(code), /close code/);
  });

  it("round-trips codes and reasons", () => {
    for (const code of [1000, 1001, 1011, 1014, 3000, 4999]) {
      for (const reason of ["", "x", "going away", "ünïcödé ✓ \u{1f600}"]) A.deepEqual(parseClosePayload(buildClosePayload(code, reason)), { code, reason });
    }
  });
});
