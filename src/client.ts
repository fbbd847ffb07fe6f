// lws_client_connect_via_info: raw, HTTP and WebSocket clients.
//
// The connection's life before it is established (name lookup, connect,
// retries with lws_retry_bo_t backoff) is kept here, in a ClientState the
// wsi carries in wsi.rs; the handshake itself is the role's (roles/http/client.ts
// for HTTP and WebSocket, roles/raw for RAW). Failures before establishing
// reach the bound protocol as CLIENT_CONNECTION_ERROR with lws' strings.

import type { Context, Vhost } from "./core/context.js";
import { LCCSCF_USE_SSL, LWS_SERVER_OPTION_DISABLE_IPV6, PENDING_TIMEOUT_AWAITING_CONNECT_RESPONSE } from "./core/constants.js";
import { Sul } from "./core/sul.js";
import { WsiState, type ClientHooks, type Wsi } from "./core/wsi.js";
import type { Protocol } from "./core/types.js";
import type { RoleOps } from "./core/role.js";
import { rawSktRole } from "./roles/raw/raw-skt.js";

/** lws_retry_bo_t: backoff for retries, and ping/pong validity for the connection once up */
export interface RetryBo {
  /** base delay of each retry in ms; the last one repeats */
  retryMsTable: readonly number[];
  /** how many failures are concealed (retried) before the user hears CLIENT_CONNECTION_ERROR */
  concealCount?: number;
  /** WebSocket: ping after this many seconds without receiving anything */
  secsSinceValidPing?: number;
  /** ...and hang up after this many */
  secsSinceValidHangup?: number;
  /** random extra delay, percent of the base (lws: 30 when 0 or absent) */
  jitterPercent?: number;
}

export interface ClientConnectInfo {
  context: Context;
  /** numeric IPv4/IPv6 address or a name (looked up through the platform, never blocking) */
  address: string;
  port: number;
  /** request path, "/" when absent */
  path?: string;
  /** Host header; the address (and port unless 80) when absent */
  host?: string;
  /** Origin header (WebSocket) */
  origin?: string;
  /** WebSocket subprotocol(s) asked of the server, a comma list; for RAW, the local protocol when localProtocolName is absent */
  protocol?: string;
  /** "RAW" for a raw socket; an HTTP method for an HTTP client; absent for WebSocket */
  method?: string;
  /** LCCSCF_* flags (lws ssl_connection) */
  sslConnection?: number;
  /** ALPN list for TLS ("http/1.1") */
  alpn?: string;
  /** vhost whose protocols the connection binds to (default: the context's first) */
  vhost?: Vhost;
  /** name of the local protocol to bind */
  localProtocolName?: string;
  /** lws opaque_user_data */
  opaqueUserData?: unknown;
  /** lws userdata: the connection's user data instead of the protocol's per-session data */
  userdata?: unknown;
  parentWsi?: Wsi | null;
  /** set to the new wsi before any callback for it runs (lws pwsi) */
  pwsi?: { wsi: Wsi | null };
  /** lws retry_and_idle_policy */
  retryAndIdlePolicy?: RetryBo;
  /** most redirects an HTTP client follows (lws: 4) */
  maxRedirects?: number;
  /**
   * An HTTP client that only wants a success: a final status other than 2xx
   * or 304 fails the connection with "HS: Server did not return 200" instead
   * of being given to ESTABLISHED_CLIENT_HTTP (lwsx; lws v4.3 gives every
   * status to the callback).
   */
  requireOk?: boolean;
  /** seconds a kept-alive LCCSCF_PIPELINE connection waits idle for its next transaction (lws keep_warm_secs; 5) */
  keepWarmSecs?: number;
}

const NUMERIC_IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6ISH = /^[0-9a-f:.]*:[0-9a-f:.]*$/i;
const HOSTNAME = /^[a-z0-9]([a-z0-9-]{0,62})(\.[a-z0-9]([a-z0-9-]{0,62}))*\.?$/i;

/**
 * lws_retry_get_delay_ms: the delay before retry number `count.n` (which it
 * advances) and whether that failure is still concealed.
 */
export function retryGetDelayMs(cx: Context, retry: RetryBo | null, count: { n: number }): { ms: number; conceal: boolean } {
  let ms = 3000;
  let pc = 30;
  if (retry) {
    const t = retry.retryMsTable;
    if (t.length) ms = t[Math.min(count.n, t.length - 1)]!;
    if (retry.jitterPercent) pc = retry.jitterPercent;
  }
  const r = new Uint8Array(2);
  cx.platform.random(r);
  const ra = r[0]! | (r[1]! << 8);
  ms += Math.floor(Math.floor((ms * pc * ra) / 65536) / 100);
  if (count.n < 0xffff) count.n++;
  return { ms, conceal: !!retry && count.n <= (retry.concealCount ?? 0) };
}

/**
 * lws_retry_sul_schedule: run `cb` after the next backoff delay; returns
 * null (and schedules nothing) when the failure is no longer concealed.
 */
export function retrySulSchedule(cx: Context, retry: RetryBo, cb: () => void, count: { n: number }): Sul | null {
  const d = retryGetDelayMs(cx, retry, count);
  if (!d.conceal) return null;
  return cx.scheduleUs(d.ms * 1000, cb);
}

/** where and how a client connects; the wsi keeps it in wsi.rs (roles extend it) */
export class ClientState implements ClientHooks {
  readonly isClient = true as const;
  /** the connection this state belongs to */
  wsi!: Wsi;
  established = false;
  address: string;
  port: number;
  path: string;
  host: string;
  readonly origin: string | null;
  /** subprotocols asked (WebSocket), as given */
  readonly protocols: string | null;
  /** HTTP method; null for a WebSocket client */
  method: string | null;
  readonly flags: number;
  readonly retryPolicy: RetryBo | null;
  readonly retries = { n: 0 };
  redirects = 0;
  readonly maxRedirects: number;
  readonly requireOk: boolean;
  readonly keepWarmSecs: number;
  /** bumped on every (re)connect: a late name answer for an earlier attempt is dropped */
  attempt = 0;
  resolving = false;
  private retrySul: Sul | null = null;

  constructor(info: ClientConnectInfo, method: string | null) {
    this.address = info.address;
    this.port = info.port;
    this.path = info.path || "/";
    if (this.path[0] !== "/") this.path = "/" + this.path;
    this.host = info.host ?? defaultHost(info.address, info.port);
    this.origin = info.origin ?? null;
    this.protocols = info.protocol ?? null;
    this.method = method;
    this.flags = info.sslConnection ?? 0;
    this.retryPolicy = info.retryAndIdlePolicy ?? null;
    this.maxRedirects = info.maxRedirects ?? 4;
    this.requireOk = !!info.requireOk;
    this.keepWarmSecs = info.keepWarmSecs ?? 5;
  }

  retry(wsi: Wsi, why: string): boolean {
    // only the connection is retried: a server that answered badly is not asked again
    if (this.established || !this.retryPolicy || this.handshaking) return false;
    const d = retryGetDelayMs(wsi.context, this.retryPolicy, this.retries);
    if (!d.conceal) return false;
    const cx = wsi.context;
    cx.log("info", `${wsi}: ${why}; retry ${this.retries.n} in ${d.ms} ms`);
    cx.dropClientSocket(wsi);
    if (this.retrySul) cx.cancel(this.retrySul);
    this.retrySul = cx.scheduleUs(d.ms * 1000, () => {
      this.retrySul = null;
      if (!wsi.dead) beginConnect(wsi, this);
    });
    // the retry's own connect timeout starts with it; meanwhile nothing may time the wsi out
    cx.setWsiTimeout(wsi, 0, 0);
    return true;
  }

  /** the request went out: failures from here are the server's, not the network's */
  get handshaking(): boolean {
    return false;
  }

  /** before connecting: true when the role found the connection another way (a kept-alive socket) */
  beforeConnect(_wsi: Wsi): boolean {
    return false;
  }

  timeoutCause(wsi: Wsi): string {
    if (this.resolving) return lookupFailure(wsi);
    return "Unable to connect";
  }

  cancelRetry(wsi: Wsi): void {
    if (this.retrySul) wsi.context.cancel(this.retrySul);
    this.retrySul = null;
  }
}

function defaultHost(address: string, port: number): string {
  const a = IPV6ISH.test(address) && !address.startsWith("[") ? `[${address}]` : address;
  return port === 80 || port === 443 ? a : `${a}:${port}`;
}

/** the lookup asked for IPv4 and IPv6 unless the platform or the vhost has no IPv6 */
function lookupFamily(wsi: Wsi): 0 | 4 {
  return wsi.context.platform.net.ipv6 && !((wsi.vhost.info.options ?? 0) & LWS_SERVER_OPTION_DISABLE_IPV6) ? 0 : 4;
}

function lookupFailure(wsi: Wsi): string {
  return lookupFamily(wsi) === 0 ? "getaddrinfo (ipv6) failed" : "getaddrinfo (ipv4) failed";
}

/** connect (again) to where the client state says: numeric addresses at once, names after a lookup */
export function beginConnect(wsi: Wsi, cli: ClientState): void {
  const cx = wsi.context;
  const attempt = ++cli.attempt;
  cli.resolving = false;
  let addr = cli.address;
  if (addr.startsWith("[") && addr.endsWith("]")) addr = addr.slice(1, -1);
  const numeric = NUMERIC_IPV4.test(addr) || IPV6ISH.test(addr);
  const resolve = cx.platform.net.resolve;
  if (numeric) {
    cx.startClientConnect(wsi, addr, cli.port);
    return;
  }
  if (!resolve || !HOSTNAME.test(addr)) {
    cx.log("info", resolve ? `${wsi}: '${addr}' is neither an address nor a host name` : `${wsi}: the platform cannot look names up ('${addr}')`);
    cx.clientConnectFailed(wsi, lookupFailure(wsi));
    return;
  }
  cli.resolving = true;
  cx.setWsiTimeout(wsi, PENDING_TIMEOUT_AWAITING_CONNECT_RESPONSE, cx.timeoutSecs);
  resolve.call(cx.platform.net, addr, lookupFamily(wsi), (addrs, err) => {
    if (wsi.dead || attempt !== cli.attempt || !cli.resolving) return;
    cli.resolving = false;
    if (!addrs || !addrs.length) {
      cx.log("info", `${wsi}: lookup of '${addr}' failed: ${err ?? "no address"}`);
      cx.clientConnectFailed(wsi, lookupFailure(wsi));
      return;
    }
    cx.startClientConnect(wsi, addrs[0]!, cli.port);
  });
}

/** the role a client method needs; set by the HTTP client module when it is linked */
type ClientRoleFactory = (info: ClientConnectInfo, method: string | null) => { role: RoleOps; state: ClientState };
let httpClientFactory: ClientRoleFactory | null = null;

/** called once by roles/http/client.ts: HTTP and WebSocket clients become available */
export function registerHttpClient(f: ClientRoleFactory): void {
  httpClientFactory = f;
}

/**
 * Start a client connection (lws_client_connect_via_info). Returns the wsi,
 * or null when it failed at once (the bound protocol has then heard
 * CLIENT_CONNECTION_ERROR already). Bad info (no context, no address, a port
 * out of range, an unknown protocol) throws: it is a programming error.
 */
export function clientConnect(info: ClientConnectInfo): Wsi | null {
  const cx = info.context;
  if (!cx) throw new Error("lwsx clientConnect: info.context is required");
  if (typeof info.address !== "string" || !info.address) throw new Error("lwsx clientConnect: info.address is required");
  if (!Number.isInteger(info.port) || info.port <= 0 || info.port > 65535) throw new Error(`lwsx clientConnect: port ${info.port} is not a TCP port`);
  if (info.method !== undefined && !/^[A-Z]+$/.test(info.method)) throw new Error(`lwsx clientConnect: method ${JSON.stringify(info.method)} is not an HTTP method (upper case), nor "RAW"`);
  if (info.path !== undefined && /[\s\x00-\x1f\x7f]/.test(info.path)) throw new Error(`lwsx clientConnect: path ${JSON.stringify(info.path)} has spaces or control characters`);
  for (const [k, v] of [["host", info.host], ["origin", info.origin], ["protocol", info.protocol]] as const)
    if (v !== undefined && /[\r\n\x00]/.test(v)) throw new Error(`lwsx clientConnect: ${k} has CR, LF or NUL`);
  const vh = info.vhost ?? cx.vhosts[0];
  if (!vh) throw new Error("lwsx clientConnect: the context has no vhost (create one with protocols first)");
  const method = info.method ?? null;
  let role: RoleOps;
  let cli: ClientState;
  if (method === "RAW") {
    role = rawSktRole;
    cli = new ClientState(info, "RAW");
  } else {
    if (!httpClientFactory) throw new Error("lwsx clientConnect: HTTP and WebSocket clients need roles/http/client.js linked (import it, or use the package index)");
    const made = httpClientFactory(info, method);
    role = made.role;
    cli = made.state;
  }
  const p = localProtocol(vh, info);
  const wsi = cx.newClientWsi(vh, role, p, info.parentWsi ?? null, info.opaqueUserData ?? null, info.userdata);
  if (!wsi) return null;
  wsi.rs = cli;
  cli.wsi = wsi;
  if (info.pwsi) info.pwsi.wsi = wsi;
  if (cli.flags & LCCSCF_USE_SSL) {
    cx.log("err", `${wsi}: TLS (LCCSCF_USE_SSL) is not in this build yet`);
    cx.clientConnectFailed(wsi, "lws_ssl_client_connect1 failed");
    return fail(info);
  }
  if (info.address[0] === "+") {
    // lws' unix domain socket form: no platform here has them
    cx.clientConnectFailed(wsi, "unknown address family");
    return fail(info);
  }
  if (!cli.beforeConnect(wsi)) beginConnect(wsi, cli);
  if (wsi.dead) return fail(info);
  return wsi;
}

function fail(info: ClientConnectInfo): null {
  if (info.pwsi) info.pwsi.wsi = null;
  return null;
}

/** lws: local_protocol_name, else the first name of `protocol`, else protocols[0] */
function localProtocol(vh: Vhost, info: ClientConnectInfo): Protocol {
  const name = info.localProtocolName ?? (info.method === "RAW" ? info.protocol : info.protocol?.split(",")[0]?.trim());
  if (info.localProtocolName !== undefined || info.method === "RAW") {
    if (!name) return vh.protocols[0]!;
    const p = vh.protocolByName(name);
    if (!p) throw new Error(`lwsx clientConnect: vhost '${vh.name}' has no protocol '${name}'`);
    return p;
  }
  return (name && vh.protocolByName(name)) || vh.protocols[0]!;
}
