// A stand-in Moddable SDK over the sim network: the ECMA-419 TCP socket and
// listener, the timer and time modules, Logical.xor, a DNS resolver and (when
// asked for) the file module's File over the sim's in-memory files, each
// written from the SDK's documented semantics (see socket.ts, timer.ts,
// logical.ts, file.ts), so platform/moddable runs deterministically under the sim's
// virtual time, in Node and inside the XS engine, without the SDK.
//
//   const sim = createSimPlatform({seed: 1});
//   const sdk = createStandinSdk(sim);
//   const platform = createModdablePlatform(sdk);
//
// Test peers keep using the sim directly (SimPeer), as in every sim scenario.

import type { SimNetwork } from "../../sim/index.js";
import { sha1 } from "../../../src/core/sha1.js";
import type { ModdableSdk, SdkFileClass, SdkListenerClass, SdkResolver, SdkTcpClass, SdkTimer } from "../index.js";
import { Logical } from "./logical.js";
import { createStandinSockets, type StandinSocketOptions, type StandinStack, type StandinSockets } from "./socket.js";
import { createStandinTimer, type StandinTime, type StandinTimer } from "./timer.js";
import { createStandinFile, type StandinFileClass, type StandinFileOptions } from "./file.js";
import { createStandinZlib, type StandinZlib, type StandinZlibControl } from "./zlib.js";
import type { SdkDeflateClass, SdkInflateClass } from "../zlib.js";

export { Logical } from "./logical.js";
export { createStandinSockets, StandinStack, type StandinSocketOptions, type StandinStackStats, type StandinTcp, type StandinListener } from "./socket.js";
export { createStandinFile, type StandinFileClass, type StandinFile, type StandinFileFlavor, type StandinFileOptions } from "./file.js";
export { createStandinTimer, type StandinTimer, type StandinTime, type StandinTimerHandle } from "./timer.js";
export { createStandinZlib, type StandinZlib, type StandinZlibControl } from "./zlib.js";

export interface StandinOptions extends StandinSocketOptions {
  /** where Time.ticks starts (ms); near 2^31 to test its int32 wrap */
  ticksStart?: number;
  /** names the stand-in resolver knows (name -> IPv4 address); no resolver when absent */
  hosts?: Record<string, string>;
  /** virtual µs a name lookup takes */
  resolveUs?: number;
  /** give Logical.xor as the SDK's xor (default true) */
  xor?: boolean;
  /** give a SHA-1 as crypt's Digest("SHA1") would (the portable one of src/core; default true) */
  sha1?: boolean;
  /**
   * give the file module's File over the sim's files (sim.writeFile), so the
   * adapter builds its own vfs; `true` is the ESP32's (SPIFFS) flavour. Absent: no File
   */
  file?: StandinFileOptions | boolean;
  /**
   * give the `inflate` and `deflate` modules' classes (over the portable
   * codec): the adapter then offers permessage-deflate as the device does;
   * "inflate": Inflate only (a build without deflate). Absent: neither
   */
  zlib?: boolean | "inflate";
  /**
   * give the host's TextDecoder as the `text/decoder` module's (the UTF-8
   * fast path); default true where the host has one with `fatal` (the XS
   * lane's host has the SDK's own)
   */
  textDecoder?: boolean;
  /** the time of day at the start (ms since 1970); default 0, an ESP32's unset clock at boot */
  wallClockStartMs?: number;
}

export interface StandinSdk extends ModdableSdk {
  /** the stand-in modules, with their own (fuller) types */
  readonly modules: {
    TCP: StandinSockets["TCP"];
    Listener: StandinSockets["Listener"];
    Timer: StandinTimer;
    Time: StandinTime;
    Logical: typeof Logical;
    /** when `file` was asked for */
    File?: StandinFileClass;
    /** when `zlib` was asked for */
    Inflate?: StandinZlib["Inflate"];
    Deflate?: StandinZlib["Deflate"];
  };
  /** when `zlib` was asked for: instance counts, and made-to-fail constructions */
  readonly zlibControl?: StandinZlibControl;
  readonly stack: StandinStack;
  /** timers armed (for leak checks) */
  readonly timersPending: () => number;
  /** set the time of day, as SNTP does on the device */
  setWallClock(ms: number): void;
}

/**
 * The ECMA-419 resolver shape (embedded:network/dns/resolver/udp, as the SDK's
 * examples/io/udp/dns implements it): `resolve({host, onResolved(host,
 * address), onError(host)})`, answered later, with `this` = the resolver.
 */
function makeResolver(sim: SimNetwork, hosts: Record<string, string>, delayUs: number) {
  return class StandinResolver implements SdkResolver {
    constructor(_options: Record<string, unknown>) {}
    resolve(request: { host: string; onResolved: (host: string, address: string) => void; onError: (host: string) => void }): void {
      const host = String(request.host);
      sim.at(sim.now() + delayUs, () => {
        const address = host === "localhost" ? "127.0.0.1" : hosts[host];
        if (address) request.onResolved.call(this, host, address);
        else request.onError.call(this, host);
      });
    }
    close(): void {}
  };
}

export function createStandinSdk(sim: SimNetwork, o: StandinOptions = {}): StandinSdk {
  const sockets = createStandinSockets(sim, o);
  const timer = createStandinTimer(sim, { ticksStart: o.ticksStart });
  const File = o.file ? createStandinFile(sim, o.file === true ? {} : o.file) : undefined;
  const z = o.zlib ? createStandinZlib() : undefined;
  let wallOffset = o.wallClockStartMs ?? 0;
  const zmods = z ? { Inflate: z.Inflate, ...(o.zlib === true ? { Deflate: z.Deflate } : {}) } : {};
  return {
    TCP: sockets.TCP as unknown as SdkTcpClass,
    Listener: sockets.Listener as unknown as SdkListenerClass,
    Timer: timer.Timer as unknown as SdkTimer,
    ticks: timer.ticks,
    wallClock: () => wallOffset + Math.floor(sim.now() / 1000),
    ...(o.xor === false ? {} : { xor: (dst: ArrayBufferView, src: ArrayBufferView) => Logical.xor(dst, src) }),
    ...(o.sha1 === false ? {} : { sha1 }),
    ...(o.hosts ? { Resolver: makeResolver(sim, o.hosts, o.resolveUs ?? 2000) } : {}),
    ...(File ? { File: File as unknown as SdkFileClass } : {}),
    ...(o.textDecoder !== false && typeof globalThis.TextDecoder === "function" ? { TextDecoder: globalThis.TextDecoder as unknown as ModdableSdk["TextDecoder"] } : {}),
    ...(z ? { Inflate: z.Inflate as unknown as SdkInflateClass, ...(o.zlib === true ? { Deflate: z.Deflate as unknown as SdkDeflateClass } : {}) } : {}),
    modules: { TCP: sockets.TCP, Listener: sockets.Listener, Timer: timer.Timer, Time: timer.Time, Logical, ...(File ? { File } : {}), ...zmods },
    ...(z ? { zlibControl: z.control } : {}),
    stack: sockets.stack,
    timersPending: timer.pending,
    setWallClock: (ms: number) => void (wallOffset = ms - Math.floor(sim.now() / 1000)),
  };
}
