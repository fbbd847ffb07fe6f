// The device side of platform/moddable: the real Moddable SDK modules handed
// to createModdablePlatform. Built by mcconfig only (manifest.json): the
// `embedded:` and SDK specifiers resolve there, and are declared for the
// project's typecheck in platform/moddable/types/moddable-sdk.d.ts.
//
// Import this module before anything of src/: it installs the TextEncoder /
// TextDecoder globals src/ needs (./globals.js).

import "./globals.js";
import TCP from "embedded:io/socket/tcp";
import Listener from "embedded:io/socket/listener";
import Timer from "timer";
import Time from "time";
import Logical from "logical";
import { Digest } from "crypt";
import Inflate from "inflate";
import Deflate from "deflate";
import TextDecoder from "text/decoder";
import { createModdablePlatform, type ModdablePlatform, type ModdablePlatformOptions, type ModdableSdk, type SdkDeflateClass, type SdkInflateClass, type SdkListenerClass, type SdkTcpClass, type SdkTimer } from "./index.js";

/**
 * The SDK as the adapter takes it. No Resolver: the demo serves and does not
 * connect out; to connect to names, add `Resolver` (embedded:network/dns/
 * resolver/udp) and `resolverOptions` ({servers, socket: {io: UDP}}).
 * No `random`: Math.random() is esp_random() on the ESP32
 * (xs/platforms/esp/xsHost.h: c_rand), the hardware generator.
 */
export const deviceSdk: ModdableSdk = {
  TCP: TCP as unknown as SdkTcpClass,
  Listener: Listener as unknown as SdkListenerClass,
  Timer: Timer as unknown as SdkTimer,
  ticks: () => Time.ticks,
  xor: (dst, src) => Logical.xor(dst, src),
  sha1: (data) => {
    const d = new Digest("SHA1");
    d.write(data);
    return new Uint8Array(d.close());
  },
  // permessage-deflate (./zlib.ts): inflating takes about 43 KB for the time
  // of one message; compressing about 160 KB, and where the heap cannot give
  // it the message goes uncompressed. Drop Deflate to never try.
  Inflate: Inflate as unknown as SdkInflateClass,
  Deflate: Deflate as unknown as SdkDeflateClass,
  // the WebSocket text check's native fast path
  TextDecoder,
};

/** trace() to xsbug or the serial console (Moddable has no console global) */
export function deviceLog(message: string): void {
  const t = (globalThis as { trace?: (s: string) => void }).trace;
  if (typeof t === "function") t(`${message}\n`);
}

export function createDevicePlatform(opts: ModdablePlatformOptions = {}): ModdablePlatform {
  return createModdablePlatform(deviceSdk, { report: (e, where) => deviceLog(`lwsx moddable: ${where}: ${(e as Error)?.message ?? e}`), ...opts });
}
