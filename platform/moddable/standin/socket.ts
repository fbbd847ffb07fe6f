// Stand-ins for `embedded:io/socket/tcp` and `embedded:io/socket/listener`
// over the sim network, written from what the Moddable SDK documents and
// implements on the ESP32 (documentation/io/io.md "TCP Socket" / "TCP
// Listener"; modules/io/socket/lwip/tcp.c, tcp.js, listener.js):
//
//  - a socket has lwip-style buffers of its own: a send buffer of
//    `sendBuffer` bytes (CONFIG_LWIP_TCP_SND_BUF_DEFAULT) and a receive window
//    of `receiveWindow` bytes (CONFIG_LWIP_TCP_WND_DEFAULT); received bytes
//    stay here until read(), and while the window is full nothing more is
//    taken from the network, so the sender is held back;
//  - callbacks are posted, never called from inside a call, and coalesced as
//    lwip's tcpTrigger/tcpDeliver do: onReadable(total readable),
//    onWritable(send buffer space) after connect and whenever the network took
//    queued bytes, onError() once the stream is over (a clean FIN and a reset
//    alike) - deferred until every received byte was read;
//  - write() throws "not ready" before connect and after the end, "would
//    block" when the data does not fit the send buffer (nothing is taken), and
//    returns the send buffer space left; read() returns an ArrayBuffer of
//    everything, or of `n` bytes (more than readable throws "invalid"), or
//    fills a given buffer, and undefined when nothing is there;
//  - close(): no callback after it; queued bytes are still sent, then FIN;
//    bytes left unread make it a reset, as lwip's tcp_close does;
//  - Listener: binds every interface (lwip ignores `address`),
//    onReadable(pending count), read() gives a connected TCP without callbacks
//    to adopt with `new TCP({from})`.
//  - `maxActive` / `maxListening` model CONFIG_LWIP_MAX_ACTIVE_TCP and
//    CONFIG_LWIP_MAX_LISTENING_TCP: beyond them a connect throws "no socket",
//    a listener "no memory", and an incoming connection is reset by the stack
//    (lwip drops the SYN; the sim has no such thing, so the peer sees a reset).

import type { SimNetwork } from "../../sim/index.js";

const POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 16;
// lwip's trigger bits (modules/io/socket/lwip/tcp.c)
const WRITABLE = 1, READABLE = 2, ERROR = 4;

export interface StandinSocketOptions {
  /** send buffer per socket, bytes (Moddable's ESP32 sdkconfig: CONFIG_LWIP_TCP_SND_BUF_DEFAULT=8192) */
  sendBuffer?: number;
  /** receive window per socket, bytes (CONFIG_LWIP_TCP_WND_DEFAULT=8192) */
  receiveWindow?: number;
  /** most TCP connections at once, pending and connecting ones included (CONFIG_LWIP_MAX_ACTIVE_TCP=8 on the ESP32) */
  maxActive?: number;
  /** most listeners at once (CONFIG_LWIP_MAX_LISTENING_TCP=4) */
  maxListening?: number;
}

type Bytes = ArrayBuffer | ArrayBufferView;

function view(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) {
    if (data instanceof DataView || (data as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT === 1)
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  throw new TypeError("invalid buffer");
}

function callable(options: Record<string, unknown>, name: string): ((...a: unknown[]) => void) | null {
  const f = options[name];
  if (f === undefined || f === null) return null;
  if (typeof f !== "function") throw new Error("not a function");
  return f as (...a: unknown[]) => void;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** the lwip pcb plus the SDK's TCPRecord: what outlives a JS instance handing it on with `from` */
class Pcb {
  /** the sim descriptor; -1 once the stack let go of it (reset, or closed) */
  fd: number;
  rx: Uint8Array[] = [];
  rxHead = 0;
  rxOff = 0;
  rxBytes = 0;
  tx: Uint8Array[] = [];
  txBytes = 0;
  connecting = false;
  ready = false;
  /** the error was delivered: the SDK's tcp->error */
  error = false;
  /** FIN received */
  eof = false;
  /** taken from the listener (data flows into rx from then on) */
  accepted = false;
  /** the JS side closed; draining tx before the FIN */
  closing = false;
  triggered = 0;
  posted = false;
  triggerable = 0;
  owner: object | null = null;
  onReadable: ((this: unknown, n: number) => void) | null = null;
  onWritable: ((this: unknown, n: number) => void) | null = null;
  onError: ((this: unknown) => void) | null = null;
  constructor(fd: number) {
    this.fd = fd;
  }
}

export interface StandinStackStats {
  /** live pcbs (pending, connecting, open, closing) */
  active: number;
  listeners: number;
  /** per open sim descriptor: bytes received and not read by the JS side, bytes queued to send */
  sockets: { fd: number; rxBytes: number; txBytes: number; closing: boolean }[];
}

/** the sockets' shared state: the "lwip stack" over one SimNetwork */
export class StandinStack {
  readonly sim: SimNetwork;
  readonly sendBuffer: number;
  readonly receiveWindow: number;
  readonly maxActive: number;
  readonly maxListening: number;
  readonly pcbs = new Set<Pcb>();
  listeners = 0;

  constructor(sim: SimNetwork, o: StandinSocketOptions = {}) {
    this.sim = sim;
    this.sendBuffer = o.sendBuffer ?? 8192;
    this.receiveWindow = o.receiveWindow ?? 8192;
    this.maxActive = o.maxActive ?? Infinity;
    this.maxListening = o.maxListening ?? Infinity;
  }

  stats(): StandinStackStats {
    return {
      active: this.pcbs.size,
      listeners: this.listeners,
      sockets: [...this.pcbs].filter((p) => p.fd >= 0).map((p) => ({ fd: p.fd, rxBytes: p.rxBytes, txBytes: p.txBytes, closing: p.closing })),
    };
  }

  sndbuf(p: Pcb): number {
    return Math.max(0, this.sendBuffer - p.txBytes);
  }

  newPcb(fd: number): Pcb {
    const p = new Pcb(fd);
    this.pcbs.add(p);
    return p;
  }

  /** what the sim is asked to report for the pcb's descriptor */
  rewatch(p: Pcb): void {
    if (p.fd < 0) return;
    let ev = 0;
    if (p.connecting || p.txBytes) ev |= POLLOUT;
    if ((p.accepted || p.ready) && !p.eof && !p.closing && p.rxBytes < this.receiveWindow) ev |= POLLIN;
    this.sim.watch(p.fd, ev, (_fd, rev) => this.onSim(p, rev));
  }

  private onSim(p: Pcb, rev: number): void {
    if (p.fd < 0) return;
    if (rev & (POLLERR | POLLHUP)) {
      // lwip's tcpError: the pcb is gone ("already freed when this callback is called")
      this.release(p, "dead");
      p.tx.length = 0;
      p.txBytes = 0;
      this.trigger(p, ERROR);
      return;
    }
    if (rev & POLLOUT) {
      if (p.connecting) {
        // tcpConnect: ready, onWritable
        p.connecting = false;
        p.ready = true;
        this.trigger(p, WRITABLE);
      }
      if (p.txBytes && this.output(p) < 0) return;
    }
    if (rev & POLLIN) {
      let got = false;
      while (p.rxBytes < this.receiveWindow) {
        const b = this.sim.net.read(p.fd, this.receiveWindow - p.rxBytes);
        if (!b) break;
        if (!b.length) {
          // tcpReceive(pb == NULL): the peer's FIN
          p.eof = true;
          if (!p.closing) this.trigger(p, ERROR);
          break;
        }
        p.rx.push(b);
        p.rxBytes += b.length;
        got = true;
      }
      if (got && p.triggerable & READABLE) this.trigger(p, READABLE);
    }
    if (p.closing && !p.txBytes) {
      this.release(p, "fin");
      return;
    }
    this.rewatch(p);
  }

  /** hand queued bytes to the network; -1 when the connection died */
  private output(p: Pcb): number {
    let sent = 0;
    while (p.tx.length) {
      const head = p.tx[0]!;
      const n = this.sim.net.write(p.fd, head);
      if (n < 0) {
        this.release(p, "dead");
        p.tx.length = 0;
        p.txBytes = 0;
        this.trigger(p, ERROR);
        return -1;
      }
      if (!n) break;
      sent += n;
      p.txBytes -= n;
      if (n < head.length) {
        p.tx[0] = head.subarray(n);
        break;
      }
      p.tx.shift();
    }
    // tcpSent: space was freed in the send buffer
    if (sent && p.triggerable & WRITABLE) this.trigger(p, WRITABLE);
    return sent;
  }

  /**
   * The stack lets go of the pcb's sim descriptor: "fin" sends what was taken
   * and then the FIN (the sim delivers in order), "rst" resets the connection,
   * "dead" only frees a descriptor the network already failed.
   */
  release(p: Pcb, how: "fin" | "rst" | "dead"): void {
    if (p.fd >= 0) {
      this.sim.unwatch(p.fd);
      if (how === "rst") this.sim.reset(p.fd);
      this.sim.net.close(p.fd);
      p.fd = -1;
    }
    this.pcbs.delete(p);
  }

  /** tcpTrigger: coalesce, deliver from the loop */
  trigger(p: Pcb, bits: number): void {
    p.triggered |= bits;
    if (p.posted) return;
    p.posted = true;
    this.sim.post(() => this.deliver(p));
  }

  /** tcpDeliver, step by step */
  private deliver(p: Pcb): void {
    p.posted = false;
    let t = p.triggered;
    p.triggered = 0;
    if (t & ERROR) {
      t &= ~WRITABLE;
      p.error = true;
      p.ready = false;
    }
    if (t & p.triggerable & READABLE && p.rxBytes) p.onReadable!.call(p.owner, p.rxBytes);
    if (p.rxBytes && p.error) return; // the error is delivered once the receive buffers are empty
    if (!p.error) {
      if (t & p.triggerable & WRITABLE && p.fd >= 0) p.onWritable!.call(p.owner, this.sndbuf(p));
    } else if (p.triggerable & ERROR) p.onError!.call(p.owner);
  }

  /** bytes out of the receive buffers (tcp_recved opens the window) */
  take(p: Pcb, into: Uint8Array): void {
    let o = 0;
    const n = into.length;
    while (o < n) {
      const seg = p.rx[p.rxHead]!;
      const k = Math.min(n - o, seg.length - p.rxOff);
      into.set(seg.subarray(p.rxOff, p.rxOff + k), o);
      o += k;
      p.rxOff += k;
      if (p.rxOff === seg.length) {
        p.rx[p.rxHead++] = undefined as unknown as Uint8Array;
        p.rxOff = 0;
        if (p.rxHead === p.rx.length) {
          p.rx.length = 0;
          p.rxHead = 0;
        }
      }
    }
    p.rxBytes -= n;
    if (p.fd >= 0) this.rewatch(p);
    if (!p.rxBytes && p.error) this.trigger(p, ERROR);
  }
}

export interface StandinTcpOptions {
  address?: string;
  host?: string;
  port?: number;
  from?: unknown;
  nodelay?: boolean;
  onReadable?: (this: any, bytes: number) => void;
  onWritable?: (this: any, bytes: number) => void;
  onError?: (this: any) => void;
  format?: "buffer" | "number";
  target?: unknown;
}

export interface StandinTcp {
  read(arg?: number | Bytes): ArrayBuffer | number | undefined;
  write(data: Bytes | number): number | undefined;
  close(): void;
  readonly remoteAddress: string;
  readonly remotePort: number;
  format: "buffer" | "number";
  target?: unknown;
}

export interface StandinListener {
  read(): StandinTcp | undefined;
  close(): void;
  readonly port: number;
  format: "socket/tcp";
  target?: unknown;
}

export interface StandinSockets {
  TCP: new (options?: StandinTcpOptions) => StandinTcp;
  Listener: new (options: { port?: number; address?: string; onReadable?: (this: any, requests: number) => void; format?: string; target?: unknown }) => StandinListener;
  stack: StandinStack;
}

export function createStandinSockets(sim: SimNetwork, o: StandinSocketOptions = {}): StandinSockets {
  const stack = new StandinStack(sim, o);
  /** instance -> its pcb (the SDK's host data); gone once closed */
  const pcbOf = new WeakMap<object, Pcb>();

  const live = (t: object): Pcb => {
    const p = pcbOf.get(t);
    if (!p) throw new TypeError("closed socket"); // xsmcGetHostDataValidate on a closed instance
    return p;
  };

  class TCP implements StandinTcp {
    #format: "buffer" | "number" = "buffer";
    target?: unknown;

    /** with no argument: the empty instance Listener.read() fills (the SDK's `new TCP`) */
    constructor(options?: StandinTcpOptions) {
      if (options === undefined) return;
      const opts = options as Record<string, unknown>;
      const fmt = options.format ?? "buffer";
      if (fmt !== "buffer" && fmt !== "number") throw new RangeError("unimplemented");
      this.#format = fmt;
      const onReadable = callable(opts, "onReadable"), onWritable = callable(opts, "onWritable"), onError = callable(opts, "onError");
      const triggerable = (onReadable ? READABLE : 0) | (onWritable ? WRITABLE : 0) | (onError ? ERROR : 0);
      let p: Pcb;
      let initial = 0;
      if ("from" in opts && opts.from !== undefined) {
        const f = pcbOf.get(opts.from as object);
        if (!f || f.fd < 0) throw new Error("invalid from");
        pcbOf.delete(opts.from as object);
        p = f;
        if (triggerable & WRITABLE && stack.sndbuf(p)) initial |= WRITABLE;
        if (triggerable & READABLE && p.rxBytes) initial |= READABLE;
      } else {
        const address = String(opts.address);
        if (!IPV4.test(address)) throw new Error("invalid address");
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError("invalid port");
        if (stack.pcbs.size >= stack.maxActive) throw new RangeError("no socket");
        const fd = sim.net.connect({ host: address, port });
        p = stack.newPcb(fd);
        p.connecting = true;
      }
      if ("target" in opts) this.target = opts.target;
      p.owner = this;
      p.triggerable = triggerable;
      p.onReadable = onReadable;
      p.onWritable = onWritable;
      p.onError = onError;
      pcbOf.set(this, p);
      stack.rewatch(p);
      if (initial) stack.trigger(p, initial);
    }

    read(arg?: number | Bytes): ArrayBuffer | number | undefined {
      const p = live(this);
      if (!p.rxBytes) return undefined;
      if (this.#format === "number") {
        const one = new Uint8Array(1);
        stack.take(p, one);
        return one[0];
      }
      if (arg !== undefined && typeof arg === "object") {
        const into = view(arg);
        if (into.length <= 0 || into.length > p.rxBytes) throw new Error("invalid");
        stack.take(p, into);
        return into.length;
      }
      const n = arg === undefined ? p.rxBytes : Math.trunc(Number(arg));
      if (!(n > 0) || n > p.rxBytes) throw new Error("invalid");
      const out = new Uint8Array(n);
      stack.take(p, out);
      return out.buffer;
    }

    write(data: Bytes | number): number | undefined {
      const p = live(this);
      if (!p.ready) throw new Error("not ready");
      if (p.error || p.fd < 0) return undefined;
      const bytes = this.#format === "number" ? new Uint8Array([Number(data) & 0xff]) : view(data);
      if (bytes.length > stack.sndbuf(p)) throw new Error("would block");
      if (bytes.length) {
        p.tx.push(bytes.slice()); // TCP_WRITE_FLAG_COPY
        p.txBytes += bytes.length;
        stack.rewatch(p);
      }
      return stack.sndbuf(p);
    }

    close(): void {
      const p = pcbOf.get(this);
      if (!p) return;
      pcbOf.delete(this);
      // doClose: no callback from now on
      p.ready = false;
      p.triggerable = 0;
      p.triggered = 0;
      p.owner = null;
      p.onReadable = p.onWritable = null;
      p.onError = null;
      if (p.fd < 0) return; // the network had already failed it
      p.closing = true;
      if (p.rxBytes) {
        // lwip's tcp_close with data the application never took: a reset
        stack.release(p, "rst");
        return;
      }
      if (!p.txBytes) stack.release(p, "fin");
      else stack.rewatch(p); // tcp_close: what the stack took is still sent, then the FIN
    }

    get remoteAddress(): string {
      const p = live(this);
      // lwip reads tcp->skt->remote_ip: after an error the pcb is NULL (the device would crash)
      if (p.fd < 0) throw new TypeError("remoteAddress of a socket whose connection is gone (NULL pcb on lwip)");
      return sim.net.peerAddress(p.fd)?.address ?? "";
    }

    get remotePort(): number {
      const p = live(this);
      if (p.fd < 0) throw new TypeError("remotePort of a socket whose connection is gone (NULL pcb on lwip)");
      return sim.net.peerAddress(p.fd)?.port ?? 0;
    }

    get format(): "buffer" | "number" {
      live(this);
      return this.#format;
    }

    set format(v: "buffer" | "number") {
      live(this);
      if (v !== "buffer" && v !== "number") throw new RangeError("unimplemented");
      this.#format = v;
    }
  }

  class Listener implements StandinListener {
    #fd: number;
    #pending: Pcb[] = [];
    #onReadable: ((this: unknown, n: number) => void) | null;
    #posted = false;
    #closed = false;
    target?: unknown;

    constructor(options: { port?: number; address?: string; onReadable?: (this: any, requests: number) => void; format?: string; target?: unknown }) {
      const opts = options as Record<string, unknown>;
      const port = opts.port === undefined ? 0 : Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError("invalid port");
      this.#onReadable = callable(opts, "onReadable");
      if (opts.format !== undefined && opts.format !== "socket/tcp") throw new RangeError("unimplemented");
      if (stack.listeners >= stack.maxListening) throw new RangeError("no memory");
      try {
        // the address is ignored, as on lwip: every interface
        this.#fd = sim.net.listen({ host: "0.0.0.0", port });
      } catch {
        throw new Error("socket bind");
      }
      stack.listeners++;
      if ("target" in opts) this.target = opts.target;
      sim.watch(this.#fd, POLLIN, () => this.#accept());
    }

    #accept(): void {
      let fd: number;
      let added = false;
      while ((fd = sim.net.accept(this.#fd)) >= 0) {
        if (stack.pcbs.size >= stack.maxActive) {
          sim.reset(fd);
          sim.net.close(fd);
          continue;
        }
        this.#pending.push(stack.newPcb(fd));
        added = true;
      }
      if (added && this.#onReadable && !this.#posted) {
        this.#posted = true;
        sim.post(() => {
          this.#posted = false;
          if (!this.#closed && this.#pending.length && this.#onReadable) this.#onReadable.call(this, this.#pending.length);
        });
      }
    }

    read(): StandinTcp | undefined {
      if (this.#closed) throw new TypeError("closed listener");
      const p = this.#pending.shift();
      if (!p) return undefined;
      const t = new TCP();
      p.owner = t;
      pcbOf.set(t, p);
      // xs_listener_read: tcp_accepted, the receive callback installed, ready
      p.accepted = true;
      p.ready = true;
      stack.rewatch(p);
      return t;
    }

    close(): void {
      if (this.#closed) return;
      this.#closed = true;
      stack.listeners--;
      sim.net.close(this.#fd);
      for (const p of this.#pending) {
        p.closing = true;
        stack.release(p, "fin");
      }
      this.#pending.length = 0;
    }

    get port(): number {
      if (this.#closed) throw new TypeError("closed listener");
      return sim.net.localAddress(this.#fd)?.port ?? 0;
    }

    get format(): "socket/tcp" {
      return "socket/tcp";
    }

    set format(v: "socket/tcp") {
      if (v !== "socket/tcp") throw new RangeError("unimplemented");
    }
  }

  return { TCP, Listener, stack };
}
