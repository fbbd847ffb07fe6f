// Serving stored files (lws_serve_http_file and file mounts): content type,
// ETag and If-None-Match (304), single byte ranges (206 / 416), HEAD, cache
// headers, and a body streamed in pieces the size of the context's service
// buffer, one piece per WRITEABLE, never read whole into memory.

import * as R from "../../core/reasons.js";
import { LWS_WRITE_HTTP, LWS_WRITE_HTTP_FINAL } from "../../core/constants.js";
import type { Wsi } from "../../core/wsi.js";
import { httpConn, type HttpConn } from "./conn.js";
import type { HttpMount } from "./mounts.js";
import { mimeType } from "./mime.js";
import {
  addHttpHeaderByName,
  addHttpHeaderContentLength,
  addHttpHeaderStatus,
  finalizeWriteHttpHeader,
  headerCursor,
  httpTransactionCompleted,
  answerStatus,
  writeHttp,
} from "./response.js";
import { HTTP_STATUS_FORBIDDEN, HTTP_STATUS_NOT_FOUND, HTTP_STATUS_NOT_MODIFIED, HTTP_STATUS_OK, HTTP_STATUS_PARTIAL_CONTENT, HTTP_STATUS_REQ_RANGE_NOT_SATISFIABLE } from "./status.js";

export interface ServeOptions {
  /** content type; by extension (and the mount's extra types) when absent */
  contentType?: string | null;
  mount?: HttpMount | null;
  /** extra headers, by name */
  headers?: Record<string, string> | null;
  /** give the bound protocol HTTP_FILE_COMPLETION at the end (lws does for lws_serve_http_file) */
  notify?: boolean;
}

export type ServeResult =
  /** answered (or streaming): keep going */
  | 0
  /** the connection must close */
  | -1;

export function etagOf(size: number, mtimeMs: number): string {
  return `"${Math.floor(mtimeMs).toString(16)}-${size.toString(16)}"`;
}

/** parse one "bytes=" range against `size`: [start, end] inclusive, "unsatisfiable", or null to ignore the header */
export function parseRange(header: string, size: number): [number, number] | "unsatisfiable" | null {
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return null; // several ranges or another unit: serve the whole file (RFC 9110 allows it)
  const a = m[1]!, b = m[2]!;
  if (!a && !b) return null;
  let start: number, end: number;
  if (!a) {
    const n = Number(b);
    if (n === 0) return "unsatisfiable";
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(a);
    end = b ? Math.min(Number(b), size - 1) : size - 1;
    if (b && Number(b) < start) return null;
  }
  if (!Number.isSafeInteger(start) || start >= size) return "unsatisfiable";
  return [start, end];
}

function cacheControl(m: HttpMount | null | undefined): string | null {
  if (!m) return null;
  if (m.cacheNo) return "no-cache";
  if (m.cacheMaxAge && m.cacheMaxAge > 0) return `${m.cacheIntermediaries ? "public" : "private"}, max-age=${m.cacheMaxAge}${m.cacheRevalidate ? ", must-revalidate" : ""}`;
  if (m.cacheReusable === false) return "no-store";
  return null;
}

function reqHeader(conn: HttpConn, lower: string): string | null {
  for (const h of conn.head?.headers ?? []) if (h.lower === lower) return h.value;
  return null;
}

/**
 * Answer the current request with the file at `path` (a platform vfs path).
 * Returns 0 when answered or streaming, -1 when the connection must close.
 */
export function serveFile(wsi: Wsi, path: string, o: ServeOptions = {}): ServeResult {
  const conn = httpConn(wsi);
  const cx = wsi.context;
  const vfs = cx.platform.vfs;
  if (!conn) return -1;
  const done = (r: number): ServeResult => (r ? -1 : 0);
  if (!vfs) return done(answerStatus(wsi, HTTP_STATUS_NOT_FOUND, `platform '${cx.platform.name}' has no files`));
  const st = vfs.stat(path);
  if (!st || st.isDirectory) return done(answerStatus(wsi, HTTP_STATUS_NOT_FOUND));
  const type = o.contentType ?? mimeType(path, o.mount?.extraMimetypes);
  if (!type) return done(answerStatus(wsi, HTTP_STATUS_FORBIDDEN, "no content type is known for this file"));
  const etag = etagOf(st.size, st.mtimeMs);
  const inm = reqHeader(conn, "if-none-match");
  const c = headerCursor(1024, wsi);
  const common = (): number => {
    if (addHttpHeaderByName(wsi, "etag:", etag, c)) return 1;
    const cc = cacheControl(o.mount);
    if (cc && addHttpHeaderByName(wsi, "cache-control:", cc, c)) return 1;
    if (o.headers) for (const k of Object.keys(o.headers)) if (addHttpHeaderByName(wsi, k, o.headers[k]!, c)) return 1;
    // the bound protocol may add its own (lws' ADD_HEADERS)
    if (wsi.protocol && cx.callWsi(wsi, R.LWS_CALLBACK_ADD_HEADERS, c, 0)) return 1;
    return 0;
  };
  if (inm && (inm.trim() === "*" || inm.split(",").some((t) => t.trim().replace(/^W\//, "") === etag))) {
    if (addHttpHeaderStatus(wsi, HTTP_STATUS_NOT_MODIFIED, c) || common() || finalizeWriteHttpHeader(wsi, c)) return -1;
    return done(httpTransactionCompleted(wsi));
  }
  let start = 0, end = st.size - 1, status = HTTP_STATUS_OK;
  const range = conn.head!.method === "GET" ? reqHeader(conn, "range") : null;
  const ifRange = reqHeader(conn, "if-range");
  if (range && (!ifRange || ifRange.trim() === etag)) {
    const r = parseRange(range, st.size);
    if (r === "unsatisfiable") {
      if (
        addHttpHeaderStatus(wsi, HTTP_STATUS_REQ_RANGE_NOT_SATISFIABLE, c) ||
        addHttpHeaderByName(wsi, "content-range:", `bytes */${st.size}`, c) ||
        addHttpHeaderContentLength(wsi, 0, c) ||
        finalizeWriteHttpHeader(wsi, c)
      )
        return -1;
      return done(httpTransactionCompleted(wsi));
    }
    if (r) {
      [start, end] = r;
      status = HTTP_STATUS_PARTIAL_CONTENT;
    }
  }
  const length = st.size ? end - start + 1 : 0;
  if (
    addHttpHeaderStatus(wsi, status, c) ||
    addHttpHeaderByName(wsi, "content-type:", type, c) ||
    addHttpHeaderContentLength(wsi, length, c) ||
    addHttpHeaderByName(wsi, "accept-ranges:", "bytes", c) ||
    (status === HTTP_STATUS_PARTIAL_CONTENT && addHttpHeaderByName(wsi, "content-range:", `bytes ${start}-${end}/${st.size}`, c)) ||
    common() ||
    finalizeWriteHttpHeader(wsi, c)
  )
    return -1;
  if (conn.isHead || length === 0) return finishFile(wsi, conn, !!o.notify);
  let handle: number;
  try {
    handle = vfs.open(path);
  } catch (e) {
    cx.log("err", `${wsi}: cannot open '${path}' after stat: ${(e as Error).message}`);
    return -1;
  }
  conn.file = { handle, pos: start, remain: length, buf: new Uint8Array(Math.min(length, cx.ptServBufSize)), notify: !!o.notify };
  cx.callbackOnWritable(wsi);
  return 0;
}

/** one piece of the file, from the HTTP WRITEABLE path; -1 closes */
export function sendFilePiece(wsi: Wsi): ServeResult {
  const conn = httpConn(wsi)!;
  const f = conn.file!;
  const cx = wsi.context;
  const vfs = cx.platform.vfs!;
  const want = Math.min(f.remain, f.buf.length);
  let n: number;
  try {
    n = vfs.read(f.handle, f.pos, f.buf.subarray(0, want));
  } catch (e) {
    cx.log("err", `${wsi}: file read failed: ${(e as Error).message}`);
    n = -1;
  }
  if (n <= 0) {
    // the file shrank under us: the promised length cannot be kept
    vfs.close(f.handle);
    conn.file = null;
    return -1;
  }
  f.pos += n;
  f.remain -= n;
  const last = f.remain === 0;
  if (writeHttp(wsi, f.buf.subarray(0, n), last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) < 0) return -1;
  if (!last) {
    cx.callbackOnWritable(wsi);
    return 0;
  }
  vfs.close(f.handle);
  conn.file = null;
  return finishFile(wsi, conn, f.notify);
}

/**
 * The file is out: HTTP_FILE_COMPLETION to the bound protocol, which (as
 * lws_callback_http_dummy does) completes the transaction; if it did not,
 * lwsx completes it, so a callback that ignores the reason cannot strand the
 * connection.
 */
function finishFile(wsi: Wsi, conn: HttpConn, notify: boolean): ServeResult {
  const serial = conn.serial;
  if (notify && wsi.context.callWsi(wsi, R.LWS_CALLBACK_HTTP_FILE_COMPLETION, null, 0) < 0) return -1;
  if (wsi.dead) return -1;
  if (conn.serial !== serial || conn.txnDone) return 0;
  return httpTransactionCompleted(wsi) ? -1 : 0;
}

/** stop a transfer (connection closing) */
export function abortFile(wsi: Wsi): void {
  const conn = httpConn(wsi);
  const f = conn?.file;
  if (!f) return;
  wsi.context.platform.vfs?.close(f.handle);
  conn.file = null;
}
