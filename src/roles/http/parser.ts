// HTTP/1.1 message parsers (RFC 9110 / RFC 9112): requests for the server role, responses for the
// client role. Pure: bytes in, events out, no I/O, no timers.
//
// Strict by default, in the spirit of llhttp's strict mode: whatever could let two parsers
// disagree on where a message ends (request smuggling) fails the message, and the caller answers
// with `error.status` and closes. Decisions worth knowing:
//
// - Line endings are CRLF only: a bare LF ends nothing (400), a bare CR anywhere is 400.
// - Empty lines (CRLF) before a request line are skipped (RFC 9112 2.2), up to maxRequestLine
//   bytes of them.
// - Request line: exactly `method SP target SP HTTP/1.x`; method a token, target visible ASCII
//   (no raw UTF-8: clients percent-encode; url.ts decodes), version "HTTP/1.0" or "HTTP/1.1"
//   (another well-formed version: 505; anything else: 400).
// - A request line longer than maxRequestLine (CRLF not counted) is 414 once the method has
//   ended, 400 while still in the method (no method is that long: it is garbage, not a long URI).
// - The header section (field lines with their CRLF, and the final CRLF) counts against
//   maxHeaderBytes (431); so do chunk extensions (the bytes from the first ";" of each chunk-size
//   line) and trailer lines, on the same budget. Header and trailer field lines together count
//   against maxHeaders (431).
// - Field lines: `name ":" OWS value OWS`; a line starting with SP/HTAB (obs-fold) is 400,
//   whitespace before the colon is 400, a name that is not a token is 400, a value with NUL or
//   another control character (HTAB excepted) is 400. Values are decoded as latin1 (one char per
//   byte, as Node does) with the surrounding OWS trimmed.
// - Content-Length: 1*DIGIT only (no sign, no list, no spaces inside), else 400; repeated lines
//   with identical values are accepted (RFC 9110 8.6), differing ones are 400. A value above
//   maxBodyBytes or above 2^53-1 is 413, decided from the head, before any body byte.
// - Transfer-Encoding with Content-Length: 400. In an HTTP/1.0 message: 400. In a request,
//   "chunked" must be the final coding and appear once (else 400, RFC 9112 6.3 makes this a
//   MUST); with a final chunked, any other coding before it is 501 (only chunked is
//   implemented). So "gzip" alone is 400 and "gzip, chunked" is 501.
// - Chunk-size line: 1 to 16 hex digits (more: 400; above 2^53-1: 400), then nothing or
//   extensions `;name[=token|quoted-string]` with no whitespace anywhere (llhttp strict; 400).
//   Chunk data must be followed by exactly CRLF (400). The decoded total counts against
//   maxBodyBytes (413), checked at each chunk-size line, before that chunk's data.
// - HTTP/1.1 requests need exactly one Host (none or several: 400, RFC 9112 3.2).
// - Expect: 100-continue is reported for HTTP/1.1 only (RFC 9110 10.1.1: ignored in 1.0); any
//   other expectation is left in the headers for the server to answer 417.
// - Upgrade is reported when Connection lists "upgrade", for HTTP/1.1 only (RFC 9110 7.8).
//
// - Responses (ResponseParser): the status line is `HTTP/1.x SP 3DIGIT [SP reason]` (a missing
//   reason, with or without its space, is accepted); no body for 1xx, 204, 304 and answers to
//   HEAD (`isHeadRequest`); a 1xx, a 101 included, completes the message: the caller resets for
//   the final response, or hands the rest to the new protocol. Without Content-Length or a final
//   chunked, the body runs to the end of the stream (finish()). Errors carry the same statuses
//   as for requests (400 framing, 413 body, 431 headers, 505 version), for the log.
//
// Input may be split anywhere: a line cut between calls is kept in a small buffer (at most
// max(maxRequestLine, maxHeaderBytes + 16) + 1 bytes, grown on demand) and the events, statuses
// and reasons are the same however the bytes arrive; only the slicing of onBody data differs.
// Body data is handed out as views into the caller's input, never copied.
//
// Two paths, one outcome: a head that arrives whole and is plain ASCII is decoded once and
// checked with a few native string operations (the fast path; ~5x fewer XS byte codes than byte
// loops); anything else goes line by line over the bytes, and that path alone decides errors
// (the fast path only accepts, or hands the head back untouched).
//
// pause() from a callback makes execute() return right after the byte that caused the callback;
// the next execute() goes on from there. When onHead pauses a message that has no body, its
// onComplete comes from that next execute() (it may be given no bytes); an Upgrade handler that
// pauses in onHead thus gets the head and nothing after it.
//
// Everything here runs in XS: no Node modules, no per-byte allocation, strings built from small
// slices.

export interface HttpLimits {
  /** bytes of the request line (status line for responses) without its CRLF: longer is 414 (400 while still in the method) */
  maxRequestLine: number;
  /** bytes of the header section (field lines with CRLF, and the final CRLF), chunk extensions and trailers: 431 */
  maxHeaderBytes: number;
  /** header plus trailer field lines: 431 */
  maxHeaders: number;
  /** Content-Length, or the decoded chunked (or close-delimited) total: 413 */
  maxBodyBytes: number;
}

/** for a 320 KB ESP32 */
export const DEVICE_HTTP_LIMITS: HttpLimits = Object.freeze({
  maxRequestLine: 1024,
  maxHeaderBytes: 4096,
  maxHeaders: 32,
  maxBodyBytes: 64 * 1024,
});

/** for a server with memory to spare */
export const SERVER_HTTP_LIMITS: HttpLimits = Object.freeze({
  maxRequestLine: 8192,
  maxHeaderBytes: 65536,
  maxHeaders: 100,
  maxBodyBytes: 1024 * 1024 * 1024,
});

export interface HttpHeader {
  /** as received */
  name: string;
  /** lower case (a shared string for the usual names) */
  lower: string;
  /** latin1, surrounding OWS trimmed */
  value: string;
}

export interface RequestHead {
  method: string;
  target: string;
  versionMinor: 0 | 1;
  headers: HttpHeader[];
  /** -1 when absent */
  contentLength: number;
  chunked: boolean;
  /** HTTP/1.1 unless Connection lists "close"; HTTP/1.0 when Connection lists "keep-alive" (and not "close") */
  keepAlive: boolean;
  /** HTTP/1.1 with Expect: 100-continue */
  expectContinue: boolean;
  /** the Upgrade value when Connection lists "upgrade" (HTTP/1.1), else null */
  upgrade: string | null;
}

export interface ResponseHead {
  status: number;
  reason: string;
  versionMinor: 0 | 1;
  headers: HttpHeader[];
  /** as in the headers; -1 when absent */
  contentLength: number;
  /** as in the headers (final coding chunked) */
  chunked: boolean;
  /** per version and Connection; false when the body runs to the end of the stream */
  keepAlive: boolean;
}

export interface HttpParseError {
  /** the status to answer with (for a response parser: the same classification, for the log) */
  status: number;
  reason: string;
}

export type HttpParserState = "idle" | "head" | "body" | "complete" | "error";

/** what the shared engine calls (RequestEvents and ResponseEvents have these too) */
export interface HttpBodyEvents {
  onBody(data: Uint8Array): void;
  onComplete(trailers: HttpHeader[]): void;
  /**
   * The decoder of the whole-head fast path (read once per head): absent, TextDecoder where the
   * host has one; null, String.fromCharCode in slices; or a faster one of the platform's (its
   * `hooks.latin1`: on Node, Buffer's latin1Slice saves ~150 ns a request). Tests set it to run
   * both. It lives with the events, not in this module: nothing here changes after module init.
   */
  readonly headDecoder?: HttpHeadDecoder | null;
}

export interface RequestEvents {
  onHead(head: RequestHead): void;
  /** a view into the input (de-chunked), valid during the call */
  onBody(data: Uint8Array): void;
  /** the whole request is in; `trailers` is a shared frozen empty array when there are none */
  onComplete(trailers: HttpHeader[]): void;
}

export interface ResponseEvents {
  onHead(head: ResponseHead): void;
  /** a view into the input (de-chunked), valid during the call */
  onBody(data: Uint8Array): void;
  /** the whole response is in; `trailers` is a shared frozen empty array when there are none */
  onComplete(trailers: HttpHeader[]): void;
}

export interface ResponseParserOptions {
  /** the request was HEAD: the response has no body whatever its headers say */
  isHeadRequest?: boolean;
}

// ------------------------------------------------------------------ bytes

const HT = 9, LF = 10, CR = 13, SP = 32, DQUOTE = 34, COMMA = 44, COLON = 58, SEMI = 59, EQ = 61, BSLASH = 92;
const MAX_SAFE = 9007199254740991; // 2^53 - 1
const MAX_HEX_DIGITS = 16;

const C_TCHAR = 1; // token characters (RFC 9110 5.6.2)
const C_FIELD = 2; // field-value characters: HTAB, SP, VCHAR, obs-text
const C_TARGET = 4; // request-target characters: visible ASCII
const C_QDTEXT = 8; // quoted-string text: HTAB, SP, VCHAR but '"' and '\', obs-text
const C_OWS = 16; // SP, HTAB

const CLS = new Uint8Array(256);
const LOWER = new Uint8Array(256);
const HEXV = new Int8Array(256).fill(-1);
for (let c = 0; c < 256; c++) {
  let k = 0;
  const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (alnum || "!#$%&'*+-.^_`|~".indexOf(String.fromCharCode(c)) >= 0) k |= C_TCHAR;
  if (c === HT || c === SP || (c > 32 && c < 127) || c >= 128) k |= C_FIELD;
  if (c > 32 && c < 127) k |= C_TARGET;
  if ((k & C_FIELD) && c !== DQUOTE && c !== BSLASH) k |= C_QDTEXT;
  if (c === SP || c === HT) k |= C_OWS;
  CLS[c] = k;
  LOWER[c] = c >= 65 && c <= 90 ? c + 32 : c;
  if (c >= 48 && c <= 57) HEXV[c] = c - 48;
  else if (c >= 65 && c <= 70) HEXV[c] = c - 55;
  else if (c >= 97 && c <= 102) HEXV[c] = c - 87;
}

const isOws = (c: number): boolean => c === SP || c === HT;

const SLICE = 128; // characters per String.fromCharCode call (XS passes them on its stack)

/** latin1: one character per byte, in slices small enough for XS */
function latin1(d: Uint8Array, s: number, e: number): string {
  const n = e - s;
  if (n <= 0) return "";
  if (n === 1) return String.fromCharCode(d[s]!);
  if (n <= SLICE) return String.fromCharCode.apply(null, d.subarray(s, e) as unknown as number[]);
  let out = "";
  for (let i = s; i < e; i += SLICE) out += String.fromCharCode.apply(null, d.subarray(i, Math.min(e, i + SLICE)) as unknown as number[]);
  return out;
}

// ---------------------------------------------------- known header names
//
// The usual names get shared strings: recognised by length and first letter, then compared, they
// need no decoding and no toLowerCase. The first six carry meaning for the framing; their index
// is their id. (Strings and one Map: small in XS, where module tables take RAM.)

const K_CONTENT_LENGTH = 0, K_TRANSFER_ENCODING = 1, K_CONNECTION = 2, K_HOST = 3, K_UPGRADE = 4, K_EXPECT = 5;
const K_LOWER = [
  "content-length", "transfer-encoding", "connection", "host", "upgrade", "expect",
  "accept", "accept-charset", "accept-encoding", "accept-language", "accept-ranges", "access-control-allow-origin",
  "access-control-request-headers", "access-control-request-method", "age", "allow", "authorization", "cache-control",
  "content-disposition", "content-encoding", "content-language", "content-location", "content-range", "content-type",
  "cookie", "date", "dnt", "etag", "expires", "forwarded", "from", "http2-settings", "if-match", "if-modified-since",
  "if-none-match", "if-range", "if-unmodified-since", "keep-alive", "last-modified", "link", "location", "max-forwards",
  "origin", "pragma", "priority", "proxy-authenticate", "proxy-authorization", "proxy-connection", "range", "referer",
  "refresh", "retry-after", "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "sec-fetch-dest", "sec-fetch-mode",
  "sec-fetch-site", "sec-fetch-user", "sec-websocket-accept", "sec-websocket-extensions", "sec-websocket-key",
  "sec-websocket-protocol", "sec-websocket-version", "server", "set-cookie", "strict-transport-security", "te",
  "trailer", "upgrade-insecure-requests", "user-agent", "vary", "via", "www-authenticate", "x-forwarded-for",
  "x-forwarded-host", "x-forwarded-proto", "x-real-ip", "x-requested-with",
];
const CANON_SPECIAL: Record<string, string> = {
  dnt: "DNT", etag: "ETag", te: "TE", "www-authenticate": "WWW-Authenticate",
  "sec-websocket-accept": "Sec-WebSocket-Accept", "sec-websocket-extensions": "Sec-WebSocket-Extensions",
  "sec-websocket-key": "Sec-WebSocket-Key", "sec-websocket-protocol": "Sec-WebSocket-Protocol",
  "sec-websocket-version": "Sec-WebSocket-Version", "sec-ch-ua": "Sec-CH-UA", "sec-ch-ua-mobile": "Sec-CH-UA-Mobile",
  "sec-ch-ua-platform": "Sec-CH-UA-Platform",
};
/** as usually written: "Content-Length" */
const K_CANON = K_LOWER.map((l) => CANON_SPECIAL[l] ?? l.replace(/(^|-)([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()));
/** known-name indexes by (length << 5) | (first character & 31) */
const K_BUCKETS = new Map<number, number[]>();
for (let k = 0; k < K_LOWER.length; k++) {
  const l = K_LOWER[k]!;
  const key = (l.length << 5) | (l.charCodeAt(0) & 31);
  const list = K_BUCKETS.get(key);
  if (list) list.push(k);
  else K_BUCKETS.set(key, [k]);
}

/** d[s, s + str.length) holds exactly the ASCII string str */
function sameAscii(d: Uint8Array, s: number, str: string): boolean {
  for (let i = 0; i < str.length; i++) if (d[s + i] !== str.charCodeAt(i)) return false;
  return true;
}

/** the known-name index of the token d[s, e), or -1 */
function knownName(d: Uint8Array, s: number, e: number): number {
  const bucket = K_BUCKETS.get(((e - s) << 5) | (d[s]! & 31));
  if (bucket === undefined) return -1;
  for (let j = 0; j < bucket.length; j++) {
    const l = K_LOWER[bucket[j]!]!;
    let i = 0;
    while (i < l.length && LOWER[d[s + i]!] === l.charCodeAt(i)) i++;
    if (i === l.length) return bucket[j]!;
  }
  return -1;
}

const METHODS = ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT"];

const METHOD_LENGTHS = [3, 4, 4, 3, 6, 7, 5, 7];

/** the shared string of a usual method that `line` starts with (`n` characters), else null */
function knownMethod(line: string, n: number): string | null {
  for (let m = 0; m < METHOD_LENGTHS.length; m++) {
    if (METHOD_LENGTHS[m] === n && startsWith.call(line, METHODS[m]!, 0)) return METHODS[m]!;
  }
  return null;
}

function methodString(d: Uint8Array, s: number, e: number): string {
  for (let m = 0; m < METHODS.length; m++) {
    const str = METHODS[m]!;
    if (str.length === e - s && sameAscii(d, s, str)) return str;
  }
  return latin1(d, s, e);
}

const NO_TRAILERS: HttpHeader[] = Object.freeze([]) as unknown as HttpHeader[];

// ------------------------------------------------------ whole-head fast path
//
// A head that arrives whole (the usual case) is decoded once and checked with a few native
// string operations instead of byte loops (a byte loop costs ~60 ns a byte in XS, a regex ~10 ns
// a character). It only ever accepts: anything unusual (a byte outside printable ASCII, a bare
// CR or LF, a limit reached, a malformed line) sends the head back to the byte-wise path, which
// alone decides errors. The property tests check that both give the same events.

/**
 * Decodes d[start, end) for the fast path. It must give one character per byte for ASCII bytes,
 * and no ASCII character for any other byte (UTF-8 with replacement, latin1: both fine).
 */
export type HttpHeadDecoder = (d: Uint8Array, start: number, end: number) => string;

/**
 * The default decoder: UTF-8 decoding is exact for ASCII, which is all the fast path takes; the
 * BOM is kept so that it is seen (and refused). The TextDecoder is made when first used, per
 * call: a module-level one would be made at module init, before a Moddable app has installed its
 * TextDecoder global (and a preloading linker has none).
 */
function textDecode(d: Uint8Array, s: number, e: number): string {
  return typeof TextDecoder === "function" ? new TextDecoder("utf-8", { ignoreBOM: true }).decode(d.subarray(s, e)) : latin1(d, s, e);
}
/** the first look for the end of a head; longer heads get looks four times longer, up to the limits */
const FAST_WINDOW = 1024;
/** non-empty lines of HTAB and printable ASCII, each ending with CRLF, then CRLF (linear: the class excludes CR) */
const PLAIN_HEAD = /^(?:[\t\x20-\x7e]+\r\n)+\r\n$/;
const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// String methods called on the string itself: in XS, s.indexOf(...) and even s.length make a
// wrapper object per call (32 bytes on the device); indexOf.call(s, ...) makes none. The fast path
// below runs for every request, so it uses these.
const indexOf = String.prototype.indexOf;
const startsWith = String.prototype.startsWith;
const slice = String.prototype.slice;
const charCodeAt = String.prototype.charCodeAt;
const toLowerCase = String.prototype.toLowerCase;
const HEAD_END = "\r\n\r\n", CRLF_S = "\r\n", COLON_S = ":", SP_S = " ", HTTP1_S = "HTTP/1.", HT_S = "\t";

// ------------------------------------------------------------------ states

const S_START = 0; // request or status line (or the empty lines before it)
const S_HEADER = 1;
const S_BODY = 2; // Content-Length body, `remaining` left
const S_CHUNK_SIZE = 3;
const S_CHUNK_DATA = 4;
const S_CHUNK_CR = 5;
const S_CHUNK_LF = 6;
const S_TRAILER = 7;
const S_BODY_EOF = 8; // response body delimited by the end of the stream
const S_COMPLETE = 9;
const S_ERROR = 10;

const CONN_CLOSE = 1, CONN_KEEP_ALIVE = 2, CONN_UPGRADE = 4;

/** The common engine: lines, limits, field lines, framing headers, bodies. */
export abstract class MessageParser {
  protected readonly maxLine: number;
  protected readonly maxHeaderBytes: number;
  protected readonly maxHeaders: number;
  protected readonly maxBody: number;
  private readonly bodyEvents: HttpBodyEvents;

  protected st = S_START;
  private err: HttpParseError | null = null;
  private paused = false;
  /** a line cut between calls */
  private buf: Uint8Array | null = null;
  private bufLen = 0;
  private readonly bufCap: number;

  // per message
  private blank = 0; // bytes of empty lines skipped before the start line
  private hdrBytes = 0; // header-section budget used
  private fields = 0; // header + trailer field lines
  protected headers: HttpHeader[] = [];
  private trailers: HttpHeader[] | null = null;
  private remaining = 0;
  private bodyTotal = 0;
  protected versionMinor: 0 | 1 = 1;
  protected clValue = -1; // -1 absent; Infinity when above 2^53-1
  private clText = "";
  protected teSeen = false;
  protected teChunkedLast = false;
  protected teOther = false; // a coding other than chunked before the final chunked
  protected conn = 0;
  protected hostCount = 0;
  protected upgradeValue: string | null = null;
  protected expect100 = false;

  constructor(limits: HttpLimits, events: HttpBodyEvents) {
    this.maxLine = limits.maxRequestLine;
    this.maxHeaderBytes = limits.maxHeaderBytes;
    this.maxHeaders = limits.maxHeaders;
    this.maxBody = limits.maxBodyBytes;
    this.bodyEvents = events;
    this.bufCap = Math.max(this.maxLine, this.maxHeaderBytes + MAX_HEX_DIGITS, 0) + 1;
  }

  get error(): HttpParseError | null {
    return this.err;
  }

  get state(): HttpParserState {
    switch (this.st) {
      case S_START:
        return this.bufLen === 0 ? "idle" : "head";
      case S_HEADER:
        return "head";
      case S_COMPLETE:
        return "complete";
      case S_ERROR:
        return "error";
      default:
        return "body";
    }
  }

  /** bytes of a cut line held between calls (diagnostics: never above max(maxRequestLine, maxHeaderBytes + 16) + 1) */
  get buffered(): number {
    return this.bufLen;
  }

  /** bytes allocated for cut lines (diagnostics: grows on demand up to the same bound) */
  get bufferSize(): number {
    return this.buf ? this.buf.length : 0;
  }

  /** From inside a callback: execute() returns right after the current byte; the next execute() goes on. */
  pause(): void {
    this.paused = true;
  }

  /** Ready for the next message on the same connection (also clears an error). */
  reset(): void {
    this.st = S_START;
    this.err = null;
    this.paused = false;
    this.bufLen = 0;
    this.blank = 0;
    this.resetMessage();
  }

  /** the per-message fields (what the fast path drops when it hands a head back) */
  private resetMessage(): void {
    this.hdrBytes = 0;
    this.fields = 0;
    this.headers = [];
    this.trailers = null;
    this.remaining = 0;
    this.bodyTotal = 0;
    this.versionMinor = 1;
    this.clValue = -1;
    this.clText = "";
    this.teSeen = false;
    this.teChunkedLast = false;
    this.teOther = false;
    this.conn = 0;
    this.hostCount = 0;
    this.upgradeValue = null;
    this.expect100 = false;
    this.resetStart();
  }

  /**
   * Feed bytes. Returns how many were consumed, or -1 on error (`error` is then set and the
   * parser stays failed). It returns right after a message completes (the bytes up to and
   * including its end: call reset() and execute() again with the rest), and right after the
   * callback that called pause(). In "complete" state it consumes nothing and returns 0.
   * A message without body whose onHead paused gets its onComplete from the next execute()
   * (which may be given no bytes), consuming nothing.
   */
  execute(data: Uint8Array): number {
    if (this.st === S_ERROR) return -1;
    this.paused = false;
    if (this.st === S_COMPLETE) return 0;
    try {
      if (this.st === S_BODY && this.remaining === 0) {
        this.complete(NO_TRAILERS);
        return 0;
      }
      return this.run(data);
    } catch (e) {
      // a callback threw: the message is lost; the exception goes on to the caller
      if (this.st !== S_ERROR) this.fail(500, "exception in a callback");
      throw e;
    }
  }

  /**
   * End of stream. Completes a body that runs to the end of the stream (responses without
   * framing) and returns 0; returns 0 too between messages; else the message is cut short:
   * -1 with `error` set.
   */
  finish(): number {
    switch (this.st) {
      case S_ERROR:
        return -1;
      case S_COMPLETE:
        return 0;
      case S_BODY_EOF:
        this.paused = false;
        this.complete(NO_TRAILERS);
        return 0;
      case S_START:
        if (this.bufLen === 0) return 0;
        break;
      case S_BODY:
        if (this.remaining === 0) {
          this.paused = false;
          this.complete(NO_TRAILERS);
          return 0;
        }
        break;
    }
    return this.fail(400, "end of stream inside a message");
  }

  // ---------------------------------------------------------------- hooks

  protected abstract resetStart(): void;
  /** the fast path's start line (ASCII, no CR/LF; `length` its length): true when well-formed and taken, false to leave it to startLine() */
  protected abstract fastStart(line: string, length: number): boolean;
  /** the request or status line, d[s, e) without CRLF (`trunc`: a too-long line's first limit+1 bytes) */
  protected abstract startLine(d: Uint8Array, s: number, e: number, trunc: boolean): boolean;
  /** the header section is in: check framing, tell onHead, return the body's framing */
  protected abstract headDone(): boolean;

  // -------------------------------------------------------------- helpers

  protected fail(status: number, reason: string): -1 {
    this.err = { status, reason };
    this.st = S_ERROR;
    this.bufLen = 0;
    return -1;
  }

  /** fail() for the boolean paths */
  protected bad(status: number, reason: string): false {
    this.fail(status, reason);
    return false;
  }

  /** framing chosen by headDone after onHead */
  protected startBody(kind: "none" | "length" | "chunked" | "eof", length: number): void {
    if (kind === "chunked") this.st = S_CHUNK_SIZE;
    else if (kind === "eof") this.st = S_BODY_EOF;
    else {
      this.st = S_BODY;
      this.remaining = kind === "length" ? length : 0;
      if (this.remaining === 0 && !this.paused) this.complete(NO_TRAILERS);
    }
  }

  private complete(trailers: HttpHeader[]): void {
    this.st = S_COMPLETE;
    this.bodyEvents.onComplete(trailers);
  }

  // ------------------------------------------------------------------ run

  private run(d: Uint8Array): number {
    const len = d.length;
    let pos = 0;
    while (pos < len) {
      switch (this.st) {
        case S_START:
          if (this.bufLen === 0) {
            const next = this.fastHead(d, pos, len);
            if (next >= 0) {
              pos = next;
              break;
            }
            if ((this.st as number) === S_ERROR) return -1;
          }
          pos = this.lineStep(d, pos, len);
          if (pos < 0) return -1;
          break;
        case S_HEADER:
        case S_CHUNK_SIZE:
        case S_TRAILER:
          pos = this.lineStep(d, pos, len);
          if (pos < 0) return -1;
          break;
        case S_BODY: {
          const n = Math.min(this.remaining, len - pos);
          this.remaining -= n;
          const v = d.subarray(pos, pos + n);
          pos += n;
          this.bodyEvents.onBody(v);
          if (this.remaining === 0 && !this.paused) this.complete(NO_TRAILERS);
          break;
        }
        case S_CHUNK_DATA: {
          const n = Math.min(this.remaining, len - pos);
          this.remaining -= n;
          const v = d.subarray(pos, pos + n);
          pos += n;
          if (this.remaining === 0) this.st = S_CHUNK_CR;
          this.bodyEvents.onBody(v);
          break;
        }
        case S_CHUNK_CR:
          if (d[pos] !== CR) return this.fail(400, "chunk data not followed by CRLF");
          pos++;
          this.st = S_CHUNK_LF;
          break;
        case S_CHUNK_LF:
          if (d[pos] !== LF) return this.fail(400, "chunk data not followed by CRLF");
          pos++;
          this.st = S_CHUNK_SIZE;
          break;
        case S_BODY_EOF: {
          // up to the limit, then fail: the same bytes are delivered however they arrive
          const room = this.maxBody - this.bodyTotal;
          if (room === 0) return this.fail(413, "body larger than the limit");
          const n = Math.min(len - pos, room);
          this.bodyTotal += n;
          const v = d.subarray(pos, pos + n);
          pos += n;
          this.bodyEvents.onBody(v);
          break;
        }
        default:
          return pos; // S_COMPLETE, S_ERROR (a callback may have reset or failed us)
      }
      if (this.paused || this.st === S_COMPLETE) return this.st === S_ERROR ? -1 : pos;
    }
    return this.st === S_ERROR ? -1 : pos;
  }

  /**
   * The whole head at d[pos...] at once, when it is all here and plain. Returns the position
   * after it; -1 when not taken (nothing changed: the byte-wise path goes on) or failed (a
   * framing error in a well-formed head: `st` is then S_ERROR).
   */
  private fastHead(d: Uint8Array, pos: number, len: number): number {
    const avail = len - pos;
    const most = Math.min(avail, this.maxLine + 2 + this.maxHeaderBytes);
    if (most < 4 || d[pos] === CR) return -1;
    // look for the end of the head in a growing window: pipelined small requests decode little
    let n = Math.min(most, FAST_WINDOW);
    const dec = this.bodyEvents.headDecoder;
    let w: string, end: number;
    for (;;) {
      w = dec === undefined ? textDecode(d, pos, pos + n) : dec ? dec(d, pos, pos + n) : latin1(d, pos, pos + n);
      end = indexOf.call(w, HEAD_END, 0);
      if (end >= 0) break;
      if (n === most) return -1;
      n = Math.min(most, n * 4);
    }
    const size = end + 4; // characters are bytes: the test below lets only ASCII through
    // (a window of n bytes decodes to at most n characters, exactly n when it is ASCII)
    const h = size === n ? w : slice.call(w, 0, size);
    if (!PLAIN_HEAD.test(h)) return -1;
    const l0 = indexOf.call(h, CRLF_S, 0);
    if (l0 > this.maxLine || size - (l0 + 2) > this.maxHeaderBytes || !this.fastStart(slice.call(h, 0, l0), l0)) return -1;
    for (let at = l0 + 2; at < size - 2; ) {
      const le = indexOf.call(h, CRLF_S, at);
      const colon = indexOf.call(h, COLON_S, at);
      if (this.fields >= this.maxHeaders || colon <= at || colon > le) return this.handBack();
      // a known name as usually written takes no string of its own
      const bucket = K_BUCKETS.get(((colon - at) << 5) | (charCodeAt.call(h, at) & 31));
      let k = -1, name = "", lower = "";
      if (bucket !== undefined) {
        for (let j = 0; j < bucket.length; j++) {
          const c = bucket[j]!;
          if (startsWith.call(h, K_CANON[c]!, at)) name = K_CANON[c]!;
          else if (startsWith.call(h, K_LOWER[c]!, at)) name = K_LOWER[c]!;
          else continue;
          k = c;
          lower = K_LOWER[c]!;
          break;
        }
      }
      if (k < 0) {
        name = slice.call(h, at, colon);
        if (!TOKEN_RE.test(name)) return this.handBack();
        lower = toLowerCase.call(name);
        if (bucket !== undefined) {
          for (let j = 0; j < bucket.length; j++) {
            if (lower === K_LOWER[bucket[j]!]) {
              k = bucket[j]!;
              lower = K_LOWER[k]!;
              break;
            }
          }
        }
      }
      let vs = colon + 1, ve = le;
      while (vs < ve && isOws(charCodeAt.call(h, vs))) vs++;
      while (ve > vs && isOws(charCodeAt.call(h, ve - 1))) ve--;
      if (!this.addField(name, lower, k, slice.call(h, vs, ve), false)) return -1;
      at = le + 2;
    }
    this.hdrBytes = size - (l0 + 2);
    this.st = S_HEADER;
    return this.headDone() ? pos + size : -1;
  }

  /** the fast path gives up on this head: undo what it did */
  private handBack(): -1 {
    this.resetMessage();
    this.st = S_START;
    return -1;
  }

  /** the most bytes the current line may hold before its CRLF */
  private lineLimit(): number {
    switch (this.st) {
      case S_START:
        return this.maxLine;
      case S_CHUNK_SIZE:
        return MAX_HEX_DIGITS + (this.maxHeaderBytes - this.hdrBytes);
      default:
        return this.maxHeaderBytes - this.hdrBytes - 2;
    }
  }

  /**
   * One line from d[pos...]: processed when its LF is here, else kept. A line is too long when
   * what is known of it already exceeds the limit; then only its first limit+1 bytes are looked
   * at (so that the answer cannot depend on how the bytes were split).
   */
  private lineStep(d: Uint8Array, pos: number, len: number): number {
    const lim = this.lineLimit();
    const lf = d.indexOf(LF, pos);
    const held = this.bufLen;
    if (held === 0) {
      if (lf >= 0) {
        const a = lf - pos;
        const cr = a > 0 && d[lf - 1] === CR;
        const content = cr ? a - 1 : a;
        if (content > lim) return this.tooLong(d, pos, len, lim);
        if (!cr) return this.fail(400, "bare LF (lines end with CRLF)");
        if (!this.line(d, pos, pos + content, false)) return -1;
        return lf + 1;
      }
      const a = len - pos;
      if ((d[len - 1] === CR ? a - 1 : a) > lim) return this.tooLong(d, pos, len, lim);
      this.keep(d, pos, len);
      return len;
    }
    const buf = this.buf!;
    if (lf >= 0) {
      const a = held + (lf - pos);
      const last = lf > pos ? d[lf - 1] : buf[held - 1];
      const cr = last === CR;
      const content = cr ? a - 1 : a;
      if (content > lim) return this.tooLong(d, pos, len, lim);
      if (!cr) return this.fail(400, "bare LF (lines end with CRLF)");
      this.keep(d, pos, lf);
      this.bufLen = 0;
      if (!this.line(this.buf!, 0, content, false)) return -1;
      return lf + 1;
    }
    const a = held + (len - pos);
    const last = len > pos ? d[len - 1] : buf[held - 1];
    if ((last === CR ? a - 1 : a) > lim) return this.tooLong(d, pos, len, lim);
    this.keep(d, pos, len);
    return len;
  }

  /** the line is over its limit: judge its first lim+1 bytes (always fails) */
  private tooLong(d: Uint8Array, pos: number, len: number, lim: number): -1 {
    const want = Math.max(lim + 1, 0);
    if (this.bufLen === 0) {
      this.line(d, pos, pos + want, true);
    } else {
      if (this.bufLen < want) this.keep(d, pos, Math.min(len, pos + (want - this.bufLen)));
      const b = this.buf!;
      this.bufLen = 0;
      this.line(b, 0, want, true);
    }
    if (this.st !== S_ERROR) this.fail(500, "line limit"); // not reached: a truncated line always fails
    return -1;
  }

  /** append d[s, e) to the held line */
  private keep(d: Uint8Array, s: number, e: number): void {
    const n = e - s;
    if (n <= 0) return;
    const need = this.bufLen + n;
    let b = this.buf;
    if (!b || b.length < need) {
      const size = Math.min(this.bufCap, Math.max(need, 256, b ? b.length * 2 : 0));
      const nb = new Uint8Array(size);
      if (b && this.bufLen) nb.set(b.subarray(0, this.bufLen));
      this.buf = b = nb;
    }
    b.set(d.subarray(s, e), this.bufLen);
    this.bufLen = need;
  }

  private line(d: Uint8Array, s: number, e: number, trunc: boolean): boolean {
    switch (this.st) {
      case S_START:
        if (s === e && !trunc) {
          // an empty line before the request line
          this.blank += 2;
          if (this.blank > this.maxLine) return this.bad(400, "too many empty lines before the start line");
          return true;
        }
        if (!this.startLine(d, s, e, trunc)) return false;
        this.st = S_HEADER;
        return true;
      case S_HEADER:
        if (s === e && !trunc) {
          this.hdrBytes += 2;
          return this.headDone();
        }
        return this.fieldLine(d, s, e, trunc, false);
      case S_TRAILER:
        if (s === e && !trunc) {
          this.complete(this.trailers ?? NO_TRAILERS);
          return true;
        }
        return this.fieldLine(d, s, e, trunc, true);
      default:
        return this.chunkLine(d, s, e, trunc);
    }
  }

  private fieldLine(d: Uint8Array, s: number, e: number, trunc: boolean, trailer: boolean): boolean {
    if (this.fields >= this.maxHeaders) return this.bad(431, trailer ? "too many trailer fields" : "too many header fields");
    if (s === e) return this.bad(431, trailer ? "trailer section too large" : "header section too large");
    let i = s;
    let c = d[i]!;
    if (CLS[c]! & C_OWS) return this.bad(400, "field line starting with whitespace (obs-fold)");
    while (CLS[c]! & C_TCHAR) {
      if (++i === e) break;
      c = d[i]!;
    }
    if (i === e) return (trunc ? this.bad(431, trailer ? "trailer section too large" : "header section too large") : this.bad(400, "field line without a colon"));
    if (c !== COLON) {
      if (CLS[c]! & C_OWS) return this.bad(400, "whitespace between field name and colon");
      if (c === CR) return this.bad(400, "bare CR");
      return this.bad(400, "invalid character in field name");
    }
    if (i === s) return this.bad(400, "empty field name");
    const ne = i++;
    while (i < e && CLS[d[i]!]! & C_OWS) i++;
    const vs = i;
    while (i < e && CLS[d[i]!]! & C_FIELD) i++;
    if (i < e) {
      const b = d[i]!;
      return this.bad(400, b === CR ? "bare CR" : b === 0 ? "NUL in field value" : "control character in field value");
    }
    if (trunc) return this.bad(431, trailer ? "trailer section too large" : "header section too large");
    let ve = e;
    while (ve > vs && CLS[d[ve - 1]!]! & C_OWS) ve--;

    this.hdrBytes += e - s + 2;
    const k = knownName(d, s, ne);
    let name: string, lower: string;
    if (k >= 0) {
      lower = K_LOWER[k]!;
      name = sameAscii(d, s, K_CANON[k]!) ? K_CANON[k]! : sameAscii(d, s, lower) ? lower : latin1(d, s, ne);
    } else {
      name = latin1(d, s, ne);
      lower = name.toLowerCase();
    }
    return this.addField(name, lower, k, latin1(d, vs, ve), trailer);
  }

  /** a field line, checked: keep it, and read the framing ones */
  private addField(name: string, lower: string, k: number, value: string, trailer: boolean): boolean {
    this.fields++;
    const hdr: HttpHeader = { name, lower, value };
    if (trailer) {
      (this.trailers ??= []).push(hdr);
      return true;
    }
    this.headers.push(hdr);
    return k < 0 || k > K_EXPECT || this.framingField(k, value);
  }

  /** the header fields that decide the framing and the connection (values OWS-trimmed) */
  private framingField(k: number, value: string): boolean {
    switch (k) {
      case K_CONTENT_LENGTH: {
        const n = value.length;
        if (n === 0) return this.bad(400, "empty Content-Length");
        for (let i = 0; i < n; i++) {
          const c = value.charCodeAt(i);
          if (c < 48 || c > 57) return this.bad(400, "Content-Length is not a decimal number");
        }
        if (this.clValue !== -1) return value === this.clText || this.bad(400, "differing Content-Length values");
        let i = 0;
        while (i < n - 1 && value.charCodeAt(i) === 48) i++; // leading zeros
        let v = 0;
        if (n - i > 16) v = Infinity;
        else for (; i < n; i++) v = v * 10 + (value.charCodeAt(i) - 48);
        this.clValue = v > MAX_SAFE ? Infinity : v;
        this.clText = value;
        return true;
      }
      case K_TRANSFER_ENCODING:
        this.teSeen = true;
        return this.transferCodings(value);
      case K_CONNECTION:
        this.connectionOptions(value);
        return true;
      case K_HOST:
        return ++this.hostCount === 1 || this.bad(400, "more than one Host header");
      case K_UPGRADE:
        this.upgradeValue = this.upgradeValue === null ? value : this.upgradeValue + ", " + value;
        return true;
      case K_EXPECT:
        if (value.length === 12 && value.toLowerCase() === "100-continue") this.expect100 = true;
        return true;
    }
    return true;
  }

  /** Transfer-Encoding list elements, in order, across all its field lines */
  private transferCodings(v: string): boolean {
    const n = v.length;
    let i = 0;
    while (i < n) {
      const c = v.charCodeAt(i);
      if (c === COMMA || isOws(c)) {
        i++;
        continue;
      }
      const ts = i;
      while (i < n && CLS[v.charCodeAt(i)]! & C_TCHAR) i++; // latin1: codes below 256
      const te = i;
      if (te === ts) return this.bad(400, "invalid Transfer-Encoding");
      while (i < n && isOws(v.charCodeAt(i))) i++;
      const params = i < n && v.charCodeAt(i) === SEMI;
      if (i < n && v.charCodeAt(i) !== COMMA && !params) return this.bad(400, "invalid Transfer-Encoding");
      if (params) while (i < n && v.charCodeAt(i) !== COMMA) i++; // parameters of a coding refused anyway
      const isChunked = te - ts === 7 && v.slice(ts, te).toLowerCase() === "chunked";
      if (this.teChunkedLast) return this.bad(400, isChunked ? "chunked applied more than once" : "chunked is not the final transfer coding");
      if (isChunked) {
        if (params) return this.bad(400, "chunked takes no parameters");
        this.teChunkedLast = true;
      } else this.teOther = true;
    }
    return true;
  }

  /** Connection options: close, keep-alive, upgrade (others ignored) */
  private connectionOptions(v: string): void {
    const n = v.length;
    let i = 0;
    while (i < n) {
      while (i < n && (v.charCodeAt(i) === COMMA || isOws(v.charCodeAt(i)))) i++;
      const ts = i;
      while (i < n && v.charCodeAt(i) !== COMMA) i++;
      let te = i;
      while (te > ts && isOws(v.charCodeAt(te - 1))) te--;
      const len = te - ts;
      if (len !== 5 && len !== 7 && len !== 10) continue;
      const o = v.slice(ts, te).toLowerCase();
      if (o === "close") this.conn |= CONN_CLOSE;
      else if (o === "keep-alive") this.conn |= CONN_KEEP_ALIVE;
      else if (o === "upgrade") this.conn |= CONN_UPGRADE;
    }
  }

  /** keep-alive per version and Connection */
  protected keepAliveByHeaders(): boolean {
    if (this.conn & CONN_CLOSE) return false;
    return this.versionMinor === 1 || (this.conn & CONN_KEEP_ALIVE) !== 0;
  }

  /** the framing errors shared by requests and responses (400), before the kind-specific ones */
  protected framingErrors(): boolean {
    if (this.teSeen) {
      if (this.clValue !== -1) return this.bad(400, "both Content-Length and Transfer-Encoding");
      if (this.versionMinor === 0) return this.bad(400, "Transfer-Encoding in an HTTP/1.0 message");
    }
    return true;
  }

  /**
   * "HTTP/1.0" or "HTTP/1.1" at d[i, i + 8) within d[.., e): 0 or 1, -1 malformed (or cut
   * short by `trunc` with a wrong byte), -2 a well-formed other version, -3 fine so far but cut.
   */
  protected version(d: Uint8Array, i: number, e: number, trunc: boolean): number {
    const n = Math.min(e - i, 8);
    for (let k = 0; k < n; k++) {
      const c = d[i + k]!;
      const ok = k < 5 ? c === "HTTP/".charCodeAt(k) : k === 6 ? c === 46 : c >= 48 && c <= 57;
      if (!ok) return -1;
    }
    if (n < 8) return trunc ? -3 : -1;
    if (d[i + 5] !== 49 || (d[i + 7] !== 48 && d[i + 7] !== 49)) return -2;
    return d[i + 7]! - 48;
  }

  private chunkLine(d: Uint8Array, s: number, e: number, trunc: boolean): boolean {
    let i = s;
    let v = 0;
    while (i < e) {
      const x = HEXV[d[i]!]!;
      if (x < 0) break;
      if (i - s === MAX_HEX_DIGITS) return this.bad(400, "chunk size too long");
      v = v * 16 + x;
      i++;
    }
    if (i === s) return this.bad(400, "invalid chunk size");
    if (i < e) {
      if (d[i] !== SEMI) return this.bad(400, d[i] === CR ? "bare CR" : "invalid character in chunk size");
      const xs = i;
      while (i < e) {
        // ";" name [ "=" ( token / quoted-string ) ]
        if (d[i] !== SEMI) return this.bad(400, "invalid chunk extension");
        const ns = ++i;
        while (i < e && CLS[d[i]!]! & C_TCHAR) i++;
        if (i === e && trunc) break;
        if (i === ns) return this.bad(400, "invalid chunk extension");
        if (i < e && d[i] === EQ) {
          i++;
          if (i < e && d[i] === DQUOTE) {
            i++;
            for (;;) {
              if (i >= e) {
                if (trunc) break;
                return this.bad(400, "unterminated quoted chunk extension");
              }
              const c = d[i]!;
              if (c === DQUOTE) {
                i++;
                break;
              }
              if (c === BSLASH) {
                if (i + 1 < e && CLS[d[i + 1]!]! & C_FIELD) i += 2;
                else if (i + 1 >= e && trunc) i++;
                else return this.bad(400, "invalid chunk extension");
              } else if (CLS[c]! & C_QDTEXT) i++;
              else return this.bad(400, c === CR ? "bare CR" : "invalid chunk extension");
            }
          } else {
            const vs = i;
            while (i < e && CLS[d[i]!]! & C_TCHAR) i++;
            if (i === vs && !(i === e && trunc)) return this.bad(400, "invalid chunk extension");
          }
        }
      }
      if (trunc) return this.bad(431, "chunk extensions too large");
      this.hdrBytes += e - xs;
      if (this.hdrBytes > this.maxHeaderBytes) return this.bad(431, "chunk extensions too large");
    } else if (trunc) return this.bad(431, "chunk extensions too large"); // not reached: 16 digits fit
    if (v > MAX_SAFE) return this.bad(400, "chunk size overflow");
    if (v > this.maxBody - this.bodyTotal) return this.bad(413, "body larger than the limit");
    this.bodyTotal += v;
    if (v === 0) this.st = S_TRAILER;
    else {
      this.remaining = v;
      this.st = S_CHUNK_DATA;
    }
    return true;
  }
}

// ---------------------------------------------------------------- requests

/** An HTTP/1.x request parser for the server role. */
export class RequestParser extends MessageParser {
  private readonly events: RequestEvents;
  private method = "";
  private target = "";

  constructor(limits: HttpLimits, events: RequestEvents) {
    super(limits, events);
    this.events = events;
  }

  protected resetStart(): void {
    this.method = "";
    this.target = "";
  }

  protected fastStart(l: string, length: number): boolean {
    const sp1 = indexOf.call(l, SP_S, 0);
    const sp2 = indexOf.call(l, SP_S, sp1 + 1);
    if (sp1 <= 0 || sp2 < sp1 + 2 || length - sp2 !== 9 || !startsWith.call(l, HTTP1_S, sp2 + 1)) return false;
    const minor = charCodeAt.call(l, sp2 + 8) - 48;
    if (minor !== 0 && minor !== 1) return false;
    // the line is printable ASCII, HTAB and SP (PLAIN_HEAD): a target without HTAB is visible ASCII
    if (indexOf.call(l, HT_S, sp1) >= 0) return false;
    let method = knownMethod(l, sp1);
    if (method === null) {
      method = slice.call(l, 0, sp1);
      if (!TOKEN_RE.test(method)) return false;
    }
    const target = slice.call(l, sp1 + 1, sp2);
    this.versionMinor = minor;
    this.method = method;
    this.target = target;
    return true;
  }

  protected startLine(d: Uint8Array, s: number, e: number, trunc: boolean): boolean {
    let i = s;
    while (i < e && CLS[d[i]!]! & C_TCHAR) i++;
    if (i === e) return this.bad(400, trunc ? "method too long" : "malformed request line");
    if (d[i] !== SP) return this.bad(400, d[i] === CR ? "bare CR" : i === s && d[i] === HT ? "malformed request line" : "invalid character in method");
    if (i === s) return this.bad(400, "request line starts with whitespace");
    const me = i++;
    const ts = i;
    while (i < e && CLS[d[i]!]! & C_TARGET) i++;
    if (i === e) return this.bad(trunc ? 414 : 400, trunc ? "request target too long" : "malformed request line");
    if (d[i] !== SP) return this.bad(400, d[i] === CR ? "bare CR" : d[i] === HT ? "malformed request line" : "invalid character in request target");
    if (i === ts) return this.bad(400, "malformed request line (empty target or extra space)");
    const te = i++;
    const v = this.version(d, i, e, trunc);
    if (v === -3) return this.bad(414, "request target too long");
    if (v === -1 || e - i !== 8) return this.bad(400, "malformed HTTP version");
    if (v === -2) return this.bad(505, "HTTP version not supported");
    if (trunc) return this.bad(414, "request target too long"); // a well-formed line, over the limit
    this.versionMinor = v as 0 | 1;
    this.method = methodString(d, s, me);
    this.target = te - ts === 1 && d[ts] === 47 ? "/" : latin1(d, ts, te);
    return true;
  }

  protected headDone(): boolean {
    if (!this.framingErrors()) return false;
    if (this.teSeen && !this.teChunkedLast) return this.bad(400, "chunked is not the final transfer coding");
    if (this.versionMinor === 1 && this.hostCount === 0) return this.bad(400, "HTTP/1.1 request without Host");
    if (this.teSeen && this.teOther) return this.bad(501, "transfer coding not implemented");
    if (this.clValue > this.maxBody) return this.bad(413, "body larger than the limit");
    const v1 = this.versionMinor === 1;
    const head: RequestHead = {
      method: this.method,
      target: this.target,
      versionMinor: this.versionMinor,
      headers: this.headers,
      contentLength: this.clValue,
      chunked: this.teSeen,
      keepAlive: this.keepAliveByHeaders(),
      expectContinue: v1 && this.expect100,
      upgrade: v1 && this.conn & CONN_UPGRADE ? this.upgradeValue : null,
    };
    this.st = S_BODY; // so that a callback sees "body"
    this.events.onHead(head);
    if (this.st !== S_BODY) return this.st !== S_ERROR; // the callback reset or failed us
    this.startBody(this.teSeen ? "chunked" : this.clValue > 0 ? "length" : "none", this.clValue);
    return true;
  }
}

// --------------------------------------------------------------- responses

/** An HTTP/1.x response parser for the client role. */
export class ResponseParser extends MessageParser {
  private readonly events: ResponseEvents;
  /** the request was HEAD: no body whatever the headers say (set before each response) */
  isHeadRequest: boolean;
  private status = 0;
  private reason = "";

  constructor(limits: HttpLimits, events: ResponseEvents, options?: ResponseParserOptions) {
    super(limits, events);
    this.events = events;
    this.isHeadRequest = !!options?.isHeadRequest;
  }

  protected resetStart(): void {
    this.status = 0;
    this.reason = "";
  }

  protected fastStart(l: string): boolean {
    const n = l.length;
    if (n < 12 || !l.startsWith("HTTP/1.") || l.charCodeAt(8) !== SP || (n > 12 && l.charCodeAt(12) !== SP)) return false;
    const minor = l.charCodeAt(7) - 48;
    const a = l.charCodeAt(9) - 48, b = l.charCodeAt(10) - 48, c = l.charCodeAt(11) - 48;
    if ((minor !== 0 && minor !== 1) || a < 1 || a > 9 || b < 0 || b > 9 || c < 0 || c > 9) return false;
    this.versionMinor = minor;
    this.status = a * 100 + b * 10 + c;
    this.reason = n > 13 ? l.slice(13) : "";
    return true;
  }

  protected startLine(d: Uint8Array, s: number, e: number, trunc: boolean): boolean {
    const v = this.version(d, s, e, trunc);
    if (v === -1 || v === -3) return this.bad(400, v === -3 ? "status line too long" : "malformed HTTP version");
    if (v === -2) return this.bad(505, "HTTP version not supported");
    let i = s + 8;
    if (i === e) return this.bad(400, trunc ? "status line too long" : "malformed status line");
    if (d[i] !== SP) return this.bad(400, "malformed status line");
    i++;
    let code = 0;
    for (let k = 0; k < 3; k++, i++) {
      if (i === e) return this.bad(400, trunc ? "status line too long" : "malformed status code");
      const c = d[i]!;
      if (c < 48 || c > 57 || (k === 0 && c === 48)) return this.bad(400, "malformed status code");
      code = code * 10 + (c - 48);
    }
    let rs = i;
    if (i < e) {
      if (d[i] !== SP) return this.bad(400, "malformed status line");
      rs = ++i;
      while (i < e && CLS[d[i]!]! & C_FIELD) i++;
      if (i < e) return this.bad(400, d[i] === CR ? "bare CR" : "control character in reason phrase");
    }
    if (trunc) return this.bad(400, "status line too long");
    this.versionMinor = v as 0 | 1;
    this.status = code;
    this.reason = e - rs === 2 && d[rs] === 79 && d[rs + 1] === 75 ? "OK" : latin1(d, rs, e);
    return true;
  }

  protected headDone(): boolean {
    if (!this.framingErrors()) return false;
    const st = this.status;
    const noBody = this.isHeadRequest || st < 200 || st === 204 || st === 304;
    const chunked = this.teSeen && this.teChunkedLast;
    const eof = !noBody && !chunked && (this.teSeen || this.clValue === -1);
    if (!noBody && !this.teSeen && this.clValue > this.maxBody) return this.bad(413, "body larger than the limit");
    const head: ResponseHead = {
      status: st,
      reason: this.reason,
      versionMinor: this.versionMinor,
      headers: this.headers,
      contentLength: this.clValue,
      chunked,
      keepAlive: !eof && this.keepAliveByHeaders(),
    };
    this.st = S_BODY;
    this.events.onHead(head);
    if (this.st !== S_BODY) return this.st !== S_ERROR;
    this.startBody(noBody ? "none" : chunked ? "chunked" : eof ? "eof" : "length", this.clValue);
    return true;
  }
}
