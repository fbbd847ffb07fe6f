// The opening handshake's pure parts (RFC 6455 section 4, RFC 7692 section 7): the accept key,
// the client key check, and parsers for Sec-WebSocket-Protocol and Sec-WebSocket-Extensions,
// with the permessage-deflate parameter rules. Header values are strings as the HTTP parser
// gives them (one character per octet); several header lines of the same name are expected joined
// with ", ".

import { base64EncodeInto, codeAt, isBase64Of } from "../../core/base64.js";
import { sha1 } from "../../core/sha1.js";

/** The GUID appended to Sec-WebSocket-Key before hashing (RFC 6455 section 1.3). */
export const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** The characters of Sec-WebSocket-Accept. */
export const ACCEPT_KEY_LENGTH = 28;

/**
 * Writes Sec-WebSocket-Accept for a Sec-WebSocket-Key, base64(SHA-1(key + GUID)), as 28 character
 * codes into `out` at `at`; returns the end. Per call it allocates the hash input and what `sha1fn`
 * does, no string: this runs for every WebSocket connection, on the device too.
 */
export function acceptKeyInto(secWebSocketKey: string, out: Uint8Array, at: number, sha1fn: (data: Uint8Array) => Uint8Array = sha1): number {
  const kl = secWebSocketKey.length;
  const gl = WS_GUID.length;
  const input = new Uint8Array(kl + gl);
  for (let i = 0; i < kl; i++) input[i] = codeAt(secWebSocketKey, i);
  for (let i = 0; i < gl; i++) input[kl + i] = codeAt(WS_GUID, i);
  return base64EncodeInto(sha1fn(input), out, at);
}

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + GUID)). */
export function acceptKey(secWebSocketKey: string, sha1fn: (data: Uint8Array) => Uint8Array = sha1): string {
  const out = new Uint8Array(ACCEPT_KEY_LENGTH);
  acceptKeyInto(secWebSocketKey, out, 0, sha1fn);
  return String.fromCharCode.apply(null, out as unknown as number[]);
}

/** True when `key` is the canonical base64 of exactly 16 bytes (24 characters, "==" at the end). */
export function isValidClientKey(key: string): boolean {
  return isBase64Of(key, 16);
}

/** a header's value, several lines of the same name joined with ", "; null when absent */
export function joinedHeader(headers: readonly { lower: string; value: string }[], lower: string): string | null {
  let v: string | null = null;
  for (const h of headers) if (h.lower === lower) v = v === null ? h.value : `${v}, ${h.value}`;
  return v;
}

// ------------------------------------------------------------------ tokens

/** tchar of RFC 7230: ! # $ % & ' * + - . ^ _ ` | ~ DIGIT ALPHA (RFC 2616's token, the same set) */
const TCHAR = new Uint8Array(128);
for (let c = 0x21; c < 0x7f; c++) TCHAR[c] = 1;
for (const c of '"(),/:;<=>?@[\\]{}') TCHAR[c.charCodeAt(0)] = 0;

function isTchar(c: number): boolean {
  return c < 128 && TCHAR[c] === 1;
}

/** True when `s` is a non-empty HTTP token. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTchar(s.charCodeAt(i))) return false;
  return true;
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * The subprotocols of a Sec-WebSocket-Protocol value (1#token): the tokens in order. White space
 * around elements and empty elements are allowed (RFC 7230 section 7); a non-token element, a
 * duplicate (RFC 6455 section 4.1: the values "MUST all be unique") or no element at all gives null.
 */
export function parseProtocolList(value: string): string[] | null {
  const out: string[] = [];
  const n = value.length;
  let i = 0;
  while (i <= n) {
    let end = value.indexOf(",", i);
    if (end < 0) end = n;
    let a = i, b = end;
    while (a < b && isOws(value.charCodeAt(a))) a++;
    while (b > a && isOws(value.charCodeAt(b - 1))) b--;
    if (a < b) {
      const t = value.slice(a, b);
      if (!isToken(t) || out.includes(t)) return null;
      out.push(t);
    }
    i = end + 1;
  }
  return out.length ? out : null;
}

// ------------------------------------------------------------------ extensions

export interface ExtensionParam {
  name: string;
  /** the value (unquoted), or true for a parameter without one */
  value: string | true;
}

export interface Extension {
  name: string;
  /** in the order given, duplicates kept (the extension decides whether they are allowed) */
  params: ExtensionParam[];
}

/**
 * The extensions of a Sec-WebSocket-Extensions value (RFC 6455 section 9.1), in order:
 *
 *     extension-list = 1#extension
 *     extension      = extension-token *( ";" extension-param )
 *     extension-param = token [ "=" (token | quoted-string) ]
 *
 * with optional white space around the separators, empty list elements ignored, and a
 * quoted-string value (backslash escapes undone) that must be a token itself. Anything else,
 * including an empty list, gives null.
 */
export function parseExtensions(value: string): Extension[] | null {
  const out: Extension[] = [];
  const n = value.length;
  let i = 0;
  const skipOws = () => {
    while (i < n && isOws(value.charCodeAt(i))) i++;
  };
  const token = (): string | null => {
    const a = i;
    while (i < n && isTchar(value.charCodeAt(i))) i++;
    return i > a ? value.slice(a, i) : null;
  };
  for (;;) {
    skipOws();
    if (i >= n) break;
    if (value.charCodeAt(i) === 0x2c) { // "," an empty element
      i++;
      continue;
    }
    const name = token();
    if (name === null) return null;
    const ext: Extension = { name, params: [] };
    out.push(ext);
    skipOws();
    while (i < n && value.charCodeAt(i) === 0x3b) { // ";"
      i++;
      skipOws();
      const pname = token();
      if (pname === null) return null;
      skipOws();
      let pvalue: string | true = true;
      if (i < n && value.charCodeAt(i) === 0x3d) { // "="
        i++;
        skipOws();
        if (i < n && value.charCodeAt(i) === 0x22) { // quoted-string
          i++;
          let s = "";
          for (;;) {
            if (i >= n) return null;
            let c = value.charCodeAt(i++);
            if (c === 0x22) break;
            if (c === 0x5c) { // quoted-pair
              if (i >= n) return null;
              c = value.charCodeAt(i++);
            }
            s += value[i - 1];
            if (!isTchar(c)) return null; // the unescaped value must be a token
          }
          if (s.length === 0) return null;
          pvalue = s;
        } else {
          const v = token();
          if (v === null) return null;
          pvalue = v;
        }
        skipOws();
      }
      ext.params.push({ name: pname, value: pvalue });
    }
    if (i < n && value.charCodeAt(i) !== 0x2c) return null;
    i++;
  }
  return out.length ? out : null;
}

/** An extension as it is written in a header: `name; a; b=8`. */
export function formatExtension(ext: Extension): string {
  let s = ext.name;
  for (const p of ext.params) s += p.value === true ? `; ${p.name}` : `; ${p.name}=${p.value}`;
  return s;
}

// ------------------------------------------------------------------ permessage-deflate

export const PMD_NAME = "permessage-deflate";

/** The parameters of a permessage-deflate offer or response (RFC 7692 section 7.1). */
export interface PmdParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** 8..15, or undefined when absent */
  serverMaxWindowBits: number | undefined;
  /** 8..15; true for the value-less form (only in an offer: "the client supports any"); undefined when absent */
  clientMaxWindowBits: number | true | undefined;
}

export type PmdResult = { ok: true; params: PmdParams } | { ok: false; reason: string };

function windowBits(v: string | true): number {
  // "a decimal integer value without leading zeroes between 8 to 15, inclusive"
  if (v === true) return -1;
  if (v.length === 1) {
    const c = v.charCodeAt(0);
    return c === 0x38 || c === 0x39 ? c - 0x30 : -1;
  }
  if (v.length === 2 && v.charCodeAt(0) === 0x31) {
    const c = v.charCodeAt(1);
    return c >= 0x30 && c <= 0x35 ? 10 + c - 0x30 : -1;
  }
  return -1;
}

function pmdParams(params: ExtensionParam[], isOffer: boolean): PmdResult {
  const r: PmdParams = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: undefined,
    clientMaxWindowBits: undefined,
  };
  const seen: string[] = [];
  for (const { name, value } of params) {
    if (seen.includes(name)) return { ok: false, reason: `duplicate parameter ${name}` };
    seen.push(name);
    switch (name) {
      case "server_no_context_takeover":
      case "client_no_context_takeover":
        if (value !== true) return { ok: false, reason: `${name} takes no value` };
        if (name === "server_no_context_takeover") r.serverNoContextTakeover = true;
        else r.clientNoContextTakeover = true;
        break;
      case "server_max_window_bits": {
        const bits = windowBits(value);
        if (bits < 0) return { ok: false, reason: `invalid ${name}` };
        r.serverMaxWindowBits = bits;
        break;
      }
      case "client_max_window_bits": {
        if (value === true && isOffer) {
          r.clientMaxWindowBits = true;
          break;
        }
        const bits = windowBits(value);
        if (bits < 0) return { ok: false, reason: `invalid ${name}` };
        r.clientMaxWindowBits = bits;
        break;
      }
      default:
        return { ok: false, reason: `unknown parameter ${name}` };
    }
  }
  return { ok: true, params: r };
}

/**
 * The parameters of a permessage-deflate offer (client to server): each at most once, known,
 * the no_context_takeover ones without a value, server_max_window_bits with a value 8..15,
 * client_max_window_bits with a value 8..15 or none.
 */
export function validatePmdOffer(params: ExtensionParam[]): PmdResult {
  return pmdParams(params, true);
}

/**
 * The parameters of a permessage-deflate response (server to client), checked as in an offer
 * except that client_max_window_bits needs a value; with `offer` (what the client sent), also
 * against it (RFC 7692 sections 7.1.1.1, 7.1.2.1 and 7.1.2.2): client_max_window_bits only when
 * offered, server_max_window_bits not above the offered value, and server_no_context_takeover
 * and server_max_window_bits present when the offer asked for them.
 */
export function validatePmdResponse(params: ExtensionParam[], offer?: PmdParams): PmdResult {
  const r = pmdParams(params, false);
  if (!r.ok || !offer) return r;
  const p = r.params;
  if (p.clientMaxWindowBits !== undefined && offer.clientMaxWindowBits === undefined)
    return { ok: false, reason: "client_max_window_bits was not offered" };
  if (offer.serverMaxWindowBits !== undefined && (p.serverMaxWindowBits === undefined || p.serverMaxWindowBits > offer.serverMaxWindowBits))
    return { ok: false, reason: "server_max_window_bits above the offered value" };
  if (offer.serverNoContextTakeover && !p.serverNoContextTakeover)
    return { ok: false, reason: "server_no_context_takeover was requested" };
  return r;
}
