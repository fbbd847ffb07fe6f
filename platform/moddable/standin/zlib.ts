// Stand-ins for the Moddable SDK's `inflate` and `deflate` classes
// (modules/data/zlib/inflate.js + inflate.c, deflate.js + deflate.c: miniz),
// over the portable codec of platform/sim/deflate.ts, so that
// platform/moddable/zlib.ts runs in the tests, in Node and inside XS.
//
// What they keep of the SDK's behaviour (SDK 8.2 sources):
//  - the constructor takes {windowBits} 15 or -15 only (RangeError "invalid
//    windowBits" otherwise), Deflate also {level} -1..10 ("invalid level");
//    the stand-ins do raw streams (-15) only, the one form the glue uses;
//  - output reaches `onData` as ArrayBuffers of at most 1024 bytes (the
//    modules' kOutputBufferSize), during push();
//  - Inflate.push() throws "bad zlib data" on corrupt input and closes; when
//    the stream ends (a final block) it closes and calls onEnd(0), and input
//    after that end is left unread (strm.avail_in);
//  - Deflate.push(data, end) compresses, and with `end` finishes the stream
//    (Z_FINISH: a final block, no sync flush), closes and calls onEnd(0);
//  - any call after close() throws (the host data is gone).
// `failInflate` / `failDeflate` make the next constructions throw "no memory",
// as the SDK does when c_malloc or inflateInit2/deflateInit2 fails.

import { InflateError, RawDeflater, RawInflater } from "../../sim/deflate.js";

const PIECE = 1024;

function viewOf(b: ArrayBuffer | ArrayBufferView | string): Uint8Array {
  if (typeof b === "string") return new TextEncoder().encode(b);
  return ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);
}

function checkRaw(o: { windowBits?: number } | undefined): void {
  const w = o?.windowBits ?? 15;
  if (w !== 15 && w !== -15) throw new RangeError("invalid windowBits");
  if (w !== -15) throw new Error("the stand-in zlib does raw streams (windowBits -15) only");
}

function emit(z: { onData: (d: ArrayBuffer) => void }, out: Uint8Array): void {
  for (let o = 0; o < out.length; o += PIECE) z.onData(out.slice(o, Math.min(out.length, o + PIECE)).buffer);
}

export interface StandinZlibControl {
  /** the next `n` constructions of Inflate throw "no memory" */
  failInflate: number;
  /** the same for Deflate */
  failDeflate: number;
  /** instances made so far */
  inflaters: number;
  deflaters: number;
  /** instances not closed yet */
  open: number;
}

export function createStandinZlib() {
  const control: StandinZlibControl = { failInflate: 0, failDeflate: 0, inflaters: 0, deflaters: 0, open: 0 };
  const noMemory = (which: "failInflate" | "failDeflate"): void => {
    if (control[which] > 0) {
      control[which]--;
      throw new Error("no memory");
    }
  };

  class Inflate {
    private z: RawInflater | null;
    readonly strm = { avail_in: 0 };
    onData: (data: ArrayBuffer) => void = () => {};
    onEnd: (status: number) => void = () => {};
    constructor(options?: { windowBits?: number }) {
      checkRaw(options);
      noMemory("failInflate");
      this.z = new RawInflater({ windowBits: 15 });
      control.inflaters++;
      control.open++;
    }
    push(buffer: ArrayBuffer | ArrayBufferView, _flush?: boolean): void {
      const z = this.z;
      if (!z) throw new Error("closed");
      const input = viewOf(buffer);
      let out: Uint8Array;
      try {
        out = z.push(input);
      } catch (e) {
        if (!(e instanceof InflateError)) throw e;
        this.close();
        throw new Error("bad zlib data");
      }
      emit(this, out);
      this.strm.avail_in = z.ended ? z.trailing : 0;
      if (z.ended && this.z) {
        this.close();
        this.onEnd(0);
      }
    }
    close(): void {
      if (!this.z) return;
      this.z = null;
      control.open--;
    }
  }

  class Deflate {
    private z: RawDeflater | null;
    onData: (data: ArrayBuffer) => void = () => {};
    onEnd: (status: number) => void = () => {};
    constructor(options?: { windowBits?: number; level?: number; strategy?: number }) {
      checkRaw(options);
      const level = options?.level ?? -1;
      if (level < -1 || level > 10) throw new RangeError("invalid level");
      noMemory("failDeflate");
      this.z = new RawDeflater({ level: level < 0 ? 6 : Math.min(level, 9), windowBits: 15 });
      control.deflaters++;
      control.open++;
    }
    push(buffer: ArrayBuffer | ArrayBufferView | string, end?: boolean): boolean {
      const z = this.z;
      if (!z) throw new Error("closed");
      emit(this, z.push(viewOf(buffer), end ? "finish" : "none"));
      if (end) {
        this.close();
        this.onEnd(0);
      }
      return true;
    }
    close(): void {
      if (!this.z) return;
      this.z = null;
      control.open--;
    }
  }

  return { Inflate, Deflate, control };
}

export type StandinZlib = ReturnType<typeof createStandinZlib>;
