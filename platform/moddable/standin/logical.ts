// Stand-in for the Moddable SDK's `logical` module (modules/data/logical):
// Logical.xor(dst, src, count?) XORs `dst` in place with `src`, repeating
// `src` from its start; `src` may be a number (one byte), a string, or a
// buffer; `count` limits the bytes of dst (1..dst length, else RangeError).
// dst and src may be ArrayBuffers or byte-sized views (xsmcGetBufferWritable).

function bytes(v: unknown, what: string): Uint8Array {
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v) && (v instanceof DataView || (v as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT === 1))
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  throw new TypeError(`invalid buffer (${what})`);
}

function op(dstIn: unknown, srcIn: unknown, count: unknown, f: (a: number, b: number) => number): void {
  let dst = bytes(dstIn, "dst");
  let src: Uint8Array;
  if (typeof srcIn === "number") src = new Uint8Array([srcIn & 0xff]);
  else if (typeof srcIn === "string") src = new TextEncoder().encode(srcIn);
  else if (typeof srcIn === "object" && srcIn !== null) src = bytes(srcIn, "src");
  else throw new Error("unsupported source");
  if (count !== undefined) {
    const n = Math.trunc(Number(count));
    if (!(n > 0) || n > dst.length) throw new RangeError("invalid count");
    dst = dst.subarray(0, n);
  }
  const m = src.length;
  for (let i = 0, j = 0; i < dst.length; i++) {
    dst[i] = f(dst[i]!, src[j]!);
    if (++j === m) j = 0;
  }
}

export const Logical = {
  xor(dst: ArrayBuffer | ArrayBufferView, src: number | string | ArrayBuffer | ArrayBufferView, count?: number): void {
    op(dst, src, count, (a, b) => a ^ b);
  },
  and(dst: ArrayBuffer | ArrayBufferView, src: number | string | ArrayBuffer | ArrayBufferView, count?: number): void {
    op(dst, src, count, (a, b) => a & b);
  },
  or(dst: ArrayBuffer | ArrayBufferView, src: number | string | ArrayBuffer | ArrayBufferView, count?: number): void {
    op(dst, src, count, (a, b) => a | b);
  },
};
