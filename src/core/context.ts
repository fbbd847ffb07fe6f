// The context (struct lws_context) and its vhosts: the wsi table, the pollfd
// table with its external-poll callbacks, service, writing, timers and close.
//
// One rule shapes this file: every change to what a descriptor is watched for
// goes through insertFd / changePollfd / removeFd, which call protocols[0] of
// the wsi's vhost with LOCK_POLL / *_POLL_FD / UNLOCK_POLL exactly as lws
// does, and then (unless the integrator polls externally) tell the platform.
// The internal loop is therefore just one more integrator on the same path.

import * as R from "./reasons.js";
import {
  CONTEXT_PORT_NO_LISTEN,
  LWS_CLOSE_STATUS_NOSTATUS,
  LWS_CLOSE_STATUS_NOSTATUS_CONTEXT_DESTROY,
  LWS_RXFLOW_REASON_APPLIES,
  LWS_RXFLOW_REASON_APPLIES_ENABLE_BIT,
  LWS_RXFLOW_REASON_FLAG_PROCESS_NOW,
  LWS_RXFLOW_REASON_USER_BOOL,
  LWS_SERVER_OPTION_ADOPT_APPLY_LISTEN_ACCEPT_CONFIG,
  LWS_SERVER_OPTION_SKIP_PROTOCOL_INIT,
  LWS_TO_KILL_ASYNC,
  LWS_TO_KILL_SYNC,
  NO_PENDING_TIMEOUT,
  PENDING_FLUSH_STORED_SEND_BEFORE_CLOSE,
  PENDING_TIMEOUT_AWAITING_CONNECT_RESPONSE,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLOUT,
} from "./constants.js";
import { PlatformError, type Platform } from "./platform.js";
import type { BufHole } from "./buflist.js";
import { CLOSE, DIED, type RoleOps, type ServiceResult } from "./role.js";
import { Sul, SulHeap } from "./sul.js";
import type { ContextCreationInfo, PerVhostOptions, PollArgs, PollFd, Protocol, VhostCreationInfo } from "./types.js";
import { Wsi, WsiState, clientHooks } from "./wsi.js";

export type LogLevel = "err" | "warn" | "notice" | "info";

/**
 * A wsi's pending timeout: `due` is the deadline, the heap entry may be earlier (see
 * setTimeoutUs). The wsi rides on the sul and the callback is shared (the heap calls it with
 * `this` set to the sul): a connection holds no closure for its timers.
 */
class TimeoutSul extends Sul {
  due = -1;
  constructor(readonly wsi: Wsi) {
    super(fireTimeout);
  }
}

function fireTimeout(this: TimeoutSul): void {
  this.wsi.context.onTimeout(this.wsi);
}

/** a wsi's lws_set_timer_usecs timer (no closure either) */
class TimerSul extends Sul {
  constructor(readonly wsi: Wsi) {
    super(fireTimer);
  }
}

function fireTimer(this: TimerSul): void {
  const wsi = this.wsi;
  if (wsi.dead) return;
  const cx = wsi.context;
  if (cx.callWsi(wsi, R.LWS_CALLBACK_TIMER, null, 0) && !wsi.dead) cx.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "timer");
}
export type Logger = (level: LogLevel, message: string) => void;

const defaultLogger: Logger = (level, message) => {
  if (level !== "err" && level !== "warn") return;
  const g = globalThis as { console?: { error(...a: unknown[]): void }; print?: (s: string) => void; trace?: (s: string) => void };
  const line = `lwsx ${level}: ${message}`;
  // Node's console, the XS test host's print, Moddable's trace on the device
  if (g.console) g.console.error(line);
  else if (typeof g.print === "function") g.print(line);
  else if (typeof g.trace === "function") g.trace(line + "\n");
};

/** Most accepts taken from one listen socket per service, so one busy listener cannot starve the rest. */
const ACCEPTS_PER_SERVICE = 16;
/** Seconds a closing connection may spend flushing what it still has to send. */
const FLUSH_BEFORE_CLOSE_SECS = 5;
/** Timer callbacks run per wake-up before yielding back to the loop. */
const TIMERS_PER_WAKE = 10000;

/** the role of a connection refused for a vhost's limit: reads and drops until it is closed */
const refusedRole: RoleOps = {
  name: "refused",
  writeableCb: [-1, -1],
  closeCb: [-1, -1],
  bindCb: [-1, -1],
  unbindCb: [-1, -1],
  handlePollin(wsi: Wsi): ServiceResult {
    const b = wsi.context.read(wsi);
    return b && !b.length ? CLOSE : 0;
  },
};

export class Vhost {
  readonly context: Context;
  readonly name: string;
  readonly protocols: Protocol[];
  readonly options: number;
  readonly info: VhostCreationInfo;
  /** protocols[] index -> connections bound to it (lws same_vh_protocol lists) */
  readonly bound: Set<Wsi>[];
  /** the wsi protocol-level callbacks (PROTOCOL_INIT, EVENT_WAIT_CANCELLED...) are given */
  readonly wsi: Wsi;
  listenWsi: Wsi | null = null;
  /** the port actually listened on; -1 when not listening */
  port = -1;
  connections = 0;
  user: unknown;
  destroyed = false;
  /** what roles keep per vhost, made on first use (the HTTP role's merged limits): roles keep no module-level state */
  readonly roleData: { [key: string]: unknown } = {};

  constructor(context: Context, info: VhostCreationInfo, id: number) {
    if (!info.protocols || !info.protocols.length) throw new Error(`lwsx: vhost '${info.name ?? "default"}' needs at least one protocol`);
    const seen = new Set<string>();
    for (const p of info.protocols) {
      if (!p || typeof p.name !== "string" || typeof p.callback !== "function") throw new Error(`lwsx: vhost '${info.name ?? "default"}': every protocol needs a name and a callback`);
      if (seen.has(p.name)) throw new Error(`lwsx: vhost '${info.name ?? "default"}': protocol '${p.name}' given twice`);
      seen.add(p.name);
    }
    this.context = context;
    this.info = info;
    this.name = info.name ?? "default";
    this.protocols = info.protocols;
    this.options = info.options ?? 0;
    this.user = info.user;
    this.bound = this.protocols.map(() => new Set<Wsi>());
    this.wsi = new Wsi(context, this, true, id);
  }

  protocolByName(name: string): Protocol | null {
    for (const p of this.protocols) if (p.name === name) return p;
    return null;
  }

  /** the index of `p`, or of a copy of it (same name and callback, as lws matches them); -1 */
  protocolIndex(p: Protocol): number {
    const i = this.protocols.indexOf(p);
    if (i >= 0) return i;
    for (let k = 0; k < this.protocols.length; k++) {
      const q = this.protocols[k]!;
      if (q.name === p.name && q.callback === p.callback) return k;
    }
    return -1;
  }

  /** the role given to accepted connections */
  get acceptRole(): string {
    if (this.info.listenAcceptRole) return this.info.listenAcceptRole;
    if (this.options & LWS_SERVER_OPTION_ADOPT_APPLY_LISTEN_ACCEPT_CONFIG) return "raw-skt";
    return "h1";
  }
}

export interface AdoptOptions {
  role: RoleOps;
  fd: number;
  /** protocol name to bind; the role's default otherwise */
  protocol?: string | null;
  parent?: Wsi | null;
  opaque?: unknown;
  isServer: boolean;
}

export class Context {
  readonly platform: Platform;
  readonly info: ContextCreationInfo;
  readonly vhosts: Vhost[] = [];
  readonly roles = new Map<string, RoleOps>();
  readonly externalPoll: boolean;
  readonly ptServBufSize: number;
  readonly timeoutSecs: number;
  readonly user: unknown;
  log: Logger;
  /** what roles keep per context, made on first use (reusable buffers, caches): roles keep no module-level state */
  readonly roleData: { [key: string]: unknown } = {};

  /** UTF-8 bytes of `s`: one TextEncoder per context, made on first use (none at module init, where a preloading linker has none) */
  utf8(s: string): Uint8Array {
    return ((this.roleData.utf8 as { encode(s: string): Uint8Array } | undefined) ??= new TextEncoder()).encode(s);
  }
  /** fd -> wsi: the pollfd table (each wsi keeps its own events) */
  private readonly fds = new Map<number, Wsi>();
  private readonly sul = new SulHeap();
  private armedAt = -1;
  private nextId = 1;
  private cancelPending = false;
  private serviceTid = 0;
  private tidDetected = false;
  private destroyed = false;
  private readonly pfd: PollFd = { fd: -1, events: 0, revents: 0 };
  /** the lws_pollargs of the *_POLL_FD callbacks: one for the context, valid during the callback (lws passes a stack struct) */
  private readonly pa: PollArgs = { fd: -1, events: 0, prev_events: 0 };
  private readonly onReady = (fd: number, revents: number): void => {
    const w = this.fds.get(fd);
    if (!w) return;
    const p = this.pfd;
    p.fd = fd;
    p.events = w.events;
    p.revents = revents;
    this.serviceFd(p);
  };
  private readonly onWake = (): void => {
    this.armedAt = -1;
    this.runTimers();
  };

  constructor(info: ContextCreationInfo) {
    if (!info || !info.platform) throw new Error("lwsx: createContext needs a platform (platform/node, platform/sim or platform/moddable)");
    this.info = info;
    this.platform = info.platform;
    this.externalPoll = !!info.externalPoll;
    this.ptServBufSize = info.ptServBufSize && info.ptServBufSize > 0 ? info.ptServBufSize : 4096;
    this.timeoutSecs = info.timeoutSecs && info.timeoutSecs > 0 ? info.timeoutSecs : 20;
    this.user = info.user;
    this.log = defaultLogger;
    for (const r of info.roles ?? []) this.roles.set(r.name, r);
  }

  // ------------------------------------------------------------------ vhosts

  createVhost(info: VhostCreationInfo): Vhost {
    if (this.destroyed) throw new Error("lwsx: context is destroyed");
    const vh = new Vhost(this, info, this.nextId++);
    const port = info.port ?? CONTEXT_PORT_NO_LISTEN;
    if (port !== CONTEXT_PORT_NO_LISTEN && !this.roles.has(vh.acceptRole))
      throw new Error(`lwsx: vhost '${vh.name}' accepts connections as role '${vh.acceptRole}', which this build does not have (have: ${[...this.roles.keys()].join(", ")})`);
    if (port !== CONTEXT_PORT_NO_LISTEN) this.roles.get(vh.acceptRole)!.validateVhost?.(info);
    if (info.listenAcceptProtocol && !vh.protocolByName(info.listenAcceptProtocol))
      throw new Error(`lwsx: vhost '${vh.name}': listenAcceptProtocol '${info.listenAcceptProtocol}' is not one of its protocols`);
    this.vhosts.push(vh);
    if (!(vh.options & LWS_SERVER_OPTION_SKIP_PROTOCOL_INIT)) {
      for (const p of vh.protocols) {
        const pvo: PerVhostOptions | null = info.pvo?.[p.name] ?? null;
        if (this.call(vh.wsi, p, R.LWS_CALLBACK_PROTOCOL_INIT, null, pvo, 0)) {
          this.destroyVhost(vh);
          throw new Error(`lwsx: vhost '${vh.name}': protocol '${p.name}' failed PROTOCOL_INIT`);
        }
      }
    }
    if (port !== CONTEXT_PORT_NO_LISTEN) {
      const host = info.iface ?? "0.0.0.0";
      let fd: number;
      try {
        fd = this.platform.net.listen({ host, port });
      } catch (e) {
        this.destroyVhost(vh);
        const why = e instanceof PlatformError ? `${e.code}: ${e.message}` : String((e as Error)?.message ?? e);
        throw new Error(`lwsx: vhost '${vh.name}' cannot listen on ${host}:${port}: ${why}`);
      }
      const lw = this.newWsi(vh, true);
      lw.isListen = true;
      lw.fd = fd;
      lw.protocol = vh.protocols[0]!;
      lw.state = WsiState.ESTABLISHED;
      vh.listenWsi = lw;
      vh.port = this.platform.net.localAddress(fd)?.port ?? port;
      if (!this.insertFd(lw)) {
        this.platform.net.close(fd);
        this.destroyVhost(vh);
        throw new Error(`lwsx: vhost '${vh.name}': protocols[0] refused ADD_POLL_FD for the listen socket`);
      }
    }
    return vh;
  }

  vhostByName(name: string): Vhost | null {
    for (const v of this.vhosts) if (v.name === name) return v;
    return null;
  }

  destroyVhost(vh: Vhost): void {
    if (vh.destroyed) return;
    vh.destroyed = true;
    for (const w of [...this.fds.values()]) if (w.vhost === vh && !w.isListen) this.closeWsi(w, LWS_CLOSE_STATUS_NOSTATUS_CONTEXT_DESTROY, "vhost destroy");
    const lw = vh.listenWsi;
    if (lw && !lw.dead) {
      this.removeFd(lw);
      lw.state = WsiState.DEAD;
      this.platform.net.close(lw.fd);
    }
    vh.listenWsi = null;
    if (!(vh.options & LWS_SERVER_OPTION_SKIP_PROTOCOL_INIT))
      for (const p of vh.protocols) this.call(vh.wsi, p, R.LWS_CALLBACK_PROTOCOL_DESTROY, null, null, 0);
    const i = this.vhosts.indexOf(vh);
    if (i >= 0) this.vhosts.splice(i, 1);
  }

  destroy(): void {
    if (this.destroyed) return;
    for (const vh of [...this.vhosts]) this.destroyVhost(vh);
    for (const w of [...this.fds.values()]) this.closeWsi(w, LWS_CLOSE_STATUS_NOSTATUS_CONTEXT_DESTROY, "context destroy");
    this.destroyed = true;
    this.platform.setWakeup(null, this.onWake);
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  // --------------------------------------------------------------- callbacks

  /**
   * Call a protocol's callback. An exception thrown by user code is logged and
   * taken as -1, so the core's state stays consistent.
   */
  call(wsi: Wsi, p: Protocol | null, reason: number, user: unknown, inp: unknown, len: number): number {
    if (!p) return 0;
    try {
      return (p.callback as (w: Wsi, r: number, u: unknown, i: unknown, l: number) => number)(wsi, reason, user, inp, len) | 0;
    } catch (e) {
      this.log("err", `${wsi} protocol '${p.name}' reason ${R.reasonName(reason)} threw: ${(e as Error)?.stack ?? e}`);
      return -1;
    }
  }

  /** call the wsi's own protocol with its user data */
  callWsi(wsi: Wsi, reason: number, inp: unknown, len: number): number {
    return this.call(wsi, wsi.protocol, reason, wsi.user, inp, len);
  }

  private newWsi(vh: Vhost, isServer: boolean): Wsi {
    return new Wsi(this, vh, isServer, this.nextId++);
  }

  // ------------------------------------------------------------ pollfd table

  /** the pollfd table, as lws keeps it: one entry per descriptor */
  pollfds(): PollFd[] {
    const out: PollFd[] = [];
    for (const [fd, w] of this.fds) out.push({ fd, events: w.events, revents: 0 });
    return out;
  }

  wsiFromFd(fd: number): Wsi | null {
    return this.fds.get(fd) ?? null;
  }

  get fdCount(): number {
    return this.fds.size;
  }

  private pollCb(wsi: Wsi, reason: number, len: number): number {
    const p0 = wsi.vhost.protocols[0] ?? null;
    return this.call(wsi, p0, reason, wsi.user, this.pa, len);
  }

  /**
   * insert a descriptor, watched for POLLIN as lws always starts them:
   * LOCK_POLL(1), ADD_POLL_FD, UNLOCK_POLL(1), all with {fd, POLLIN, 0}.
   * Reception held off by rxFlowControl() before insertion is applied after.
   */
  insertFd(wsi: Wsi): boolean {
    const pa = this.pa;
    pa.fd = wsi.fd;
    pa.events = POLLIN;
    pa.prev_events = 0;
    if (this.pollCb(wsi, R.LWS_CALLBACK_LOCK_POLL, 1)) return false;
    this.fds.set(wsi.fd, wsi);
    wsi.events = POLLIN;
    let ok = this.pollCb(wsi, R.LWS_CALLBACK_ADD_POLL_FD, 0) === 0;
    if (!this.externalPoll) this.platform.watch(wsi.fd, POLLIN, this.onReady);
    if (this.pollCb(wsi, R.LWS_CALLBACK_UNLOCK_POLL, 1)) ok = false;
    if (ok && wsi.rxflowBits) ok = this.changePollfd(wsi, POLLIN, 0) === 0;
    return ok;
  }

  /** change a descriptor's events: LOCK_POLL(0), CHANGE_MODE_POLL_FD, UNLOCK_POLL(0) */
  changePollfd(wsi: Wsi, and: number, or: number): number {
    if (wsi.events < 0 || wsi.dead) return 0;
    const pa = this.pa;
    pa.fd = wsi.fd;
    pa.events = pa.prev_events = wsi.events;
    if (this.pollCb(wsi, R.LWS_CALLBACK_LOCK_POLL, 0)) return -1;
    let ret = 0;
    pa.fd = wsi.fd;
    pa.prev_events = wsi.events;
    pa.events = wsi.events = (wsi.events & ~and) | or;
    if (this.pollCb(wsi, R.LWS_CALLBACK_CHANGE_MODE_POLL_FD, 0)) ret = -1;
    if (pa.prev_events !== pa.events) {
      if (!this.externalPoll) this.platform.watch(wsi.fd, pa.events, this.onReady);
      if (this.serviceTid) {
        const tid = this.call(wsi, wsi.vhost.protocols[0] ?? null, R.LWS_CALLBACK_GET_THREAD_ID, null, null, 0);
        if (tid === -1) ret = -1;
        else if (tid !== this.serviceTid) this.cancelService();
      }
    }
    if (this.pollCb(wsi, R.LWS_CALLBACK_UNLOCK_POLL, 0)) ret = -1;
    return ret;
  }

  /** remove a descriptor: LOCK_POLL(1), DEL_POLL_FD, UNLOCK_POLL(1), all with {fd, 0, 0} as lws gives them */
  removeFd(wsi: Wsi): void {
    if (wsi.events < 0) return;
    const pa = this.pa;
    pa.fd = wsi.fd;
    pa.events = pa.prev_events = 0;
    this.pollCb(wsi, R.LWS_CALLBACK_LOCK_POLL, 1);
    this.fds.delete(wsi.fd);
    wsi.events = -1;
    if (!this.externalPoll) this.platform.unwatch(wsi.fd);
    this.pollCb(wsi, R.LWS_CALLBACK_DEL_POLL_FD, 0);
    this.pollCb(wsi, R.LWS_CALLBACK_UNLOCK_POLL, 1);
  }

  // ----------------------------------------------------------------- service

  /**
   * lws_service_fd(): service one descriptor an integrator found ready. With
   * null, only timers are serviced. Returns 0, or 1 when the fd is not ours.
   */
  serviceFd(pfd: PollFd | null): number {
    if (this.destroyed) return 1;
    if (!this.tidDetected) {
      this.tidDetected = true;
      const vh = this.vhosts[0];
      if (vh) this.serviceTid = this.call(vh.wsi, vh.protocols[0] ?? null, R.LWS_CALLBACK_GET_THREAD_ID, null, null, 0);
    }
    if (!pfd) {
      this.runTimers();
      return 0;
    }
    const wsi = this.fds.get(pfd.fd);
    if (!wsi) return 1;
    const revents = pfd.revents;
    if (wsi.isListen) {
      if (revents & POLLIN) this.acceptAll(wsi);
      return 0;
    }
    if (wsi.state === WsiState.WAITING_CONNECT) {
      if (revents & (POLLERR | POLLHUP)) {
        // lws 4.3 reports a refused or unreachable connect as "Unable to connect"; the detail goes to the log
        this.log("info", `${wsi}: connect failed: ${this.platformError(wsi) ?? "unknown"}`);
        this.clientConnectFailed(wsi, "Unable to connect");
        return 0;
      }
      if (revents & POLLOUT) this.clientConnected(wsi);
      return 0;
    }
    if (revents & POLLIN && wsi.events & POLLIN && wsi.state === WsiState.ESTABLISHED) {
      const r = wsi.role!.handlePollin(wsi);
      if (r === DIED || wsi.dead) return 0;
      if (r === CLOSE) {
        this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "rx");
        return 0;
      }
    }
    if (revents & (POLLERR | POLLHUP)) {
      // the connection is gone in both directions: nothing buffered can leave
      wsi.closeCause = this.platformError(wsi) ?? "hangup";
      if (clientHooks(wsi)?.established === false) {
        // lws: a client's handshake read that fails
        this.log("info", `${wsi}: ${wsi.closeCause} during the handshake`);
        this.clientConnectFailed(wsi, "read failed");
        return 0;
      }
      this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "hangup", false);
      return 0;
    }
    if (revents & POLLOUT && !wsi.dead) this.handlePollout(wsi);
    return 0;
  }

  private platformError(wsi: Wsi): string | null {
    const src = wsi.role?.isFile ? this.platform.files : this.platform.net;
    return src ? src.error(wsi.fd) : null;
  }

  private handlePollout(wsi: Wsi): void {
    if (wsi.buffered) {
      if (this.drain(wsi) < 0) {
        this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "write failed", false);
        return;
      }
      if (wsi.buffered) return; // keep POLLOUT, come back when the stack takes more
      if (wsi.state === WsiState.FLUSHING_BEFORE_CLOSE) {
        this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "flushed");
        return;
      }
    }
    if (wsi.state !== WsiState.ESTABLISHED) return;
    // one shot: POLLOUT comes off before the user is called, as in lws
    if (this.changePollfd(wsi, POLLOUT, 0)) {
      this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "pollfd change failed");
      return;
    }
    if (!wsi.wantWritable || wsi.dead) return;
    wsi.wantWritable = false;
    const role = wsi.role!;
    let r: ServiceResult;
    if (role.handleWriteable) r = role.handleWriteable(wsi);
    else r = this.callWsi(wsi, role.writeableCb[wsi.isServer ? 1 : 0], null, 0) < 0 ? CLOSE : 0;
    if (r === CLOSE && !wsi.dead) this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "writeable");
  }

  /** write from the buflist until it is empty or the stack stops taking bytes; -1 on a dead socket */
  private drain(wsi: Wsi): number {
    const bl = wsi.buflist;
    for (;;) {
      const chunk = bl.peek();
      if (!chunk) {
        // a hole first (bytes still being made): no POLLOUT until it is filled
        if (bl.blocked && wsi.events & POLLOUT) this.changePollfd(wsi, POLLOUT, 0);
        return 0;
      }
      const n = this.platformWrite(wsi, chunk);
      if (n < 0) return -1;
      bl.use(n);
      if (n < chunk.length) return 0;
    }
  }

  private platformWrite(wsi: Wsi, data: Uint8Array): number {
    if (wsi.role?.isFile) {
      const f = this.platform.files;
      return f ? f.write(wsi.fd, data) : -1;
    }
    return this.platform.net.write(wsi.fd, data);
  }

  /** read for a role: at most the protocol's rx buffer size */
  read(wsi: Wsi, max?: number): Uint8Array | null {
    const m = max ?? (wsi.protocol?.rxBufferSize || this.ptServBufSize);
    if (wsi.role?.isFile) {
      const f = this.platform.files;
      return f ? f.read(wsi.fd, m) : null;
    }
    return this.platform.net.read(wsi.fd, m);
  }

  private acceptAll(lw: Wsi): void {
    const vh = lw.vhost;
    const net = this.platform.net;
    for (let i = 0; i < ACCEPTS_PER_SERVICE; i++) {
      const fd = net.accept(lw.fd);
      if (fd < 0) return;
      const max = vh.info.maxConnections;
      if (max !== undefined && vh.connections >= max) {
        this.log("notice", `vhost '${vh.name}' at its limit of ${max} connections: refusing fd ${fd}`);
        const answer = this.roles.get(vh.acceptRole)?.overLimitAnswer;
        if (answer) this.refuse(vh, fd, answer);
        else net.close(fd);
        continue;
      }
      if (this.call(lw, vh.protocols[0]!, R.LWS_CALLBACK_FILTER_NETWORK_CONNECTION, lw.user, fd, 0)) {
        net.close(fd);
        continue;
      }
      const role = this.roles.get(vh.acceptRole)!;
      // listen_accept_protocol goes with listen_accept_role (lws applies them together);
      // a connection accepted as HTTP starts on protocols[0]
      const explicit = !!vh.info.listenAcceptRole || !!(vh.options & LWS_SERVER_OPTION_ADOPT_APPLY_LISTEN_ACCEPT_CONFIG);
      this.adopt(vh, { role, fd, protocol: explicit ? vh.info.listenAcceptProtocol ?? null : null, isServer: true });
      if (lw.dead) return;
    }
  }

  /** a connection of lwsx's own (no WSI_CREATE / WSI_DESTROY, no protocol bound): a kept-alive client socket waiting */
  newInternalWsi(vh: Vhost, role: RoleOps): Wsi {
    const wsi = this.newWsi(vh, false);
    wsi.role = role;
    wsi.internal = true;
    return wsi;
  }

  /**
   * Send `answer` on a connection refused for the vhost's limit, then close
   * it: a wsi of lwsx's own, with no protocol (no user callbacks but the poll
   * ones an external loop needs), so the answer survives partial writes.
   */
  private refuse(vh: Vhost, fd: number, answer: Uint8Array): void {
    const wsi = this.newWsi(vh, true);
    wsi.role = refusedRole;
    wsi.internal = true;
    wsi.fd = fd;
    wsi.state = WsiState.ESTABLISHED;
    vh.connections++;
    if (!this.insertFd(wsi)) {
      this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "refused", false);
      return;
    }
    this.writeRaw(wsi, answer);
    this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "over the connection limit");
  }

  /**
   * Adopt a descriptor as a new wsi (lws_adopt_descriptor_vhost): WSI_CREATE,
   * protocol bind, insertion into the pollfd table, then the role's adoption
   * callback. Returns null, with the descriptor closed, on failure.
   */
  adopt(vh: Vhost, o: AdoptOptions): Wsi | null {
    const wsi = this.newWsi(vh, o.isServer);
    wsi.opaque = o.opaque ?? null;
    wsi.role = o.role;
    this.call(wsi, vh.protocols[0]!, R.LWS_CALLBACK_WSI_CREATE, null, null, 0);
    if (o.parent && !o.parent.dead) this.linkChild(o.parent, wsi);
    const p = o.protocol ? vh.protocolByName(o.protocol) : vh.protocols[0]!;
    wsi.fd = o.fd;
    vh.connections++;
    if (!p) {
      this.log("err", `vhost '${vh.name}': protocol '${o.protocol}' not found`);
      this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "adopt: no protocol", false);
      return null;
    }
    if (this.bindProtocol(wsi, p)) {
      this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "adopt: bind refused", false);
      return null;
    }
    wsi.state = WsiState.ESTABLISHED;
    if (!this.insertFd(wsi)) {
      this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "adopt: pollfd insert refused", false);
      return null;
    }
    o.role.onAdopt?.(wsi);
    const acb = o.role.adoptionCb;
    if (acb) {
      if (this.callWsi(wsi, acb[o.isServer ? 1 : 0], null, 0)) {
        this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "adoption callback", false);
        return null;
      }
    } else {
      this.call(wsi, vh.protocols[0]!, R.LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED, wsi.user, null, 0);
    }
    return wsi.dead ? null : wsi;
  }

  /** bind a protocol (lws_bind_protocol): drop the old one, make user data, give the bind callback */
  bindProtocol(wsi: Wsi, p: Protocol, reason: string | null = null, userdata?: unknown): number {
    const vh = wsi.vhost;
    if (wsi.bound) this.unbindProtocol(wsi, reason ?? "bind");
    wsi.protocol = p;
    try {
      wsi.user = userdata !== undefined ? userdata : p.perSessionData ? p.perSessionData() : p.perSessionDataSize ? new Uint8Array(p.perSessionDataSize) : null;
    } catch (e) {
      // lws: the user space could not be allocated
      this.log("err", `${wsi}: per-session data of '${p.name}': ${(e as Error)?.message ?? e}`);
      wsi.user = null;
      return -2;
    }
    const idx = vh.protocolIndex(p);
    if (idx >= 0) vh.bound[idx]!.add(wsi);
    const role = wsi.role!;
    if (this.callWsi(wsi, role.bindCb[wsi.isServer ? 1 : 0], null, 0)) return -1;
    wsi.bound = true;
    return 0;
  }

  unbindProtocol(wsi: Wsi, reason: string): void {
    const p = wsi.protocol;
    if (!p) return;
    if (wsi.bound) {
      wsi.bound = false;
      this.callWsi(wsi, wsi.role!.unbindCb[wsi.isServer ? 1 : 0], reason, reason.length);
    }
    const idx = wsi.vhost.protocolIndex(p);
    if (idx >= 0) wsi.vhost.bound[idx]!.delete(wsi);
  }

  private linkChild(parent: Wsi, child: Wsi): void {
    child.parent = parent;
    (parent.children ??= []).unshift(child);
  }

  // ------------------------------------------------------------------ client

  /** start a client connection on an already-created wsi with a bound protocol */
  startClientConnect(wsi: Wsi, host: string, port: number): boolean {
    let fd: number;
    try {
      fd = this.platform.net.connect({ host, port });
    } catch (e) {
      // no socket could be made for it (descriptors used up...) or the address is unusable
      const code = e instanceof PlatformError ? e.code : "";
      this.log("info", `${wsi}: connect to ${host}:${port}: ${(e as Error)?.message ?? e}`);
      this.clientConnectFailed(wsi, /^(EMFILE|ENFILE|ENOBUFS|ENOMEM)$/.test(code) ? "set socket opts failed" : "Unable to connect");
      return false;
    }
    wsi.fd = fd;
    wsi.state = WsiState.WAITING_CONNECT;
    wsi.vhost.connections++;
    if (!this.insertFd(wsi)) {
      this.clientConnectFailed(wsi, "insert wsi failed");
      return false;
    }
    this.changePollfd(wsi, 0, POLLOUT);
    this.setWsiTimeout(wsi, PENDING_TIMEOUT_AWAITING_CONNECT_RESPONSE, this.timeoutSecs);
    return true;
  }

  /** create a client wsi and bind its protocol; the role connects it */
  newClientWsi(vh: Vhost, role: RoleOps, p: Protocol, parent: Wsi | null, opaque: unknown, userdata?: unknown): Wsi | null {
    const wsi = this.newWsi(vh, false);
    wsi.role = role;
    wsi.opaque = opaque;
    this.call(wsi, vh.protocols[0]!, R.LWS_CALLBACK_WSI_CREATE, null, null, 0);
    if (parent && !parent.dead) this.linkChild(parent, wsi);
    const b = this.bindProtocol(wsi, p, null, userdata);
    if (b === -2) {
      this.clientConnectFailed(wsi, "HS: OOM");
      return null;
    }
    if (b) {
      this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "client bind refused", false);
      return null;
    }
    return wsi;
  }

  private clientConnected(wsi: Wsi): void {
    this.setWsiTimeout(wsi, NO_PENDING_TIMEOUT, 0);
    wsi.state = WsiState.ESTABLISHED;
    if (!wsi.wantWritable) this.changePollfd(wsi, POLLOUT, 0);
    const ch = clientHooks(wsi);
    if (ch?.connected) {
      ch.connected(wsi);
      return;
    }
    if (ch) ch.established = true;
    const acb = wsi.role!.adoptionCb;
    if (acb && this.callWsi(wsi, acb[0], null, 0)) {
      if (!wsi.dead) this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "client adoption callback", false);
      return;
    }
  }

  /** close a client's socket but keep the wsi (a retry or a redirect connects it again) */
  dropClientSocket(wsi: Wsi): void {
    const fd = this.detachFd(wsi);
    if (fd < 0) return;
    this.platform.net.close(fd);
    if (wsi.buffered) wsi.buflist.clear();
    wsi.wantWritable = false;
    wsi.state = WsiState.UNCONNECTED;
  }

  /**
   * Take a connected socket from one wsi (its pollfd entry goes; the socket
   * stays open) to give it to another (a kept-alive client connection reused
   * for the next transaction). Returns the descriptor.
   */
  detachFd(wsi: Wsi): number {
    const fd = wsi.fd;
    if (fd < 0) return -1;
    this.removeFd(wsi);
    wsi.fd = -1;
    wsi.vhost.connections--;
    return fd;
  }

  /** give a connected socket to a client wsi (see detachFd); false when the pollfd table refused it */
  attachFd(wsi: Wsi, fd: number): boolean {
    wsi.fd = fd;
    wsi.vhost.connections++;
    wsi.state = WsiState.ESTABLISHED;
    return this.insertFd(wsi);
  }

  /** CLIENT_CONNECTION_ERROR, then close without a close callback (they exclude each other, as in lws) */
  clientConnectFailed(wsi: Wsi, why: string): void {
    if (wsi.dead) return;
    if (clientHooks(wsi)?.retry(wsi, why)) return;
    wsi.closeCause = why;
    wsi.state = WsiState.UNCONNECTED;
    this.callWsi(wsi, R.LWS_CALLBACK_CLIENT_CONNECTION_ERROR, why, why.length);
    this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "client connection error", false, true);
  }

  // ------------------------------------------------------------------ writing

  /**
   * Send bytes on a wsi: what the platform does not take now is copied to the
   * buflist and drains on POLLOUT before the user gets WRITEABLE again.
   * Returns data.length, or -1 when the connection is unusable.
   */
  writeRaw(wsi: Wsi, data: Uint8Array): number {
    if (wsi.dead || wsi.fd < 0 || wsi.state === WsiState.WAITING_CONNECT) return -1;
    const len = data.length;
    if (!len) return 0;
    if (wsi.buffered) {
      // a write before the buflist drained (allowed, as in lws): keep the order
      wsi.buflist.append(data);
      return len;
    }
    const n = this.platformWrite(wsi, data);
    if (n < 0) {
      wsi.closeCause = this.platformError(wsi) ?? "write failed";
      this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "write failed", false);
      return -1;
    }
    if (n < len) {
      wsi.buflist.append(n ? data.subarray(n) : data);
      if (!(wsi.events & POLLOUT)) this.changePollfd(wsi, 0, POLLOUT);
    }
    return len;
  }

  /**
   * Keep a place in the wsi's output for bytes made later (a WebSocket message
   * compressed off the loop thread): writes after it wait behind it, and the
   * wsi is choked (no WRITEABLE, a graceful close waits) until fillOutput().
   * Null when the wsi cannot send.
   */
  reserveOutput(wsi: Wsi): BufHole | null {
    if (wsi.dead || wsi.fd < 0 || wsi.state === WsiState.WAITING_CONNECT) return null;
    return wsi.buflist.reserve();
  }

  /** the bytes of a reserved place are ready: send what can go now */
  fillOutput(wsi: Wsi, hole: BufHole, data: Uint8Array): void {
    if (wsi.dead || !wsi.buflist.fill(hole, data)) return;
    if (this.drain(wsi) < 0) {
      wsi.closeCause = this.platformError(wsi) ?? "write failed";
      this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "write failed", false);
      return;
    }
    if (wsi.buffered) {
      if (!wsi.buflist.blocked && !(wsi.events & POLLOUT)) this.changePollfd(wsi, 0, POLLOUT);
      return;
    }
    if (wsi.state === WsiState.FLUSHING_BEFORE_CLOSE) this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "flushed");
    else if (wsi.wantWritable && !(wsi.events & POLLOUT)) this.changePollfd(wsi, 0, POLLOUT);
  }

  /** lws_callback_on_writable: ask for one WRITEABLE callback */
  callbackOnWritable(wsi: Wsi): number {
    if (wsi.dead || wsi.state === WsiState.FLUSHING_BEFORE_CLOSE) return 0;
    // not in the pollfd table yet (lws: "failed to find socket")
    if (wsi.events < 0) return -1;
    wsi.wantWritable = true;
    if (this.changePollfd(wsi, 0, POLLOUT)) return -1;
    return 1;
  }

  /** lws_rx_flow_control: enable is a boolean, or LWS_RXFLOW_REASON_* bits with _APPLIES */
  rxFlowControl(wsi: Wsi, enable: number | boolean): number {
    if (wsi.dead) return 0;
    let en: number, reason: number;
    const e = typeof enable === "boolean" ? (enable ? 1 : 0) : enable;
    if (e & LWS_RXFLOW_REASON_APPLIES) {
      en = e & LWS_RXFLOW_REASON_APPLIES_ENABLE_BIT;
      reason = e & ~(LWS_RXFLOW_REASON_APPLIES | LWS_RXFLOW_REASON_APPLIES_ENABLE_BIT | LWS_RXFLOW_REASON_FLAG_PROCESS_NOW);
    } else {
      en = e;
      reason = LWS_RXFLOW_REASON_USER_BOOL;
    }
    const before = wsi.rxflowBits;
    if (en) wsi.rxflowBits &= ~reason;
    else wsi.rxflowBits |= reason;
    if (!before === !wsi.rxflowBits || wsi.state !== WsiState.ESTABLISHED) return 0;
    return wsi.rxflowBits ? this.changePollfd(wsi, POLLIN, 0) : this.changePollfd(wsi, 0, POLLIN);
  }

  /** lws_send_pipe_choked: true while bytes wait in the buflist */
  sendPipeChoked(wsi: Wsi): boolean {
    return wsi.buffered > 0;
  }

  // ------------------------------------------------------------------- timers

  /** schedule a sul at an absolute platform time */
  schedule(s: Sul, at: number): void {
    this.sul.schedule(s, at);
    this.arm();
  }

  cancel(s: Sul): void {
    this.sul.cancel(s);
  }

  private arm(): void {
    const next = this.sul.next();
    if (next < 0 || this.destroyed) return;
    if (this.armedAt >= 0 && this.armedAt <= next) return;
    this.armedAt = next;
    this.platform.setWakeup(next, this.onWake);
  }

  private runTimers(): void {
    const now = this.platform.now();
    for (let i = 0; i < TIMERS_PER_WAKE; i++) {
      const s = this.sul.popDue(now);
      if (!s) break;
      s.cb();
    }
    this.armedAt = -1;
    this.arm();
  }

  /** the earliest timer deadline (platform µs), or -1: for integrators that run their own clock */
  nextDeadline(): number {
    return this.sul.next();
  }

  /** lws_set_timeout: close the wsi after `secs` unless changed; 0 cancels; LWS_TO_KILL_ASYNC/SYNC close now */
  setWsiTimeout(wsi: Wsi, reason: number, secs: number): void {
    if (wsi.dead) return;
    if (secs === LWS_TO_KILL_SYNC) {
      this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "to sync kill");
      return;
    }
    if (secs === LWS_TO_KILL_ASYNC) secs = 0, reason = reason || 1;
    this.setTimeoutUs(wsi, reason, secs * 1000000, secs === 0 && reason !== NO_PENDING_TIMEOUT);
  }

  setTimeoutUs(wsi: Wsi, reason: number, us: number, now = false): void {
    if (wsi.dead) return;
    if (!reason || (us <= 0 && !now)) {
      wsi.timeoutReason = 0;
      if (wsi.timeoutSul) this.sul.cancel(wsi.timeoutSul);
      return;
    }
    wsi.timeoutReason = reason;
    const s = (wsi.timeoutSul ??= new TimeoutSul(wsi)) as TimeoutSul;
    const at = this.platform.now() + Math.max(0, us);
    s.due = at;
    // a deadline moved later (a keep-alive connection's idle timeout, at each
    // request) is not sorted again now: the entry moves when it comes due
    if (s.index >= 0 && s.at <= at) return;
    this.schedule(s, at);
  }

  /** (the wsi's timeout sul fired) */
  onTimeout(wsi: Wsi): void {
    if (wsi.dead) return;
    const s = wsi.timeoutSul as TimeoutSul | null;
    if (s && s.due > this.platform.now()) {
      this.schedule(s, s.due); // it was moved later meanwhile
      return;
    }
    const reason = wsi.timeoutReason;
    wsi.timeoutReason = 0;
    const ch = clientHooks(wsi);
    if (ch && !ch.established) {
      this.clientConnectFailed(wsi, ch.timeoutCause(wsi));
      return;
    }
    if (wsi.state === WsiState.WAITING_CONNECT) {
      this.clientConnectFailed(wsi, "Unable to connect");
      return;
    }
    wsi.closeCause = `timeout ${reason}`;
    const graceful = reason !== PENDING_FLUSH_STORED_SEND_BEFORE_CLOSE;
    this.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "timeout", graceful && wsi.state !== WsiState.FLUSHING_BEFORE_CLOSE);
  }

  /** lws_set_timer_usecs: TIMER callback after `usecs`; a negative value cancels */
  setTimerUsecs(wsi: Wsi, usecs: number): void {
    if (wsi.dead) return;
    if (usecs < 0) {
      if (wsi.timerSul) this.sul.cancel(wsi.timerSul);
      return;
    }
    const s = (wsi.timerSul ??= new TimerSul(wsi));
    this.schedule(s, this.platform.now() + usecs);
  }

  /** a one-shot callback after `us` (lws_sul_schedule); returns the handle to cancel */
  scheduleUs(us: number, cb: () => void): Sul {
    const s = new Sul(cb);
    this.schedule(s, this.platform.now() + Math.max(0, us));
    return s;
  }

  // ------------------------------------------------------- cancel & broadcast

  /** lws_cancel_service: EVENT_WAIT_CANCELLED to every protocol of every vhost, from the loop */
  cancelService(): void {
    if (this.cancelPending || this.destroyed) return;
    this.cancelPending = true;
    this.platform.post(() => {
      this.cancelPending = false;
      if (this.destroyed) return;
      for (const vh of [...this.vhosts]) for (const p of vh.protocols) this.call(vh.wsi, p, R.LWS_CALLBACK_EVENT_WAIT_CANCELLED, null, null, 0);
    });
  }

  /** lws_callback_all_protocol: `reason` to every connection bound to `p`, on every vhost */
  callbackAllProtocol(p: Protocol, reason: number): void {
    for (const vh of [...this.vhosts]) this.callbackAllProtocolVhostArgs(vh, p, reason, null, 0);
  }

  /** lws_callback_all_protocol_vhost_args */
  callbackAllProtocolVhostArgs(vh: Vhost, p: Protocol, reason: number, inp: unknown, len: number): void {
    const i = vh.protocolIndex(p);
    if (i < 0) return;
    for (const w of [...vh.bound[i]!]) {
      if (w.dead || w.protocol !== p) continue;
      if (this.call(w, p, reason, w.user, inp, len) && !w.dead) this.closeWsi(w, LWS_CLOSE_STATUS_NOSTATUS, "callback all protocol");
    }
  }

  /** lws_callback_vhost_protocols_vhost: `reason` to every protocol of the vhost */
  callbackVhostProtocols(vh: Vhost, reason: number, inp: unknown, len: number): number {
    for (const p of vh.protocols) if (this.call(vh.wsi, p, reason, null, inp, len)) return 1;
    return 0;
  }

  /** lws_callback_on_writable_all_protocol_vhost */
  callbackOnWritableAllProtocolVhost(vh: Vhost, p: Protocol): void {
    const i = vh.protocolIndex(p);
    if (i < 0) return;
    for (const w of vh.bound[i]!) if (!w.dead) this.callbackOnWritable(w);
  }

  // -------------------------------------------------------------------- close

  /**
   * Close a wsi (lws_close_free_wsi). With `graceful`, what is still in the
   * buflist is sent first (up to FLUSH_BEFORE_CLOSE_SECS). Children close
   * first; the parent hears CHILD_CLOSING.
   */
  closeWsi(wsi: Wsi, status: number = LWS_CLOSE_STATUS_NOSTATUS, caller = "close", graceful = true, didCce = false): void {
    if (wsi.dead || wsi.isListen) return;
    if (wsi.children) for (const c of [...wsi.children]) this.closeWsi(c, status, "parent closing", false);
    if (wsi.dead) return;
    if (
      graceful &&
      wsi.buffered &&
      status !== LWS_CLOSE_STATUS_NOSTATUS_CONTEXT_DESTROY &&
      (wsi.state === WsiState.ESTABLISHED || wsi.state === WsiState.FLUSHING_BEFORE_CLOSE)
    ) {
      if (wsi.state !== WsiState.FLUSHING_BEFORE_CLOSE) {
        wsi.state = WsiState.FLUSHING_BEFORE_CLOSE;
        wsi.wantWritable = false;
        this.changePollfd(wsi, POLLIN, POLLOUT);
        this.setTimeoutUs(wsi, PENDING_FLUSH_STORED_SEND_BEFORE_CLOSE, FLUSH_BEFORE_CLOSE_SECS * 1000000);
      }
      return;
    }
    const wasConnecting =
      wsi.state === WsiState.WAITING_CONNECT || (!wsi.isServer && wsi.state === WsiState.UNCONNECTED) || clientHooks(wsi)?.established === false;
    const wasEstablished = wsi.state === WsiState.ESTABLISHED || wsi.state === WsiState.FLUSHING_BEFORE_CLOSE;
    if (wasConnecting && !didCce) {
      // a client that never got there hears CLIENT_CONNECTION_ERROR, not a close
      this.clientConnectFailed(wsi, wsi.closeCause ?? "closed before established");
      return;
    }
    wsi.state = WsiState.DEAD;
    this.unbindProtocol(wsi, caller);
    this.removeFd(wsi);
    if (wsi.timeoutSul) this.sul.cancel(wsi.timeoutSul);
    if (wsi.timerSul) this.sul.cancel(wsi.timerSul);
    wsi.role?.onClose?.(wsi);
    if (wasEstablished && !didCce && wsi.role) this.callWsi(wsi, wsi.role.closeCb[wsi.isServer ? 1 : 0], null, 0);
    const parent = wsi.parent;
    if (parent) {
      this.call(wsi, parent.protocol, R.LWS_CALLBACK_CHILD_CLOSING, parent.user, wsi, 0);
      const i = parent.children ? parent.children.indexOf(wsi) : -1;
      if (i >= 0) parent.children!.splice(i, 1);
      wsi.parent = null;
    }
    if (wsi.fd >= 0) {
      if (wsi.role?.isFile) this.platform.files?.close(wsi.fd);
      else this.platform.net.close(wsi.fd);
      wsi.vhost.connections--;
    }
    if (wsi.buffered) wsi.buflist.clear();
    if (!wsi.internal) this.call(wsi, wsi.vhost.protocols[0] ?? null, R.LWS_CALLBACK_WSI_DESTROY, wsi.user, null, 0);
  }
}
