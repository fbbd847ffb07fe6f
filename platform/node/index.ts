// platform/node: the platform contract over Node's net and fs, on real sockets.
//
// Node is callback-driven, not poll-driven, so this adapter keeps per
// descriptor what poll(2) would tell: a queue of received chunks, whether the
// stream ended or failed, whether the socket's send buffer has room. watch()
// sets the interest mask; readiness is reported from Node's own events (or a
// setImmediate when a watched descriptor is already ready), never
// synchronously from a call the core makes. A descriptor not watched for
// POLLIN is paused, so rxFlowControl() reaches TCP's own flow control.

import * as net from "node:net";
import * as fs from "node:fs";
import * as zlib from "node:zlib";
import * as dns from "node:dns";
import { createHash, randomFillSync } from "node:crypto";
import { getSystemErrorName } from "node:util";
import { isUtf8 } from "node:buffer";
import { performance } from "node:perf_hooks";
import { createRequire } from "node:module";
import { xorMask as jsXorMask } from "../../src/roles/ws/mask.js";
import { PlatformError, type PlatformVfs, type PlatformZlib, type ConnectOptions, type ListenOptions, type Platform, type PlatformFiles, type PlatformNet, type ReadyCallback, type SocketAddress } from "../../src/core/platform.js";

const POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 16;

/**
 * marks the backing stores of what read() hands out (Node gives each socket
 * read its own): received bytes nothing writes into again, sent without a copy
 */
const RECEIVED = Symbol("lwsx received");
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, s: number, e: number): string }).latin1Slice;

/** payloads shorter than this are masked in JS: a native call costs more than the loop */
const NATIVE_MASK_MIN = 128;

/**
 * Masking through the `bufferutil` package's native `unmask` (an optional
 * dependency, as for ws: `npm install bufferutil`), about 6x faster than
 * the portable loop on large frames; null where it is not installed.
 */
function nativeXorMask(): ((data: Uint8Array, mask: Uint8Array, phase: number) => number) | null {
  let unmask: ((data: Uint8Array, mask: Uint8Array) => void) | undefined;
  try {
    unmask = (createRequire(import.meta.url)("bufferutil") as { unmask?: (data: Uint8Array, mask: Uint8Array) => void }).unmask;
  } catch {
    return null;
  }
  if (typeof unmask !== "function") return null;
  const native = unmask;
  const rotated = new Uint8Array(4);
  return (data, mask, phase) => {
    const n = data.length;
    if (n < NATIVE_MASK_MIN) return jsXorMask(data, mask, phase);
    const p = phase & 3;
    let m = mask;
    if (p) {
      // bufferutil starts at mask[0]: rotate the mask to the phase
      for (let i = 0; i < 4; i++) rotated[i] = mask[(p + i) & 3]!;
      m = rotated;
    }
    native(data, m);
    return (p + n) & 3;
  };
}

/** the largest output piece an inflate allocates at once */
const INFLATE_CHUNK_MAX = 256 * 1024;

/** bytes queued in Node's socket before write() reports a partial write */
const SEND_HIGH_WATER = 256 * 1024;
/** received bytes buffered here before the stream is paused */
const RECV_HIGH_WATER = 256 * 1024;

/**
 * Sockets read into one buffer (Node's `onread` option: no Buffer and no
 * stream machinery per read); what was read is then copied out to slabs that
 * nothing writes into again, so the bytes handed out stay valid (and count as
 * RECEIVED). Reads above SLAB_COPY_MAX get a copy of their own.
 */
const READ_BUF_SIZE = 64 * 1024;
const RX_SLAB_SIZE = 16 * 1024;
const SLAB_COPY_MAX = 4 * 1024;
/** what a readiness callback writes is gathered in slabs and sent with one socket.write() when it returns */
const TX_SLAB_SIZE = 16 * 1024;
const STAGE_MAX = 4 * 1024;

/**
 * Node's own `onread` fields of a net.Socket: public for net.connect(), not
 * for accepted sockets, so they are found on a probe socket (by their
 * symbols' names). null when this Node has none: sockets then use 'data'.
 */
const ONREAD_SYMS: { buffer: symbol; callback: symbol } | null = (() => {
  try {
    // (@types/node lists `onread` for net.connect() only)
    const probe = new net.Socket({ onread: { buffer: Buffer.alloc(1), callback: () => true } } as net.SocketConstructorOpts);
    let buffer: symbol | null = null, callback: symbol | null = null;
    for (const s of Object.getOwnPropertySymbols(probe)) {
      if (s.description === "kBuffer") buffer = s;
      else if (s.description === "kBufferCb") callback = s;
    }
    probe.destroy();
    return buffer && callback ? { buffer, callback } : null;
  } catch {
    return null;
  }
})();

function markReceived(b: Uint8Array): void {
  (b.buffer as unknown as Record<symbol, boolean>)[RECEIVED] = true;
}

interface Desc {
  fd: number;
  kind: "listener" | "socket" | "file";
  server?: net.Server;
  pendingAccept?: net.Socket[];
  sock?: net.Socket;
  readable?: NodeJS.ReadableStream & { pause(): unknown; resume(): unknown; destroy?(): unknown };
  writable?: NodeJS.WritableStream & { writableLength?: number; destroy?(): unknown };
  rx: Buffer[];
  rxBytes: number;
  eof: boolean;
  error: string | null;
  connected: boolean;
  writeBlocked: boolean;
  events: number;
  cb: ReadyCallback | null;
  posted: boolean;
  closed: boolean;
  paused: boolean;
  local: SocketAddress | null;
  remote: SocketAddress | null;
  /** bytes written during a readiness callback, not yet given to the socket: tx[txStart, txEnd) */
  tx: Buffer | null;
  txStart: number;
  txEnd: number;
  /** in the list of descriptors flushed when the callback returns */
  staged: boolean;
  /** corked for a write too big to stage, until the callback returns */
  corked: boolean;
}

export interface NodePlatformOptions {
  /** Node's listen backlog */
  backlog?: number;
}

export class NodePlatform implements Platform {
  readonly name = "node";
  readonly net: PlatformNet;
  readonly files: PlatformFiles;
  readonly hooks = {
    /** WebSocket masking: bufferutil's native loop where it is installed (as ws uses it), else the portable one */
    xorMask: nativeXorMask() ?? jsXorMask,
    sha1: (data: Uint8Array): Uint8Array => new Uint8Array(createHash("sha1").update(data).digest()),
    latin1: (d: Uint8Array, s: number, e: number): string => latin1Slice.call(d, s, e),
    isUtf8: (data: Uint8Array): boolean => isUtf8(data),
    /** the system's time of day (HTTP responses carry a Date header) */
    wallClockMs: (): number => Date.now(),
  };
  readonly zlib: PlatformZlib = {
    deflateRaw(data, windowBits, level) {
      const out = zlib.deflateRawSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH, windowBits: Math.max(9, windowBits), level: level ?? 1 });
      return new Uint8Array(out.buffer, out.byteOffset, out.length);
    },
    // on libuv's thread pool, so that large messages compress on the other
    // cores while the loop goes on (as ws does)
    deflateRawAsync(data, windowBits, level, done) {
      zlib.deflateRaw(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH, windowBits: Math.max(9, windowBits), level }, (err, out) => {
        done(err ? null : new Uint8Array(out.buffer, out.byteOffset, out.length));
      });
    },
    inflateRaw(data, windowBits, dictionary, maxOut) {
      try {
        const out = zlib.inflateRawSync(data, {
          finishFlush: zlib.constants.Z_SYNC_FLUSH,
          windowBits: Math.max(9, windowBits),
          maxOutputLength: Math.max(1, maxOut),
          // output in one or two pieces rather than 16 KB ones joined after
          // (a 64 KiB message inflates ~20% faster)
          chunkSize: Math.max(64, Math.min(data.length * 4, INFLATE_CHUNK_MAX, maxOut)),
          ...(dictionary && dictionary.length ? { dictionary } : {}),
        });
        return new Uint8Array(out.buffer, out.byteOffset, out.length);
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" ? "too big" : "invalid";
      }
    },
  };
  readonly vfs: PlatformVfs = {
    stat(path) {
      try {
        const st = fs.statSync(path);
        return { size: st.size, mtimeMs: Math.floor(st.mtimeMs), isDirectory: st.isDirectory() };
      } catch {
        return null;
      }
    },
    open(path) {
      try {
        return fs.openSync(path, "r");
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw new PlatformError(err.code ?? "EIO", err.message);
      }
    },
    read(handle, position, into) {
      return fs.readSync(handle, into, 0, into.length, position);
    },
    close(handle) {
      try {
        fs.closeSync(handle);
      } catch {
        /* already closed */
      }
    },
  };
  private readonly descs = new Map<number, Desc>();
  private nextFd = 3;
  /** what sockets read into (one socket is read at a time) */
  private readonly readBuf = Buffer.allocUnsafeSlow(READ_BUF_SIZE);
  /** the same memory as a plain Uint8Array (its subarray() makes no Buffer) */
  private readonly readView = new Uint8Array(this.readBuf.buffer, this.readBuf.byteOffset, READ_BUF_SIZE);
  private rxSlab = Buffer.alloc(0);
  private rxOff = 0;
  private txSlab = Buffer.alloc(0);
  private txOff = 0;
  /** inside a readiness, timer or posted callback: writes are gathered until it returns */
  private depth = 0;
  private readonly stagedList: Desc[] = [];
  private wakeTimer: NodeJS.Timeout | null = null;
  private readonly opts: NodePlatformOptions;

  constructor(opts: NodePlatformOptions = {}) {
    this.opts = opts;
    this.net = {
      listen: (o) => this.listen(o),
      accept: (fd) => this.accept(fd),
      connect: (o) => this.connect(o),
      read: (fd, max) => this.read(fd, max),
      write: (fd, d) => this.write(fd, d),
      close: (fd) => this.close(fd),
      localAddress: (fd) => this.address(fd, "local"),
      peerAddress: (fd) => this.address(fd, "remote"),
      error: (fd) => this.descs.get(fd)?.error ?? null,
      resolve: (host, family, done) => {
        // dns.lookup runs getaddrinfo on libuv's thread pool: the loop goes on
        dns.lookup(host, { family, all: true, verbatim: false }, (err, addrs) => {
          if (err || !addrs.length) done(null, err ? `${err.code ?? "ENOTFOUND"}: ${host}` : `no address for ${host}`);
          else done(addrs.map((a) => a.address), null);
        });
      },
      ipv6: true,
    };
    this.files = {
      open: (path, flags) => this.openFile(path, flags),
      read: (fd, max) => this.read(fd, max),
      write: (fd, d) => this.write(fd, d),
      close: (fd) => this.close(fd),
      error: (fd) => this.descs.get(fd)?.error ?? null,
    };
  }

  /** socket addresses are looked up when asked for (most connections never are) */
  private address(fd: number, which: "local" | "remote"): SocketAddress | null {
    const d = this.descs.get(fd);
    if (!d) return null;
    if (!d[which] && d.sock && d.connected && !d.sock.destroyed) {
      const s = d.sock;
      d[which] = which === "local" ? { address: s.localAddress ?? "", port: s.localPort ?? 0 } : { address: s.remoteAddress ?? "", port: s.remotePort ?? 0 };
    }
    return d[which];
  }

  now(): number {
    // performance.now() has µs resolution and no BigInt division per call
    // (perf_hooks' own object: the global `performance` is a lazy getter)
    return Math.floor(performance.now() * 1000);
  }

  setWakeup(atUs: number | null, fire: () => void): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    if (atUs === null) return;
    const ms = Math.max(0, Math.ceil((atUs - this.now()) / 1000));
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      // a timer may fire a little early by our clock: come back if so
      if (this.now() < atUs) this.setWakeup(atUs, fire);
      else this.batch(fire);
    }, ms);
  }

  post(fn: () => void): void {
    setImmediate(() => this.batch(fn));
  }

  /** run a callback of the core; what it writes leaves when it returns */
  private batch(fn: () => void): void {
    this.depth++;
    try {
      fn();
    } finally {
      if (--this.depth === 0) this.flushStaged();
    }
  }

  random(into: Uint8Array): void {
    randomFillSync(into);
  }

  /** descriptors still open (for leak checks) */
  get openCount(): number {
    return this.descs.size;
  }

  // ---------------------------------------------------------------- readiness

  watch(fd: number, events: number, cb: ReadyCallback): void {
    const d = this.descs.get(fd);
    if (!d) return;
    const had = d.events;
    d.events = events;
    d.cb = cb;
    if (d.readable && d.kind !== "listener") {
      if (events & POLLIN && !(had & POLLIN) && d.rxBytes < RECV_HIGH_WATER) this.resume(d);
      else if (!(events & POLLIN)) this.pause(d);
    }
    this.kick(d);
  }

  unwatch(fd: number): void {
    const d = this.descs.get(fd);
    if (!d) return;
    d.events = 0;
    d.cb = null;
    this.pause(d);
  }

  private pause(d: Desc): void {
    if (d.readable && !d.paused) {
      d.paused = true;
      d.readable.pause();
    }
  }

  private resume(d: Desc): void {
    if (d.readable && d.paused) {
      d.paused = false;
      d.readable.resume();
    }
  }

  private ready(d: Desc): number {
    if (d.kind === "listener") return d.pendingAccept!.length ? POLLIN : 0;
    if (d.error) return POLLERR | POLLHUP;
    let r = 0;
    if (d.rxBytes || d.eof) r |= POLLIN;
    if (d.connected && d.writable && !d.writeBlocked) r |= POLLOUT;
    return r;
  }

  /** report readiness from the loop if the descriptor is ready for what it watches */
  private kick(d: Desc): void {
    if (d.posted || !d.cb || d.closed) return;
    if (!(this.ready(d) & (d.events | POLLERR | POLLHUP))) return;
    d.posted = true;
    setImmediate(() => this.fire(d));
  }

  private fire(d: Desc): void {
    d.posted = false;
    if (d.closed || !d.cb) return;
    const rev = this.ready(d) & (d.events | POLLERR | POLLHUP);
    if (!rev) return;
    this.deliver(d, rev);
    if (!d.closed) this.kick(d);
  }

  /**
   * One readiness callback. What the core writes meanwhile (an HTTP head and
   * body, a frame header and payload) is gathered per socket and leaves in
   * one system call when it returns.
   */
  private deliver(d: Desc, rev: number): void {
    this.depth++;
    try {
      d.cb!(d.fd, rev);
    } finally {
      if (--this.depth === 0) this.flushStaged();
    }
  }

  /** give the gathered bytes to their sockets */
  private flushStaged(): void {
    const list = this.stagedList;
    // (a flush cannot call back into the core: Node reports write results later)
    while (list.length) {
      const d = list.pop()!;
      d.staged = false;
      if (d.txEnd > d.txStart) this.flushDesc(d);
      if (d.corked) {
        d.corked = false;
        d.sock!.uncork();
      }
    }
  }

  private flushDesc(d: Desc): void {
    const v = d.tx!.subarray(d.txStart, d.txEnd);
    d.tx = null;
    d.txStart = d.txEnd = 0;
    if (!d.writable!.write(v)) d.writeBlocked = true;
  }

  /** copy a small write to the slab of gathered bytes, after what the socket has there already */
  private stage(d: Desc, part: Uint8Array): void {
    const n = part.length;
    let slab = this.txSlab, off = this.txOff;
    if (d.tx !== slab || d.txEnd !== off || off + n > slab.length) {
      if (d.txEnd > d.txStart) this.flushDesc(d);
      if (off + n > slab.length) {
        // the slab is never written again: Node may still hold views of it
        slab = this.txSlab = Buffer.allocUnsafeSlow(TX_SLAB_SIZE);
        off = 0;
      }
      d.tx = slab;
      d.txStart = off;
      if (!d.staged) {
        d.staged = true;
        this.stagedList.push(d);
      }
    }
    slab.set(part, off);
    d.txEnd = this.txOff = off + n;
  }

  /** an event from Node: report it now (we are in Node's own callback, not inside the core) */
  private notify(d: Desc): void {
    if (d.posted || !d.cb || d.closed) return;
    const rev = this.ready(d) & (d.events | POLLERR | POLLHUP);
    if (!rev) return;
    this.deliver(d, rev);
    if (!d.closed) this.kick(d);
  }

  // ------------------------------------------------------------------ sockets

  private newDesc(kind: Desc["kind"]): Desc {
    const d: Desc = {
      fd: this.nextFd++, kind, rx: [], rxBytes: 0, eof: false, error: null, connected: false, writeBlocked: false,
      events: 0, cb: null, posted: false, closed: false, paused: true, local: null, remote: null,
      tx: null, txStart: 0, txEnd: 0, staged: false, corked: false,
    };
    this.descs.set(d.fd, d);
    return d;
  }

  /**
   * Read a socket with Node's `onread` (into this.readBuf) instead of 'data'
   * events. `sock` must not be reading yet. False when this Node cannot.
   */
  private readDirect(d: Desc, sock: net.Socket): boolean {
    const h = (sock as unknown as { _handle?: { useUserBuffer?(b: Uint8Array): void; reading?: boolean } })._handle;
    if (!ONREAD_SYMS || !h || typeof h.useUserBuffer !== "function" || h.reading) return false;
    const rec = sock as unknown as Record<symbol, unknown>;
    rec[ONREAD_SYMS.buffer] = this.readBuf;
    rec[ONREAD_SYMS.callback] = (n: number) => this.onRead(d, n);
    h.useUserBuffer(this.readBuf);
    return true;
  }

  /** `n` bytes arrived in this.readBuf: keep a copy, report POLLIN */
  private onRead(d: Desc, n: number): boolean {
    if (d.closed || d.error) return true; // closed: read and dropped (the lingering close)
    const src = this.readView.subarray(0, n);
    let b: Buffer;
    if (n > SLAB_COPY_MAX) {
      b = Buffer.allocUnsafeSlow(n);
      b.set(src);
      markReceived(b);
    } else {
      let off = this.rxOff;
      if (off + n > this.rxSlab.length) {
        this.rxSlab = Buffer.allocUnsafeSlow(RX_SLAB_SIZE);
        markReceived(this.rxSlab);
        off = 0;
      }
      this.rxSlab.set(src, off);
      this.rxOff = off + n;
      b = this.rxSlab.subarray(off, off + n);
    }
    d.rx.push(b);
    d.rxBytes += n;
    if (d.rxBytes >= RECV_HIGH_WATER || !(d.events & POLLIN)) this.pause(d);
    this.notify(d);
    return true;
  }

  private attachStream(d: Desc, r: Desc["readable"] | null, w: Desc["writable"] | null, direct = false): void {
    if (r) {
      d.readable = r;
      d.paused = false;
      this.pause(d);
      if (!direct) r.on("data", (chunk: Buffer | string) => {
        const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        // Node gives each such read its own memory: nothing writes into it again
        markReceived(b);
        d.rx.push(b);
        d.rxBytes += b.length;
        if (d.rxBytes >= RECV_HIGH_WATER || !(d.events & POLLIN)) this.pause(d);
        this.notify(d);
      });
      r.on("end", () => {
        d.eof = true;
        this.notify(d);
      });
    }
    if (w) {
      d.writable = w;
      w.on("drain", () => {
        d.writeBlocked = false;
        this.notify(d);
      });
    }
    const onErr = (e: NodeJS.ErrnoException) => {
      if (d.error || d.closed) return;
      d.error = e.code ? `${e.code}: ${e.message}` : e.message;
      d.rx.length = 0;
      d.rxBytes = 0;
      this.notify(d);
    };
    r?.on("error", onErr);
    if (w && (w as unknown) !== (r as unknown)) w.on("error", onErr);
  }

  private adoptSocket(sock: net.Socket, connected: boolean, readDirect = false): Desc {
    const d = this.newDesc("socket");
    d.sock = sock;
    d.connected = connected;
    sock.setNoDelay(true);
    this.attachStream(d, sock, sock, readDirect && this.readDirect(d, sock));
    // after 'end' Node may close a socket without an error: a late close with
    // unsent data means the peer reset us
    sock.on("close", () => {
      if (!d.closed && !d.eof && !d.error) {
        d.error = "connection closed";
        this.notify(d);
      }
    });
    return d;
  }

  private listen(o: ListenOptions): number {
    if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new PlatformError("EINVAL", `bad port ${o.port}`);
    const d = this.newDesc("listener");
    d.pendingAccept = [];
    const server = net.createServer({ pauseOnConnect: true, noDelay: true });
    d.server = server;
    server.on("connection", (s: net.Socket) => {
      if (d.closed) return s.destroy();
      d.pendingAccept!.push(s);
      this.notify(d);
    });
    server.on("error", (e: NodeJS.ErrnoException) => {
      d.error = e.code ? `${e.code}: ${e.message}` : e.message;
    });
    // The contract wants the port (and any failure) known when listen()
    // returns. Node's public listen() resolves the host first, so it binds
    // later; its server-handle factory (what its cluster module uses) binds
    // now, and server.listen(handle) listens at once.
    const host = !o.host ? "0.0.0.0" : o.host === "localhost" ? "127.0.0.1" : o.host;
    const family = net.isIP(host);
    if (family === 0) {
      this.descs.delete(d.fd);
      throw new PlatformError("EINVAL", `listen needs a numeric address, not '${o.host}'`);
    }
    const make = (net as unknown as { _createServerHandle?: (a: string, p: number, t: number, fd: undefined, f: number) => object | number })._createServerHandle;
    if (typeof make !== "function") {
      this.descs.delete(d.fd);
      throw new PlatformError("ENOSYS", "this Node.js has no synchronous listen (net._createServerHandle); use Node 20 or 22");
    }
    const handle = make(host, o.port, family, undefined, 0);
    if (typeof handle === "number") {
      this.descs.delete(d.fd);
      const code = (() => { try { return getSystemErrorName(handle); } catch { return `E${-handle}`; } })();
      throw new PlatformError(code, `cannot bind ${host}:${o.port}`);
    }
    server.listen(handle, o.backlog ?? this.opts.backlog ?? 511);
    const addr = server.address();
    if (!server.listening || !addr || typeof addr !== "object") {
      this.descs.delete(d.fd);
      server.close();
      throw new PlatformError("EADDRINUSE", `cannot listen on ${host}:${o.port}: address in use`);
    }
    d.local = { address: addr.address, port: addr.port };
    return d.fd;
  }

  private accept(fd: number): number {
    const d = this.descs.get(fd);
    if (!d || d.kind !== "listener") return -1;
    const s = d.pendingAccept!.shift();
    if (!s) return -1;
    if (s.destroyed) return this.accept(fd);
    return this.adoptSocket(s, true, true).fd;
  }

  private connect(o: ConnectOptions): number {
    const sock = net.connect({ host: o.host, port: o.port });
    const d = this.adoptSocket(sock, false);
    d.remote = { address: o.host, port: o.port };
    sock.once("connect", () => {
      d.connected = true;
      d.local = { address: sock.localAddress ?? "", port: sock.localPort ?? 0 };
      d.remote = { address: sock.remoteAddress ?? o.host, port: sock.remotePort ?? o.port };
      this.notify(d);
    });
    return d.fd;
  }

  private read(fd: number, max: number): Uint8Array | null {
    const d = this.descs.get(fd);
    if (!d || d.error) return null;
    const head = d.rx[0];
    if (!head) return d.eof ? new Uint8Array(0) : null;
    let out: Buffer;
    if (head.length <= max) {
      d.rx.shift();
      out = head;
    } else {
      out = head.subarray(0, max);
      d.rx[0] = head.subarray(max);
    }
    d.rxBytes -= out.length;
    if (d.paused && d.rxBytes < RECV_HIGH_WATER && d.events & POLLIN && !d.eof) this.resume(d);
    // a Buffer is a Uint8Array: hand it out as it is (its backing store is
    // marked RECEIVED, so views of it, a frame's payload, keep the mark)
    return out;
  }

  private write(fd: number, data: Uint8Array): number {
    const d = this.descs.get(fd);
    if (!d || !d.writable || d.closed) return -1;
    if (d.error) return -1;
    if (!d.connected) return 0;
    const queued = (d.writable.writableLength ?? 0) + (d.txEnd - d.txStart);
    const room = SEND_HIGH_WATER - queued;
    if (room <= 0) {
      d.writeBlocked = true;
      return 0;
    }
    const n = Math.min(room, data.length);
    const part = n === data.length ? data : data.subarray(0, n);
    if (this.depth > 0 && d.sock) {
      // inside a callback of the core: small writes are gathered (copied),
      // the socket gets them in one piece when it returns
      if (n <= STAGE_MAX) {
        this.stage(d, part);
        return n;
      }
      if (!d.corked) {
        d.corked = true;
        d.sock.cork();
        if (!d.staged) {
          d.staged = true;
          this.stagedList.push(d);
        }
      }
    }
    if (d.txEnd > d.txStart) this.flushDesc(d);
    // Node keeps a reference to what it is given until it is sent, so the
    // caller's buffer is copied, unless it is received bytes this platform
    // handed out: nothing writes into those again (callbacks get them read-only)
    const ok = d.writable.write((data.buffer as unknown as Record<symbol, boolean>)[RECEIVED] ? part : Buffer.from(part));
    if (!ok) d.writeBlocked = true;
    return n;
  }

  private close(fd: number): void {
    const d = this.descs.get(fd);
    if (!d || d.closed) return;
    d.closed = true;
    d.cb = null;
    this.descs.delete(fd);
    if (d.kind === "listener") {
      d.server!.close();
      for (const s of d.pendingAccept!) s.destroy();
      return;
    }
    if (d.sock) {
      if (d.txEnd > d.txStart && !d.error) this.flushDesc(d);
      if (d.corked) {
        d.corked = false;
        d.sock.uncork();
      }
      if (d.error) d.sock.destroy();
      else d.sock.end();
      // a peer that never reads must not keep the socket forever
      d.sock.setTimeout(30000, () => d.sock!.destroy());
      return;
    }
    d.readable?.destroy?.();
    if (d.writable && (d.writable as unknown) !== (d.readable as unknown)) {
      if (d.writable === process.stdout || d.writable === process.stderr) return;
      (d.writable as fs.WriteStream).end();
    }
  }

  // -------------------------------------------------------------------- files

  private openFile(path: string, flags: string): number {
    let fd: number;
    try {
      fd = fs.openSync(path, flags === "r" ? fs.constants.O_RDONLY | fs.constants.O_NONBLOCK : flags === "w" ? fs.constants.O_WRONLY | fs.constants.O_NONBLOCK : fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new PlatformError(err.code ?? "EIO", err.message);
    }
    return this.adoptOsFd(fd, flags);
  }

  /**
   * Adopt an OS descriptor the process already has (0 for stdin, a pipe's
   * end, a fifo opened elsewhere) as a raw file descriptor of this platform.
   */
  adoptOsFd(osFd: number, flags = "r"): number {
    const d = this.newDesc("file");
    d.connected = true;
    let r: Desc["readable"] | null = null;
    let w: Desc["writable"] | null = null;
    if (osFd === 0 && flags === "r") r = process.stdin as unknown as Desc["readable"];
    else {
      let isFifoOrSocket = false;
      try {
        const st = fs.fstatSync(osFd);
        isFifoOrSocket = st.isFIFO() || st.isSocket() || st.isCharacterDevice();
      } catch {
        /* fall through: treat as a file */
      }
      if (isFifoOrSocket) {
        // pipes and fifos are pollable: net.Socket reads them without a thread
        const s = new net.Socket({ fd: osFd, readable: flags !== "w", writable: flags !== "r" });
        if (flags !== "w") r = s;
        if (flags !== "r") w = s;
      } else {
        if (flags !== "w") r = fs.createReadStream("", { fd: osFd, autoClose: true, highWaterMark: 16384 });
        if (flags !== "r") w = fs.createWriteStream("", { fd: osFd, autoClose: true });
      }
    }
    this.attachStream(d, r, w);
    return d.fd;
  }

  /** adopt an existing Node stream (a child's stdout, a pipe) as a raw file descriptor */
  adoptStream(readable: NodeJS.ReadableStream | null, writable: NodeJS.WritableStream | null = null): number {
    const d = this.newDesc("file");
    d.connected = true;
    this.attachStream(d, readable as Desc["readable"], writable as Desc["writable"]);
    return d.fd;
  }
}

export function createNodePlatform(opts: NodePlatformOptions = {}): NodePlatform {
  return new NodePlatform(opts);
}
