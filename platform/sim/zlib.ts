// permessage-deflate for the sim platform: the contract's PlatformZlib over
// the portable codec (./deflate.ts), so WebSocket compression runs in the
// deterministic scenarios and inside XS, where there is no zlib. Optionally
// asynchronous, as platform/node's is: the deflate of deflateRawAsync is done
// at once and its result delivered later in virtual time, so scenarios can
// order completions (a large message finishing after a small one behind it).

import type { PlatformZlib } from "../../src/core/platform.js";
import { deflateRaw, inflateRaw } from "./deflate.js";

export interface SimZlibOptions {
  /** give deflateRawAsync: its result arrives after this many virtual µs (a number, or per input size) */
  asyncUs?: number | ((bytes: number) => number);
}

/** the sim's zlib, counting what went off the loop (for the scenarios' checks) */
export interface SimZlib extends PlatformZlib {
  asyncCalls: number;
  /** async deflates not delivered yet, and the most there were at once */
  inFlight: number;
  maxInFlight: number;
}

export function createSimZlib(at: (us: number, fn: () => void) => void, now: () => number, o: SimZlibOptions = {}): SimZlib {
  const z: SimZlib = {
    asyncCalls: 0,
    inFlight: 0,
    maxInFlight: 0,
    deflateRaw(data, windowBits, level) {
      return deflateRaw(data, { level: level ?? 1, windowBits: Math.max(9, windowBits), flush: "sync" });
    },
    inflateRaw(data, windowBits, dictionary, maxOut) {
      return inflateRaw(data, { windowBits, dictionary, maxOut });
    },
  };
  const delay = o.asyncUs;
  if (delay !== undefined) {
    z.deflateRawAsync = (data, windowBits, level, done) => {
      z.asyncCalls++;
      z.maxInFlight = Math.max(z.maxInFlight, ++z.inFlight);
      const out = z.deflateRaw(data, windowBits, level);
      at(now() + (typeof delay === "number" ? delay : delay(data.length)), () => {
        z.inFlight--;
        done(out);
      });
    };
  }
  return z;
}
