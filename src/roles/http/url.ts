// Request-target handling: split path and query, percent-decode, and
// normalise the path so that no "." / ".." / "//" can lead outside a mount.

export interface ParsedTarget {
  /** decoded, normalised path, always starting with "/" */
  path: string;
  /** the raw query after "?", without it ("" when none) */
  query: string;
}

const HEX = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1);

/**
 * Percent-decode (RFC 3986) as UTF-8. `plusAsSpace` for query arguments
 * (application/x-www-form-urlencoded). Returns null for a bad escape, an
 * encoded NUL, or bytes that are not UTF-8.
 */
export function urlDecode(s: string, plusAsSpace = false): string | null {
  if (s.indexOf("%") < 0 && (!plusAsSpace || s.indexOf("+") < 0)) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37) {
      const h = HEX(s.charCodeAt(i + 1)), l = HEX(s.charCodeAt(i + 2));
      if (h < 0 || l < 0) return null;
      const b = (h << 4) | l;
      if (b === 0) return null;
      bytes.push(b);
      i += 2;
    } else if (c === 43 && plusAsSpace) bytes.push(32);
    else if (c < 0x80) bytes.push(c);
    else {
      // already a decoded non-ASCII character: re-encode as UTF-8
      const enc = new TextEncoder().encode(s[i]!);
      for (let k = 0; k < enc.length; k++) bytes.push(enc[k]!);
    }
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return null;
  }
}

/**
 * Resolve "." and ".." segments and collapse repeated "/". Returns null when
 * ".." would climb above the root, or for a backslash or NUL (never valid in
 * a path lwsx serves). A trailing "/" is kept.
 */
/** a path with nothing to normalise: "/", then segments without ".", "//" or "\\" */
const PLAIN_PATH = /^(\/[^/.\\\0]+(?:\.[^/.\\\0]+)*)*\/?$/;

export function normalisePath(path: string): string | null {
  if (path === "/" || (path.length > 1 && PLAIN_PATH.test(path))) return path;
  if (path.indexOf("\\") >= 0 || path.indexOf("\0") >= 0) return null;
  const parts = path.split("/");
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const seg = parts[i]!;
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (!out.length) return null;
      out.pop();
      continue;
    }
    out.push(seg);
  }
  const last = parts[parts.length - 1];
  const trailing = parts.length > 1 && (last === "" || last === "." || last === "..") && out.length > 0;
  return "/" + out.join("/") + (trailing ? "/" : "");
}

/**
 * Parse a request-target (origin-form "/a/b?x", absolute-form
 * "http://h/a/b?x", or "*"). Returns null when it is not a usable path.
 */
export function parseTarget(target: string): ParsedTarget | null {
  const out: ParsedTarget = { path: "", query: "" };
  return parseTargetInto(target, out) ? out : null;
}

/** parseTarget() into `out` (the server's per-connection state): false, and `out` untouched, when unusable */
export function parseTargetInto(target: string, out: ParsedTarget): boolean {
  let t = target;
  if (t === "/") {
    out.path = "/";
    out.query = "";
    return true;
  }
  if (t === "*") {
    out.path = "*";
    out.query = "";
    return true;
  }
  if (t[0] !== "/") {
    const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(t);
    if (!m) return false;
    t = t.slice(m[0].length) || "/";
    if (t[0] === "?") t = "/" + t;
  }
  const hash = t.indexOf("#");
  if (hash >= 0) t = t.slice(0, hash);
  const q = t.indexOf("?");
  const rawPath = q >= 0 ? t.slice(0, q) : t;
  const query = q >= 0 ? t.slice(q + 1) : "";
  const decoded = urlDecode(rawPath);
  if (decoded === null) return false;
  const path = normalisePath(decoded);
  if (path === null) return false;
  out.path = path;
  out.query = query;
  return true;
}

/** the query split at "&" and each piece percent-decoded (lws' WSI_TOKEN_HTTP_URI_ARGS fragments) */
export function queryFragments(query: string): string[] {
  if (!query) return [];
  const out: string[] = [];
  for (const piece of query.split("&")) {
    if (!piece) continue;
    const d = urlDecode(piece, true);
    if (d !== null) out.push(d);
  }
  return out;
}
