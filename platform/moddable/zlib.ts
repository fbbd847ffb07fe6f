// permessage-deflate on the device: the contract's PlatformZlib over the
// Moddable SDK's `inflate` and `deflate` modules (modules/data/zlib: miniz).
//
// What those modules allow, read from the SDK 8.2 sources (inflate.c,
// deflate.c) and so what this glue declares to the WebSocket role:
//  - windowBits 15 or -15 only (-15: raw deflate, what RFC 7692 carries).
//    Inflating with a 15-bit window reads any smaller window, so only our own
//    compression is bound to 15 bits (deflateWindowBits).
//  - Deflate.push(data, true) is Z_FINISH: the output ends the deflate stream
//    with a final block; there is no sync flush. A message then cannot be
//    compressed piece by piece (deflateEndsStream), and the role follows the
//    final block with RFC 7692's empty stored block.
//  - Inflate takes no dictionary: the peer is asked for
//    client_no_context_takeover (server) or server_no_context_takeover
//    (client), so every message inflates on its own (inflateNoDictionary).
//    That also keeps memory flat: miniz's inflater is about 43 KB (its 32 KB
//    window and tables) for the time of one call, none kept per connection.
//  - Both deliver output through onData(ArrayBuffer) in pieces of at most
//    1 KB, throw on corrupt input ("bad zlib data") and when memory runs out
//    ("no memory", "deflateInit2 failed"). miniz's deflater (TDEFL_LESS_MEMORY)
//    needs about 160 KB while it runs: where it cannot have it, the message
//    goes uncompressed (deflateRaw gives null), which RFC 7692 allows.

import type { PlatformZlib } from "../../src/core/platform.js";

/** the SDK's Inflate (`import Inflate from "inflate"`) as this glue uses it */
export interface SdkInflate {
  /** inflate what it can of `buffer`, calling onData with each piece (throws on corrupt data) */
  push(buffer: ArrayBuffer | ArrayBufferView): void;
  close(): void;
  onData: (data: ArrayBuffer) => void;
  /** the stream ended (a final block): status 0 */
  onEnd: (status: number) => void;
}
export type SdkInflateClass = new (options?: { windowBits?: number }) => SdkInflate;

/** the SDK's Deflate (`import Deflate from "deflate"`) */
export interface SdkDeflate {
  /** compress `buffer`; with `end`, finish the stream (onEnd follows) */
  push(buffer: ArrayBuffer | ArrayBufferView, end?: boolean): boolean;
  close(): void;
  onData: (data: ArrayBuffer) => void;
  onEnd: (status: number) => void;
}
export type SdkDeflateClass = new (options?: { windowBits?: number; level?: number; strategy?: number }) => SdkDeflate;

/** the one window the SDK's zlib has */
const SDK_WINDOW_BITS = 15;

/**
 * After the deflater could not be made (no memory: on an ESP32 without PSRAM
 * its ~160 KB rarely fit), this many messages go plain before it is tried
 * again, so a board that never has the room does not ask the heap for it
 * at every message.
 */
export const DEFLATE_RETRY_AFTER = 32;

/** thrown from onData to stop an inflate that grew past its limit */
const TOO_BIG = new Error("too big");

function join(chunks: ArrayBuffer[], total: number): Uint8Array {
  if (chunks.length === 1) return new Uint8Array(chunks[0]!);
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(new Uint8Array(c), o);
    o += c.byteLength;
  }
  return out;
}

function closeQuietly(z: { close(): void }): void {
  try {
    z.close();
  } catch {
    /* closed by the module already */
  }
}

/**
 * PlatformZlib over the SDK's classes. Without `Deflate` (not in the build,
 * or left out to save its memory), messages are inflated but never
 * compressed.
 */
export function createModdableZlib(Inflate: SdkInflateClass, Deflate?: SdkDeflateClass): PlatformZlib {
  let skipDeflates = 0;
  return {
    deflateEndsStream: true,
    inflateNoDictionary: true,
    deflateWindowBits: SDK_WINDOW_BITS,

    deflateRaw(data, windowBits, level) {
      if (!Deflate || windowBits < SDK_WINDOW_BITS) return null;
      if (skipDeflates > 0) {
        skipDeflates--;
        return null;
      }
      let d: SdkDeflate;
      try {
        d = new Deflate({ windowBits: -SDK_WINDOW_BITS, level: level ?? 1 });
      } catch {
        skipDeflates = DEFLATE_RETRY_AFTER; // no memory for the compressor now
        return null;
      }
      const chunks: ArrayBuffer[] = [];
      let total = 0;
      let status = -1;
      d.onData = (b) => {
        chunks.push(b);
        total += b.byteLength;
      };
      d.onEnd = (s) => (status = s);
      try {
        d.push(data, true);
      } catch {
        return null;
      } finally {
        closeQuietly(d);
      }
      return status === 0 ? join(chunks, total) : null;
    },

    inflateRaw(data, _windowBits, _dictionary, maxOut) {
      let inf: SdkInflate;
      try {
        inf = new Inflate({ windowBits: -SDK_WINDOW_BITS });
      } catch {
        return "failed";
      }
      const chunks: ArrayBuffer[] = [];
      let total = 0;
      inf.onData = (b) => {
        total += b.byteLength;
        if (total > maxOut) throw TOO_BIG;
        chunks.push(b);
      };
      inf.onEnd = () => {};
      try {
        inf.push(data);
      } catch (e) {
        return e === TOO_BIG ? "too big" : /memory/i.test(String((e as Error)?.message)) ? "failed" : "invalid";
      } finally {
        closeQuietly(inf);
      }
      return join(chunks, total);
    },
  };
}
