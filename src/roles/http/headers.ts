// Reading the request's headers from a callback (lws_hdr_*), by lws token or
// by name for headers lws has no token for.

import type { Wsi } from "../../core/wsi.js";
import { httpConn } from "./conn.js";
import { queryFragments } from "./url.js";
import * as T from "./tokens.js";
import type { HttpHeader } from "./parser.js";

const METHOD_TOKENS: Record<string, number> = {
  GET: T.WSI_TOKEN_GET_URI,
  POST: T.WSI_TOKEN_POST_URI,
  OPTIONS: T.WSI_TOKEN_OPTIONS_URI,
  PUT: T.WSI_TOKEN_PUT_URI,
  PATCH: T.WSI_TOKEN_PATCH_URI,
  DELETE: T.WSI_TOKEN_DELETE_URI,
  CONNECT: T.WSI_TOKEN_CONNECT,
  HEAD: T.WSI_TOKEN_HEAD_URI,
};

/** the value lws keeps for a token: the path for the request's method token, args joined for URI_ARGS, else the header(s) */
function tokenValue(wsi: Wsi, token: number): string | null {
  const conn = httpConn(wsi);
  const head = conn?.head;
  if (!conn || !head) return clientHeaders(wsi) ? joined(clientHeaders(wsi)!, (h) => T.tokenOfHeader(h.lower) === token) : null;
  if (token === T.WSI_TOKEN_HTTP_URI_ARGS) return conn.query ? queryFragments(conn.query).join("&") : null;
  if (METHOD_TOKENS[head.method] === token) return conn.path;
  let out: string | null = null;
  for (const h of head.headers) {
    if (T.tokenOfHeader(h.lower) !== token) continue;
    out = out === null ? h.value : `${out}${h.lower === "cookie" ? "; " : ", "}${h.value}`;
  }
  return out;
}

/** an HTTP client's response headers (the client state keeps its response head in rs.head, as the server keeps the request's) */
function clientHeaders(wsi: Wsi): HttpHeader[] | null {
  if (wsi.isServer) return null;
  const h = (wsi.rs as { head?: { headers?: HttpHeader[] } | null } | null)?.head?.headers;
  return h ?? null;
}

function joined(headers: HttpHeader[], want: (h: HttpHeader) => boolean): string | null {
  let out: string | null = null;
  for (const h of headers) if (want(h)) out = out === null ? h.value : `${out}${h.lower === "set-cookie" ? "\n" : ", "}${h.value}`;
  return out;
}

/** lws_hdr_total_length: bytes of the token's value; 0 when absent */
export function hdrTotalLength(wsi: Wsi, token: number): number {
  const v = tokenValue(wsi, token);
  return v === null ? 0 : v.length;
}

/**
 * lws_hdr_copy: the token's value, or null when absent. With `maxLen`, null
 * too when it is longer (lws returns -1 when it does not fit).
 */
export function hdrCopy(wsi: Wsi, token: number, maxLen?: number): string | null {
  const v = tokenValue(wsi, token);
  if (v === null || (maxLen !== undefined && v.length > maxLen)) return null;
  return v;
}

/**
 * lws_hdr_copy_fragment: the n-th fragment of a token; for
 * WSI_TOKEN_HTTP_URI_ARGS the n-th query argument, URL-decoded ("a=1").
 */
export function hdrCopyFragment(wsi: Wsi, token: number, n: number): string | null {
  const conn = httpConn(wsi);
  if (!conn?.head) return null;
  if (token === T.WSI_TOKEN_HTTP_URI_ARGS) return queryFragments(conn.query)[n] ?? null;
  const vals = conn.head.headers.filter((h) => T.tokenOfHeader(h.lower) === token).map((h) => h.value);
  if (METHOD_TOKENS[conn.head.method] === token) vals.unshift(conn.path);
  return vals[n] ?? null;
}

/** lws_get_urlarg_by_name: the value of query argument `name` ("name=" or "name"), decoded */
export function getUrlargByName(wsi: Wsi, name: string): string | null {
  const conn = httpConn(wsi);
  if (!conn?.head) return null;
  const key = name.endsWith("=") ? name : name + "=";
  for (const f of queryFragments(conn.query)) if (f.startsWith(key)) return f.slice(key.length);
  return null;
}

/** lws_hdr_custom_length: length of a header by name ("x-foo:" or "x-foo"); -1 when absent */
export function hdrCustomLength(wsi: Wsi, name: string): number {
  const v = hdrCustomCopy(wsi, name);
  return v === null ? -1 : v.length;
}

/** lws_hdr_custom_copy: a header by name, any header lws has no token for included */
export function hdrCustomCopy(wsi: Wsi, name: string): string | null {
  const conn = httpConn(wsi);
  const lower = (name.endsWith(":") ? name.slice(0, -1) : name).toLowerCase();
  if (!conn?.head) {
    const ch = clientHeaders(wsi);
    return ch ? joined(ch, (h) => h.lower === lower) : null;
  }
  let out: string | null = null;
  for (const h of conn.head.headers) if (h.lower === lower) out = out === null ? h.value : `${out}, ${h.value}`;
  return out;
}

/** the request method ("GET"...) */
export function httpMethod(wsi: Wsi): string | null {
  return httpConn(wsi)?.head?.method ?? null;
}
