// The HTTP/1.1 server role (lws role h1): requests parsed strictly and
// incrementally, each dispatched to a mount or to the bound protocol with
// lws' reasons, keep-alive and pipelining answered in order, timeouts so a
// slow client cannot hold a connection, and limits per vhost.
//
// Per request: FILTER_HTTP_CONNECTION (in = URI) -> mount: redirect | file |
// callback:// (HTTP_BIND_PROTOCOL, CHECK_ACCESS_RIGHTS, HTTP_PMO) -> HTTP
// (in = URI) -> HTTP_BODY... -> HTTP_BODY_COMPLETION; the answer is written
// from HTTP or HTTP_WRITEABLE and ends with httpTransactionCompleted().

import * as R from "../../core/reasons.js";
import {
  LWS_CLOSE_STATUS_NOSTATUS,
  LWS_RXFLOW_REASON_APPLIES_DISABLE,
  LWS_RXFLOW_REASON_APPLIES_ENABLE,
  LWS_RXFLOW_REASON_HTTP_RXBUFFER,
  LWS_SERVER_OPTION_FALLBACK_TO_RAW,
  LWS_WRITE_HTTP_FINAL,
  PENDING_TIMEOUT_HTTP_CONTENT,
  PENDING_TIMEOUT_HTTP_KEEPALIVE_IDLE,
  PENDING_TIMEOUT_HOLDING_AH,
} from "../../core/constants.js";
import { registerWriter } from "../../core/api.js";
import { CLOSE, DIED, HANDLED, type RoleOps, type ServiceResult } from "../../core/role.js";
import type { Vhost } from "../../core/context.js";
import type { AccessRightsArgs } from "../../core/types.js";
import { WsiState, type Wsi } from "../../core/wsi.js";
import { base64Decode } from "../../core/base64.js";
import { rawSktRole } from "../raw/raw-skt.js";
import { HttpConn, httpConn } from "./conn.js";
import { abortFile, sendFilePiece, serveFile } from "./files.js";
import { findMount, LWSMPRO_CALLBACK, LWSMPRO_FILE, LWSMPRO_NO_MOUNT, LWSMPRO_REDIR_HTTP, LWSMPRO_REDIR_HTTPS, validateMounts, type HttpMount } from "./mounts.js";
import { DEVICE_HTTP_LIMITS, RequestParser, type HttpHeadDecoder, type HttpLimits, type RequestEvents, type RequestHead } from "./parser.js";
import {
  addHttpHeaderByName,
  addHttpHeaderContentLength,
  addHttpHeaderStatus,
  answerStatus,
  finalizeWriteHttpHeader,
  headerCursor,
  httpRedirect,
  httpTransactionCompleted,
  setTransactionCompletedHook,
  writeHttp,
} from "./response.js";
import { upgradeToWs } from "../ws/server.js";
import {
  HTTP_STATUS_BAD_REQUEST,
  HTTP_STATUS_METHOD_NOT_ALLOWED,
  HTTP_STATUS_MOVED_PERMANENTLY,
  HTTP_STATUS_REQ_ENTITY_TOO_LARGE,
  HTTP_STATUS_SERVICE_UNAVAILABLE,
  HTTP_STATUS_UNAUTHORIZED,
  statusReason,
} from "./status.js";
import { parseTargetInto } from "./url.js";

/** HTTP settings of a vhost (VhostCreationInfo fields the HTTP role reads) */
export interface HttpVhostInfo {
  mounts?: HttpMount[];
  /** request limits; DEVICE_HTTP_LIMITS (small, for an ESP32) where not given */
  httpLimits?: Partial<HttpLimits>;
  /** seconds an idle keep-alive connection is kept (lws keepalive_timeout); 5 */
  keepaliveTimeout?: number;
  /** seconds a client has to send a whole request head; 10 */
  headerTimeout?: number;
  /** seconds a request body may stall between pieces; the context's timeoutSecs */
  bodyTimeout?: number;
  /** headers added to every response (security headers and the like) */
  headers?: Record<string, string>;
}

/** ASCII text as bytes, for constants made at module init (no TextEncoder: a preloading linker has none) */
function ascii(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}
const CONTINUE_100 = ascii("HTTP/1.1 100 Continue\r\n\r\n");

function vinfo(vh: Vhost): HttpVhostInfo {
  return vh.info as HttpVhostInfo;
}

/** the vhost's limits, merged once per vhost (kept with the vhost: no module-level cache) */
function limitsOf(vh: Vhost): HttpLimits {
  return ((vh.roleData.httpLimits as HttpLimits | undefined) ??= { ...DEFAULT_LIMITS, ...(vinfo(vh).httpLimits ?? {}) });
}
const DEFAULT_LIMITS = DEVICE_HTTP_LIMITS;

/** a server connection is its parser's event sink: no closures per connection */
class ServerConn extends HttpConn implements RequestEvents {
  readonly wsi: Wsi;
  constructor(wsi: Wsi) {
    super();
    this.wsi = wsi;
    this.parser = new RequestParser(limitsOf(wsi.vhost), this);
  }
  onHead(head: RequestHead): void {
    onHead(this.wsi, this, head);
  }
  onBody(data: Uint8Array): void {
    onBody(this.wsi, this, data);
  }
  onComplete(): void {
    onComplete(this.wsi, this);
  }
  /** the platform's latin-1 decoder for request heads where it has one, else TextDecoder (one per context) */
  get headDecoder(): HttpHeadDecoder | null {
    const cx = this.wsi.context;
    const l1 = cx.platform.hooks?.latin1;
    if (l1) return l1;
    let d = cx.roleData.headDecoder as HttpHeadDecoder | null | undefined;
    if (d === undefined) cx.roleData.headDecoder = d = textHeadDecoder();
    return d;
  }
}

function textHeadDecoder(): HttpHeadDecoder | null {
  if (typeof TextDecoder !== "function") return null;
  // UTF-8 decoding is exact for ASCII, all the fast path takes; the BOM is kept so that it is seen
  const td = new TextDecoder("utf-8", { ignoreBOM: true });
  return (d, s, e) => td.decode(d.subarray(s, e));
}

function newConn(wsi: Wsi): HttpConn {
  return new ServerConn(wsi);
}

function secs(v: number | undefined, dflt: number): number {
  return v !== undefined && v > 0 ? v : dflt;
}

function idle(wsi: Wsi): void {
  wsi.context.setWsiTimeout(wsi, PENDING_TIMEOUT_HTTP_KEEPALIVE_IDLE, secs(vinfo(wsi.vhost).keepaliveTimeout, 5));
}

// ------------------------------------------------------------------ input

function handlePollin(wsi: Wsi): ServiceResult {
  const cx = wsi.context;
  let conn = httpConn(wsi);
  if (!conn) {
    conn = newConn(wsi);
    wsi.rs = conn;
  }
  const buf = cx.read(wsi);
  if (buf === null) return HANDLED;
  if (!buf.length) {
    // end of stream: finish what is owed, then close
    cx.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "peer closed");
    return DIED;
  }
  return feed(wsi, conn, buf);
}

const METHODS = ["GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE ", "PRI "];

/** the first bytes of a connection could start an HTTP request (a known method and a space) */
function looksLikeHttp(data: Uint8Array): boolean {
  next: for (const m of METHODS) {
    const n = Math.min(m.length, data.length);
    for (let i = 0; i < n; i++) if (data[i] !== m.charCodeAt(i)) continue next;
    return true;
  }
  return false;
}

/** run bytes through the parser, one request at a time */
function feed(wsi: Wsi, conn: HttpConn, data: Uint8Array): ServiceResult {
  const cx = wsi.context;
  let off = 0;
  if (!conn.requests && !conn.head && wsi.vhost.options & LWS_SERVER_OPTION_FALLBACK_TO_RAW) {
    // until the first head is parsed the connection may still turn out to be
    // raw: keep what it sent so the raw protocol gets every byte
    const all = conn.preface ? concat(conn.preface, data) : data;
    conn.preface = all === data ? data.slice() : all;
    // lws decides from the first bytes: anything but a known method goes raw at once
    if (!looksLikeHttp(all)) return fallbackToRaw(wsi, all);
  } else conn.preface = null;
  while (off < data.length && !wsi.dead) {
    const p = conn.parser;
    if (p.state === "complete") {
      if (!conn.txnDone) {
        // the answer to the previous request is not finished: hold the rest
        hold(wsi, conn, data.subarray(off));
        return HANDLED;
      }
      startNext(wsi, conn);
    }
    conn.inFeed = true;
    const n = p.execute(off ? data.subarray(off) : data);
    conn.inFeed = false;
    if (wsi.dead || wsi.state !== WsiState.ESTABLISHED) return wsi.dead ? DIED : HANDLED;
    if (wsi.role !== h1Role) {
      // switched role (WebSocket upgrade): the bytes after the head belong to it
      const rest = n > 0 ? data.subarray(off + n) : null;
      if (rest && rest.length && wsi.role?.handleData) return wsi.role.handleData(wsi, rest);
      return HANDLED;
    }
    if (n < 0) return parseFailed(wsi, conn);
    off += n;
    if (!conn.headStarted && p.state === "head") {
      // part of a head is in: the rest must follow within the header timeout,
      // however it trickles in (a head that came whole needs no timer)
      conn.headStarted = true;
      cx.setWsiTimeout(wsi, PENDING_TIMEOUT_HOLDING_AH, secs(vinfo(wsi.vhost).headerTimeout, 10));
    }
    if (p.state === "complete" && conn.txnDone && off < data.length) continue;
    if (n === 0 && p.state !== "complete") break;
  }
  return HANDLED;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function hold(wsi: Wsi, conn: HttpConn, rest: Uint8Array): void {
  if (!rest.length) return;
  const limit = limitsOf(wsi.vhost).maxHeaderBytes + limitsOf(wsi.vhost).maxRequestLine;
  conn.pending = conn.pending ? concat(conn.pending, rest) : rest.slice();
  // stop reading until the held requests are answered; the buffer stays small
  wsi.context.rxFlowControl(wsi, LWS_RXFLOW_REASON_APPLIES_DISABLE | LWS_RXFLOW_REASON_HTTP_RXBUFFER);
  if (conn.pending.length > limit * 4) {
    wsi.context.log("notice", `${wsi}: more than ${limit * 4} pipelined bytes held: closing`);
    wsi.context.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "pipeline overflow", false);
  }
}

function startNext(wsi: Wsi, conn: HttpConn): void {
  conn.serial++;
  conn.parser.reset();
  conn.head = null;
  conn.mount = null;
  conn.requestDone = false;
  conn.txnDone = false;
  conn.hasBody = false;
  conn.bodyBytes = 0;
  conn.isHead = false;
  conn.headStarted = false;
  conn.resetResponse();
}

/** after an answer completed outside the parser: take the held bytes, from the loop */
function resumeHeld(wsi: Wsi): void {
  const conn = httpConn(wsi);
  if (!conn || wsi.dead || wsi.role !== h1Role) return;
  const held = conn.pending;
  conn.pending = null;
  if (held && held.length) {
    const r = feed(wsi, conn, held);
    if (r === CLOSE && !wsi.dead) wsi.context.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "http");
    if (wsi.dead || conn.pending) return;
  }
  wsi.context.rxFlowControl(wsi, LWS_RXFLOW_REASON_APPLIES_ENABLE | LWS_RXFLOW_REASON_HTTP_RXBUFFER);
}

function parseFailed(wsi: Wsi, conn: HttpConn): ServiceResult {
  const err = conn.parser.error!;
  // (raw fallback is decided from the first bytes, in feed(): a request that
  // starts with a known method and then breaks the rules gets its HTTP error)
  wsi.context.log("info", `${wsi}: bad request: ${err.status} ${err.reason}`);
  if (conn.headersSent) return CLOSE;
  conn.keepAlive = false;
  if (!conn.head) conn.head = { method: "GET", target: "/", versionMinor: 1, headers: [], contentLength: -1, chunked: false, keepAlive: false, expectContinue: false, upgrade: null };
  conn.resetResponse();
  answerStatus(wsi, err.status, err.reason);
  return CLOSE;
}

/**
 * LWS_SERVER_OPTION_FALLBACK_TO_RAW: what the first bytes of a connection
 * do not parse as HTTP goes to the vhost's listenAcceptProtocol as a raw
 * connection (lws uses it to share a port between HTTP and a raw protocol).
 */
function fallbackToRaw(wsi: Wsi, data: Uint8Array): ServiceResult {
  const cx = wsi.context;
  const vh = wsi.vhost;
  const pname = vh.info.listenAcceptProtocol;
  const p = pname ? vh.protocolByName(pname) : null;
  if (!p) return CLOSE;
  cx.setWsiTimeout(wsi, 0, 0);
  httpConn(wsi)!.preface = null;
  cx.unbindProtocol(wsi, "fallback to raw");
  wsi.rs = null;
  wsi.role = rawSktRole;
  if (cx.bindProtocol(wsi, p)) return CLOSE;
  if (cx.callWsi(wsi, R.LWS_CALLBACK_RAW_ADOPT, null, 0)) return CLOSE;
  if (wsi.dead) return DIED;
  const bytes = data.slice();
  return cx.callWsi(wsi, R.LWS_CALLBACK_RAW_RX, bytes, bytes.length) < 0 ? CLOSE : HANDLED;
}

// --------------------------------------------------------------- requests

function onHead(wsi: Wsi, conn: HttpConn, head: RequestHead): void {
  const cx = wsi.context;
  conn.head = head;
  conn.requests++;
  conn.keepAlive = head.keepAlive;
  conn.isHead = head.method === "HEAD";
  conn.hasBody = head.chunked || head.contentLength > 0;
  // a body must keep coming; a request without one is complete already
  if (conn.hasBody) cx.setWsiTimeout(wsi, PENDING_TIMEOUT_HTTP_CONTENT, secs(vinfo(wsi.vhost).bodyTimeout, cx.timeoutSecs));
  if (!parseTargetInto(head.target, conn)) {
    conn.keepAlive = false;
    if (answerStatus(wsi, HTTP_STATUS_BAD_REQUEST, "the request target is not a valid path")) conn.parser.pause();
    closeAfterAnswer(wsi);
    return;
  }
  // (an HTTP/1.1 request without exactly one Host is refused by the parser)
  if (head.upgrade && /(^|,)\s*websocket\s*(,|$)/i.test(head.upgrade) && cx.roles.has("ws")) return upgrade(wsi, conn, head);
  if (head.expectContinue && head.versionMinor === 1) cx.writeRaw(wsi, CONTINUE_100);
  if (dispatch(wsi, conn) && !wsi.dead) {
    conn.parser.pause();
    cx.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "http");
  }
}

/** a WebSocket upgrade request: hand over to the ws role, or answer why not */
function upgrade(wsi: Wsi, conn: HttpConn, head: RequestHead): void {
  const cx = wsi.context;
  conn.parser.pause();
  if (cx.callWsi(wsi, R.LWS_CALLBACK_FILTER_HTTP_CONNECTION, conn.path, conn.path.length)) {
    cx.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "http filter");
    return;
  }
  const r = upgradeToWs(wsi, head);
  if (r.kind === "ok" || wsi.dead) return;
  if (r.kind === "user") {
    // the user answered it (HTTP_CONFIRM_UPGRADE > 0) or wants it gone (< 0)
    if (r.hangup || httpTransactionCompleted(wsi)) cx.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "upgrade refused");
    return;
  }
  conn.keepAlive = false;
  const c = headerCursor(512, wsi);
  const body = cx.utf8(`${r.status} ${statusReason(r.status)}: ${r.reason}\n`);
  let bad = addHttpHeaderStatus(wsi, r.status, c);
  if (r.headers) for (const k of Object.keys(r.headers)) bad ||= addHttpHeaderByName(wsi, k, r.headers[k]!, c);
  bad ||= addHttpHeaderByName(wsi, "content-type:", "text/plain; charset=utf-8", c) || addHttpHeaderContentLength(wsi, body.length, c) || finalizeWriteHttpHeader(wsi, c);
  if (!bad) writeHttp(wsi, body, LWS_WRITE_HTTP_FINAL);
  closeAfterAnswer(wsi);
}

/** a fatal answer was sent: close once it is out */
function closeAfterAnswer(wsi: Wsi): void {
  if (!wsi.dead) wsi.context.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "http error");
}

function onBody(wsi: Wsi, conn: HttpConn, data: Uint8Array): void {
  const cx = wsi.context;
  cx.setWsiTimeout(wsi, PENDING_TIMEOUT_HTTP_CONTENT, secs(vinfo(wsi.vhost).bodyTimeout, cx.timeoutSecs));
  if (conn.txnDone || conn.headersSent || !wsi.protocol) return; // answered already: the rest of the body is read and dropped
  const m = conn.mount;
  conn.bodyBytes += data.length;
  if (m?.maxHttpBodySize !== undefined && conn.bodyBytes > m.maxHttpBodySize) {
    conn.keepAlive = false;
    answerStatus(wsi, HTTP_STATUS_REQ_ENTITY_TOO_LARGE);
    conn.parser.pause();
    closeAfterAnswer(wsi);
    return;
  }
  if (cx.callWsi(wsi, R.LWS_CALLBACK_HTTP_BODY, data, data.length) && !wsi.dead) {
    conn.parser.pause();
    cx.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "http body");
  }
}

function onComplete(wsi: Wsi, conn: HttpConn): void {
  const cx = wsi.context;
  conn.requestDone = true;
  if (conn.txnDone) idle(wsi);
  else cx.setWsiTimeout(wsi, 0, 0);
  if (conn.hasBody && !conn.txnDone && !conn.headersSent && wsi.protocol) {
    if (cx.callWsi(wsi, R.LWS_CALLBACK_HTTP_BODY_COMPLETION, null, 0) && !wsi.dead) {
      conn.parser.pause();
      cx.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "http body completion");
    }
  }
}

/** route the request: nonzero closes the connection */
function dispatch(wsi: Wsi, conn: HttpConn): number {
  const cx = wsi.context;
  const vh = wsi.vhost;
  const uri = conn.path;
  if (cx.callWsi(wsi, R.LWS_CALLBACK_FILTER_HTTP_CONNECTION, uri, uri.length)) return 1;
  if (wsi.dead) return 0;
  const hit = findMount(vinfo(vh).mounts, uri);
  conn.mount = hit && hit.originProtocol !== LWSMPRO_NO_MOUNT ? hit : null;
  const m = conn.mount;
  if (!m) {
    if (rebind(wsi, vh.protocols[0]!)) return 1;
    return cx.callWsi(wsi, R.LWS_CALLBACK_HTTP, uri, uri.length) ? 1 : 0;
  }
  if (m.maxHttpBodySize !== undefined && conn.head!.contentLength > m.maxHttpBodySize) {
    conn.keepAlive = false;
    answerStatus(wsi, HTTP_STATUS_REQ_ENTITY_TOO_LARGE);
    return 1;
  }
  // redirects
  if (m.originProtocol === LWSMPRO_REDIR_HTTP || m.originProtocol === LWSMPRO_REDIR_HTTPS) {
    const scheme = m.originProtocol === LWSMPRO_REDIR_HTTPS ? "https://" : "http://";
    const rest = m.appendPath ? uri.slice(m.mountpoint.length) : "";
    const loc = scheme + m.origin.replace(/^[a-z]+:\/\//, "") + rest + (m.appendPath && conn.query ? "?" + conn.query : "");
    if (httpRedirect(wsi, HTTP_STATUS_MOVED_PERMANENTLY, loc)) return 1;
    return httpTransactionCompleted(wsi);
  }
  if (m.basicAuthLoginFile && !basicAuthOk(wsi, conn, m)) {
    return answerStatus(wsi, HTTP_STATUS_UNAUTHORIZED);
  }
  const rest = uri.slice(m.mountpoint.length);
  const cbName = m.originProtocol === LWSMPRO_CALLBACK ? m.origin.replace(/^callback:\/\//, "") : m.protocol;
  if (m.originProtocol === LWSMPRO_CALLBACK || m.protocol) {
    const pp = cbName ? vh.protocolByName(cbName) : null;
    if (!pp) {
      cx.log("err", `vhost '${vh.name}' mount '${m.mountpoint}': no protocol '${cbName}'`);
      return 1;
    }
    if (rebind(wsi, pp)) return 1;
    const args: AccessRightsArgs = { p: uri, len: uri.length, max_len: m.authMask ?? 0, final: 0, chunked: 0 };
    if (cx.callWsi(wsi, R.LWS_CALLBACK_CHECK_ACCESS_RIGHTS, args, 0)) return answerStatus(wsi, HTTP_STATUS_UNAUTHORIZED);
    if (args.final || wsi.dead) return 0;
    if (m.pmo && cx.callWsi(wsi, R.LWS_CALLBACK_HTTP_PMO, m.pmo, 0)) return 1;
    if (m.originProtocol === LWSMPRO_CALLBACK) {
      const sub = rest || "/";
      return cx.callWsi(wsi, R.LWS_CALLBACK_HTTP, sub, sub.length) ? 1 : 0;
    }
  }
  if (m.originProtocol === LWSMPRO_FILE) return serveFromMount(wsi, conn, m, rest);
  return cx.callWsi(wsi, R.LWS_CALLBACK_HTTP, uri, uri.length) ? 1 : 0;
}

function rebind(wsi: Wsi, p: import("../../core/types.js").Protocol): number {
  if (wsi.protocol === p && wsi.bound) return 0;
  return wsi.context.bindProtocol(wsi, p, "http rebind");
}

function serveFromMount(wsi: Wsi, conn: HttpConn, m: HttpMount, rest: string): number {
  const method = conn.head!.method;
  if (method !== "GET" && method !== "HEAD") {
    const c = answerStatus(wsi, HTTP_STATUS_METHOD_NOT_ALLOWED);
    return c;
  }
  const vfs = wsi.context.platform.vfs;
  const base = m.origin.replace(/^file:\/\//, "").replace(/\/+$/, "");
  let rel = rest;
  if (!rel || rel === "/") rel = "/" + (m.def ?? "index.html");
  else if (rel[0] !== "/") rel = "/" + rel;
  let path = base + rel;
  const st = vfs?.stat(path);
  if (st?.isDirectory) {
    if (!conn.path.endsWith("/")) {
      if (httpRedirect(wsi, HTTP_STATUS_MOVED_PERMANENTLY, conn.path + "/" + (conn.query ? "?" + conn.query : ""))) return 1;
      return httpTransactionCompleted(wsi);
    }
    path = path.replace(/\/?$/, "/") + (m.def ?? "index.html");
  }
  return serveFile(wsi, path, { mount: m, notify: true }) < 0 ? 1 : 0;
}

function basicAuthOk(wsi: Wsi, conn: HttpConn, m: HttpMount): boolean {
  const auth = conn.head!.headers.find((h) => h.lower === "authorization")?.value ?? "";
  const mm = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(auth);
  if (!mm) return false;
  const raw = base64Decode(mm[1]!);
  if (!raw) return false;
  const cred = new TextDecoder().decode(raw);
  const vfs = wsi.context.platform.vfs;
  const st = vfs?.stat(m.basicAuthLoginFile!);
  if (!vfs || !st || st.isDirectory || st.size > 65536) return false;
  const h = vfs.open(m.basicAuthLoginFile!);
  try {
    const buf = new Uint8Array(st.size);
    const n = vfs.read(h, 0, buf);
    const lines = new TextDecoder().decode(buf.subarray(0, n)).split(/\r?\n/);
    return lines.some((l) => l.length > 0 && l === cred);
  } finally {
    vfs.close(h);
  }
}

// ------------------------------------------------------------ transactions

/** lws_http_transaction_completed for h1 */
function transactionCompleted(wsi: Wsi): number {
  const conn = httpConn(wsi);
  const cx = wsi.context;
  if (!conn || wsi.dead) return 1;
  if (conn.txnDone) return conn.keepAlive && !conn.closeDelimited ? 0 : 1;
  conn.txnDone = true;
  if (conn.file) abortFile(wsi);
  if (!conn.keepAlive || conn.closeDelimited || (conn.txRemain > 0 && !conn.isHead)) {
    // the connection ends with this answer (lws returns 1: the caller closes)
    conn.keepAlive = false;
    return 1;
  }
  // back to the vhost's default protocol for the next request
  const p0 = wsi.vhost.protocols[0]!;
  if (wsi.protocol !== p0) rebind(wsi, p0);
  if (!conn.requestDone) {
    // answered before the body was all in: keep reading and dropping it
    return 0;
  }
  idle(wsi);
  if (!conn.inFeed) {
    startNext(wsi, conn);
    if (conn.pending) cx.platform.post(() => resumeHeld(wsi));
  }
  return 0;
}

setTransactionCompletedHook(transactionCompleted);

// ------------------------------------------------------------------ output

function handleWriteable(wsi: Wsi): ServiceResult {
  const conn = httpConn(wsi);
  if (conn?.file) {
    if (sendFilePiece(wsi) < 0) return CLOSE;
    return HANDLED;
  }
  return wsi.context.callWsi(wsi, R.LWS_CALLBACK_HTTP_WRITEABLE, null, 0) < 0 ? CLOSE : HANDLED;
}

const OVER_LIMIT = ascii(
  `HTTP/1.1 503 ${statusReason(HTTP_STATUS_SERVICE_UNAVAILABLE)}\r\ncontent-type: text/plain\r\ncontent-length: 20\r\nretry-after: 1\r\nconnection: close\r\n\r\nserver is too busy\r\n`,
);

export const h1Role: RoleOps = {
  name: "h1",
  writeableCb: [R.LWS_CALLBACK_CLIENT_HTTP_WRITEABLE, R.LWS_CALLBACK_HTTP_WRITEABLE],
  closeCb: [R.LWS_CALLBACK_CLOSED_CLIENT_HTTP, R.LWS_CALLBACK_CLOSED_HTTP],
  bindCb: [R.LWS_CALLBACK_CLIENT_HTTP_BIND_PROTOCOL, R.LWS_CALLBACK_HTTP_BIND_PROTOCOL],
  unbindCb: [R.LWS_CALLBACK_CLIENT_HTTP_DROP_PROTOCOL, R.LWS_CALLBACK_HTTP_DROP_PROTOCOL],
  handlePollin,
  handleWriteable,
  overLimitAnswer: OVER_LIMIT,
  onAdopt(wsi: Wsi) {
    wsi.rs = newConn(wsi);
    idle(wsi);
  },
  onClose(wsi: Wsi) {
    abortFile(wsi);
  },
  validateVhost(info) {
    validateHttpVhost(info as HttpVhostInfo);
  },
};

declare module "../../core/types.js" {
  // the HTTP settings a vhost takes (see HttpVhostInfo)
  interface VhostCreationInfo extends HttpVhostInfo {}
}

registerWriter(h1Role, writeHttp);

/** check a vhost's HTTP settings when it is created */
export function validateHttpVhost(info: HttpVhostInfo): void {
  validateMounts(info.mounts);
  for (const [k, v] of Object.entries(info.httpLimits ?? {})) if (typeof v !== "number" || !(v > 0)) throw new Error(`lwsx: httpLimits.${k} must be a positive number`);
}

/**
 * lws_serve_http_file: answer the current request with a stored file (the
 * platform's vfs path). `contentType` null: by extension. The bound protocol
 * gets HTTP_FILE_COMPLETION when it is sent. Returns nonzero when the
 * connection must close (lws: return -1 from the callback).
 */
export function serveHttpFile(wsi: Wsi, path: string, contentType?: string | null, otherHeaders?: Record<string, string> | null): number {
  if (!httpConn(wsi)) return -1;
  return serveFile(wsi, path, { contentType: contentType ?? null, headers: otherHeaders ?? null, mount: httpConn(wsi)!.mount, notify: true }) < 0 ? -1 : 0;
}

/** lws_callback_http_dummy: what a protocol's callback can fall back to for the HTTP reasons it does not handle */
export function callbackHttpDummy(wsi: Wsi, reason: number, _user: unknown, _in: unknown, _len: number): number {
  switch (reason) {
    case R.LWS_CALLBACK_HTTP:
      if (answerStatus(wsi, 404)) return -1;
      return 0;
    case R.LWS_CALLBACK_HTTP_BODY_COMPLETION:
      if (answerStatus(wsi, 200)) return -1;
      return 0;
    case R.LWS_CALLBACK_HTTP_FILE_COMPLETION:
      return httpTransactionCompleted(wsi) ? -1 : 0;
  }
  return 0;
}
