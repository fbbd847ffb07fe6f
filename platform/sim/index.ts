// platform/sim: an in-memory network with a virtual microsecond clock.
//
// Everything is decided by a seeded PRNG, so a run is replayable from its
// seed: how written bytes are split into delivered segments (down to one
// byte), how many bytes a write takes (partial writes), latency and jitter,
// resets and refused connects. Nothing here touches a real timer or socket,
// so it runs the same in Node and inside the XS engine.

import { PlatformError, type PlatformVfs, type ConnectOptions, type ListenOptions, type Platform, type PlatformFiles, type PlatformNet, type PlatformZlib, type ReadyCallback, type SocketAddress } from "../../src/core/platform.js";
import { Sul, SulHeap } from "../../src/core/sul.js";
import { createSimZlib, type SimZlibOptions } from "./zlib.js";

const POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 16;
/** how long a closed socket keeps reading and dropping, µs (see PlatformNet.close) */
const LINGER_US = 2_000_000;

export interface SimFaults {
  /** largest segment a write is delivered in; 1 delivers byte by byte */
  maxSegment: number;
  /** split writes into random segments of 1..maxSegment bytes (else segments of maxSegment) */
  randomSplit: boolean;
  /** a write takes a random 1..n of the bytes it could take */
  partialWrites: boolean;
  /** the most bytes one write takes (1: one byte per write) */
  maxWrite: number;
  /** probability that a write resets its connection instead */
  resetChance: number;
  /** refuse every connect */
  refuseConnect: boolean;
  /** one-way latency, µs */
  latencyUs: number;
  /** extra random latency 0..jitterUs, µs (delivery stays in order) */
  jitterUs: number;
}

export interface SimOptions extends Partial<SimFaults> {
  seed?: number;
  /** bytes one side may have in flight plus unread at the peer (the TCP window) */
  sendBuffer?: number;
  /** permessage-deflate over the portable codec (./zlib.ts); `{asyncUs}` adds deflateRawAsync */
  zlib?: boolean | SimZlibOptions;
}

interface Segment {
  data: Uint8Array;
}

/** one endpoint: a listener, a stream socket, or one end of a pipe / an in-memory file */
class Endpoint {
  fd: number;
  kind: "listener" | "stream";
  peer: Endpoint | null = null;
  rx: Uint8Array[] = [];
  rxHead = 0;
  rxOff = 0;
  rxBytes = 0;
  /** bytes sent toward the peer not yet delivered */
  inflight = 0;
  lastArrival = 0;
  connected = false;
  eof = false;
  /** this side closed its descriptor */
  closed = false;
  /** the peer closed: writes fail */
  peerGone = false;
  /** after close: until when arriving bytes are dropped quietly */
  lingerUntil = -1;
  /** this side sent its FIN (half-close) */
  shutWr = false;
  error: string | null = null;
  local: SocketAddress;
  remote: SocketAddress | null = null;
  /** listener: accepted connections waiting */
  pending: Endpoint[] = [];
  backlog = 16;
  /** pipes and files deliver at once, with no latency */
  instant = false;
  readOnly = false;
  constructor(fd: number, kind: "listener" | "stream", local: SocketAddress) {
    this.fd = fd;
    this.kind = kind;
    this.local = local;
  }
}

/** a small, fast, seedable PRNG (mulberry32) */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}

export class SimNetwork implements Platform {
  readonly name = "sim";
  readonly seed: number;
  readonly faults: SimFaults;
  readonly sendBuffer: number;
  readonly prng: Prng;
  readonly net: PlatformNet;
  readonly files: PlatformFiles;
  readonly zlib?: PlatformZlib;
  private clock = 0;
  private readonly queue = new SulHeap();
  private readonly eps = new Map<number, Endpoint>();
  private readonly watchers = new Map<number, { events: number; cb: ReadyCallback }>();
  private readonly dirty = new Set<number>();
  private checkScheduled = false;
  private nextFd = 3;
  private nextPort = 40000;
  private readonly listeners = new Map<number, Endpoint>();
  private wake: Sul | null = null;
  /** in-memory files, for files.open() and the vfs (directories are implied by paths) */
  readonly fileSystem = new Map<string, Uint8Array>();
  /** modification times of fileSystem entries (ms); 0 when not set */
  readonly fileTimes = new Map<string, number>();
  private readonly vfsHandles = new Map<number, Uint8Array>();
  private nextHandle = 1;
  readonly vfs: PlatformVfs = {
    stat: (path) => {
      const f = this.fileSystem.get(path);
      if (f) return { size: f.length, mtimeMs: this.fileTimes.get(path) ?? 0, isDirectory: false };
      const dir = path.endsWith("/") ? path : path + "/";
      for (const k of this.fileSystem.keys()) if (k.startsWith(dir)) return { size: 0, mtimeMs: 0, isDirectory: true };
      return null;
    },
    open: (path) => {
      const f = this.fileSystem.get(path);
      if (!f) throw new PlatformError("ENOENT", `no such file '${path}'`);
      const h = this.nextHandle++;
      this.vfsHandles.set(h, f);
      return h;
    },
    read: (h, position, into) => {
      const f = this.vfsHandles.get(h);
      if (!f) throw new PlatformError("EBADF", `bad handle ${h}`);
      const n = Math.max(0, Math.min(into.length, f.length - position));
      into.set(f.subarray(position, position + n));
      return n;
    },
    close: (h) => void this.vfsHandles.delete(h),
  };

  /** store a file (text or bytes) in the in-memory file system */
  writeFile(path: string, data: Uint8Array | string, mtimeMs = 0): void {
    this.fileSystem.set(path, typeof data === "string" ? new TextEncoder().encode(data) : data);
    if (mtimeMs) this.fileTimes.set(path, mtimeMs);
  }

  /**
   * Names the simulated DNS knows (besides "localhost"): resolve() answers
   * after one network latency; other names fail as NXDOMAIN would.
   */
  readonly hosts = new Map<string, string>();
  /** names whose lookup never answers (a resolver timing out) */
  readonly hostsHanging = new Set<string>();

  /** vfs handles still open (for leak checks) */
  get openFileCount(): number {
    return this.vfsHandles.size;
  }
  /** events processed so far */
  events = 0;

  constructor(opts: SimOptions = {}) {
    this.seed = opts.seed ?? 1;
    this.prng = new Prng(this.seed);
    this.sendBuffer = opts.sendBuffer ?? 65536;
    this.faults = {
      maxSegment: opts.maxSegment ?? 65536,
      randomSplit: opts.randomSplit ?? false,
      partialWrites: opts.partialWrites ?? false,
      maxWrite: opts.maxWrite ?? Infinity,
      resetChance: opts.resetChance ?? 0,
      refuseConnect: opts.refuseConnect ?? false,
      latencyUs: opts.latencyUs ?? 50,
      jitterUs: opts.jitterUs ?? 0,
    };
    this.net = {
      listen: (o) => this.listen(o),
      accept: (fd) => this.accept(fd),
      connect: (o) => this.connect(o),
      read: (fd, max) => this.read(fd, max),
      write: (fd, d) => this.write(fd, d),
      close: (fd) => this.close(fd),
      localAddress: (fd) => this.eps.get(fd)?.local ?? null,
      peerAddress: (fd) => this.eps.get(fd)?.remote ?? null,
      error: (fd) => this.eps.get(fd)?.error ?? null,
      resolve: (host, _family, done) => {
        if (this.hostsHanging.has(host)) return;
        const a = host === "localhost" ? "127.0.0.1" : this.hosts.get(host);
        this.at(this.clock + this.latency(), () => (a ? done([a], null) : done(null, `ENOTFOUND: ${host}`)));
      },
    };
    if (opts.zlib) this.zlib = createSimZlib((t, fn) => this.at(t, fn), () => this.clock, opts.zlib === true ? {} : opts.zlib);
    this.files = {
      open: (path, flags) => this.openFile(path, flags),
      read: (fd, max) => this.read(fd, max),
      write: (fd, d) => this.write(fd, d),
      close: (fd) => this.close(fd),
      error: (fd) => this.eps.get(fd)?.error ?? null,
    };
  }

  // ------------------------------------------------------------- clock, loop

  now(): number {
    return this.clock;
  }

  /** schedule `fn` at absolute virtual time `at` */
  at(at: number, fn: () => void): Sul {
    const s = new Sul(fn);
    this.queue.schedule(s, Math.max(at, this.clock));
    return s;
  }

  setWakeup(atUs: number | null, fire: () => void): void {
    if (this.wake) this.queue.cancel(this.wake);
    if (atUs === null) {
      this.wake = null;
      return;
    }
    this.wake = this.at(atUs, fire);
  }

  post(fn: () => void): void {
    this.at(this.clock, fn);
  }

  random(into: Uint8Array): void {
    for (let i = 0; i < into.length; i++) into[i] = (this.prng.next() * 256) | 0;
  }

  watch(fd: number, events: number, cb: ReadyCallback): void {
    this.watchers.set(fd, { events, cb });
    this.markDirty(fd);
  }

  unwatch(fd: number): void {
    this.watchers.delete(fd);
    this.dirty.delete(fd);
  }

  /** virtual time of the next event, or -1 when nothing is scheduled */
  nextEventAt(): number {
    return this.queue.next();
  }

  /**
   * Run events in time order until none is left, the next is later than
   * `untilUs` (the clock then stands at untilUs), or `until()` holds. More
   * than `maxEvents` events is taken as a livelock and throws, naming the seed.
   */
  run(opts: { untilUs?: number; until?: () => boolean; maxEvents?: number } = {}): number {
    const max = opts.maxEvents ?? 1_000_000;
    let n = 0;
    for (;;) {
      if (opts.until && opts.until()) return n;
      const next = this.queue.next();
      if (next < 0 || (opts.untilUs !== undefined && next > opts.untilUs)) {
        if (opts.untilUs !== undefined && opts.untilUs > this.clock) this.clock = opts.untilUs;
        return n;
      }
      const s = this.queue.popDue(next)!;
      this.clock = next;
      s.cb();
      this.events++;
      if (++n > max) throw new Error(`sim: still busy after ${max} events at t=${this.clock}us (seed ${this.seed})`);
    }
  }

  /** run for `us` microseconds of virtual time */
  advance(us: number, maxEvents?: number): number {
    return this.run({ untilUs: this.clock + us, maxEvents });
  }

  // --------------------------------------------------------------- readiness

  private markDirty(fd: number): void {
    if (!this.watchers.has(fd)) return;
    this.dirty.add(fd);
    if (!this.checkScheduled) {
      this.checkScheduled = true;
      this.post(() => this.check());
    }
  }

  private readiness(ep: Endpoint): number {
    if (ep.kind === "listener") return ep.pending.length ? POLLIN : 0;
    if (ep.error) return POLLERR | POLLHUP;
    let r = 0;
    if (ep.rxBytes || ep.eof) r |= POLLIN;
    // as a real stack does (Linux wakes a writer when a good part of its send
    // buffer is free), POLLOUT waits for a quarter of the window: otherwise
    // partial writes trickle out in ever smaller pieces (silly window syndrome)
    if (ep.connected && !ep.readOnly && !ep.peerGone && !ep.shutWr && this.space(ep) >= (ep.instant ? 1 : Math.max(1, this.sendBuffer >> 2))) r |= POLLOUT;
    return r;
  }

  private check(): void {
    this.checkScheduled = false;
    const fds = [...this.dirty];
    this.dirty.clear();
    for (const fd of fds) {
      const w = this.watchers.get(fd);
      const ep = this.eps.get(fd);
      if (!w || !ep) continue;
      const rev = this.readiness(ep) & (w.events | POLLERR | POLLHUP);
      if (!rev) continue;
      w.cb(fd, rev);
      // level-triggered: still ready, report again (after the others)
      const w2 = this.watchers.get(fd);
      const ep2 = this.eps.get(fd);
      if (w2 && ep2 && this.readiness(ep2) & (w2.events | POLLERR | POLLHUP)) this.markDirty(fd);
    }
  }

  // ----------------------------------------------------------------- sockets

  private alloc(kind: "listener" | "stream", local: SocketAddress): Endpoint {
    const ep = new Endpoint(this.nextFd++, kind, local);
    this.eps.set(ep.fd, ep);
    return ep;
  }

  private static host(h: string): string {
    return h === "localhost" || h === "" ? "127.0.0.1" : h;
  }

  private listen(o: ListenOptions): number {
    const host = SimNetwork.host(o.host);
    if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new PlatformError("EINVAL", `bad port ${o.port}`);
    let port = o.port;
    if (port === 0) while (this.listeners.has((port = this.nextPort++)));
    if (this.listeners.has(port)) throw new PlatformError("EADDRINUSE", `port ${port} is in use`);
    const ep = this.alloc("listener", { address: host, port });
    ep.backlog = o.backlog ?? 16;
    this.listeners.set(port, ep);
    return ep.fd;
  }

  private accept(fd: number): number {
    const ep = this.eps.get(fd);
    if (!ep || ep.kind !== "listener") return -1;
    const c = ep.pending.shift();
    return c ? c.fd : -1;
  }

  private latency(): number {
    const f = this.faults;
    return f.latencyUs + (f.jitterUs ? this.prng.int(0, f.jitterUs) : 0);
  }

  private connect(o: ConnectOptions): number {
    const host = SimNetwork.host(o.host);
    if (!/^[0-9a-z.\-:]+$/i.test(host)) throw new PlatformError("EINVAL", `bad address '${o.host}'`);
    const c = this.alloc("stream", { address: "127.0.0.1", port: this.nextPort++ });
    c.remote = { address: host, port: o.port };
    this.at(this.clock + this.latency(), () => {
      if (c.closed) return;
      const l = this.listeners.get(o.port);
      const reachable = l && !l.closed && (l.local.address === "0.0.0.0" || l.local.address === host);
      if (!reachable || this.faults.refuseConnect || l!.pending.length >= l!.backlog) {
        c.error = "connection refused";
        this.markDirty(c.fd);
        return;
      }
      const s = this.alloc("stream", { address: l!.local.address === "0.0.0.0" ? host : l!.local.address, port: o.port });
      s.remote = c.local;
      s.peer = c;
      c.peer = s;
      s.connected = true;
      l!.pending.push(s);
      this.markDirty(l!.fd);
      // the SYN-ACK travels back
      this.at(this.clock + this.latency(), () => {
        if (c.closed || c.error) return;
        c.connected = true;
        this.markDirty(c.fd);
      });
    });
    return c.fd;
  }

  private space(ep: Endpoint): number {
    const peerUnread = ep.peer ? ep.peer.rxBytes : 0;
    return this.sendBuffer - ep.inflight - peerUnread;
  }

  private read(fd: number, max: number): Uint8Array | null {
    const ep = this.eps.get(fd);
    if (!ep || ep.kind !== "stream" || ep.error) return null;
    if (!ep.rxBytes) return ep.eof ? new Uint8Array(0) : null;
    const seg = ep.rx[ep.rxHead]!;
    const avail = seg.length - ep.rxOff;
    const n = Math.min(avail, Math.max(1, max));
    const out = seg.subarray(ep.rxOff, ep.rxOff + n);
    ep.rxOff += n;
    ep.rxBytes -= n;
    if (ep.rxOff === seg.length) {
      ep.rx[ep.rxHead++] = undefined as unknown as Uint8Array;
      ep.rxOff = 0;
      if (ep.rxHead === ep.rx.length) {
        ep.rx.length = 0;
        ep.rxHead = 0;
      }
    }
    // reading opens the sender's window
    if (ep.peer && !ep.peer.closed) this.markDirty(ep.peer.fd);
    return out;
  }

  private write(fd: number, data: Uint8Array): number {
    const ep = this.eps.get(fd);
    if (!ep || ep.kind !== "stream" || ep.closed || ep.readOnly || ep.shutWr) return -1;
    if (ep.error || ep.peerGone) return -1;
    if (!ep.connected) return 0;
    if (!data.length) return 0;
    const f = this.faults;
    if (!ep.instant && f.resetChance > 0 && this.prng.next() < f.resetChance) {
      this.reset(fd);
      return -1;
    }
    let n = Math.min(data.length, this.space(ep));
    if (n <= 0) return 0;
    if (!ep.instant) {
      if (n > f.maxWrite) n = f.maxWrite;
      if (f.partialWrites) n = this.prng.int(1, n);
    }
    const copy = data.slice(0, n);
    ep.inflight += n;
    let off = 0;
    while (off < n) {
      const seg = ep.instant ? n : f.randomSplit ? this.prng.int(1, f.maxSegment) : f.maxSegment;
      const piece = copy.subarray(off, Math.min(n, off + seg));
      off += piece.length;
      const at = ep.instant ? this.clock : Math.max(ep.lastArrival, this.clock + this.latency());
      ep.lastArrival = at;
      this.at(at, () => this.deliver(ep, piece));
    }
    return n;
  }

  private deliver(from: Endpoint, piece: Uint8Array): void {
    from.inflight -= piece.length;
    const to = from.peer;
    if (!to || to.error) return;
    if (to.closed) {
      // a closed socket lingers a while, reading and dropping what still
      // comes; after that, bytes reaching it make the stack answer with a reset
      if (this.clock <= to.lingerUntil) return;
      if (!from.closed && !from.error) this.failEndpoint(from, "connection reset by peer");
      return;
    }
    to.rx.push(piece);
    to.rxBytes += piece.length;
    this.markDirty(to.fd);
    if (!from.closed) this.markDirty(from.fd);
  }

  private failEndpoint(ep: Endpoint, why: string): void {
    ep.error = why;
    ep.rx.length = 0;
    ep.rxHead = ep.rxOff = ep.rxBytes = 0;
    ep.connected = false;
    this.markDirty(ep.fd);
  }

  private close(fd: number): void {
    const ep = this.eps.get(fd);
    if (!ep || ep.closed) return;
    ep.closed = true;
    ep.lingerUntil = this.clock + LINGER_US;
    this.eps.delete(fd);
    this.watchers.delete(fd);
    this.dirty.delete(fd);
    if (ep.kind === "listener") {
      this.listeners.delete(ep.local.port);
      for (const p of ep.pending) this.close(p.fd);
      return;
    }
    this.sendFin(ep, true);
  }

  /** the peer sees end of stream after the last byte in flight; `gone`: it can no longer write to us either */
  private sendFin(ep: Endpoint, gone: boolean): void {
    const peer = ep.peer;
    if (!peer || ep.error) return;
    const at = ep.instant ? Math.max(ep.lastArrival, this.clock) : Math.max(ep.lastArrival, this.clock + this.latency());
    this.at(at, () => {
      if (peer.closed || peer.error) return;
      peer.eof = true;
      if (gone) peer.peerGone = true;
      this.markDirty(peer.fd);
    });
  }

  /**
   * Half-close (shutdown(SHUT_WR)): the peer sees end of stream after the
   * bytes in flight, this side can still read. Not part of the platform
   * contract: test peers use it to act like `nc -q` or Node's socket.end().
   */
  shutdown(fd: number): void {
    const ep = this.eps.get(fd);
    if (!ep || ep.kind !== "stream" || ep.closed || ep.shutWr) return;
    ep.shutWr = true;
    this.sendFin(ep, false);
  }

  /** reset a connection (both ends see POLLERR|POLLHUP, unread data is lost) */
  reset(fd: number): void {
    const ep = this.eps.get(fd);
    if (!ep || ep.kind !== "stream") return;
    this.failEndpoint(ep, "connection reset");
    const peer = ep.peer;
    if (peer && !peer.closed)
      this.at(ep.instant ? this.clock : this.clock + this.latency(), () => {
        if (!peer.closed && !peer.error) this.failEndpoint(peer, "connection reset by peer");
      });
  }

  /** descriptors still open (for leak checks) */
  get openCount(): number {
    return this.eps.size;
  }

  // ----------------------------------------------------------- pipes & files

  /** an in-memory pipe: bytes written to `writeFd` become readable on `readFd` at once */
  pipe(): { readFd: number; writeFd: number } {
    const r = this.alloc("stream", { address: "pipe", port: 0 });
    const w = this.alloc("stream", { address: "pipe", port: 0 });
    r.peer = w;
    w.peer = r;
    r.instant = w.instant = true;
    r.connected = w.connected = true;
    r.readOnly = true;
    return { readFd: r.fd, writeFd: w.fd };
  }

  private openFile(path: string, flags: string): number {
    if (flags !== "r") throw new PlatformError("EROFS", `sim files open read-only, not '${flags}'`);
    const data = this.fileSystem.get(path);
    if (!data) throw new PlatformError("ENOENT", `no such file '${path}'`);
    const ep = this.alloc("stream", { address: "file", port: 0 });
    ep.readOnly = true;
    ep.instant = true;
    ep.connected = true;
    if (data.length) {
      ep.rx.push(data.slice());
      ep.rxBytes = data.length;
    }
    ep.eof = true;
    return ep.fd;
  }
}

/**
 * A test peer that is not lws: a raw TCP client on the sim network that reads
 * everything it is sent and writes what it is given as the window allows.
 */
export class SimPeer {
  readonly fd: number;
  /** everything received, in a buffer that doubles as it fills */
  private buf = new Uint8Array(1024);
  private size = 0;
  private out: Uint8Array[] = [];
  connected = false;
  closed = false;
  eof = false;
  error: string | null = null;
  private closeWhenFlushed = false;
  private shut = false;

  constructor(readonly sim: SimNetwork, host: string, port: number) {
    this.fd = sim.net.connect({ host, port });
    this.rewatch();
  }

  private rewatch(): void {
    if (this.closed) return;
    if (this.eof) {
      // the server closed: nothing more will come; let go of the descriptor
      this.close();
      return;
    }
    this.sim.watch(this.fd, POLLIN | ((this.out.length || !this.connected) && !this.shut ? POLLOUT : 0), (_fd, rev) => this.ready(rev));
  }

  private ready(rev: number): void {
    if (rev & (POLLERR | POLLHUP)) {
      this.error = this.sim.net.error(this.fd) ?? "hangup";
      this.sim.net.close(this.fd);
      this.closed = true;
      return;
    }
    if (rev & POLLOUT) {
      this.connected = true;
      this.flush();
    }
    if (rev & POLLIN) {
      const b = this.sim.net.read(this.fd, 1 << 20);
      if (b && b.length) {
        if (this.size + b.length > this.buf.length) {
          const nb = new Uint8Array(Math.max(this.buf.length * 2, this.size + b.length));
          nb.set(this.buf.subarray(0, this.size));
          this.buf = nb;
        }
        this.buf.set(b, this.size);
        this.size += b.length;
      } else if (b && !b.length) this.eof = true;
    }
    if (!this.closed) this.rewatch();
  }

  private flush(): void {
    while (this.out.length) {
      const d = this.out[0]!;
      const n = this.sim.net.write(this.fd, d);
      if (n < 0) return;
      if (n < d.length) {
        this.out[0] = d.subarray(n);
        return;
      }
      this.out.shift();
    }
    if (this.closeWhenFlushed) this.shutdown();
  }

  private shutdown(): void {
    this.closeWhenFlushed = false;
    this.shut = true;
    this.sim.shutdown(this.fd);
  }

  write(data: Uint8Array | string): void {
    this.out.push(typeof data === "string" ? new TextEncoder().encode(data) : data.slice());
    if (this.connected) this.flush();
    this.rewatch();
  }

  /** half-close once everything written has been taken; keep reading until the peer closes */
  end(): void {
    if (!this.out.length) this.shutdown();
    else this.closeWhenFlushed = true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sim.unwatch(this.fd);
    this.sim.net.close(this.fd);
  }

  /** a view of everything received so far (valid until more arrives) */
  get received(): Uint8Array {
    return this.buf.subarray(0, this.size);
  }

  get text(): string {
    return new TextDecoder().decode(this.received);
  }

  get receivedLength(): number {
    return this.size;
  }
}

export function createSimPlatform(opts: SimOptions = {}): SimNetwork {
  return new SimNetwork(opts);
}
