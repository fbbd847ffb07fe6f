// Declarations of the Moddable SDK modules platform/moddable/device.ts and
// globals.ts import, so the project's typecheck covers them although the SDK
// is not installed. Written from Moddable SDK 8.2: typings/embedded_io/socket/
// tcp.d.ts and listener.d.ts, typings/timer.d.ts, typings/time.d.ts, and the
// implementations where the typings say less (modules/io/socket/lwip/tcp.c:
// write() returns the send buffer space left; listener.js has close();
// modules/data/logical/logical.js; modules/data/text/*;
// modules/crypt/digest/crypt.js). Only what lwsx uses.

declare module "embedded:io/socket/tcp" {
  export interface TCPOptions {
    address?: string;
    port?: number;
    from?: TCP;
    nodelay?: boolean;
    onReadable?: (this: TCP, bytes: number) => void;
    onWritable?: (this: TCP, bytes: number) => void;
    onError?: (this: TCP) => void;
    format?: "number" | "buffer";
    target?: unknown;
  }
  export default class TCP {
    constructor(options: TCPOptions);
    readonly remoteAddress: string | undefined;
    readonly remotePort: number | undefined;
    target?: unknown;
    read(byteLength?: number): ArrayBuffer | undefined;
    read(buffer: ArrayBuffer | ArrayBufferView): number | undefined;
    write(data: ArrayBuffer | ArrayBufferView | number): number | undefined;
    close(): void;
    format: "number" | "buffer";
  }
}

declare module "embedded:io/socket/listener" {
  import type TCP from "embedded:io/socket/tcp";
  export default class Listener {
    constructor(options: { port?: number; address?: string; onReadable?: (this: Listener, requests: number) => void; format?: "socket/tcp"; target?: unknown });
    read(): TCP | undefined;
    close(): void;
    readonly port: number;
    target?: unknown;
    format: "socket/tcp";
  }
}

declare module "timer" {
  export type TimerCallback = (timer: Timer) => void;
  class Timer {
    private constructor();
    static set(callback: TimerCallback, interval?: number, repeat?: number): Timer;
    static repeat(callback: TimerCallback, interval: number): Timer;
    static schedule(timer: Timer, interval?: number, repeat?: number): void;
    static clear(timer: Timer | undefined | null): void;
    static delay(milliseconds: number): void;
    private brand: boolean;
  }
  export default Timer;
}

declare module "time" {
  const Time: {
    /** modMilliseconds() as an int32: it wraps */
    readonly ticks: number;
    delta(start: number, end?: number): number;
  };
  export default Time;
}

declare module "logical" {
  export default class Logical {
    static xor(dst: ArrayBuffer | ArrayBufferView, src: number | string | ArrayBuffer | ArrayBufferView, count?: number): void;
    static and(dst: ArrayBuffer | ArrayBufferView, src: number | string | ArrayBuffer | ArrayBufferView, count?: number): void;
    static or(dst: ArrayBuffer | ArrayBufferView, src: number | string | ArrayBuffer | ArrayBufferView, count?: number): void;
  }
}

declare module "crypt" {
  /** modules/crypt/digest/crypt.js: "SHA1", "SHA256", "MD5", ... */
  export class Digest {
    constructor(type: string);
    write(data: string | ArrayBuffer | ArrayBufferView): void;
    close(): ArrayBuffer;
    reset(): void;
    readonly blockSize: number;
    readonly outputSize: number;
  }
}

// modules/data/zlib (miniz): windowBits 15 or -15 only; output in onData pieces of at most 1 KB
declare module "inflate" {
  export default class Inflate {
    constructor(options?: { windowBits?: number });
    close(): void;
    push(buffer: ArrayBuffer | ArrayBufferView, flush?: boolean, output?: ArrayBuffer | ArrayBufferView): void;
    onData: (data: ArrayBuffer) => void;
    onEnd: (status: number) => void;
    readonly result?: Uint8Array;
    readonly strm: { readonly avail_in: number };
  }
}

declare module "deflate" {
  export default class Deflate {
    constructor(options?: { windowBits?: number; level?: number; strategy?: number });
    close(): void;
    push(buffer: ArrayBuffer | ArrayBufferView | string, end?: boolean): boolean;
    onData: (data: ArrayBuffer) => void;
    onEnd: (status: number) => void;
    readonly result?: Uint8Array;
  }
}

declare module "text/encoder" {
  export default class TextEncoder {
    encode(value: string): Uint8Array;
    encodeInto(value: string, buffer: Uint8Array): { read: number; written: number };
  }
}

declare module "text/decoder" {
  export default class TextDecoder {
    constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
    decode(buffer?: ArrayBuffer | ArrayBufferView, options?: { stream?: boolean }): string;
    readonly encoding: string;
    readonly fatal: boolean;
    readonly ignoreBOM: boolean;
  }
}

declare module "file" {
  /** modules/files/file/file.js; on error its methods throw an Error whose message says why ("file not found", "read past end of file", "closed") */
  export class File {
    constructor(path: string, write?: boolean);
    /** String or ArrayBuffer: a new one of `count` bytes (default: to the end); on the ESP32 a buffer is read into and returned */
    read(type: StringConstructor, count?: number): string;
    read(type: ArrayBufferConstructor | ArrayBuffer | ArrayBufferView, count?: number): ArrayBuffer | ArrayBufferView;
    write(...items: (string | number | ArrayBuffer | ArrayBufferView)[]): void;
    close(): void;
    readonly length: number;
    position: number;
    static delete(path: string): boolean;
    static exists(path: string): boolean;
    static rename(from: string, to: string): boolean;
  }
  export class Iterator {
    constructor(path: string);
    /** `length` present for a file, absent for a directory; undefined at the end */
    next(): { name: string; length?: number } | undefined;
    [Symbol.iterator](): Iterator<{ name: string; length?: number }>;
  }
  export class Directory {
    static create(path: string): void;
    static delete(path: string): void;
  }
  export class System {
    static config(): { maxPathLength: number };
    static info(): { total?: number; used?: number };
  }
  const file: { File: typeof File; Iterator: typeof Iterator; System: typeof System; Directory: typeof Directory };
  export default file;
}

declare module "mc/config" {
  /** generated by mcconfig from the manifests' "config" sections; `file.root` from the file module's manifest ("/mod/" on the ESP32, "/tmp/" on lin) */
  const config: { file?: { root: string } } & Record<string, unknown>;
  export default config;
}
