// CLOSE frame payloads (RFC 6455 sections 5.5.1 and 7.4): a 2-byte status code in network order,
// then an optional UTF-8 reason; the whole payload at most 125 bytes (a control frame).

import { isValidUtf8 } from "./utf8.js";

/** The status a CLOSE frame without a payload reports (never sent on the wire). */
export const CLOSE_NO_STATUS = 1005;
/** The most bytes of reason a CLOSE payload can carry: 125 minus the 2-byte code. */
export const MAX_CLOSE_REASON = 123;

/**
 * True for the codes an endpoint may put in a CLOSE frame: 1000-1003, 1007-1011, the registered
 * 1012-1014 (service restart, try again later, bad gateway), and 3000-4999 (libraries,
 * applications). 1004, 1005, 1006, 1015 and everything below 1000 or in 1016-2999 are not.
 */
export function isValidCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

export type ClosePayload = { code: number; reason: string } | { error: 1002 | 1007 };

/**
 * The code and reason of a received CLOSE payload: an empty payload means 1005 (no status); one
 * byte, or a code not valid on the wire, is a protocol error (1002); a reason that is not UTF-8 is
 * 1007.
 */
export function parseClosePayload(p: Uint8Array): ClosePayload {
  if (p.length === 0) return { code: CLOSE_NO_STATUS, reason: "" };
  if (p.length === 1) return { error: 1002 };
  const code = (p[0]! << 8) | p[1]!;
  if (!isValidCloseCode(code)) return { error: 1002 };
  if (p.length === 2) return { code, reason: "" };
  const r = p.subarray(2);
  if (!isValidUtf8(r)) return { error: 1007 };
  // a decoder per close frame with a reason (rare): none is kept at module level
  return { code, reason: new TextDecoder().decode(r) };
}

/**
 * The payload of a CLOSE frame to send: empty for 1005 (no status), otherwise the code and the
 * UTF-8 of `reason`, cut at a character boundary so that the payload stays within 125 bytes.
 * Throws a RangeError for a code that may not be sent (see isValidCloseCode).
 */
export function buildClosePayload(code: number, reason = ""): Uint8Array {
  if (code === CLOSE_NO_STATUS) return new Uint8Array(0);
  if (!isValidCloseCode(code)) throw new RangeError(`close code ${code} may not be sent`);
  // At most 123 bytes are wanted and a UTF-16 unit encodes to at most 3: a longer string need not
  // be encoded whole.
  const text = encodeUtf8(reason.length > MAX_CLOSE_REASON ? reason.slice(0, MAX_CLOSE_REASON + 1) : reason);
  let n = text.length;
  if (n > MAX_CLOSE_REASON) {
    n = MAX_CLOSE_REASON;
    while ((text[n]! & 0xc0) === 0x80) n--; // text[n] would start the next byte not kept: back to a lead byte
  }
  const out = new Uint8Array(2 + n);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(text.subarray(0, n), 2);
  return out;
}

/** UTF-8 of `s`, a lone surrogate as U+FFFD (as TextEncoder does). */
function encodeUtf8(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 3);
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[o++] = c;
      continue;
    }
    if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 63);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        out[o++] = 0xf0 | (c >> 18);
        out[o++] = 0x80 | ((c >> 12) & 63);
        out[o++] = 0x80 | ((c >> 6) & 63);
        out[o++] = 0x80 | (c & 63);
        continue;
      }
      c = 0xfffd;
    }
    out[o++] = 0xe0 | (c >> 12);
    out[o++] = 0x80 | ((c >> 6) & 63);
    out[o++] = 0x80 | (c & 63);
  }
  return out.subarray(0, o);
}
