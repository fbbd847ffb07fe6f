// platform/moddable: the platform contract over the Moddable SDK's ECMA-419 IO
// (embedded:io/socket/tcp, embedded:io/socket/listener) and its timer module.
//
// The SDK classes are injected ({TCP, Listener, Timer, ...}), so this module
// imports no `embedded:` specifier: platform/moddable/device.ts hands it the
// real modules on the device, platform/moddable/standin hands it stand-ins
// over the sim network in the tests (Node and the XS lane). Given the `file`
// module's File class, it also serves stored files (ModdableVfs, below).
//
// ECMA-419 sockets are callback-driven: onReadable(bytes) and onWritable(bytes)
// carry the byte counts the stack has ready (totals, not increments), onError()
// says the connection is over. This adapter keeps those counts per descriptor
// and turns them into poll(2)-style, level-triggered readiness:
//
//  - POLLIN while bytes are readable (or the stream is over); read() takes at
//    most what onReadable announced, straight from the stack, so when the core
//    does not want POLLIN nothing is read and the stack's TCP window closes;
//  - POLLOUT while connected and the last writable count is not used up;
//    write() hands the stack what fits in that count (partial writes) and never
//    lets the SDK's "would block" exception out;
//  - onError before the connection was up is a failed connect (POLLERR|POLLHUP);
//    after it, the end of the stream: lwip reports a clean FIN and a reset the
//    same way (documentation/io/io.md, "TCP Socket": "onError ... is invoked
//    when the remote socket disconnects for any reason, including a clean TCP
//    disconnect"), so it becomes POLLIN with read() giving an empty array, or
//    POLLHUP when the core is not reading; writes fail from then on.
//
// Readiness reaches the core from the SDK's own callbacks (which the SDK
// delivers from its message queue, never from inside a call we make), and
// what is still ready after that is reported again from a Timer-0 turn, so the
// core is never re-entered. Per connection this keeps one small record and no
// closure: the SDK calls shared callbacks with `this` = the socket, whose
// `target` is that record.

import { PlatformError, type ConnectOptions, type FileStat, type ListenOptions, type Platform, type PlatformHooks, type PlatformNet, type PlatformVfs, type PlatformZlib, type ReadyCallback, type SocketAddress } from "../../src/core/platform.js";
import { createModdableZlib, type SdkDeflateClass, type SdkInflateClass } from "./zlib.js";

const POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 16;
const ERRHUP = POLLERR | POLLHUP;

/** 2016-01-01: a time of day before it is a clock nobody has set */
const CLOCK_SET_AFTER_MS = 1451606400000;

/** the largest piece of WebSocket text checked by decoding it natively (see ModdableSdk.TextDecoder) */
const NATIVE_UTF8_MAX = 4096;

/** Timer delays are int32 milliseconds in the SDK; a far wake-up is taken in steps of this. */
const MAX_TIMER_MS = 3600 * 1000;

// ------------------------------------------------------------ SDK shapes
//
// What the adapter uses of the SDK, structurally (the real classes and the
// stand-ins both fit). Checked against Moddable SDK 8.2:
// modules/io/socket/lwip/tcp.c, listener.js, modules/base/timer/modTimer.c,
// modules/base/time/esp/modTime.c, modules/data/logical/modLogical.c.

export interface SdkTcpOptions {
  /** numeric IPv4 address (lwip parses it with ipaddr_aton; names are resolved outside) */
  address?: string;
  port?: number;
  /** adopt the native socket of another instance (one from Listener.read()) */
  from?: SdkTcp;
  nodelay?: boolean;
  onReadable?: (this: SdkTcp, bytes: number) => void;
  onWritable?: (this: SdkTcp, bytes: number) => void;
  onError?: (this: SdkTcp) => void;
  format?: "buffer" | "number";
  /** stored as `this.target` on the instance */
  target?: unknown;
}

export interface SdkTcp {
  /** all readable bytes, or `byteLength` of them (more than readable throws); undefined when none */
  read(byteLength?: number): ArrayBuffer | undefined;
  /** throws when the data does not fit in the send buffer ("would block") or before connect ("not ready"); lwip returns the send buffer space left */
  write(data: ArrayBuffer | ArrayBufferView): number | void;
  close(): void;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  target?: unknown;
}

export type SdkTcpClass = new (options: SdkTcpOptions) => SdkTcp;

export interface SdkListenerOptions {
  port?: number;
  /** ignored by the lwip implementation, which binds every interface */
  address?: string;
  onReadable?: (this: SdkListener, requests: number) => void;
  target?: unknown;
}

export interface SdkListener {
  /** the next pending connection, a connected TCP instance with no callbacks; undefined when none */
  read(): SdkTcp | undefined;
  close(): void;
  readonly port: number;
  target?: unknown;
}

export type SdkListenerClass = new (options: SdkListenerOptions) => SdkListener;

/** the `timer` module: one-shot timers in ms, callbacks from the SDK's loop */
export interface SdkTimer {
  set(callback: (timer: unknown) => void, ms?: number): unknown;
  clear(timer: unknown): void;
}

/** an ECMA-419 DNS resolver (embedded:network/dns/resolver/udp) */
export interface SdkResolver {
  resolve(request: { host: string; onResolved: (host: string, address: string) => void; onError: (host: string) => void }): void;
  close?(): void;
}

export type SdkResolverClass = new (options: Record<string, unknown>) => SdkResolver;

/**
 * An open file of the SDK's `file` module (`import {File} from "file"`,
 * modules/files/file/file.js). On error its methods throw an Error whose
 * message is all there is ("file not found", "read past end of file", "file
 * read failed", "closed"; littlefs: "No directory entry", "Entry is a dir").
 */
export interface SdkFile {
  /** bytes in the file */
  readonly length: number;
  /** where the next read starts */
  position: number;
  /**
   * `count` bytes (default: to the end) from `position`, which moves on; fewer
   * when the end comes first, an exception when `position` is at or past the
   * end. `type` String or ArrayBuffer gives a new one; a buffer (a Uint8Array)
   * is read into on the ESP32 (esp32/modFile.c: xsmcGetBufferWritable, the
   * buffer itself is returned), while lin, mac and littlefs ignore it and give
   * a new ArrayBuffer of the bytes read.
   */
  read(type: unknown, count?: number): ArrayBuffer | Uint8Array | string;
  close(): void;
}

/** the File class: `new File(path, write?)` throws when a file cannot be opened for reading ("file not found") */
export interface SdkFileClass {
  new (path: string, write?: boolean): SdkFile;
  /** stat(path) succeeded: true for a file, and for a directory where the file system has them (not SPIFFS) */
  exists(path: string): boolean;
}

export interface ModdableSdk {
  TCP: SdkTcpClass;
  Listener: SdkListenerClass;
  Timer: SdkTimer;
  /** a millisecond counter that may wrap modulo 2^32 (Time.ticks); Date.now() when absent */
  ticks?: () => number;
  /**
   * the time of day, ms since 1970 (Date.now() when absent). On the ESP32 it
   * starts at 1970 at boot and is right once SNTP (or the app) sets it:
   * before that, HTTP responses carry no Date header
   */
  wallClock?: () => number;
  /** name resolution for connect(); without it, connect() takes numeric IPv4 addresses only */
  Resolver?: SdkResolverClass;
  /** options for `new Resolver(...)` (servers, socket...), made on the first name */
  resolverOptions?: Record<string, unknown>;
  /** fill with random bytes; Math.random() when absent (esp_random() on the ESP32) */
  random?: (into: Uint8Array) => void;
  /** Logical.xor(dst, src): dst ^= src, src repeating */
  xor?: (dst: ArrayBufferView, src: ArrayBufferView) => void;
  /** SHA-1 of `data` (crypt's Digest("SHA1")), for the WebSocket handshake */
  sha1?: (data: Uint8Array) => Uint8Array;
  /** the `file` module's File class: the platform's vfs (files to serve) is built on it */
  File?: SdkFileClass;
  /** the `inflate` module's class: permessage-deflate is offered with it (see ./zlib.ts) */
  Inflate?: SdkInflateClass;
  /** the `deflate` module's class: with it, messages we send are compressed too */
  Deflate?: SdkDeflateClass;
  /**
   * the `text/decoder` module's class: with `{fatal: true}` it is the
   * WebSocket text check's native fast path (modules/data/text/decoder:
   * textdecoder.c checks every sequence with isLegalUTF8 and throws)
   */
  TextDecoder?: new (label?: string, options?: { fatal?: boolean }) => { decode(input: ArrayBufferView): string };
}

export interface ModdablePlatformOptions {
  /** TCP_NODELAY on every socket (default true, as platform/node does) */
  nodelay?: boolean;
  /**
   * An exception escaped the core from a callback the SDK made to us (a bug:
   * the core catches what user callbacks throw). Default: logged, the loop goes
   * on (an exception out of an SDK callback would abort the device).
   */
  report?: (error: unknown, where: string) => void;
  /**
   * Stored files for HTTP serving, instead of the adapter's own over
   * `sdk.File` (an explicit vfs wins).
   */
  vfs?: PlatformVfs;
  /**
   * Files the vfs keeps open at once (default 4): one per response being
   * sent. Beyond, open() throws PlatformError EMFILE. The ESP32's SPIFFS and
   * FAT mounts allow MODDEF_FILE_MAXOPEN (5) in all, and stat() opens one more
   * for a moment.
   */
  maxOpenFiles?: number;
}

// ------------------------------------------------------------------ files

const DIRECTORY = { size: 0, mtimeMs: 0, isDirectory: true } as const;

function fileErrorCode(e: unknown): string {
  const m = String((e as Error)?.message ?? e);
  if (/not found|no directory entry|no such/i.test(m)) return "ENOENT";
  if (/is a dir/i.test(m)) return "EISDIR";
  return "EACCES";
}

/**
 * The contract's vfs over the SDK's File class. Handles are small integers
 * (1..maxOpen, the lowest free one); each holds one open File and its length.
 * Reads go in pieces into the caller's buffer: on the ESP32 the SDK reads
 * straight into it, elsewhere it gives a new ArrayBuffer that is copied.
 * The SDK keeps no modification time: mtimeMs is 0 (ETags then come from the
 * size alone).
 */
export class ModdableVfs implements PlatformVfs {
  private readonly File: SdkFileClass;
  private readonly open_: (SdkFile | null)[];
  private readonly lengths: number[];
  private readonly probe = new Uint8Array(1);
  private count = 0;

  constructor(File: SdkFileClass, maxOpen = 4) {
    if (!(maxOpen >= 1)) throw new Error(`lwsx: maxOpenFiles must be at least 1, not ${maxOpen}`);
    this.File = File;
    this.open_ = new Array<SdkFile | null>(maxOpen | 0).fill(null);
    this.lengths = new Array<number>(maxOpen | 0).fill(0);
  }

  /** handles open now */
  get openCount(): number {
    return this.count;
  }

  /** the most handles open at once */
  get maxOpen(): number {
    return this.open_.length;
  }

  stat(path: string): FileStat | null {
    let f: SdkFile;
    try {
      f = new this.File(path);
    } catch (e) {
      // littlefs names a directory; SPIFFS (flat) has none; FAT's "file not found" for
      // one cannot be told from max_files reached: both are null (not servable now)
      return fileErrorCode(e) === "EISDIR" ? DIRECTORY : null;
    }
    try {
      const size = f.length;
      if (size > 0) {
        // lin (the simulator) opens a directory like a file (fopen "rb" succeeds) and fails to read it
        f.position = 0;
        this.readInto(f, this.probe, 1);
      }
      return { size, mtimeMs: 0, isDirectory: false };
    } catch {
      return this.exists(path) ? DIRECTORY : null;
    } finally {
      this.closeFile(f);
    }
  }

  open(path: string): number {
    const slots = this.open_;
    let h = 0;
    while (h < slots.length && slots[h]) h++;
    if (h === slots.length) throw new PlatformError("EMFILE", `cannot open '${path}': ${slots.length} files open already (maxOpenFiles)`);
    let f: SdkFile;
    try {
      f = new this.File(path);
    } catch (e) {
      // SPIFFS and FAT say "file not found" for whatever fopen refused: for a file that
      // exists, that is a directory (FAT) or the mount's max_files reached
      let code = fileErrorCode(e);
      if (code === "ENOENT" && this.exists(path)) code = "EACCES";
      throw new PlatformError(code, `cannot open '${path}': ${(e as Error)?.message ?? e}`);
    }
    let length: number;
    try {
      length = f.length;
    } catch (e) {
      this.closeFile(f);
      throw new PlatformError("EACCES", `cannot open '${path}': ${(e as Error)?.message ?? e}`);
    }
    slots[h] = f;
    this.lengths[h] = length;
    this.count++;
    return h + 1;
  }

  read(handle: number, position: number, into: Uint8Array): number {
    const i = handle - 1;
    const f = i >= 0 ? this.open_[i] : undefined;
    if (!f) throw new PlatformError("EBADF", `vfs handle ${handle} is not open`);
    const left = this.lengths[i]! - position;
    if (left <= 0 || !into.length || position < 0) return 0;
    const n = into.length < left ? into.length : left;
    f.position = position;
    try {
      this.readInto(f, n === into.length ? into : into.subarray(0, n), n);
    } catch (e) {
      throw new PlatformError("EIO", `vfs handle ${handle}: ${(e as Error)?.message ?? e}`);
    }
    return n;
  }

  close(handle: number): void {
    const i = handle - 1;
    const f = i >= 0 ? this.open_[i] : undefined;
    if (!f) return;
    this.open_[i] = null;
    this.count--;
    this.closeFile(f);
  }

  /** `n` bytes from the file's position into `view` (whose length is n) */
  private readInto(f: SdkFile, view: Uint8Array, n: number): void {
    const r = f.read(view, n);
    if (r === view) return; // the ESP32 read into it
    if (typeof r === "string" || !r) throw new Error("the SDK's File.read gave no bytes");
    const got = r instanceof Uint8Array ? r : new Uint8Array(r);
    if (got.length < n) throw new Error(`short read: ${got.length} of ${n} bytes`);
    view.set(got.length === n ? got : got.subarray(0, n));
  }

  private exists(path: string): boolean {
    try {
      return !!this.File.exists(path);
    } catch {
      return false;
    }
  }

  private closeFile(f: SdkFile): void {
    try {
      f.close();
    } catch {
      /* closed already */
    }
  }
}

// ---------------------------------------------------------- descriptors

const LISTENER = 1, SOCKET = 2;
type Kind = typeof LISTENER | typeof SOCKET;

/** a listener's or a socket's state: what poll(2) would tell about it */
class Desc {
  fd: number;
  kind: Kind;
  p: ModdablePlatform;
  listener: SdkListener | null = null;
  sock: SdkTcp | null = null;
  /** listener: connections waiting for accept() */
  pending = 0;
  /** bytes the stack has for us (onReadable's count, less what we read) */
  readable = 0;
  /** bytes the stack takes now (onWritable's count, less what we wrote) */
  writable = 0;
  connected = false;
  /** onError after the connection was up: the stream is over, writes fail */
  ended = false;
  /** connect failed (refused, unreachable, unresolved): POLLERR|POLLHUP */
  failed = false;
  closed = false;
  resolving = false;
  error: string | null = null;
  events = 0;
  cb: ReadyCallback | null = null;
  /** a readiness check is queued for the next turn */
  posted = false;
  local: SocketAddress | null = null;
  remote: SocketAddress | null = null;
  constructor(p: ModdablePlatform, fd: number, kind: Kind) {
    this.p = p;
    this.fd = fd;
    this.kind = kind;
  }
}

// The SDK calls these with `this` = the socket (or listener); `target` is its Desc.
function onSockReadable(this: SdkTcp, bytes: number): void {
  const d = this.target as Desc;
  if (d.closed) return;
  d.readable = bytes;
  d.p.notify(d);
}

function onSockWritable(this: SdkTcp, bytes: number): void {
  const d = this.target as Desc;
  if (d.closed || d.ended || d.failed) return;
  d.connected = true;
  d.writable = bytes;
  d.p.notify(d);
}

function onSockError(this: SdkTcp): void {
  const d = this.target as Desc;
  if (d.closed || d.ended || d.failed) return;
  d.writable = 0;
  if (d.connected) {
    d.ended = true;
    d.error = "connection closed by the peer (end of stream or reset: ECMA-419 onError does not say which)";
  } else {
    d.failed = true;
    d.error = "connect failed: refused, unreachable or timed out (ECMA-419 onError gives no reason)";
  }
  d.p.notify(d);
}

function onListenerReadable(this: SdkListener, requests: number): void {
  const d = this.target as Desc;
  if (d.closed) return;
  d.pending = requests;
  d.p.notify(d);
}

const EMPTY = new Uint8Array(0);
const NUMERIC_IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function sdkErrorCode(e: unknown): string {
  const m = String((e as Error)?.message ?? e);
  if (/bind/i.test(m)) return "EADDRINUSE";
  if (/invalid port|invalid address/i.test(m)) return "EINVAL";
  if (/memory|no socket/i.test(m)) return "ENOBUFS";
  return "EIO";
}

function defaultLog(message: string): void {
  const g = globalThis as { trace?: (s: string) => void; print?: (s: string) => void; console?: { error(s: string): void } };
  if (typeof g.trace === "function") g.trace(`${message}\n`);
  else if (g.console) g.console.error(message);
  else if (typeof g.print === "function") g.print(message);
}

export class ModdablePlatform implements Platform {
  readonly name = "moddable";
  readonly net: PlatformNet;
  readonly hooks: PlatformHooks;
  readonly vfs?: PlatformVfs;
  readonly zlib?: PlatformZlib;
  private readonly sdk: ModdableSdk;
  private readonly nodelay: boolean;
  private readonly report: (error: unknown, where: string) => void;
  private readonly descs = new Map<number, Desc>();
  private nextFd = 3;
  // clock: ms since creation, unwrapped from the SDK's counter
  private readonly ticks: () => number;
  private readonly wraps: boolean;
  private lastRaw: number;
  private ms = 0;
  // one turn of our own: posted functions and descriptors to report again
  private queue: (() => void)[] = [];
  private spareQueue: (() => void)[] = [];
  private dirty: Desc[] = [];
  private spareDirty: Desc[] = [];
  private turnArmed = false;
  // the core's one wake-up
  private wakeTimer: unknown = null;
  private wakeAt: number | null = null;
  private wakeFire: (() => void) | null = null;
  private resolver: SdkResolver | null = null;
  private readonly maskScratch = new Uint8Array(4);

  constructor(sdk: ModdableSdk, opts: ModdablePlatformOptions = {}) {
    if (!sdk || typeof sdk.TCP !== "function" || typeof sdk.Listener !== "function" || !sdk.Timer)
      throw new Error("lwsx: createModdablePlatform needs the SDK's {TCP, Listener, Timer} (see platform/moddable/device.ts)");
    this.sdk = sdk;
    this.nodelay = opts.nodelay ?? true;
    this.report = opts.report ?? ((e, where) => defaultLog(`lwsx moddable: ${where}: ${(e as Error)?.stack ?? e}`));
    this.wraps = typeof sdk.ticks === "function";
    this.ticks = sdk.ticks ?? (() => Date.now());
    this.lastRaw = this.ticks();
    if (opts.vfs) this.vfs = opts.vfs;
    else if (sdk.File) this.vfs = new ModdableVfs(sdk.File, opts.maxOpenFiles);
    if (sdk.Inflate) this.zlib = createModdableZlib(sdk.Inflate, sdk.Deflate);
    this.net = {
      listen: (o) => this.listen(o),
      accept: (fd) => this.accept(fd),
      connect: (o) => this.connect(o),
      read: (fd, max) => this.read(fd, max),
      write: (fd, d) => this.write(fd, d),
      close: (fd) => this.close(fd),
      localAddress: (fd) => this.descs.get(fd)?.local ?? null,
      peerAddress: (fd) => this.descs.get(fd)?.remote ?? null,
      error: (fd) => this.descs.get(fd)?.error ?? null,
      ...(this.sdk.Resolver ? { resolve: (host: string, _family: 0 | 4, done: (a: string[] | null, e: string | null) => void) => this.resolve(host, done) } : {}),
    };
    const xor = sdk.xor, sha1 = sdk.sha1, TD = sdk.TextDecoder;
    const wall = sdk.wallClock ?? (() => Date.now());
    const hooks: PlatformHooks = {
      // a clock before 2016 has not been set (ESP-IDF's SNTP example uses the same test)
      wallClockMs: () => {
        const t = wall();
        return t >= CLOCK_SET_AFTER_MS ? t : NaN;
      },
    };
    if (TD) {
      const strict = new TD("utf-8", { fatal: true });
      // decoding makes a string of the piece: only for pieces of a size
      // the heap gives easily (larger ones take the portable check)
      hooks.isUtf8 = (data) => {
        if (data.length > NATIVE_UTF8_MAX) return false;
        try {
          strict.decode(data);
          return true;
        } catch {
          return false;
        }
      };
    }
    if (xor) {
      const m = this.maskScratch;
      hooks.xorMask = (data, mask, phase) => {
        const n = data.length;
        if (n) {
          // Logical.xor repeats `src` from its start: rotate the mask to the phase
          m[0] = mask[phase & 3]!;
          m[1] = mask[(phase + 1) & 3]!;
          m[2] = mask[(phase + 2) & 3]!;
          m[3] = mask[(phase + 3) & 3]!;
          xor(data, m);
        }
        return (phase + n) & 3;
      };
    }
    if (sha1) hooks.sha1 = sha1;
    this.hooks = hooks;
  }

  // ------------------------------------------------------- clock and timers

  /**
   * Monotonic µs, with the SDK's millisecond precision: the value moves in
   * steps of 1000. The counter (Time.ticks: modMilliseconds() as an int32) is
   * unwrapped by difference, which is exact as long as calls are less than
   * 2^32 ms (49.7 days) apart; an armed wake-up samples it at least hourly.
   */
  now(): number {
    const raw = this.ticks();
    let d = raw - this.lastRaw;
    if (d < 0) d = this.wraps ? d >>> 0 : 0;
    this.lastRaw = raw;
    this.ms += d;
    return this.ms * 1000;
  }

  setWakeup(atUs: number | null, fire: () => void): void {
    if (this.wakeTimer !== null) {
      this.sdk.Timer.clear(this.wakeTimer);
      this.wakeTimer = null;
    }
    if (atUs === null) {
      this.wakeAt = null;
      this.wakeFire = null;
      return;
    }
    this.wakeAt = atUs;
    this.wakeFire = fire;
    const ms = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil((atUs - this.now()) / 1000)));
    this.wakeTimer = this.sdk.Timer.set(this.onWake, ms);
  }

  private readonly onWake = (): void => {
    this.wakeTimer = null;
    const at = this.wakeAt, fire = this.wakeFire;
    if (at === null || !fire) return;
    // a far deadline is reached in steps; a timer never fires early by our clock, but check
    if (this.now() < at) {
      this.setWakeup(at, fire);
      return;
    }
    this.wakeAt = null;
    this.wakeFire = null;
    this.guard(fire, "wake-up");
  };

  post(fn: () => void): void {
    this.queue.push(fn);
    this.armTurn();
  }

  private armTurn(): void {
    if (this.turnArmed) return;
    this.turnArmed = true;
    this.sdk.Timer.set(this.onTurn, 0);
  }

  /** one loop turn: what was posted, then descriptors still ready; what this queues runs next turn */
  private readonly onTurn = (): void => {
    this.turnArmed = false;
    const q = this.queue;
    if (q.length) {
      this.queue = this.spareQueue;
      for (let i = 0; i < q.length; i++) this.guard(q[i]!, "posted function");
      q.length = 0;
      this.spareQueue = q;
    }
    const dirty = this.dirty;
    if (dirty.length) {
      this.dirty = this.spareDirty;
      for (let i = 0; i < dirty.length; i++) this.fire(dirty[i]!);
      dirty.length = 0;
      this.spareDirty = dirty;
    }
  };

  private guard(fn: () => void, where: string): void {
    try {
      fn();
    } catch (e) {
      this.report(e, where);
    }
  }

  random(into: Uint8Array): void {
    if (this.sdk.random) return this.sdk.random(into);
    const n = into.length;
    for (let i = 0; i < n; ) {
      const r = (Math.random() * 0x1000000) | 0;
      into[i++] = r & 0xff;
      if (i < n) into[i++] = (r >>> 8) & 0xff;
      if (i < n) into[i++] = r >>> 16;
    }
  }

  /** descriptors still open (for leak checks) */
  get openCount(): number {
    return this.descs.size;
  }

  // --------------------------------------------------------------- readiness

  watch(fd: number, events: number, cb: ReadyCallback): void {
    const d = this.descs.get(fd);
    if (!d) return;
    d.events = events;
    d.cb = cb;
    this.kick(d);
  }

  unwatch(fd: number): void {
    const d = this.descs.get(fd);
    if (!d) return;
    d.events = 0;
    d.cb = null;
  }

  private ready(d: Desc): number {
    if (d.kind === LISTENER) return d.pending > 0 ? POLLIN : 0;
    if (d.failed) return ERRHUP;
    if (d.ended) {
      // what is left to read, then end of stream; a core not reading hears POLLHUP
      // (nothing can be written any more), unless unread bytes are waiting for it
      if (d.events & POLLIN) return POLLIN;
      return d.readable && !(d.events & POLLOUT) ? 0 : POLLHUP;
    }
    let r = d.readable > 0 ? POLLIN : 0;
    if (d.connected && d.writable > 0) r |= POLLOUT;
    return r;
  }

  /** queue a report for the next turn if the descriptor is ready for what is watched */
  private kick(d: Desc): void {
    if (d.posted || !d.cb || d.closed) return;
    if (!(this.ready(d) & (d.events | ERRHUP))) return;
    d.posted = true;
    this.dirty.push(d);
    this.armTurn();
  }

  private fire(d: Desc): void {
    d.posted = false;
    const cb = d.cb;
    if (d.closed || !cb) return;
    const rev = this.ready(d) & (d.events | ERRHUP);
    if (!rev) return;
    try {
      cb(d.fd, rev);
    } catch (e) {
      this.report(e, `fd ${d.fd} readiness`);
    }
    if (!d.closed) this.kick(d);
  }

  /** an SDK callback changed `d`: we are in the SDK's turn, not inside the core, so report now */
  notify(d: Desc): void {
    if (d.posted) return; // a report is already queued; it will see the new state
    this.fire(d);
  }

  // ------------------------------------------------------------------ sockets

  private newDesc(kind: Kind): Desc {
    const d = new Desc(this, this.nextFd++, kind);
    this.descs.set(d.fd, d);
    return d;
  }

  private listen(o: ListenOptions): number {
    if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new PlatformError("EINVAL", `bad port ${o.port}`);
    const host = !o.host || o.host === "0.0.0.0" ? "" : o.host === "localhost" ? "127.0.0.1" : o.host;
    if (host && !NUMERIC_IPV4.test(host)) throw new PlatformError("EINVAL", `listen needs a numeric IPv4 address, not '${o.host}'`);
    const d = this.newDesc(LISTENER);
    try {
      // lwip ignores `address` and binds every interface (modules/io/socket/lwip/tcp.c: "//@@ address")
      d.listener = new this.sdk.Listener(host ? { port: o.port, address: host, onReadable: onListenerReadable, target: d } : { port: o.port, onReadable: onListenerReadable, target: d });
    } catch (e) {
      this.descs.delete(d.fd);
      throw new PlatformError(sdkErrorCode(e), `cannot listen on ${host || "0.0.0.0"}:${o.port}: ${(e as Error)?.message ?? e}`);
    }
    d.local = { address: host || "0.0.0.0", port: d.listener.port };
    return d.fd;
  }

  private accept(fd: number): number {
    const l = this.descs.get(fd);
    if (!l || l.kind !== LISTENER || !l.listener) return -1;
    for (;;) {
      const s = l.listener.read();
      if (!s) {
        l.pending = 0;
        return -1;
      }
      if (l.pending > 0) l.pending--;
      const d = this.newDesc(SOCKET);
      d.connected = true;
      try {
        // the remote address before adoption: lwip's getters read the pcb, gone after an error
        d.remote = { address: String(s.remoteAddress ?? ""), port: Number(s.remotePort ?? 0) };
        d.sock = new this.sdk.TCP({ from: s, nodelay: this.nodelay, onReadable: onSockReadable, onWritable: onSockWritable, onError: onSockError, target: d });
      } catch (e) {
        // the pending connection died before we took it
        this.descs.delete(d.fd);
        try {
          s.close();
        } catch {
          /* already gone */
        }
        continue;
      }
      d.local = l.local;
      return d.fd;
    }
  }

  private connect(o: ConnectOptions): number {
    if (!Number.isInteger(o.port) || o.port <= 0 || o.port > 65535) throw new PlatformError("EINVAL", `bad port ${o.port}`);
    const host = o.host === "localhost" || o.host === "" ? "127.0.0.1" : o.host;
    if (NUMERIC_IPV4.test(host)) {
      const d = this.newDesc(SOCKET);
      d.remote = { address: host, port: o.port };
      try {
        this.open(d, host, o.port);
      } catch (e) {
        this.descs.delete(d.fd);
        throw new PlatformError(sdkErrorCode(e), `cannot connect to ${host}:${o.port}: ${(e as Error)?.message ?? e}`);
      }
      return d.fd;
    }
    const Resolver = this.sdk.Resolver;
    if (!Resolver || !/^[0-9a-z.\-]+$/i.test(host)) throw new PlatformError("EINVAL", `connect needs a numeric IPv4 address, not '${o.host}' (no DNS resolver given)`);
    const d = this.newDesc(SOCKET);
    d.remote = { address: host, port: o.port };
    d.resolving = true;
    const resolver = (this.resolver ??= new Resolver(this.sdk.resolverOptions ?? {}));
    resolver.resolve({
      host,
      onResolved: (_h, address) => {
        if (d.closed || !d.resolving) return;
        d.resolving = false;
        try {
          if (!NUMERIC_IPV4.test(String(address))) throw new Error(`resolver gave '${address}'`);
          d.remote = { address: String(address), port: o.port };
          this.open(d, String(address), o.port);
        } catch (e) {
          d.failed = true;
          d.error = `cannot connect to ${host} (${address}): ${(e as Error)?.message ?? e}`;
          this.notify(d);
        }
      },
      onError: () => {
        if (d.closed || !d.resolving) return;
        d.resolving = false;
        d.failed = true;
        d.error = `cannot resolve '${host}'`;
        this.notify(d);
      },
    });
    return d.fd;
  }

  /** one lookup through the SDK's resolver; the first answer wins (IPv4 only on lwip) */
  private resolve(host: string, done: (a: string[] | null, e: string | null) => void): void {
    const Resolver = this.sdk.Resolver!;
    let answered = false;
    const resolver = (this.resolver ??= new Resolver(this.sdk.resolverOptions ?? {}));
    resolver.resolve({
      host,
      onResolved: (_h, address) => {
        if (answered) return;
        answered = true;
        if (NUMERIC_IPV4.test(String(address))) done([String(address)], null);
        else done(null, `resolver gave '${address}'`);
      },
      onError: () => {
        if (answered) return;
        answered = true;
        done(null, `cannot resolve '${host}'`);
      },
    });
  }

  private open(d: Desc, address: string, port: number): void {
    d.sock = new this.sdk.TCP({ address, port, nodelay: this.nodelay, onReadable: onSockReadable, onWritable: onSockWritable, onError: onSockError, target: d });
  }

  private read(fd: number, max: number): Uint8Array | null {
    const d = this.descs.get(fd);
    if (!d || d.kind !== SOCKET || d.failed || !d.sock) return null;
    const avail = d.readable;
    if (avail > 0) {
      const n = max >= avail ? avail : max >= 1 ? max | 0 : 1;
      let ab: ArrayBuffer | undefined;
      try {
        ab = d.sock.read(n);
      } catch {
        ab = undefined; // our count disagrees with the stack's: take its next onReadable
      }
      if (!ab) {
        d.readable = 0;
        return d.ended ? EMPTY : null;
      }
      d.readable = avail - ab.byteLength;
      return new Uint8Array(ab);
    }
    return d.ended ? EMPTY : null;
  }

  private write(fd: number, data: Uint8Array): number {
    const d = this.descs.get(fd);
    if (!d || d.kind !== SOCKET || d.closed) return -1;
    if (d.failed || d.ended) return -1;
    if (!d.connected || !d.sock) return 0;
    const len = data.length;
    if (!len) return 0;
    const n = len <= d.writable ? len : d.writable;
    if (n <= 0) return 0;
    let left: number | void;
    try {
      // the SDK copies what it takes (lwip: TCP_WRITE_FLAG_COPY), so the caller may reuse `data`
      left = d.sock.write(n === len ? data : data.subarray(0, n));
    } catch (e) {
      if (/not ready/i.test(String((e as Error)?.message))) {
        // lwip marks the socket not ready as soon as it has seen the FIN or the
        // reset, before onError reaches us: the connection is over
        d.ended = true;
        d.writable = 0;
        d.error ??= "connection closed by the peer (end of stream or reset: ECMA-419 onError does not say which)";
        return -1;
      }
      // "would block": the count we had was stale; wait for the next onWritable
      d.writable = 0;
      return 0;
    }
    d.writable = typeof left === "number" ? left : d.writable - n;
    return n;
  }

  private close(fd: number): void {
    const d = this.descs.get(fd);
    if (!d || d.closed) return;
    d.closed = true;
    d.cb = null;
    d.resolving = false;
    this.descs.delete(fd);
    try {
      if (d.listener) d.listener.close();
      else if (d.sock) d.sock.close(); // lwip: tcp_close sends what it took, then FIN (RST if bytes were left unread)
    } catch (e) {
      this.report(e, `close fd ${fd}`);
    }
    d.listener = null;
    d.sock = null;
  }
}

export { createModdableZlib, type SdkDeflate, type SdkDeflateClass, type SdkInflate, type SdkInflateClass } from "./zlib.js";

/** the platform over the injected SDK classes (device.ts gives the real ones) */
export function createModdablePlatform(sdk: ModdableSdk, opts: ModdablePlatformOptions = {}): ModdablePlatform {
  return new ModdablePlatform(sdk, opts);
}
