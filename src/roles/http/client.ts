// HTTP/1.1 client role (lws' h1 client), which also carries a WebSocket
// client's opening handshake.
//
// Connected -> the request (CLIENT_APPEND_HANDSHAKE_HEADER lets the user add
// headers; with clientHttpBodyPending() the body follows through
// CLIENT_HTTP_WRITEABLE) -> the response head, checked in lws' order:
// interim 1xx skipped, redirects followed (CLIENT_HTTP_REDIRECT), then for
// HTTP FILTER_PRE_ESTABLISH and ESTABLISHED_CLIENT_HTTP; for WebSocket the
// upgrade checks of roles/ws/client.ts, FILTER_PRE_ESTABLISH, then the ws role
// and CLIENT_ESTABLISHED. Body bytes are announced with RECEIVE_CLIENT_HTTP;
// httpClientRead() turns them into RECEIVE_CLIENT_HTTP_READ (de-chunked).
// Bytes the user has not read yet hold reception off, so a slow consumer
// (a proxy) stalls the server instead of filling memory.
//
// With LCCSCF_PIPELINE the connection is kept alive: the next transaction to
// the same host and port takes it over (a connect made while it is busy
// waits for it), or it waits idle keepWarmSecs for one.

import * as R from "../../core/reasons.js";
import {
  LCCSCF_HTTP_NO_FOLLOW_REDIRECT,
  LCCSCF_PIPELINE,
  LWS_CLOSE_STATUS_NOSTATUS,
  LWS_WRITE_HTTP,
  LWS_WRITE_HTTP_FINAL,
  LWS_WRITE_HTTP_HEADERS,
  LWS_WRITE_HTTP_HEADERS_CONTINUATION,
  PENDING_TIMEOUT_AWAITING_SERVER_RESPONSE,
  PENDING_TIMEOUT_CLIENT_CONN_IDLE,
  POLLIN,
} from "../../core/constants.js";
import { registerWriter } from "../../core/api.js";
import { CLOSE, DIED, HANDLED, type RoleOps, type ServiceResult } from "../../core/role.js";
import type { HeaderAppender } from "../../core/types.js";
import type { Wsi } from "../../core/wsi.js";
import type { Context, Vhost } from "../../core/context.js";
import { beginConnect, ClientState, registerHttpClient, type ClientConnectInfo } from "../../client.js";
import { writeChunk, writeLastChunk } from "./response.js";
import { DEVICE_HTTP_LIMITS, ResponseParser, type HttpHeader, type ResponseEvents, type ResponseHead } from "./parser.js";
import { checkWsUpgrade, wsRequestLines, type WsOffer } from "../ws/client.js";
import { becomeWsClient } from "../ws/server.js";

/** interim (1xx) answers skipped before the final one, at most */
const MAX_INTERIM = 8;

/** per-connection state of an HTTP (or WebSocket-handshaking) client: wsi.rs */
export class HttpClientState extends ClientState implements ResponseEvents {
  parser: ResponseParser | null = null;
  /** the final response's head, once in */
  head: ResponseHead | null = null;
  requestSent = false;
  /** the user sends a body (clientHttpBodyPending) */
  bodyPending = false;
  /** the body goes chunk-framed (no Content-Length was given) */
  uploadChunked = false;
  uploadDone = false;
  /** raw bytes read but not yet given to the parser (the user reads them with httpClientRead) */
  rx: Uint8Array | null = null;
  /** reception is held off until rx is read */
  rxHeld = false;
  /** inside RECEIVE_CLIENT_HTTP: completion is handled when it returns */
  delivering = false;
  complete = false;
  readFailed = false;
  interim = 0;
  ws: WsOffer | null = null;
  /** the user asked for WRITEABLE before the connection was established */
  writableWanted = false;
  /** the head was given to onHead (the parser paused right after it) */
  headIn = false;

  /** a request goes out (again): nothing of an earlier response is kept */
  freshResponse(): void {
    this.parser = null;
    this.head = null;
    this.headIn = false;
    this.complete = false;
    this.rx = null;
    this.rxHeld = false;
    this.interim = 0;
  }

  override get handshaking(): boolean {
    return this.requestSent;
  }

  /** the socket is up: send the request */
  connected(wsi: Wsi): boolean {
    return sendRequest(wsi, this);
  }

  /** LCCSCF_PIPELINE: a kept-alive socket to reuse, or a busy one to queue behind, instead of a connect */
  override beforeConnect(wsi: Wsi): boolean {
    return this.method !== null && !!(this.flags & LCCSCF_PIPELINE) && pipelineStart(wsi, this);
  }

  override timeoutCause(wsi: Wsi): string {
    return this.requestSent ? "Timed out waiting server reply" : super.timeoutCause(wsi);
  }

  // ResponseEvents
  onHead(head: ResponseHead): void {
    this.head = head;
    this.headIn = true;
    this.parser!.pause();
  }
  onBody(data: Uint8Array): void {
    if (this.readFailed) return;
    const wsi = this.wsi;
    if (wsi.context.callWsi(wsi, R.LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ, data, data.length)) {
      this.readFailed = true;
      this.parser!.pause();
    }
  }
  onComplete(): void {
    this.complete = true;
  }
}

function cstate(wsi: Wsi): HttpClientState | null {
  const c = wsi.rs;
  return c instanceof HttpClientState ? c : null;
}

function limits(wsi: Wsi) {
  const l = (wsi.vhost.info as { httpLimits?: Partial<typeof DEVICE_HTTP_LIMITS> }).httpLimits;
  // the body is streamed to the user, never held: no size limit on it
  return { ...DEVICE_HTTP_LIMITS, ...(l ?? {}), maxBodyBytes: Number.MAX_SAFE_INTEGER };
}

// ------------------------------------------------------------------ request

class Appender implements HeaderAppender {
  text = "";
  private left: number;
  constructor(space: number) {
    this.left = space;
  }
  get remaining(): number {
    return this.left;
  }
  add(name: string, value: string): boolean {
    const n = name.endsWith(":") ? name.slice(0, -1) : name;
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(n) || /[\r\n\0]/.test(value)) return false;
    const line = `${n}: ${value}\r\n`;
    if (line.length > this.left) return false;
    this.text += line;
    this.left -= line.length;
    return true;
  }
}

/** the socket is up: send the request */
function sendRequest(wsi: Wsi, cs: HttpClientState): boolean {
  const cx = wsi.context;
  cs.freshResponse();
  let req = `${cs.method ?? "GET"} ${cs.path} HTTP/1.1\r\nPragma: no-cache\r\nCache-Control: no-cache\r\nHost: ${cs.host}\r\n`;
  if (cs.origin) req += `Origin: ${cs.origin.includes("://") ? cs.origin : "http://" + cs.origin}\r\n`;
  if (cs.method === null) {
    const w = wsRequestLines(wsi, cs.protocols);
    req += w.lines;
    cs.ws = w.offer;
  } else if (!(cs.flags & LCCSCF_PIPELINE)) req += "connection: close\r\n";
  const app = new Appender(Math.max(0, cx.ptServBufSize - req.length - 64));
  // lws gives user = NULL here
  if (wsi.protocol && cx.call(wsi, wsi.protocol, R.LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER, null, app, app.remaining)) {
    cx.clientConnectFailed(wsi, "closed before established");
    return false;
  }
  if (wsi.dead) return false;
  req += app.text;
  cs.uploadChunked = false;
  cs.uploadDone = !cs.bodyPending;
  if (cs.bodyPending && !/^(content-length|transfer-encoding):/im.test(app.text)) {
    req += "transfer-encoding: chunked\r\n";
    cs.uploadChunked = true;
  }
  req += "\r\n";
  if (cx.writeRaw(wsi, cx.utf8(req)) < 0) return false;
  cs.requestSent = true;
  if (cs.bodyPending) cx.callbackOnWritable(wsi);
  else awaitResponse(wsi);
  return true;
}

function awaitResponse(wsi: Wsi): void {
  wsi.context.setWsiTimeout(wsi, PENDING_TIMEOUT_AWAITING_SERVER_RESPONSE, wsi.context.timeoutSecs);
}

/**
 * lws_client_http_body_pending: from CLIENT_APPEND_HANDSHAKE_HEADER, 1 says
 * a body follows (sent from CLIENT_HTTP_WRITEABLE); 0, once it is all
 * written, ends it (LWS_WRITE_HTTP_FINAL does too).
 */
export function clientHttpBodyPending(wsi: Wsi, pending: boolean | number): void {
  const cs = cstate(wsi);
  if (!cs) return;
  const was = cs.bodyPending;
  cs.bodyPending = !!pending;
  if (was && !pending && cs.requestSent) endUpload(wsi, cs);
}

function endUpload(wsi: Wsi, cs: HttpClientState): void {
  if (cs.uploadDone) return;
  cs.uploadDone = true;
  cs.bodyPending = false;
  if (cs.uploadChunked) writeLastChunk(wsi);
  awaitResponse(wsi);
}

/** write() for HTTP clients: the request body (chunk-framed when it has no length) */
function writeHttpClient(wsi: Wsi, data: Uint8Array, protocol: number): number {
  const cs = cstate(wsi);
  const cx = wsi.context;
  const wp = protocol & 0x1f;
  if (!cs || !cs.requestSent || wp === LWS_WRITE_HTTP_HEADERS || wp === LWS_WRITE_HTTP_HEADERS_CONTINUATION || (wp !== LWS_WRITE_HTTP && wp !== LWS_WRITE_HTTP_FINAL)) return cx.writeRaw(wsi, data);
  if (cs.uploadDone) {
    cx.log("err", `${wsi}: request body written after it ended (LWS_WRITE_HTTP_FINAL or clientHttpBodyPending(wsi, 0))`);
    return -1;
  }
  const n = data.length;
  if (cs.uploadChunked) {
    if (writeChunk(wsi, data) < 0) return -1;
  } else if (n && cx.writeRaw(wsi, data) < 0) return -1;
  if (wp === LWS_WRITE_HTTP_FINAL) endUpload(wsi, cs);
  return n;
}

// ----------------------------------------------------------------- response

function fail(wsi: Wsi, cce: string): ServiceResult {
  wsi.context.clientConnectFailed(wsi, cce);
  return DIED;
}

function handlePollin(wsi: Wsi): ServiceResult {
  const cs = cstate(wsi);
  if (!cs) return CLOSE;
  const cx = wsi.context;
  if (cs.rx) {
    // the user has not read what came before: hold reception off until it does
    holdRx(wsi, cs);
    return HANDLED;
  }
  const buf = cx.read(wsi);
  if (buf === null) return HANDLED;
  if (!buf.length) return onEof(wsi, cs);
  return handleData(wsi, buf);
}

function holdRx(wsi: Wsi, cs: HttpClientState): void {
  if (cs.rxHeld) return;
  cs.rxHeld = true;
  wsi.context.changePollfd(wsi, POLLIN, 0);
}

function releaseRx(wsi: Wsi, cs: HttpClientState): void {
  if (!cs.rxHeld || wsi.dead) return;
  cs.rxHeld = false;
  if (!wsi.rxflowBits) wsi.context.changePollfd(wsi, 0, POLLIN);
}

function onEof(wsi: Wsi, cs: HttpClientState): ServiceResult {
  const cx = wsi.context;
  if (!cs.established) return fail(wsi, cs.requestSent ? "Peer hung up" : "closed before established");
  // the body was read to its end by an httpClientRead() from outside RECEIVE_CLIENT_HTTP
  // (its completion is posted) and the server hung up meanwhile: it is complete, not cut short
  if (cs.complete) return finishTransaction(wsi, cs);
  // a body that runs to the end of the stream ends here; any other is cut short
  if (cs.parser && cs.parser.finish() === 0 && cs.complete) return finishTransaction(wsi, cs);
  wsi.closeCause = "peer closed";
  cx.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "peer closed", false);
  return DIED;
}

function handleData(wsi: Wsi, buf: Uint8Array): ServiceResult {
  const cs = cstate(wsi);
  if (!cs) return CLOSE;
  if (!cs.requestSent) return fail(wsi, "HS: data before the request");
  if (!cs.established) return handleHead(wsi, cs, buf);
  if (cs.complete) return HANDLED; // bytes after the response: dropped (the connection will not be reused)
  cs.rx = buf;
  return deliver(wsi, cs);
}

/** bytes of the response head (and maybe more after it) */
function handleHead(wsi: Wsi, cs: HttpClientState, buf: Uint8Array): ServiceResult {
  const parser = (cs.parser ??= new ResponseParser(limits(wsi), cs, { isHeadRequest: cs.method === "HEAD" }));
  let off = 0;
  while (off < buf.length || cs.headIn) {
    if (!cs.headIn) {
      const wasIdle = parser.state === "idle" || parser.state === "head";
      const n = parser.execute(buf.subarray(off));
      if (n < 0) {
        const e = parser.error!;
        wsi.context.log("info", `${wsi}: bad response: ${e.reason}`);
        return fail(wsi, wasIdle && /status|version/i.test(e.reason) ? "HS: URI missing" : "problems parsing header");
      }
      off += n;
      if (!cs.headIn) return HANDLED; // more of the head to come
    }
    cs.headIn = false;
    const head = cs.head!;
    if (head.status >= 100 && head.status < 200 && head.status !== 101) {
      // an interim answer (100 Continue, 103 Early Hints): wait for the final one
      if (++cs.interim > MAX_INTERIM) return fail(wsi, "HS: too many interim responses");
      cs.head = null;
      parser.reset();
      awaitResponse(wsi);
      continue;
    }
    return processHead(wsi, cs, head, buf.subarray(off));
  }
  return HANDLED;
}

const REDIRECTS = [301, 302, 303, 307, 308];

function processHead(wsi: Wsi, cs: HttpClientState, head: ResponseHead, rest: Uint8Array): ServiceResult {
  const cx = wsi.context;
  if (!(cs.flags & LCCSCF_HTTP_NO_FOLLOW_REDIRECT) && REDIRECTS.includes(head.status)) return redirect(wsi, cs, head);

  if (cs.method === null) {
    // WebSocket: lws first lets the protocol see the answer as HTTP
    if (cx.callWsi(wsi, R.LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP, null, 0)) return fail(wsi, "HS: disallowed by client filter");
    if (wsi.dead) return DIED;
    const r = checkWsUpgrade(wsi, head.status, head.headers, cs.ws!);
    if (!r.ok) return fail(wsi, r.cce);
    if (r.protocol !== wsi.protocol) {
      if (cx.bindProtocol(wsi, r.protocol, "ws subprotocol")) return fail(wsi, "HS: Cannot match protocol");
    }
    if (cx.callWsi(wsi, R.LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH, null, 0)) return fail(wsi, "HS: Rejected by filter cb");
    if (wsi.dead) return DIED;
    cx.setWsiTimeout(wsi, 0, 0);
    cs.established = true;
    const wantWritable = cs.writableWanted;
    becomeWsClient(wsi, r.pmd, cs.retryPolicy);
    if (cx.callWsi(wsi, R.LWS_CALLBACK_CLIENT_ESTABLISHED, null, 0)) {
      // lws: "HS: Rejected at CLIENT_ESTABLISHED" goes to CLIENT_CONNECTION_ERROR, no CLIENT_CLOSED
      wsi.rs = cs;
      cs.established = false;
      return fail(wsi, "HS: Rejected at CLIENT_ESTABLISHED");
    }
    if (wsi.dead) return DIED;
    if (wantWritable) cx.callbackOnWritable(wsi);
    // frames the server sent right behind its 101
    if (rest.length) return wsi.role!.handleData!(wsi, rest);
    return HANDLED;
  }

  if (cs.requireOk && !((head.status >= 200 && head.status < 300) || head.status === 304)) return fail(wsi, "HS: Server did not return 200");
  if (cx.callWsi(wsi, R.LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH, null, 0)) return fail(wsi, "HS: disallowed by client filter");
  if (wsi.dead) return DIED;
  cx.setWsiTimeout(wsi, 0, 0);
  cs.established = true;
  if (cx.callWsi(wsi, R.LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP, null, 0)) {
    cs.established = false;
    return fail(wsi, "HS: disallowed at ESTABLISHED");
  }
  if (wsi.dead) return DIED;
  if (cs.writableWanted && !cs.bodyPending) {
    cs.writableWanted = false;
    cx.callbackOnWritable(wsi);
  }
  // a response without body (204, 304, HEAD, Content-Length: 0) completes now;
  // the parser reports that on its next run, given no bytes
  if (cs.parser!.state === "body" || cs.parser!.state === "complete") cs.parser!.execute(new Uint8Array(0));
  if (cs.complete) return finishTransaction(wsi, cs);
  if (!rest.length) return HANDLED;
  cs.rx = rest;
  return deliver(wsi, cs);
}

/** RECEIVE_CLIENT_HTTP: bytes are there; the user reads them (httpClientRead) now or later */
function deliver(wsi: Wsi, cs: HttpClientState): ServiceResult {
  const cx = wsi.context;
  cs.delivering = true;
  const r = cx.callWsi(wsi, R.LWS_CALLBACK_RECEIVE_CLIENT_HTTP, null, 0);
  cs.delivering = false;
  if (wsi.dead) return DIED;
  if (r || cs.readFailed) return CLOSE;
  if (cs.rx) {
    // not read: keep a copy (the platform's buffer is only lent) and stop reading
    cs.rx = cs.rx.slice();
    holdRx(wsi, cs);
  }
  if (cs.complete) return finishTransaction(wsi, cs);
  return HANDLED;
}

/**
 * lws_http_client_read: give the body bytes received so far to the protocol
 * as RECEIVE_CLIENT_HTTP_READ (de-chunked). Returns 0, or -1 when the
 * connection is unusable (the callback returned nonzero, the body is bad).
 */
export function httpClientRead(wsi: Wsi): number {
  const cs = cstate(wsi);
  if (!cs || wsi.dead || !cs.established || !cs.parser) return -1;
  const data = cs.rx;
  cs.rx = null;
  if (data && !cs.complete) {
    let off = 0;
    while (off < data.length && !cs.complete && !cs.readFailed) {
      const n = cs.parser.execute(data.subarray(off));
      if (n < 0) {
        wsi.context.log("info", `${wsi}: bad response body: ${cs.parser.error!.reason}`);
        cs.readFailed = true;
        break;
      }
      if (n === 0 && !cs.complete) break;
      off += n;
    }
  }
  if (cs.readFailed) {
    if (!cs.delivering) closeLater(wsi);
    return -1;
  }
  releaseRx(wsi, cs);
  if (cs.complete && !cs.delivering) {
    // read from outside RECEIVE_CLIENT_HTTP (a proxy draining from another connection's WRITEABLE)
    wsi.context.platform.post(() => {
      if (!wsi.dead && cstate(wsi) === cs && cs.complete) finishTransaction(wsi, cs);
    });
  }
  return 0;
}

function closeLater(wsi: Wsi): void {
  wsi.context.platform.post(() => {
    if (!wsi.dead) wsi.context.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "client read failed", false);
  });
}

/** lws_http_client_http_response: the final response's status (0 before it is in) */
export function httpClientHttpResponse(wsi: Wsi): number {
  return cstate(wsi)?.head?.status ?? 0;
}

/** the response's headers for hdrCopy() and friends on a client connection */
export function clientResponseHeaders(wsi: Wsi): HttpHeader[] | null {
  return cstate(wsi)?.head?.headers ?? null;
}

/** COMPLETED_CLIENT_HTTP, then the connection closes or goes on to the next transaction */
function finishTransaction(wsi: Wsi, cs: HttpClientState): ServiceResult {
  const cx = wsi.context;
  if (wsi.dead) return DIED;
  cs.complete = false;
  const head = cs.head;
  if (cx.callWsi(wsi, R.LWS_CALLBACK_COMPLETED_CLIENT_HTTP, null, 0) || wsi.dead) {
    if (!wsi.dead) cx.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "completed", false);
    return DIED;
  }
  const reusable = !!head && head.keepAlive && !!(cs.flags & LCCSCF_PIPELINE) && !cs.rx && cs.uploadDone && !wsi.buffered;
  if (reusable) keepAlive(wsi, cs);
  else cx.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "transaction completed");
  return DIED;
}

// ------------------------------------------------------------- redirects

function redirect(wsi: Wsi, cs: HttpClientState, head: ResponseHead): ServiceResult {
  const cx = wsi.context;
  let loc: string | null = null;
  for (const h of head.headers) if (h.lower === "location") loc = h.value.trim();
  if (!loc) return fail(wsi, "HS: Redirect code but no Location");
  if (cx.callWsi(wsi, R.LWS_CALLBACK_CLIENT_HTTP_REDIRECT, loc, head.status)) return fail(wsi, "HS: user code rejected redirect");
  if (wsi.dead) return DIED;
  let address = cs.address, port = cs.port, path: string, host = cs.host;
  if (loc.startsWith("/") && !loc.startsWith("//")) path = loc;
  else if (/^[a-z][a-z0-9+.-]*:/i.test(loc)) {
    const u = parseAbsolute(loc);
    if (!u) return fail(wsi, "HS: URI did not parse");
    if (u.tls) {
      cx.log("err", `${wsi}: redirect to ${loc} needs TLS, not in this build yet`);
      return fail(wsi, "HS: Redirect failed");
    }
    address = u.host;
    port = u.port;
    path = u.path;
    host = u.hostHeader;
  } else {
    // relative to the current path's directory (lws leaves dot segments to the server)
    path = cs.path.slice(0, cs.path.lastIndexOf("/") + 1) + loc;
  }
  if (/[\s\x00-\x1f\x7f]/.test(path)) return fail(wsi, "HS: URI did not parse");
  if (cs.redirects >= cs.maxRedirects) {
    cx.log("err", `${wsi}: too many redirects (${cs.maxRedirects})`);
    return fail(wsi, "HS: Redirect failed");
  }
  cs.redirects++;
  // only 307 and 308 keep the method (and its body)
  if (head.status !== 307 && head.status !== 308 && cs.method !== null && cs.method !== "GET" && cs.method !== "HEAD") {
    cs.method = "GET";
    cs.bodyPending = false;
  }
  cx.log("info", `${wsi}: ${head.status} redirect to ${address}:${port}${path}`);
  // the connection leaves its place: what queued behind it goes on by itself
  releasePlace(wsi, cs);
  cs.address = address;
  cs.port = port;
  cs.path = path;
  cs.host = host;
  cs.requestSent = false;
  cs.established = false;
  cs.freshResponse();
  cs.retries.n = 0;
  cx.setWsiTimeout(wsi, 0, 0);
  cx.dropClientSocket(wsi);
  beginConnect(wsi, cs);
  return wsi.dead ? DIED : HANDLED;
}

/** scheme://host[:port][/path] for a redirect; null when it does not parse */
export function parseAbsolute(url: string): { tls: boolean; host: string; port: number; path: string; hostHeader: string } | null {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(\[[0-9a-f:.]+\]|[^/?#:@\[\]\s]+)(?::(\d{1,5}))?([/?][^\s#]*)?(#.*)?$/i.exec(url);
  if (!m) return null;
  const scheme = m[1]!.toLowerCase();
  const tls = scheme === "https" || scheme === "wss";
  if (!tls && scheme !== "http" && scheme !== "ws") return null;
  const port = m[3] ? Number(m[3]) : tls ? 443 : 80;
  if (port < 1 || port > 65535) return null;
  let path = m[4] ?? "/";
  if (path[0] === "?") path = "/" + path;
  const host = m[2]!;
  return { tls, host: host.startsWith("[") ? host.slice(1, -1) : host, port, path, hostHeader: m[3] && port !== (tls ? 443 : 80) ? `${host}:${port}` : host };
}

// --------------------------------------------------- keep-alive (pipeline)

interface IdleConn {
  key: string;
  fd: number;
  wsi: Wsi;
}

/** per context: connections kept alive, busy ones with their queue */
interface ClientPool {
  idle: IdleConn[];
  /** host:port -> wsis waiting for the busy connection to that place */
  queued: Map<string, Wsi[]>;
  busy: Map<string, Wsi>;
}

function pool(cx: Context): ClientPool {
  const slot = cx.roleData as { h1ClientPool?: ClientPool };
  return (slot.h1ClientPool ??= { idle: [], queued: new Map(), busy: new Map() });
}

function placeKey(wsi: Wsi, cs: ClientState): string {
  return `${wsi.vhost.name}|${cs.address}|${cs.port}`;
}

/** the socket goes on: to the next queued transaction, else it idles for a while */
function keepAlive(wsi: Wsi, cs: HttpClientState): void {
  const cx = wsi.context;
  const pl = pool(cx);
  const key = placeKey(wsi, cs);
  if (pl.busy.get(key) === wsi) pl.busy.delete(key);
  const fd = cx.detachFd(wsi);
  cx.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "transaction completed, kept alive");
  const q = pl.queued.get(key);
  const next = q?.shift();
  if (q && !q.length) pl.queued.delete(key);
  if (next && !next.dead) {
    takeOver(next, fd);
    return;
  }
  parkIdle(cx, wsi.vhost, key, fd, cs.keepWarmSecs);
}

/** an idle kept-alive socket: any byte or the end from the server ends it; so does keepWarmSecs */
const idleRole: RoleOps = {
  name: "h1-client-idle",
  writeableCb: [R.LWS_CALLBACK_CLIENT_HTTP_WRITEABLE, R.LWS_CALLBACK_CLIENT_HTTP_WRITEABLE],
  closeCb: [R.LWS_CALLBACK_CLOSED_CLIENT_HTTP, R.LWS_CALLBACK_CLOSED_CLIENT_HTTP],
  bindCb: [R.LWS_CALLBACK_CLIENT_HTTP_BIND_PROTOCOL, R.LWS_CALLBACK_CLIENT_HTTP_BIND_PROTOCOL],
  unbindCb: [R.LWS_CALLBACK_CLIENT_HTTP_DROP_PROTOCOL, R.LWS_CALLBACK_CLIENT_HTTP_DROP_PROTOCOL],
  handlePollin(wsi: Wsi): ServiceResult {
    wsi.context.read(wsi);
    return CLOSE;
  },
  onClose(wsi: Wsi) {
    const pl = pool(wsi.context);
    const i = pl.idle.findIndex((c) => c.wsi === wsi);
    if (i >= 0) pl.idle.splice(i, 1);
  },
};

function parkIdle(cx: Context, vh: Vhost, key: string, fd: number, secs: number): void {
  const w = cx.newInternalWsi(vh, idleRole);
  if (!cx.attachFd(w, fd)) {
    cx.closeWsi(w, LWS_CLOSE_STATUS_NOSTATUS, "idle park failed", false);
    return;
  }
  pool(cx).idle.push({ key, fd, wsi: w });
  cx.setWsiTimeout(w, PENDING_TIMEOUT_CLIENT_CONN_IDLE, secs > 0 ? secs : 5);
}

/** a queued or new transaction takes a connected socket over */
function takeOver(wsi: Wsi, fd: number): void {
  const cx = wsi.context;
  const cs = cstate(wsi)!;
  cx.setWsiTimeout(wsi, 0, 0);
  pool(cx).busy.set(placeKey(wsi, cs), wsi);
  if (!cx.attachFd(wsi, fd)) {
    cx.clientConnectFailed(wsi, "insert wsi failed");
    return;
  }
  sendRequest(wsi, cs);
}

/**
 * LCCSCF_PIPELINE at connect: an idle kept-alive socket to the same place is
 * taken at once; a busy one is queued behind. True when the connection is
 * handled that way (no connect of its own).
 */
function pipelineStart(wsi: Wsi, cs: HttpClientState): boolean {
  const cx = wsi.context;
  const pl = pool(cx);
  const key = placeKey(wsi, cs);
  const i = pl.idle.findIndex((c) => c.key === key);
  if (i >= 0) {
    const idle = pl.idle.splice(i, 1)[0]!;
    const fd = cx.detachFd(idle.wsi);
    cx.closeWsi(idle.wsi, LWS_CLOSE_STATUS_NOSTATUS, "reused", false);
    // busy from now, not from the posted takeOver: a connect made before that queues behind this one
    pl.busy.set(key, wsi);
    cx.platform.post(() => {
      if (wsi.dead) {
        cx.platform.net.close(fd);
        return;
      }
      takeOver(wsi, fd);
    });
    return true;
  }
  const busy = pl.busy.get(key);
  if (busy && !busy.dead) {
    const q = pl.queued.get(key) ?? [];
    q.push(wsi);
    pl.queued.set(key, q);
    return true;
  }
  pl.busy.set(key, wsi);
  return false;
}

/** a connection that will not be reused: its queue connects on its own */
function releasePlace(wsi: Wsi, cs: HttpClientState): void {
  if (!(cs.flags & LCCSCF_PIPELINE)) return;
  const pl = pool(wsi.context);
  const key = placeKey(wsi, cs);
  const q = pl.queued.get(key);
  const qi = q ? q.indexOf(wsi) : -1;
  if (qi >= 0) q!.splice(qi, 1);
  if (pl.busy.get(key) !== wsi) return;
  pl.busy.delete(key);
  if (!q || !q.length) return;
  pl.queued.delete(key);
  // the first waiting starts its own connection; the others queue behind it
  const [first, ...rest] = q.filter((w) => !w.dead);
  if (!first) return;
  pl.busy.set(key, first);
  if (rest.length) pl.queued.set(key, rest);
  wsi.context.platform.post(() => {
    if (!first.dead) beginConnect(first, cstate(first)!);
  });
}

// -------------------------------------------------------------------- role

function handleWriteable(wsi: Wsi): ServiceResult {
  const cs = cstate(wsi);
  if (!cs) return HANDLED;
  if (!cs.established && !(cs.requestSent && cs.bodyPending)) {
    // WRITEABLE was asked before there is anything to write to: given once established
    cs.writableWanted = true;
    return HANDLED;
  }
  const reason = cs.method === null ? R.LWS_CALLBACK_CLIENT_WRITEABLE : R.LWS_CALLBACK_CLIENT_HTTP_WRITEABLE;
  return wsi.context.callWsi(wsi, reason, null, 0) ? CLOSE : HANDLED;
}

function onClose(wsi: Wsi): void {
  const cs = cstate(wsi);
  if (!cs) return;
  cs.cancelRetry(wsi);
  releasePlace(wsi, cs);
}

function makeRole(name: string, ws: boolean): RoleOps {
  return {
    name,
    writeableCb: ws ? [R.LWS_CALLBACK_CLIENT_WRITEABLE, R.LWS_CALLBACK_CLIENT_WRITEABLE] : [R.LWS_CALLBACK_CLIENT_HTTP_WRITEABLE, R.LWS_CALLBACK_CLIENT_HTTP_WRITEABLE],
    closeCb: ws ? [R.LWS_CALLBACK_CLIENT_CLOSED, R.LWS_CALLBACK_CLIENT_CLOSED] : [R.LWS_CALLBACK_CLOSED_CLIENT_HTTP, R.LWS_CALLBACK_CLOSED_CLIENT_HTTP],
    bindCb: ws ? [R.LWS_CALLBACK_WS_CLIENT_BIND_PROTOCOL, R.LWS_CALLBACK_WS_CLIENT_BIND_PROTOCOL] : [R.LWS_CALLBACK_CLIENT_HTTP_BIND_PROTOCOL, R.LWS_CALLBACK_CLIENT_HTTP_BIND_PROTOCOL],
    unbindCb: ws ? [R.LWS_CALLBACK_WS_CLIENT_DROP_PROTOCOL, R.LWS_CALLBACK_WS_CLIENT_DROP_PROTOCOL] : [R.LWS_CALLBACK_CLIENT_HTTP_DROP_PROTOCOL, R.LWS_CALLBACK_CLIENT_HTTP_DROP_PROTOCOL],
    handlePollin,
    handleData,
    handleWriteable,
    onClose,
  };
}

/** HTTP client connections */
export const h1ClientRole: RoleOps = makeRole("h1-client", false);
/** WebSocket client connections until the upgrade (then the ws role) */
export const wsClientHandshakeRole: RoleOps = makeRole("ws-client-hs", true);

registerWriter(h1ClientRole, writeHttpClient);

registerHttpClient((info: ClientConnectInfo, method: string | null) => {
  const state = new HttpClientState(info, method);
  return { role: method === null ? wsClientHandshakeRole : h1ClientRole, state };
});

