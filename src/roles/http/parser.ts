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
// Input may be split anywhere: a line cut between calls is kept in a small buffer (at most
// max(maxRequestLine, maxHeaderBytes + 16) + 1 bytes, grown on demand) and the events, statuses
// and reasons are the same however the bytes arrive; only the slicing of onBody data differs.
// Body data is handed out as views into the caller's input, never copied.
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

function ascii(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

const B_CHUNKED = ascii("chunked");
const B_CLOSE = ascii("close");
const B_KEEP_ALIVE = ascii("keep-alive");
const B_UPGRADE = ascii("upgrade");
const B_CONTINUE = ascii("100-continue");

/** d[s, e) equals the lower-case ASCII `lower`, ignoring case */
function ieq(d: Uint8Array, s: number, e: number, lower: Uint8Array): boolean {
  if (e - s !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) if (LOWER[d[s + i]!] !== lower[i]) return false;
  return true;
}

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
// The usual names are recognised from their bytes and get shared strings (no decoding, no
// toLowerCase). The first six carry meaning for the framing; their index is their id.

const K_CONTENT_LENGTH = 0, K_TRANSFER_ENCODING = 1, K_CONNECTION = 2, K_HOST = 3, K_UPGRADE = 4, K_EXPECT = 5;
const KNOWN_NAMES = [
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
const HASH_SIZE = 512; // power of two, a few times the name count
const hashStep = (h: number, lc: number): number => (h * 31 + lc) & 0xfffff;
const K_SLOT = new Int16Array(HASH_SIZE).fill(-1);
const K_LOWER: string[] = [];
const K_CANON: string[] = [];
const K_LBYTES: Uint8Array[] = [];
const K_CBYTES: Uint8Array[] = [];
for (let k = 0; k < KNOWN_NAMES.length; k++) {
  const lower = KNOWN_NAMES[k]!;
  const canon = CANON_SPECIAL[lower] ?? lower.replace(/(^|-)([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase());
  K_LOWER.push(lower);
  K_CANON.push(canon);
  K_LBYTES.push(ascii(lower));
  K_CBYTES.push(ascii(canon));
  let h = 0;
  for (let i = 0; i < lower.length; i++) h = hashStep(h, lower.charCodeAt(i));
  let slot = h & (HASH_SIZE - 1);
  while (K_SLOT[slot] !== -1) slot = (slot + 1) & (HASH_SIZE - 1);
  K_SLOT[slot] = k;
}

/** the known-name index of d[s, e) whose case-folded hash is h, or -1 */
function knownName(d: Uint8Array, s: number, e: number, h: number): number {
  const n = e - s;
  for (let slot = h & (HASH_SIZE - 1); ; slot = (slot + 1) & (HASH_SIZE - 1)) {
    const k = K_SLOT[slot]!;
    if (k < 0) return -1;
    const lb = K_LBYTES[k]!;
    if (lb.length !== n) continue;
    let i = 0;
    while (i < n && LOWER[d[s + i]!] === lb[i]) i++;
    if (i === n) return k;
  }
}

/** d[s, s + b.length) equals b exactly */
function same(d: Uint8Array, s: number, b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (d[s + i] !== b[i]) return false;
  return true;
}

const METHODS = ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT"];
const METHOD_BYTES = METHODS.map(ascii);

function methodString(d: Uint8Array, s: number, e: number): string {
  for (let m = 0; m < METHOD_BYTES.length; m++) {
    const b = METHOD_BYTES[m]!;
    if (b.length === e - s && same(d, s, b)) return METHODS[m]!;
  }
  return latin1(d, s, e);
}

const NO_TRAILERS: HttpHeader[] = Object.freeze([]) as unknown as HttpHeader[];

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
    let h = 0;
    while (CLS[c]! & C_TCHAR) {
      h = hashStep(h, LOWER[c]!);
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

    this.fields++;
    this.hdrBytes += e - s + 2;
    const k = knownName(d, s, ne, h);
    let name: string, lower: string;
    if (k >= 0) {
      lower = K_LOWER[k]!;
      name = same(d, s, K_CBYTES[k]!) ? K_CANON[k]! : same(d, s, K_LBYTES[k]!) ? lower : latin1(d, s, ne);
    } else {
      name = latin1(d, s, ne);
      lower = name.toLowerCase();
    }
    const value = latin1(d, vs, ve);
    const hdr: HttpHeader = { name, lower, value };
    if (trailer) {
      (this.trailers ??= []).push(hdr);
      return true;
    }
    this.headers.push(hdr);
    return k < 0 || k > K_EXPECT || this.framingField(k, d, vs, ve, value);
  }

  /** the header fields that decide the framing and the connection */
  private framingField(k: number, d: Uint8Array, vs: number, ve: number, value: string): boolean {
    switch (k) {
      case K_CONTENT_LENGTH: {
        if (vs === ve) return this.bad(400, "empty Content-Length");
        let i = vs;
        while (i < ve && d[i]! >= 48 && d[i]! <= 57) i++;
        if (i < ve) return this.bad(400, "Content-Length is not a decimal number");
        if (this.clValue !== -1) {
          if (value !== this.clText) return this.bad(400, "differing Content-Length values");
          return true;
        }
        i = vs;
        while (i < ve - 1 && d[i] === 48) i++; // leading zeros
        let v = 0;
        if (ve - i > 16) v = Infinity;
        else for (; i < ve; i++) v = v * 10 + (d[i]! - 48);
        this.clValue = v > MAX_SAFE ? Infinity : v;
        this.clText = value;
        return true;
      }
      case K_TRANSFER_ENCODING:
        this.teSeen = true;
        return this.transferCodings(d, vs, ve);
      case K_CONNECTION:
        this.connectionOptions(d, vs, ve);
        return true;
      case K_HOST:
        if (++this.hostCount > 1) return this.bad(400, "more than one Host header");
        return true;
      case K_UPGRADE:
        this.upgradeValue = this.upgradeValue === null ? value : this.upgradeValue + ", " + value;
        return true;
      case K_EXPECT:
        if (ieq(d, vs, ve, B_CONTINUE)) this.expect100 = true;
        return true;
    }
    return true;
  }

  /** Transfer-Encoding list elements, in order, across all its field lines */
  private transferCodings(d: Uint8Array, vs: number, ve: number): boolean {
    let i = vs;
    while (i < ve) {
      const c = d[i]!;
      if (c === COMMA || CLS[c]! & C_OWS) {
        i++;
        continue;
      }
      const ts = i;
      while (i < ve && CLS[d[i]!]! & C_TCHAR) i++;
      const te = i;
      if (te === ts) return this.bad(400, "invalid Transfer-Encoding");
      while (i < ve && CLS[d[i]!]! & C_OWS) i++;
      const params = i < ve && d[i] === SEMI;
      if (i < ve && d[i] !== COMMA && !params) return this.bad(400, "invalid Transfer-Encoding");
      if (params) while (i < ve && d[i] !== COMMA) i++; // parameters of a coding we will refuse anyway
      const isChunked = ieq(d, ts, te, B_CHUNKED);
      if (this.teChunkedLast) return this.bad(400, isChunked ? "chunked applied more than once" : "chunked is not the final transfer coding");
      if (isChunked) {
        if (params) return this.bad(400, "chunked takes no parameters");
        this.teChunkedLast = true;
      } else this.teOther = true;
    }
    return true;
  }

  /** Connection options: close, keep-alive, upgrade (others ignored) */
  private connectionOptions(d: Uint8Array, vs: number, ve: number): void {
    let i = vs;
    while (i < ve) {
      while (i < ve && (d[i] === COMMA || CLS[d[i]!]! & C_OWS)) i++;
      const ts = i;
      while (i < ve && d[i] !== COMMA) i++;
      let te = i;
      while (te > ts && CLS[d[te - 1]!]! & C_OWS) te--;
      if (te === ts) continue;
      if (ieq(d, ts, te, B_CLOSE)) this.conn |= CONN_CLOSE;
      else if (ieq(d, ts, te, B_KEEP_ALIVE)) this.conn |= CONN_KEEP_ALIVE;
      else if (ieq(d, ts, te, B_UPGRADE)) this.conn |= CONN_UPGRADE;
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
