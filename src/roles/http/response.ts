// Building and sending HTTP responses, lws style: headers are appended into a
// buffer through a cursor (lws' `&p, end`), then sent with one write of
// LWS_WRITE_HTTP_HEADERS; the body follows with LWS_WRITE_HTTP, the last
// piece with LWS_WRITE_HTTP_FINAL.
//
//   const c = headerCursor(2048, wsi); // the wsi lets its context reuse header buffers
//   if (addHttpHeaderStatus(wsi, HTTP_STATUS_OK, c) ||
//       addHttpHeaderByToken(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, "text/plain", c) ||
//       addHttpHeaderContentLength(wsi, body.length, c) ||
//       finalizeWriteHttpHeader(wsi, c)) return 1;

import { LWS_PRE, LWS_WRITE_HTTP, LWS_WRITE_HTTP_FINAL, LWS_WRITE_HTTP_HEADERS, LWS_WRITE_HTTP_HEADERS_CONTINUATION } from "../../core/constants.js";
import type { Wsi } from "../../core/wsi.js";
import { httpConn, type HttpConn } from "./conn.js";
import { LWS_ILLEGAL_HTTP_CONTENT_LEN, statusReason } from "./status.js";
import { TOKEN_NAMES } from "./tokens.js";

import type { HeaderCursor } from "../../core/types.js";
export type { HeaderCursor };

/** header buffers given back after their headers were sent (they are copied on the way out), per context */
const POOL_MAX = 8;

/**
 * A header buffer of `size` bytes after LWS_PRE of headroom (lws' `buf[LWS_PRE + size]`). With
 * the wsi, a buffer given back by an earlier response of its context is reused.
 */
export function headerCursor(size = 2048, wsi?: Wsi): HeaderCursor {
  const want = LWS_PRE + size;
  const pool = wsi ? (wsi.context.roleData.headerPool as Uint8Array[] | undefined) : undefined;
  if (pool) for (let i = pool.length - 1; i >= 0; i--) {
    const b = pool[i]!;
    if (b.length >= want) {
      pool[i] = pool[pool.length - 1]!;
      pool.pop();
      return { buf: b, start: LWS_PRE, p: LWS_PRE, end: want };
    }
  }
  return { buf: new Uint8Array(want), start: LWS_PRE, p: LWS_PRE, end: want };
}

/** what a released cursor points at: nothing fits in it */
const NO_ROOM = new Uint8Array(0);

function release(c: HeaderCursor, wsi: Wsi): void {
  const pool = ((wsi.context.roleData.headerPool as Uint8Array[] | undefined) ??= []);
  if (pool.length < POOL_MAX && c.buf.length <= 8192) pool.push(c.buf);
  c.buf = NO_ROOM;
  c.p = c.end = c.start = 0;
}

/** append ASCII/latin-1 text; 1 when it does not fit (lws' convention) */
function put(c: HeaderCursor, s: string): number {
  const n = s.length;
  if (c.p + n > c.end) return 1;
  const b = c.buf;
  let p = c.p;
  for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i) & 0xff;
  c.p = p;
  return 0;
}

/** append "name value\r\n", refusing CR, LF and NUL anywhere (header injection) */
function putHeader(c: HeaderCursor, name: string, value: string): number {
  const nl = name.length, vl = value.length;
  const colon = name.charCodeAt(nl - 1) === 58 ? 0 : 1;
  let p = c.p;
  if (p + nl + colon + 1 + vl + 2 > c.end) return 1;
  const b = c.buf;
  for (let i = 0; i < nl; i++) {
    const ch = name.charCodeAt(i);
    if (ch === 13 || ch === 10 || ch === 0) return 1;
    b[p++] = ch & 0xff;
  }
  if (colon) b[p++] = 58;
  b[p++] = 32;
  for (let i = 0; i < vl; i++) {
    const ch = value.charCodeAt(i);
    if (ch === 13 || ch === 10 || ch === 0) return 1;
    b[p++] = ch & 0xff;
  }
  b[p++] = 13;
  b[p++] = 10;
  c.p = p;
  return 0;
}

/** the response's status line, then the vhost's and the mount's canned headers */
export function addHttpHeaderStatus(wsi: Wsi, code: number, c: HeaderCursor): number {
  const conn = httpConn(wsi);
  if (conn) conn.status = code;
  const minor = conn?.head?.versionMinor ?? 1;
  const key = code * 2 + minor;
  // status lines made once per context (no module-level cache)
  const statusLines = ((wsi.context.roleData.statusLines as Map<number, string> | undefined) ??= new Map());
  let line = statusLines.get(key);
  if (line === undefined) statusLines.set(key, (line = `HTTP/1.${minor} ${code} ${statusReason(code)}\r\n`));
  if (put(c, line)) return 1;
  const extra = conn?.mount?.headers ?? (wsi.vhost.info as { headers?: Record<string, string> }).headers;
  if (extra) for (const k in extra) if (addHttpHeaderByName(wsi, k, extra[k]!, c)) return 1;
  return 0;
}

/**
 * lws_add_http_header_by_name: `name` with its colon, as lws spells it
 * ("content-type:"). Refuses CR, LF and NUL in names and values (header
 * injection) with 1.
 */
export function addHttpHeaderByName(wsi: Wsi, name: string, value: string | number, c: HeaderCursor): number {
  const v = typeof value === "string" ? value : String(value);
  if (putHeader(c, name, v)) return 1;
  // only the few names that change how the body is framed matter to lwsx:
  // connection (10), content-length (14), transfer-encoding (17); and date (4)
  const n = name.charCodeAt(name.length - 1) === 58 ? name.length - 1 : name.length;
  if (n === 10 || n === 14 || n === 17 || n === 4) {
    const conn = httpConn(wsi);
    if (conn) noteHeader(conn, (n === name.length ? name + ":" : name).toLowerCase(), v);
  }
  return 0;
}

/** lws_add_http_header_by_token: a header by its lws token (WSI_TOKEN_HTTP_CONTENT_TYPE...) */
export function addHttpHeaderByToken(wsi: Wsi, token: number, value: string | number, c: HeaderCursor): number {
  const name = TOKEN_NAMES[token];
  if (!name || !name.endsWith(":")) return 1;
  return addHttpHeaderByName(wsi, name, value, c);
}

/** lws_add_http_header_content_length: also tells lwsx how much body follows (keep-alive needs it) */
export function addHttpHeaderContentLength(wsi: Wsi, length: number, c: HeaderCursor): number {
  if (!Number.isSafeInteger(length) || length < 0) return 1;
  if (putHeader(c, "content-length:", String(length))) return 1;
  const conn = httpConn(wsi);
  if (conn) conn.txRemain = length;
  return 0;
}

/**
 * lws_add_http_common_headers: status, content type, and either a
 * Content-Length or (with LWS_ILLEGAL_HTTP_CONTENT_LEN) chunked transfer
 * coding on HTTP/1.1 (the body then goes out in chunks and keep-alive holds).
 */
export function addHttpCommonHeaders(wsi: Wsi, code: number, contentType: string | null, contentLength: number, c: HeaderCursor): number {
  if (addHttpHeaderStatus(wsi, code, c)) return 1;
  if (contentType && addHttpHeaderByName(wsi, "content-type:", contentType, c)) return 1;
  if (contentLength !== LWS_ILLEGAL_HTTP_CONTENT_LEN) return addHttpHeaderContentLength(wsi, contentLength, c);
  const conn = httpConn(wsi);
  if (conn && (conn.head?.versionMinor ?? 1) === 1 && !conn.isHead) return addHttpHeaderByName(wsi, "transfer-encoding:", "chunked", c);
  return 0;
}

/** what a response header means for the connection */
function noteHeader(conn: HttpConn, lower: string, value: string): void {
  if (lower === "content-length:") conn.txRemain = Number(value);
  else if (lower === "transfer-encoding:" && /(^|,)\s*chunked\s*$/i.test(value)) conn.chunked = true;
  else if (lower === "connection:" && /close/i.test(value)) conn.keepAlive = false;
  else if (lower === "date:") conn.dateSet = true;
}

/** the Date header, where the platform has a clock (formatted once a second) */
function putDate(wsi: Wsi, c: HeaderCursor): number {
  const hooks = wsi.context.platform.hooks;
  if (!hooks?.wallClockMs) return 0;
  const ms = hooks.wallClockMs();
  if (!(ms >= 0)) return 0; // not set yet
  const sec = Math.floor(ms / 1000);
  // the Date header line of the current second ("date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"), per context
  const d = ((wsi.context.roleData.date as { sec: number; line: string } | undefined) ??= { sec: -1, line: "" });
  if (sec !== d.sec) {
    d.sec = sec;
    // toUTCString() is the IMF-fixdate of RFC 9110 (ES2018 fixes its format)
    d.line = `date: ${new Date(sec * 1000).toUTCString()}\r\n`;
  }
  return put(c, d.line);
}

/**
 * lws_finalize_http_header: the blank line; adds "connection: close" when
 * the connection will not be kept, and marks a response with neither a
 * length nor chunking as ended by closing.
 */
export function finalizeHttpHeader(wsi: Wsi, c: HeaderCursor): number {
  const conn = httpConn(wsi);
  if (conn) {
    const bodyless = conn.isHead || conn.status === 204 || conn.status === 304 || (conn.status >= 100 && conn.status < 200);
    if (!bodyless && conn.txRemain < 0 && !conn.chunked) conn.closeDelimited = true;
    const v10 = (conn.head?.versionMinor ?? 1) === 0;
    if (!conn.keepAlive || conn.closeDelimited) {
      if (put(c, "connection: close\r\n")) return 1;
      conn.keepAlive = false;
    } else if (v10 && put(c, "connection: keep-alive\r\n")) return 1;
    if (!conn.dateSet && putDate(wsi, c)) return 1;
    if (bodyless) conn.txRemain = 0;
  }
  return put(c, "\r\n");
}

/** lws_finalize_write_http_header: finalize and send the headers */
export function finalizeWriteHttpHeader(wsi: Wsi, c: HeaderCursor): number {
  if (finalizeHttpHeader(wsi, c)) return 1;
  const n = c.p - c.start;
  const r = writeHttp(wsi, c.buf.subarray(c.start, c.p), LWS_WRITE_HTTP_HEADERS) === n ? 0 : 1;
  // the bytes were sent or copied: the buffer can serve the next response
  release(c, wsi);
  return r;
}


/**
 * lws_return_http_status: a complete small response (status line, a short
 * HTML body naming the status and `html`). As in lws, the caller then calls
 * httpTransactionCompleted(). Returns nonzero when it could not be sent.
 */
export function returnHttpStatus(wsi: Wsi, code: number, html?: string | null): number {
  const conn = httpConn(wsi);
  if (!conn || conn.headersSent) return 1;
  const text = `<!DOCTYPE html><html><head><meta charset=utf-8><title>${code} ${statusReason(code)}</title></head><body><h1>${code} ${statusReason(code)}</h1>${html ? escapeHtml(html) : ""}</body></html>`;
  const body = wsi.context.utf8(text);
  const c = headerCursor(512, wsi);
  if (
    addHttpHeaderStatus(wsi, code, c) ||
    (code === 401 && addHttpHeaderByName(wsi, "www-authenticate:", `Basic realm="${conn.mount?.basicAuthRealm ?? "lwsx"}"`, c)) ||
    addHttpHeaderByName(wsi, "content-type:", "text/html; charset=utf-8", c) ||
    addHttpHeaderContentLength(wsi, body.length, c) ||
    finalizeWriteHttpHeader(wsi, c)
  )
    return 1;
  if (!conn.isHead && writeHttp(wsi, body, LWS_WRITE_HTTP_FINAL) < 0) return 1;
  return 0;
}

/** returnHttpStatus then httpTransactionCompleted: 1 when the connection must close */
export function answerStatus(wsi: Wsi, code: number, html?: string | null): number {
  return returnHttpStatus(wsi, code, html) || httpTransactionCompleted(wsi);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * lws_http_redirect: a redirect status with Location, no body; the caller
 * then completes the transaction. Returns 1 on failure.
 */
export function httpRedirect(wsi: Wsi, code: number, location: string, c: HeaderCursor = headerCursor(512, wsi)): number {
  if (
    addHttpHeaderStatus(wsi, code, c) ||
    addHttpHeaderByName(wsi, "location:", location, c) ||
    addHttpHeaderByName(wsi, "content-type:", "text/html", c) ||
    addHttpHeaderContentLength(wsi, 0, c) ||
    finalizeWriteHttpHeader(wsi, c)
  )
    return 1;
  return 0;
}

// -------------------------------------------------------------------- writes

const CRLF = new Uint8Array([13, 10]);
const LAST_CHUNK = new Uint8Array([48, 13, 10, 13, 10]);

/** one chunk of a chunked body (chunked transfer coding: size, CRLF, data, CRLF); nothing for no bytes; -1 when the connection is unusable */
export function writeChunk(wsi: Wsi, data: Uint8Array): number {
  const cx = wsi.context;
  const n = data.length;
  if (n && (cx.writeRaw(wsi, cx.utf8(n.toString(16) + "\r\n")) < 0 || cx.writeRaw(wsi, data) < 0 || cx.writeRaw(wsi, CRLF) < 0)) return -1;
  return n;
}

/** the last chunk, which ends a chunked body; -1 when the connection is unusable */
export function writeLastChunk(wsi: Wsi): number {
  return wsi.context.writeRaw(wsi, LAST_CHUNK);
}

/**
 * write() for HTTP connections: headers as they are; body bytes chunk-framed
 * when the response is chunked, counted against Content-Length otherwise.
 * LWS_WRITE_HTTP_FINAL ends a chunked body.
 */
export function writeHttp(wsi: Wsi, data: Uint8Array, protocol: number): number {
  const conn = httpConn(wsi);
  const cx = wsi.context;
  const wp = protocol & 0x1f;
  if (!conn) return cx.writeRaw(wsi, data);
  if (wp === LWS_WRITE_HTTP_HEADERS || wp === LWS_WRITE_HTTP_HEADERS_CONTINUATION) {
    if (wp === LWS_WRITE_HTTP_HEADERS) {
      conn.headersSent = true;
      if (conn.isHead) conn.txRemain = 0;
    }
    return cx.writeRaw(wsi, data);
  }
  if (wp !== LWS_WRITE_HTTP && wp !== LWS_WRITE_HTTP_FINAL) return cx.writeRaw(wsi, data);
  if (conn.isHead) return data.length; // a HEAD response has headers only
  let n = data.length;
  if (conn.txRemain >= 0) {
    if (n > conn.txRemain) {
      cx.log("err", `${wsi}: response body longer than its Content-Length (${n} > ${conn.txRemain} left): closing`);
      cx.closeWsi(wsi, 0, "body over content-length", false);
      return -1;
    }
    conn.txRemain -= n;
  }
  if (conn.chunked) {
    if (writeChunk(wsi, data) < 0) return -1;
    if (wp === LWS_WRITE_HTTP_FINAL && writeLastChunk(wsi) < 0) return -1;
    return n;
  }
  if (n && cx.writeRaw(wsi, data) < 0) return -1;
  return n;
}

/**
 * lws_http_transaction_completed: the response is done. Returns 1 when the
 * connection must close (the caller returns -1), 0 when it is kept for the
 * next request.
 */
export function httpTransactionCompleted(wsi: Wsi): number {
  const hooks = completionHook;
  return hooks ? hooks(wsi) : 1;
}

/** set by the server role (kept here so response building does not import the role) */
let completionHook: ((wsi: Wsi) => number) | null = null;
export function setTransactionCompletedHook(fn: (wsi: Wsi) => number): void {
  completionHook = fn;
}
