// URLs of the command line (`lwsx get URL`, `lwsx ws URL`): parsed into
// what clientConnect() takes, with an error that says what is wrong.
//
// Pure (no Node built-ins): the unit tests run in the XS engine too.

export type Scheme = "http" | "https" | "ws" | "wss";

export interface ParsedUrl {
  scheme: Scheme;
  /** https or wss: needs TLS (not in this build yet) */
  tls: boolean;
  /** host name (lower case) or numeric address; an IPv6 literal without its brackets */
  address: string;
  /** the TCP port (the scheme's default when the URL gives none) */
  port: number;
  /** request target: path and query ("/" at least), percent-encoded where needed; never the fragment */
  path: string;
  /** the Host header: the host as written (IPv6 in brackets), and the port unless it is the default */
  hostHeader: string;
  /** the URL put back together (scheme://host[:port]path) */
  href: string;
}

/** a URL that cannot be used; the message says why */
export class UrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UrlError";
  }
}

const DEFAULT_PORT: Record<Scheme, number> = { http: 80, https: 443, ws: 80, wss: 443 };
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;
const HEX = /^[0-9a-f]{1,4}$/;

/** an IPv6 address (RFC 4291 text forms, an IPv4 tail allowed), no zone */
export function isIpv6(s: string): boolean {
  let t = s.toLowerCase();
  let groups = 8;
  const lastColon = t.lastIndexOf(":");
  if (t.includes(".")) {
    if (!IPV4.test(t.slice(lastColon + 1))) return false;
    t = t.slice(0, lastColon + 1) + "0:0";
  }
  const dbl = t.indexOf("::");
  if (dbl >= 0) {
    if (t.indexOf("::", dbl + 1) >= 0) return false;
    const head = t.slice(0, dbl), tail = t.slice(dbl + 2);
    const h = head ? head.split(":") : [];
    const tl = tail ? tail.split(":") : [];
    if (![...h, ...tl].every((g) => HEX.test(g))) return false;
    return h.length + tl.length <= groups - 1;
  }
  const parts = t.split(":");
  return parts.length === groups && parts.every((g) => HEX.test(g));
}

/** percent-encode what may not appear raw in a request target (spaces, non-ASCII...); control characters are refused */
function encodeTarget(s: string, what: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c === 0x7f) throw new UrlError(`the ${what} has a control character (code ${c})`);
    if (c > 0x7e || ch === " " || ch === '"' || ch === "<" || ch === ">" || ch === "`" || ch === "{" || ch === "}" || ch === "|" || ch === "\\" || ch === "^") {
      for (const b of utf8(ch)) out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
    } else out += ch;
  }
  // a lone '%' not followed by two hex digits: encode it too (what a browser sends as-is, a strict server refuses)
  return out.replace(/%(?![0-9a-fA-F]{2})/g, "%25");
}

function utf8(ch: string): number[] {
  const c = ch.codePointAt(0)!;
  if (c < 0x80) return [c];
  if (c < 0x800) return [0xc0 | (c >> 6), 0x80 | (c & 63)];
  if (c < 0x10000) return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)];
  return [0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)];
}

/**
 * Parse a URL for a client. `schemes` are the ones the command takes (the
 * first is assumed when the URL has none: `localhost:8080/x`). Throws a
 * UrlError naming the problem: an unknown or wrong scheme, credentials, an
 * empty or malformed host, a bad port, control characters.
 */
export function parseUrl(input: string, schemes: readonly Scheme[] = ["http", "https"]): ParsedUrl {
  let text = input.trim();
  if (!text) throw new UrlError("the URL is empty");
  let scheme: Scheme;
  const sm = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(text);
  if (sm) {
    const s = sm[1]!.toLowerCase();
    if (!schemes.includes(s as Scheme)) {
      const known = s === "http" || s === "https" || s === "ws" || s === "wss";
      throw new UrlError(`${known ? "this command does not take" : "unknown scheme"} '${s}://' (use ${schemes.map((x) => x + "://").join(" or ")})`);
    }
    scheme = s as Scheme;
    text = text.slice(sm[0].length);
  } else {
    // "host:port..." has no scheme; "mailto:x", "http:/x" have a wrong one
    if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(text) && !/^[^:/?#]*:(\d+([/?#]|$)|$)/.test(text)) {
      throw new UrlError(`'${input}' is not a URL this command takes (use ${schemes.map((x) => x + "://").join(" or ")})`);
    }
    scheme = schemes[0]!;
  }
  const tls = scheme === "https" || scheme === "wss";

  // authority: up to the first / ? or #
  const end = text.search(/[/?#]/);
  const authority = end < 0 ? text : text.slice(0, end);
  let rest = end < 0 ? "" : text.slice(end);
  if (authority.includes("@")) throw new UrlError("user names and passwords in URLs are not supported");
  if (!authority) throw new UrlError("the URL has no host");

  let hostText: string;
  let portText: string | null = null;
  let address: string;
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close < 0) throw new UrlError(`the IPv6 address '${authority}' has no closing ']'`);
    const inside = authority.slice(1, close);
    if (inside.includes("%")) throw new UrlError("IPv6 zone identifiers (%) are not supported");
    if (!isIpv6(inside)) throw new UrlError(`'${inside}' is not an IPv6 address`);
    address = inside.toLowerCase();
    hostText = `[${address}]`;
    const after = authority.slice(close + 1);
    if (after) {
      if (after[0] !== ":") throw new UrlError(`unexpected '${after}' after the IPv6 address`);
      portText = after.slice(1);
    }
  } else {
    const colon = authority.lastIndexOf(":");
    if (colon >= 0) {
      if (authority.indexOf(":") !== colon) throw new UrlError(`'${authority}' has more than one ':' (an IPv6 address goes in brackets: [::1])`);
      portText = authority.slice(colon + 1);
      hostText = authority.slice(0, colon);
    } else hostText = authority;
    if (!hostText) throw new UrlError("the URL has no host");
    address = hostText.toLowerCase();
    if (address.endsWith(".") && address.length > 1) address = address.slice(0, -1);
    if (/^[0-9.]+$/.test(address)) {
      if (!IPV4.test(address)) throw new UrlError(`'${hostText}' is not an IPv4 address`);
    } else {
      if (address.length > 253) throw new UrlError("the host name is longer than 253 characters");
      for (const label of address.split(".")) {
        if (!LABEL.test(label)) throw new UrlError(`'${hostText}' is not a valid host name${/[^\x00-\x7f]/.test(hostText) ? " (international names: give the xn-- form)" : ""}`);
      }
    }
    hostText = address;
  }

  const def = DEFAULT_PORT[scheme];
  let port = def;
  if (portText !== null && portText !== "") {
    if (!/^\d+$/.test(portText)) throw new UrlError(`the port '${portText}' is not a number`);
    port = Number(portText);
    if (port < 1 || port > 65535) throw new UrlError(`the port ${portText} is out of range (1-65535)`);
  }

  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.slice(0, hash);
  let path = encodeTarget(rest, "path");
  if (!path || path[0] === "?") path = "/" + path;
  const hostHeader = port === def ? hostText : `${hostText}:${port}`;
  return { scheme, tls, address, port, path, hostHeader, href: `${scheme}://${hostHeader}${path}` };
}
