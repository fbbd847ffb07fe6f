import * as A from "../lib/assert.js";
import { Utf8Validator, isValidUtf8 } from "../../src/roles/ws/utf8.js";

const bytes = (h: string) => Uint8Array.from(h.split(/\s+/).filter(Boolean), (x) => parseInt(x, 16));

/** The index of the first byte at which a byte-by-byte validator fails; the length when only the end does; -1 when valid. */
function failByteByByte(b: Uint8Array): number {
  const v = new Utf8Validator();
  for (let i = 0; i < b.length; i++) if (!v.push(b.subarray(i, i + 1), false)) return i;
  return v.push(new Uint8Array(0), true) ? -1 : b.length;
}

// [bytes, index of the byte where validation fails (the length: truncated at the end), -1: valid]
const TABLE: Array<[string, number, string]> = [
  ["", -1, "empty"],
  ["41", -1, "ASCII"],
  ["00 7f", -1, "ASCII bounds"],
  ["c2 80", -1, "U+0080"],
  ["df bf", -1, "U+07FF"],
  ["e0 a0 80", -1, "U+0800"],
  ["e1 80 80", -1, "U+1000"],
  ["ec bf bf", -1, "U+CFFF"],
  ["ed 80 80", -1, "U+D000"],
  ["ed 9f bf", -1, "U+D7FF, the last before the surrogates"],
  ["ee 80 80", -1, "U+E000, the first after the surrogates"],
  ["ef bf bf", -1, "U+FFFF"],
  ["ef bb bf", -1, "a BOM is valid"],
  ["f0 90 80 80", -1, "U+10000"],
  ["f1 80 80 80", -1, "U+40000"],
  ["f3 bf bf bf", -1, "U+FFFFF"],
  ["f4 80 80 80", -1, "U+100000"],
  ["f4 8f bf bf", -1, "U+10FFFF, the last code point"],
  ["ce ba e1 bd b9 cf 83 ce bc ce b5", -1, "κόσμε"],
  ["80", 0, "a lone continuation byte"],
  ["bf", 0, "a lone continuation byte"],
  ["41 80", 1, "a continuation byte after ASCII"],
  ["c2 80 80", 2, "a continuation byte too many"],
  ["c0 80", 0, "overlong U+0000 (C0)"],
  ["c0 af", 0, "overlong '/' (C0)"],
  ["c1 bf", 0, "overlong U+007F (C1)"],
  ["c2", 1, "truncated 2-byte sequence"],
  ["c2 41", 1, "ASCII where a continuation is due"],
  ["c2 c2 80", 1, "a lead byte where a continuation is due"],
  ["df c0", 1, "C0 where a continuation is due"],
  ["e0 80 80", 1, "overlong 3-byte U+0000"],
  ["e0 9f bf", 1, "overlong 3-byte U+07FF"],
  ["e0 a0", 2, "truncated 3-byte sequence"],
  ["e1", 1, "truncated 3-byte sequence after its lead"],
  ["e1 80 41", 2, "ASCII as the third byte"],
  ["e1 c0 80", 1, "C0 as the second byte"],
  ["ed a0 80", 1, "U+D800, the first surrogate"],
  ["ed ad bf", 1, "U+DB7F"],
  ["ed b0 80", 1, "U+DC00"],
  ["ed bf bf", 1, "U+DFFF, the last surrogate"],
  ["ed a0 80 ed b0 80", 1, "a surrogate pair in CESU-8"],
  ["f0 80 80 80", 1, "overlong 4-byte U+0000"],
  ["f0 8f bf bf", 1, "overlong 4-byte U+FFFF"],
  ["f0 90 80", 3, "truncated 4-byte sequence"],
  ["f0 90 80 41", 3, "ASCII as the fourth byte"],
  ["f0 90 41", 2, "ASCII as the third byte"],
  ["f4 90 80 80", 1, "U+110000, above the last code point"],
  ["f4 bf bf bf", 1, "above U+10FFFF"],
  ["f5 80 80 80", 0, "F5 lead"],
  ["f7 bf bf bf", 0, "F7 lead"],
  ["f8 88 80 80 80", 0, "a 5-byte form"],
  ["fc 84 80 80 80 80", 0, "a 6-byte form"],
  ["fe", 0, "FE"],
  ["ff", 0, "FF"],
  ["ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64", 12, "κόσμε then a surrogate"],
  ["ce ba e1 bd b9 cf 83 ce bc ce b5 f4 90 80 80 65 64 69 74 65 64", 12, "κόσμε then above U+10FFFF"],
  ["41 42 43 e2 82", 5, "text truncated in its last character"],
];

describe("Utf8Validator", () => {
  it("accepts exactly the valid table entries and fails at the exact byte, pushed whole", () => {
    for (const [h, at, what] of TABLE) {
      const b = bytes(h);
      const v = new Utf8Validator();
      const ok = v.push(b, true);
      A.equal(ok, at < 0, what);
      A.equal(v.failedAt, at, `${what}: failedAt`);
      A.equal(isValidUtf8(b), at < 0, `${what}: isValidUtf8`);
    }
  });

  it("fails fast at the exact byte, pushed byte by byte", () => {
    for (const [h, at, what] of TABLE) A.equal(failByteByByte(bytes(h)), at, what);
  });

  it("gives the same answer for every split into three pushes", () => {
    for (const [h, at, what] of TABLE) {
      const b = bytes(h);
      for (let x = 0; x <= b.length; x++) {
        for (let y = x; y <= b.length; y++) {
          const v = new Utf8Validator();
          const ok = v.push(b.subarray(0, x), false) && v.push(b.subarray(x, y), false) && v.push(b.subarray(y), true);
          A.equal(ok, at < 0, `${what} split ${x}/${y}`);
          A.equal(v.failedAt, at, `${what} split ${x}/${y}: failedAt`);
        }
      }
    }
  });

  it("stays failed until reset, then starts a new text", () => {
    const v = new Utf8Validator();
    A.ok(!v.push(bytes("41 ff"), false));
    A.equal(v.failedAt, 1);
    A.ok(!v.push(bytes("41"), false));
    A.ok(!v.push(new Uint8Array(0), true));
    A.equal(v.failedAt, 1);
    v.reset();
    A.equal(v.failedAt, -1);
    A.ok(v.push(bytes("41"), true));
  });

  it("forgets a pending sequence on reset", () => {
    const v = new Utf8Validator();
    A.ok(v.push(bytes("e2 82"), false));
    v.reset();
    A.ok(v.push(bytes("41"), true));
  });

  it("counts failedAt from the end of the last completed text", () => {
    const v = new Utf8Validator();
    A.ok(v.push(bytes("41 42"), true));
    A.ok(v.push(bytes("41 42 43"), false));
    A.ok(!v.push(bytes("44 c0"), false));
    A.equal(v.failedAt, 4);
  });

  it("a non-final push may end inside a character; the final one may not", () => {
    const v = new Utf8Validator();
    A.ok(v.push(bytes("f0 9f"), false));
    A.ok(v.push(bytes("98"), false));
    A.ok(v.push(bytes("80"), true));
    A.ok(v.push(bytes("f0 9f"), false));
    A.ok(!v.push(bytes("98"), true));
    A.equal(v.failedAt, 3);
  });

  it("finds a bad byte at every position of long ASCII runs, at every alignment", () => {
    const buf = new Uint8Array(300);
    for (let offset = 0; offset < 4; offset++) {
      for (const len of [31, 32, 33, 64, 97, 200]) {
        const b = buf.subarray(offset, offset + len);
        b.fill(0x61);
        A.ok(new Utf8Validator().push(b, true), `all ASCII, offset ${offset} length ${len}`);
        for (let k = 0; k < len; k++) {
          b[k] = 0x80;
          const v = new Utf8Validator();
          A.ok(!v.push(b, true));
          A.equal(v.failedAt, k, `offset ${offset} length ${len}`);
          b[k] = k % 2 ? 0xff : 0xc3; // a lead byte whose continuation is ASCII, or an invalid byte
          const w = new Utf8Validator();
          A.ok(!w.push(b, true));
          A.equal(w.failedAt, k % 2 ? k : k + 1, `offset ${offset} length ${len} lead at ${k}`);
          b[k] = 0x61;
        }
      }
    }
  });

  it("validates multi-byte characters among long ASCII runs", () => {
    const parts: number[] = [];
    for (let i = 0; i < 50; i++) {
      for (let j = 0; j < i; j++) parts.push(0x30 + (j % 10));
      parts.push(...[[0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80]][i % 3]!);
    }
    const b = Uint8Array.from(parts);
    for (let offset = 0; offset < 4; offset++) {
      const buf = new Uint8Array(b.length + 4);
      buf.set(b, offset);
      A.ok(isValidUtf8(buf.subarray(offset, offset + b.length)), `offset ${offset}`);
      A.ok(!isValidUtf8(buf.subarray(offset, offset + b.length - 1)), `truncated, offset ${offset}`);
    }
  });
});
