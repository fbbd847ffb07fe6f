// The UTF-8 validator with the Node platform's native fast path gives the
// same answers, at the same byte, as the portable one, for any input split.
import fc from "fast-check";
import { isUtf8 } from "node:buffer";
import * as A from "../lib/assert.js";
import { Utf8Validator } from "../../src/roles/ws/utf8.js";

function run(v: Utf8Validator, bytes: Uint8Array, cuts: number[]): { ok: boolean; at: number } {
  let prev = 0;
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  for (const c of [...points, bytes.length]) {
    const ok = v.push(bytes.subarray(prev, c), c === bytes.length);
    prev = c;
    if (!ok) return { ok: false, at: v.failedAt };
  }
  return { ok: true, at: -1 };
}

describe("UTF-8 validation with the native fast path", () => {
  it("agrees with the portable validator on arbitrary text and bytes, for arbitrary splits", () => {
    const input = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }).map((s) => new TextEncoder().encode(s)),
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(fc.string({ unit: "binary", minLength: 64, maxLength: 200 }), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([s, tail]) => {
        const a = new TextEncoder().encode(s);
        const out = new Uint8Array(a.length + tail.length);
        out.set(a);
        out.set(tail, a.length);
        return out;
      }),
    );
    fc.assert(
      fc.property(input, fc.array(fc.nat(400), { maxLength: 5 }), (bytes, cuts) => {
        const a = run(new Utf8Validator(), bytes, cuts);
        const b = run(new Utf8Validator((d) => isUtf8(d)), bytes, cuts);
        A.deepEqual(b, a);
      }),
      { numRuns: 3000 },
    );
  });
});
