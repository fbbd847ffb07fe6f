import * as A from "../lib/assert.js";
import {
  RequestParser,
  ResponseParser,
  DEVICE_HTTP_LIMITS,
  SERVER_HTTP_LIMITS,
  type HttpHeadDecoder,
  type HttpLimits,
  type HttpParseError,
  type RequestHead,
  type ResponseHead,
} from "../../src/roles/http/parser.js";
import * as T from "../../src/roles/http/tokens.js";
import { bytes, recordEvents, text, type Ev } from "../lib/http-parse.js";

// ------------------------------------------------------------------ helpers

interface Outcome {
  evs: Ev[];
  error: HttpParseError | null;
  /** messages completed */
  messages: number;
  state: string;
}

interface RunOptions {
  limits?: HttpLimits;
  /** bytes per execute() call; 0 or absent: everything at once */
  chunk?: number;
  response?: boolean;
  isHeadRequest?: boolean;
  /** call finish() after the last byte */
  finish?: boolean;
  /** the events' head decoder (absent: the parser's default) */
  headDecoder?: HttpHeadDecoder | null;
}

/** Feeds `input` in pieces, going on with the next message after each complete one. */
function run(input: string | Uint8Array, o: RunOptions = {}): Outcome {
  const evs: Ev[] = [];
  const events = { headDecoder: o.headDecoder, ...recordEvents(evs) };
  const limits = o.limits ?? SERVER_HTTP_LIMITS;
  const p = o.response ? new ResponseParser(limits, events, { isHeadRequest: o.isHeadRequest }) : new RequestParser(limits, events);
  const data = typeof input === "string" ? bytes(input) : input;
  const step = o.chunk && o.chunk > 0 ? o.chunk : data.length || 1;
  let messages = 0;
  for (let at = 0; at < data.length; at += step) {
    const piece = data.subarray(at, Math.min(data.length, at + step));
    let off = 0;
    while (off < piece.length) {
      const n = p.execute(piece.subarray(off));
      if (n < 0) return { evs, error: p.error, messages, state: p.state };
      off += n;
      if (p.state === "complete") {
        messages++;
        p.reset();
      } else if (n === 0) A.fail("execute() consumed nothing without completing");
    }
  }
  if (o.finish) {
    const wasBody = p.state === "body";
    if (p.finish() < 0) return { evs, error: p.error, messages, state: p.state };
    if (p.state === "complete" && wasBody) messages++;
  }
  return { evs, error: p.error, messages, state: p.state };
}

/** the same outcome whole, byte at a time, and in 7-byte pieces */
function runAllWays(input: string, o: RunOptions = {}): Outcome {
  const whole = run(input, o);
  for (const chunk of [1, 7]) {
    const other = run(input, { ...o, chunk });
    A.deepEqual(other.evs, whole.evs, `events with ${chunk}-byte pieces`);
    A.deepEqual(other.error, whole.error, `error with ${chunk}-byte pieces`);
    A.equal(other.messages, whole.messages, `messages with ${chunk}-byte pieces`);
  }
  return whole;
}

function rejects(input: string, status: number, o: RunOptions = {}): HttpParseError {
  const r = runAllWays(input, o);
  A.ok(r.error, `expected ${status} for ${JSON.stringify(input.slice(0, 120))}, got no error`);
  A.equal(r.error.status, status, `status for ${JSON.stringify(input.slice(0, 120))} (${r.error.reason})`);
  A.equal(r.state, "error");
  return r.error;
}

function accepts(input: string, o: RunOptions = {}): Outcome {
  const r = runAllWays(input, o);
  A.equal(r.error, null, `unexpected error for ${JSON.stringify(input.slice(0, 120))}`);
  return r;
}

function head(r: Outcome, i = 0): RequestHead {
  const h = r.evs.filter((e) => e.t === "head")[i];
  A.ok(h && h.t === "head", "a head");
  return h.head as RequestHead;
}

function rhead(r: Outcome, i = 0): ResponseHead {
  return head(r, i) as unknown as ResponseHead;
}

function body(r: Outcome): string {
  return r.evs.filter((e) => e.t === "body").map((e) => (e as { data: string }).data).join("");
}

const GET = (extra = "", target = "/") => `GET ${target} HTTP/1.1\r\nHost: example.com\r\n${extra}\r\n`;
const POST = (headers: string, bodyText = "") => `POST /upload HTTP/1.1\r\nHost: h\r\n${headers}\r\n${bodyText}`;

// ------------------------------------------------------------------ tokens

describe("http tokens (lws_token_indexes)", () => {
  it("has lws' values, with every optional header group compiled in", () => {
    A.equal(T.WSI_TOKEN_GET_URI, 0);
    A.equal(T.WSI_TOKEN_POST_URI, 1);
    A.equal(T.WSI_TOKEN_OPTIONS_URI, 2);
    A.equal(T.WSI_TOKEN_HOST, 3);
    A.equal(T.WSI_TOKEN_CONNECTION, 4);
    A.equal(T.WSI_TOKEN_UPGRADE, 5);
    A.equal(T.WSI_TOKEN_KEY1, 10);
    A.equal(T.WSI_TOKEN_HTTP2_SETTINGS, 16);
    A.equal(T.WSI_TOKEN_HTTP_IF_NONE_MATCH, 20);
    A.equal(T.WSI_TOKEN_HTTP_CONTENT_LENGTH, 27);
    A.equal(T.WSI_TOKEN_KEY, 32);
    A.equal(T.WSI_TOKEN_HTTP_TRANSFER_ENCODING, 68);
    A.equal(T.WSI_TOKEN_PATCH_URI, 73);
    A.equal(T.WSI_TOKEN_PUT_URI, 74);
    A.equal(T.WSI_TOKEN_DELETE_URI, 75);
    A.equal(T.WSI_TOKEN_HTTP_URI_ARGS, 76);
    A.equal(T.WSI_TOKEN_CONNECT, 81);
    A.equal(T.WSI_TOKEN_HEAD_URI, 82);
    A.equal(T.WSI_TOKEN_DSS_SIGNATURE, 87);
    A.equal(T._WSI_TOKEN_CLIENT_ALPN, 95);
    A.equal(T.WSI_TOKEN_COUNT, 96);
    A.equal(T.WSI_INIT_TOKEN_MUXURL, 102);
  });

  it("spells each token as lws' lexer table does", () => {
    A.equal(T.TOKEN_NAMES.length, 89);
    A.equal(T.TOKEN_NAMES[T.WSI_TOKEN_GET_URI], "get ");
    A.equal(T.TOKEN_NAMES[T.WSI_TOKEN_HOST], "host:");
    A.equal(T.TOKEN_NAMES[T.WSI_TOKEN_HTTP_CONTENT_LENGTH], "content-length:");
    A.equal(T.TOKEN_NAMES[T.WSI_TOKEN_CHALLENGE], "\r\n");
    A.equal(T.TOKEN_NAMES[T.WSI_TOKEN_HTTP_COLON_PATH], ":path");
    A.equal(T.TOKEN_NAMES[T.WSI_TOKEN_PUT_URI], "put");
    A.equal(T.tokenToString(T.WSI_TOKEN_KEY), "sec-websocket-key:");
    A.equal(T.tokenToString(T._WSI_TOKEN_CLIENT_SENT_PROTOCOLS), "");
    A.equal(T.tokenToString(T.WSI_TOKEN_COUNT), null);
    A.equal(T.tokenToString(-1), null);
  });

  it("maps lower-case header names and methods to tokens", () => {
    A.equal(T.tokenOfHeader("host"), T.WSI_TOKEN_HOST);
    A.equal(T.tokenOfHeader("content-length"), T.WSI_TOKEN_HTTP_CONTENT_LENGTH);
    A.equal(T.tokenOfHeader("sec-websocket-key"), T.WSI_TOKEN_KEY);
    A.equal(T.tokenOfHeader("x-forwarded-for"), T.WSI_TOKEN_X_FORWARDED_FOR);
    A.equal(T.tokenOfHeader(":authority"), T.WSI_TOKEN_HTTP_COLON_AUTHORITY);
    A.equal(T.tokenOfHeader("Host"), -1);
    A.equal(T.tokenOfHeader("host:"), -1);
    A.equal(T.tokenOfHeader("x-custom"), -1);
    A.equal(T.tokenOfHeader("get"), -1);
    A.equal(T.tokenOfHeader("uri-args"), -1);
    A.equal(T.tokenOfMethod("GET"), T.WSI_TOKEN_GET_URI);
    A.equal(T.tokenOfMethod("DELETE"), T.WSI_TOKEN_DELETE_URI);
    A.equal(T.tokenOfMethod("HEAD"), T.WSI_TOKEN_HEAD_URI);
    A.equal(T.tokenOfMethod("get"), -1);
    A.equal(T.tokenOfMethod("PROPFIND"), -1);
    for (let t = 0; t < T.TOKEN_NAMES.length; t++) {
      const s = T.TOKEN_NAMES[t]!;
      if (s.endsWith(":") && s.length > 1) A.equal(T.tokenOfHeader(s.slice(0, -1)), t, s);
    }
  });
});

// ----------------------------------------------------------------- requests

describe("http request parser: valid requests", () => {
  it("parses a GET: method, target, version, headers in order, trimmed values, no body", () => {
    const r = accepts("GET /a/b?c=d HTTP/1.1\r\nHost: example.com\r\nUser-Agent:  curl/8 \t\r\nX-Empty:\r\nACCEPT: */*\r\n\r\n");
    A.equal(r.messages, 1);
    const h = head(r);
    A.equal(h.method, "GET");
    A.equal(h.target, "/a/b?c=d");
    A.equal(h.versionMinor, 1);
    A.deepEqual(h.headers, [
      { name: "Host", lower: "host", value: "example.com" },
      { name: "User-Agent", lower: "user-agent", value: "curl/8" },
      { name: "X-Empty", lower: "x-empty", value: "" },
      { name: "ACCEPT", lower: "accept", value: "*/*" },
    ]);
    A.equal(h.contentLength, -1);
    A.equal(h.chunked, false);
    A.equal(h.keepAlive, true);
    A.equal(h.expectContinue, false);
    A.equal(h.upgrade, null);
    A.deepEqual(r.evs.map((e) => e.t), ["head", "complete"]);
  });

  it("keeps values byte for byte (latin1), HTAB and obs-text included", () => {
    const h = head(accepts(GET("X-Latin: caf\xe9 \x80\xff\tend\r\n")));
    A.equal(h.headers[1]!.value, "caf\xe9 \x80\xff\tend");
  });

  it("decodes long values, plain or with obs-text, and heads longer than 2 KB", () => {
    const plain = "abcdefghij".repeat(500);
    const obs = "\xe9t\xe9 ".repeat(1000);
    const h = head(accepts(GET(`Cookie: ${plain}\r\nX-Obs: ${obs}\r\n`)));
    A.equal(h.headers[1]!.value, plain);
    A.equal(h.headers[2]!.value, obs.trimEnd());
    const many = Array.from({ length: 90 }, (_, i) => `X-H${i}: value number ${i}\r\n`).join("");
    const r = accepts(POST(`${many}Content-Length: 3\r\n`, "abc"));
    A.equal(head(r).headers.length, 92);
    A.equal(head(r).headers[91]!.lower, "content-length");
    A.equal(body(r), "abc");
  });

  it("accepts any token as method, and the target forms", () => {
    A.equal(head(accepts("PROPFIND /dav HTTP/1.1\r\nHost: h\r\n\r\n")).method, "PROPFIND");
    A.equal(head(accepts("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")).target, "*");
    A.equal(head(accepts("GET http://h/x?y HTTP/1.1\r\nHost: h\r\n\r\n")).target, "http://h/x?y");
    A.equal(head(accepts("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n")).target, "h:443");
  });

  it("reads a Content-Length body, handed out as views", () => {
    const r = accepts(POST("Content-Length: 11\r\n", "hello world"));
    A.equal(head(r).contentLength, 11);
    A.equal(body(r), "hello world");
    A.deepEqual(r.evs.map((e) => e.t), ["head", "body", "complete"]);
    A.equal(head(accepts(POST("Content-Length: 0\r\n"))).contentLength, 0);
    A.equal(head(accepts(POST("Content-Length: 007\r\n", "1234567"))).contentLength, 7);
  });

  it("accepts identical duplicate Content-Length lines (RFC 9110 8.6)", () => {
    const r = accepts(POST("Content-Length: 5\r\ncontent-length:5 \r\n", "hello"));
    A.equal(head(r).contentLength, 5);
    A.equal(body(r), "hello");
  });

  it("de-chunks, with chunk extensions (token and quoted) and trailers", () => {
    const r = accepts(
      POST(
        "Transfer-Encoding: chunked\r\n",
        '5;name=val\r\nhello\r\n6;q="a \\"b\\" ;c";flag\r\n world\r\nA\r\n0123456789\r\n0;last\r\nX-Checksum: abc\r\nX-Other:  2 \r\n\r\n',
      ),
    );
    const h = head(r);
    A.equal(h.chunked, true);
    A.equal(h.contentLength, -1);
    A.equal(body(r), "hello world0123456789");
    const c = r.evs[r.evs.length - 1]!;
    A.ok(c.t === "complete");
    A.deepEqual(c.trailers, [
      { name: "X-Checksum", lower: "x-checksum", value: "abc" },
      { name: "X-Other", lower: "x-other", value: "2" },
    ]);
  });

  it("accepts upper-case hex chunk sizes, leading zeros, and chunked in any case", () => {
    const r = accepts(POST("Transfer-Encoding: Chunked\r\n", "00A\r\n0123456789\r\n000\r\n\r\n"));
    A.equal(body(r), "0123456789");
  });

  it("hands an empty trailer list when there are none", () => {
    const r = accepts(POST("Transfer-Encoding: chunked\r\n", "0\r\n\r\n"));
    const c = r.evs[r.evs.length - 1]!;
    A.ok(c.t === "complete");
    A.deepEqual(c.trailers, []);
  });

  it("takes pipelined requests one at a time", () => {
    const first = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n";
    const second = "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc";
    const third = "GET /3 HTTP/1.1\r\nHost: h\r\n\r\n";
    const data = bytes(first + second + third);
    const seen: string[] = [];
    const p = new RequestParser(SERVER_HTTP_LIMITS, {
      onHead: (h) => seen.push(h.target),
      onBody: (b) => seen.push("body:" + text(b)),
      onComplete: () => seen.push("done"),
    });
    const n1 = p.execute(data);
    A.equal(n1, first.length, "the first execute ends at the end of the first request");
    A.equal(p.state, "complete");
    A.deepEqual(seen, ["/1", "done"]);
    A.equal(p.execute(data.subarray(n1)), 0, "nothing is taken until reset()");
    p.reset();
    A.equal(p.state, "idle");
    const n2 = p.execute(data.subarray(n1));
    A.equal(n2, second.length);
    p.reset();
    const n3 = p.execute(data.subarray(n1 + n2));
    A.equal(n3, third.length);
    A.deepEqual(seen, ["/1", "done", "/2", "body:abc", "done", "/3", "done"]);
    A.equal(runAllWays(first + second + third).messages, 3);
  });

  it("skips empty lines before a request line, and reports idle meanwhile", () => {
    const r = accepts("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
    A.equal(r.messages, 1);
    const p = new RequestParser(DEVICE_HTTP_LIMITS, { onHead() {}, onBody() {}, onComplete() {} });
    A.equal(p.state, "idle");
    A.equal(p.execute(bytes("\r\n")), 2);
    A.equal(p.state, "idle");
    p.execute(bytes("\r"));
    A.equal(p.state, "head");
    A.equal(rejects("\r\n".repeat(600) + GET(), 400, { limits: DEVICE_HTTP_LIMITS }).reason, "too many empty lines before the start line");
  });

  it("reports its state: idle, head, body, complete", () => {
    const states: string[] = [];
    const p: RequestParser = new RequestParser(SERVER_HTTP_LIMITS, {
      onHead: () => states.push("onHead:" + p.state),
      onBody: () => states.push("onBody:" + p.state),
      onComplete: () => states.push("onComplete:" + p.state),
    });
    states.push(p.state);
    p.execute(bytes("POST / HTTP/1.1\r\n"));
    states.push(p.state);
    p.execute(bytes("Host: h\r\nContent-Length: 2\r\n\r\n"));
    states.push(p.state);
    p.execute(bytes("ab"));
    states.push(p.state);
    A.deepEqual(states, ["idle", "head", "onHead:body", "body", "onBody:body", "onComplete:complete", "complete"]);
  });

  it("gives the same events whatever the split, for a set of requests", () => {
    const samples = [
      GET("User-Agent: Mozilla/5.0\r\nAccept: text/html\r\nCookie: a=b; c=d\r\n"),
      POST("Content-Length: 20\r\nContent-Type: text/plain\r\n", "0123456789abcdefghij"),
      POST("Transfer-Encoding: chunked\r\n", "3;x=y\r\nabc\r\n1\r\nd\r\n0\r\nT: v\r\n\r\n"),
      "GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
      "\r\n" + GET("Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"),
      GET() + POST("Content-Length: 1\r\n", "z") + GET("", "/last"),
    ];
    for (const s of samples) {
      const whole = accepts(s);
      for (let size = 1; size <= 13; size++) {
        const r = run(s, { chunk: size });
        A.deepEqual(r.evs, whole.evs, `pieces of ${size}`);
      }
    }
  });
});

describe("http request parser: the fast path's decoders", () => {
  const samples = [
    GET("User-Agent: Mozilla/5.0\r\nAccept: text/html\r\nCookie: a=b; c=d\r\n"),
    POST("Content-Length: 20\r\nContent-Type: text/plain\r\n", "0123456789abcdefghij"),
    POST("Transfer-Encoding: chunked\r\n", "3;x=y\r\nabc\r\n0\r\n\r\n"),
    GET(`Cookie: ${"c".repeat(3000)}\r\n`),
    "\xef\xbb\xbf" + GET(),
    GET("X: \xe9\r\n"),
    GET("X: a\x00\r\n"),
    POST("Content-Length: 5\r\nContent-Length: 6\r\n", "hello"),
  ];
  for (const [name, decoder] of [
    ["String.fromCharCode slices", null],
    ["a latin1 decoder", (d: Uint8Array, s: number, e: number) => text(d.subarray(s, e))],
  ] as const) {
    it(`gives the same outcome with ${name}`, () => {
      const want = samples.map((s) => run(s, { chunk: 1 }));
      samples.forEach((s, i) => A.deepEqual(run(s, { headDecoder: decoder }), want[i], JSON.stringify(s.slice(0, 60))));
    });
  }
});

describe("http request parser: keep-alive, Expect, Upgrade", () => {
  it("follows the version and the Connection header for keep-alive", () => {
    A.equal(head(accepts(GET())).keepAlive, true);
    A.equal(head(accepts(GET("Connection: close\r\n"))).keepAlive, false);
    A.equal(head(accepts(GET("Connection: keep-alive, CLOSE\r\n"))).keepAlive, false);
    A.equal(head(accepts("GET / HTTP/1.0\r\n\r\n")).keepAlive, false);
    A.equal(head(accepts("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")).keepAlive, true);
    A.equal(head(accepts("GET / HTTP/1.0\r\nConnection: x, keep-alive\r\nConnection: close\r\n\r\n")).keepAlive, false);
    A.equal(head(accepts("GET / HTTP/1.0\r\nHost: h\r\n\r\n")).versionMinor, 0);
  });

  it("reports Expect: 100-continue for HTTP/1.1 only", () => {
    A.equal(head(accepts(POST("Expect: 100-continue\r\nContent-Length: 1\r\n", "x"))).expectContinue, true);
    A.equal(head(accepts(POST("Expect: 100-Continue\r\nContent-Length: 1\r\n", "x"))).expectContinue, true);
    A.equal(head(accepts("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx")).expectContinue, false);
    A.equal(head(accepts(POST("Expect: something-else\r\nContent-Length: 1\r\n", "x"))).expectContinue, false);
  });

  it("lets the server answer 100 Continue from onHead before the body is read (pause)", () => {
    const seen: string[] = [];
    const p: RequestParser = new RequestParser(SERVER_HTTP_LIMITS, {
      onHead: (h) => {
        seen.push("head");
        if (h.expectContinue) p.pause();
      },
      onBody: (b) => seen.push("body:" + text(b)),
      onComplete: () => seen.push("done"),
    });
    const headText = POST("Expect: 100-continue\r\nContent-Length: 4\r\n");
    const data = bytes(headText + "abcd");
    const n = p.execute(data);
    A.equal(n, headText.length);
    A.equal(p.state, "body");
    A.deepEqual(seen, ["head"]);
    A.equal(p.execute(data.subarray(n)), 4);
    A.deepEqual(seen, ["head", "body:abcd", "done"]);
  });

  it("reports Upgrade only when Connection lists upgrade, in HTTP/1.1", () => {
    A.equal(head(accepts(GET("Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n"))).upgrade, "websocket");
    A.equal(head(accepts(GET("Upgrade: websocket\r\n"))).upgrade, null);
    A.equal(head(accepts(GET("Connection: upgrade\r\n"))).upgrade, null);
    A.equal(head(accepts("GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n")).upgrade, null);
    A.equal(head(accepts(GET("Connection: upgrade\r\nUpgrade: h2c\r\nUpgrade: websocket\r\n"))).upgrade, "h2c, websocket");
  });

  it("stops right after the head when onHead pauses an Upgrade; the rest is the new protocol's", () => {
    const seen: string[] = [];
    const p: RequestParser = new RequestParser(DEVICE_HTTP_LIMITS, {
      onHead: (h) => {
        seen.push("head:" + h.upgrade);
        if (h.upgrade) p.pause();
      },
      onBody: () => seen.push("body"),
      onComplete: () => seen.push("done"),
    });
    const headText = GET("Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n", "/ws");
    const wsBytes = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
    const data = bytes(headText + wsBytes);
    A.equal(p.execute(data), headText.length);
    A.deepEqual(seen, ["head:websocket"], "no onComplete before returning");
    A.equal(p.state, "body");
    // the same byte by byte: the head's last byte returns 1 and nothing after it is looked at
    const q: RequestParser = new RequestParser(DEVICE_HTTP_LIMITS, { onHead: () => q.pause(), onBody() {}, onComplete() {} });
    let taken = 0;
    for (let i = 0; i < headText.length; i++) taken += q.execute(data.subarray(i, i + 1));
    A.equal(taken, headText.length);
    // a later execute(), even of nothing, completes the body-less request
    A.equal(p.execute(new Uint8Array(0)), 0);
    A.deepEqual(seen, ["head:websocket", "done"]);
    A.equal(p.state, "complete");
  });

  it("pauses from onBody and goes on with the next execute()", () => {
    const seen: string[] = [];
    const p: RequestParser = new RequestParser(SERVER_HTTP_LIMITS, {
      onHead() {},
      onBody: (b) => {
        seen.push(text(b));
        p.pause();
      },
      onComplete: () => seen.push("done"),
    });
    const headText = POST("Content-Length: 6\r\n");
    const data = bytes(headText + "abcdef");
    A.equal(p.execute(data.subarray(0, headText.length + 3)), headText.length + 3);
    A.deepEqual(seen, ["abc"]);
    A.equal(p.execute(data.subarray(headText.length + 3)), 3);
    A.deepEqual(seen, ["abc", "def"], "paused by the last body byte: onComplete waits");
    A.equal(p.execute(new Uint8Array(0)), 0);
    A.deepEqual(seen, ["abc", "def", "done"]);
  });
});

describe("http request parser: strictness (smuggling and malformed input)", () => {
  it("400: Content-Length together with Transfer-Encoding", () => {
    rejects(POST("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400);
    rejects(POST("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n"), 400);
  });

  it("400: differing duplicate Content-Length (identical ones are accepted)", () => {
    rejects(POST("Content-Length: 5\r\nContent-Length: 6\r\n", "hello"), 400);
    rejects(POST("Content-Length: 5\r\nContent-Length: 05\r\n", "hello"), 400);
  });

  it("400: Content-Length that is not a plain decimal", () => {
    for (const v of ["+5", "-5", "5 5", "0x5", "5,5", "5, 5", "5.0", "1e3", "", "five", "٥"]) {
      rejects(POST(`Content-Length: ${v}\r\n`, "hello"), 400);
    }
  });

  it("400: obs-fold, and a field line starting with whitespace", () => {
    rejects(GET("X-Folded: a\r\n b\r\n"), 400);
    rejects(GET("X-Folded: a\r\n\tb\r\n"), 400);
    rejects("GET / HTTP/1.1\r\n Host: h\r\n\r\n", 400);
  });

  it("400: whitespace between field name and colon", () => {
    rejects("GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400);
    rejects(GET("Content-Length\t: 0\r\n"), 400);
  });

  it("400: invalid token characters in field names and methods, and empty names", () => {
    for (const n of ["X(y)", "X/y", "X\x7fy", "X\xe9", "X@y", "X[y]", "X\"y", "X{y}"]) rejects(GET(`${n}: 1\r\n`), 400);
    rejects(GET(": no-name\r\n"), 400);
    rejects(GET("NoColon\r\n"), 400);
    for (const m of ["G(T", "GE\x01T", "GET:", "G\xc9T", "[GET]"]) rejects(`${m} / HTTP/1.1\r\nHost: h\r\n\r\n`, 400);
  });

  it("400: bare CR anywhere", () => {
    rejects("GET /\r HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    rejects("GET / HTTP/1.1\rHost: h\r\n\r\n", 400);
    rejects(GET("X-A: a\rb\r\n"), 400);
    rejects(GET("X-\rA: a\r\n"), 400);
    rejects("GET / HTTP/1.1\r\nHost: h\r\n\r\r\n", 400);
    rejects(POST("Transfer-Encoding: chunked\r\n", "5\r\rhello\r\n0\r\n\r\n"), 400);
    rejects(POST("Transfer-Encoding: chunked\r\n", "1;a=\"\r\"\r\nx\r\n0\r\n\r\n"), 400);
    rejects("\r" + GET(), 400);
  });

  it("400: bare LF where CRLF is required (no LF-only line endings)", () => {
    rejects("GET / HTTP/1.1\nHost: h\r\n\r\n", 400);
    rejects("GET / HTTP/1.1\r\nHost: h\n\r\n", 400);
    rejects("GET / HTTP/1.1\r\nHost: h\r\n\n", 400);
    rejects("GET / HTTP/1.1\nHost: h\n\n", 400);
    rejects("\n" + GET(), 400);
    rejects(POST("Transfer-Encoding: chunked\r\n", "5\nhello\r\n0\r\n\r\n"), 400);
    rejects(POST("Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\n"), 400);
    rejects(POST("Transfer-Encoding: chunked\r\n", "5\r\nhello\n0\r\n\r\n"), 400);
  });

  it("400: invalid chunk sizes (non-hex, empty, whitespace, too long, overflow)", () => {
    const te = "Transfer-Encoding: chunked\r\n";
    for (const size of ["z", "", "-1", "+1", " 5", "5 ", "5\t", "0x5", "5 ;a", "1_0"]) {
      rejects(POST(te, `${size}\r\nhello\r\n0\r\n\r\n`), 400);
    }
    A.equal(rejects(POST(te, "00000000000000005\r\nhello\r\n0\r\n\r\n"), 400).reason, "chunk size too long");
    A.equal(rejects(POST(te, "20000000000000\r\n"), 400).reason, "chunk size overflow");
    A.equal(rejects(POST(te, "ffffffffffffffff\r\n"), 400).reason, "chunk size overflow");
    for (const ext of [";", ";=a", "; a", ";a =b", ";a= b", ';a="x', ";a=b c", ";a\x01"]) rejects(POST(te, `5${ext}\r\nhello\r\n0\r\n\r\n`), 400);
  });

  it("400: chunk data not followed by CRLF", () => {
    const te = "Transfer-Encoding: chunked\r\n";
    rejects(POST(te, "5\r\nhelloX\r\n0\r\n\r\n"), 400);
    rejects(POST(te, "5\r\nhello\rX0\r\n\r\n"), 400);
    rejects(POST(te, "5\r\nhello world\r\n0\r\n\r\n"), 400);
  });

  it("Transfer-Encoding: 400 unless chunked is last and once, 501 for other codings before it", () => {
    const body = "0\r\n\r\n";
    A.equal(rejects(POST("Transfer-Encoding: gzip, chunked\r\n", body), 501).reason, "transfer coding not implemented");
    rejects(POST("Transfer-Encoding: x-custom, chunked\r\n", body), 501);
    rejects(POST("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", body), 501);
    rejects(POST("Transfer-Encoding: chunked, gzip\r\n", body), 400);
    rejects(POST("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", body), 400);
    rejects(POST("Transfer-Encoding: gzip\r\n", body), 400);
    rejects(POST("Transfer-Encoding: x-custom\r\n", body), 400);
    rejects(POST("Transfer-Encoding: chunked, chunked\r\n", body), 400);
    rejects(POST("Transfer-Encoding: chunked;q=1\r\n", body), 400);
    rejects(POST("Transfer-Encoding: chun ked\r\n", body), 400);
    rejects(POST("Transfer-Encoding: \r\n", body), 400);
    rejects(POST("Transfer-Encoding: \"chunked\"\r\n", body), 400);
    rejects("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n" + body, 400);
    // list syntax around chunked is fine
    A.equal(head(accepts(POST("Transfer-Encoding: ,  chunked ,\r\n", body))).chunked, true);
  });

  it("505: HTTP versions other than 1.0 and 1.1; 400: malformed ones", () => {
    for (const v of ["HTTP/1.2", "HTTP/2.0", "HTTP/0.9", "HTTP/3.1"]) rejects(`GET / ${v}\r\nHost: h\r\n\r\n`, 505);
    for (const v of ["HTTP/1.10", "http/1.1", "HTTP/1", "HTTP/11", "HTTP/1.1x", "HTTP 1.1", "HTTPS/1.1", "HTTP/1.a"]) rejects(`GET / ${v}\r\nHost: h\r\n\r\n`, 400);
    rejects("GET /\r\nHost: h\r\n\r\n", 400);
    rejects("GET\r\n\r\n", 400);
  });

  it("400: NUL or control characters in field values", () => {
    for (const c of ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\x7f"]) rejects(GET(`X-Bad: a${c}b\r\n`), 400);
    A.equal(rejects(GET("X-Bad: a\x00b\r\n"), 400).reason, "NUL in field value");
  });

  it("400: a request line with wrong spacing", () => {
    for (const line of ["GET  / HTTP/1.1", "GET /  HTTP/1.1", " GET / HTTP/1.1", "GET / HTTP/1.1 ", "GET\t/ HTTP/1.1", "GET /\tHTTP/1.1", "GET / HTTP/1.1\t", "GET/ HTTP/1.1"]) {
      rejects(`${line}\r\nHost: h\r\n\r\n`, 400);
    }
  });

  it("400: request targets with spaces, controls or raw non-ASCII bytes", () => {
    rejects("GET /a\x01b HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    rejects("GET /caf\xe9 HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    rejects("GET /a\x7f HTTP/1.1\r\nHost: h\r\n\r\n", 400);
  });

  it("400: an HTTP/1.1 request without Host, or with two", () => {
    rejects("GET / HTTP/1.1\r\n\r\n", 400);
    rejects("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
    rejects("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", 400);
    accepts("GET / HTTP/1.1\r\nHost:\r\n\r\n");
  });

  it("stays failed until reset(), and names the error", () => {
    const p = new RequestParser(SERVER_HTTP_LIMITS, { onHead() {}, onBody() {}, onComplete() {} });
    A.equal(p.execute(bytes("GET / HTTP/1.1\nHost: h\r\n\r\n")), -1);
    A.deepEqual(p.error, { status: 400, reason: "bare LF (lines end with CRLF)" });
    A.equal(p.state, "error");
    A.equal(p.execute(bytes(GET())), -1);
    p.reset();
    A.equal(p.error, null);
    A.equal(p.execute(bytes(GET())), GET().length);
    A.equal(p.state, "complete");
  });

  it("lets an exception from a callback through and stays failed", () => {
    const p = new RequestParser(SERVER_HTTP_LIMITS, {
      onHead() {
        throw new Error("boom");
      },
      onBody() {},
      onComplete() {},
    });
    A.throws(() => p.execute(bytes(GET())), /boom/);
    A.equal(p.state, "error");
    A.equal(p.error!.status, 500);
    A.equal(p.execute(bytes(GET())), -1);
  });
});

describe("http request parser: limits", () => {
  const L: HttpLimits = { maxRequestLine: 64, maxHeaderBytes: 128, maxHeaders: 4, maxBodyBytes: 100 };

  it("414: a request line over maxRequestLine once the method has ended; 400 while still in the method", () => {
    const line = (len: number) => {
      const prefix = "GET /", suffix = " HTTP/1.1";
      return prefix + "a".repeat(len - prefix.length - suffix.length) + suffix;
    };
    A.equal(line(64).length, 64);
    accepts(`${line(64)}\r\nHost: h\r\n\r\n`, { limits: L });
    A.equal(rejects(`${line(65)}\r\nHost: h\r\n\r\n`, 414, { limits: L }).reason, "request target too long");
    rejects(`GET /${"a".repeat(5000)} HTTP/1.1\r\nHost: h\r\n\r\n`, 414, { limits: L });
    rejects(`GET /${"a".repeat(5000)}`, 414, { limits: L });
    A.equal(rejects(`${"G".repeat(65)} / HTTP/1.1\r\n\r\n`, 400, { limits: L }).reason, "method too long");
    rejects("G".repeat(5000), 400, { limits: L });
    // garbage within the first limit+1 bytes is still a 400
    rejects(`GET /a\x01${"a".repeat(100)} HTTP/1.1\r\n\r\n`, 400, { limits: L });
    rejects(`GET / HTTP/1.1${"x".repeat(100)}\r\n\r\n`, 400, { limits: L });
    rejects(`${line(65).slice(0, 60)}\n${"a".repeat(10)}`, 400, { limits: L });
  });

  it("431: header section over maxHeaderBytes (field lines with CRLF, and the final CRLF)", () => {
    // request line, then field lines; "Host: h\r\n" is 9 bytes
    const fill = (n: number) => `X: ${"v".repeat(n - 5)}\r\n`; // a field line of n bytes with CRLF
    A.equal(fill(20).length, 20);
    accepts(`GET / HTTP/1.1\r\nHost: h\r\n${fill(117)}\r\n`, { limits: L }); // 9 + 117 + 2 = 128
    A.equal(rejects(`GET / HTTP/1.1\r\nHost: h\r\n${fill(118)}\r\n`, 431, { limits: L }).reason, "header section too large");
    rejects(`GET / HTTP/1.1\r\nHost: h\r\n${fill(60)}${fill(60)}\r\n`, 431, { limits: L });
    rejects(`GET / HTTP/1.1\r\nHost: h\r\nX: ${"v".repeat(10000)}`, 431, { limits: L });
    rejects(`GET / HTTP/1.1\r\nHost: h\r\n${"X".repeat(10000)}`, 431, { limits: L });
  });

  it("431: more than maxHeaders field lines", () => {
    accepts("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", { limits: L });
    A.equal(rejects("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", 431, { limits: L }).reason, "too many header fields");
  });

  it("413: Content-Length over maxBodyBytes, before any body byte", () => {
    accepts(POST("Content-Length: 100\r\n", "x".repeat(100)), { limits: L });
    const r = run(POST("Content-Length: 101\r\n", "x".repeat(101)), { limits: L });
    A.equal(r.error?.status, 413);
    A.deepEqual(r.evs, [], "no onHead, no body");
    rejects(POST("Content-Length: 101\r\n"), 413, { limits: L });
  });

  it("413: Content-Length above 2^53-1, however written", () => {
    const big = { ...L, maxBodyBytes: Number.MAX_SAFE_INTEGER };
    accepts(POST("Content-Length: 9007199254740991\r\n"), { limits: big, chunk: 0 }).evs.length;
    rejects(POST("Content-Length: 9007199254740992\r\n"), 413, { limits: big });
    rejects(POST("Content-Length: 99999999999999999999999999\r\n"), 413, { limits: big });
    A.equal(head(accepts(POST("Content-Length: 000000000000000000000000005\r\n", "hello"), { limits: big })).contentLength, 5);
  });

  it("413: chunked total over maxBodyBytes, decided at the chunk-size line before its data", () => {
    const te = "Transfer-Encoding: chunked\r\n";
    accepts(POST(te, `32\r\n${"x".repeat(50)}\r\n32\r\n${"y".repeat(50)}\r\n0\r\n\r\n`), { limits: L });
    const r = run(POST(te, `32\r\n${"x".repeat(50)}\r\n33\r\n${"y".repeat(51)}\r\n0\r\n\r\n`), { limits: L });
    A.equal(r.error?.status, 413);
    A.equal(body(r), "x".repeat(50), "nothing of the chunk that goes over");
  });

  it("431: chunk extensions and trailers count against the header limits", () => {
    const te = "Transfer-Encoding: chunked\r\n";
    // header section: "Host: h\r\n" 9 + te 28 + final CRLF 2 = 39; the trailer section's final CRLF takes 2 more
    accepts(POST(te, `1;${"e".repeat(86)}\r\nx\r\n0\r\n\r\n`), { limits: L });
    A.equal(rejects(POST(te, `1;${"e".repeat(87)}\r\nx\r\n0\r\n\r\n`), 431, { limits: L }).reason, "trailer section too large");
    A.equal(rejects(POST(te, `1;${"e".repeat(89)}\r\nx\r\n0\r\n\r\n`), 431, { limits: L }).reason, "chunk extensions too large");
    rejects(POST(te, `1;${"e".repeat(40)}\r\nx\r\n1;${"e".repeat(49)}\r\ny\r\n0\r\n\r\n`), 431, { limits: L });
    rejects(POST(te, `1;${"e".repeat(10000)}`), 431, { limits: L });
    rejects(POST(te, `1;e="${"e".repeat(10000)}`), 431, { limits: L });
    // trailers: bytes (the trailer section's final CRLF included) and count
    accepts(POST(te, `0\r\nT: ${"t".repeat(82)}\r\n\r\n`), { limits: L });
    rejects(POST(te, `0\r\nT: ${"t".repeat(83)}\r\n\r\n`), 431, { limits: L });
    accepts(POST(te, "0\r\nA: 1\r\nB: 2\r\n\r\n"), { limits: L }); // 2 header + 2 trailer fields: maxHeaders is 4
    A.equal(rejects(POST(te, "0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"), 431, { limits: L }).reason, "too many trailer fields");
  });

  it("offers device and server presets", () => {
    A.deepEqual({ ...DEVICE_HTTP_LIMITS }, { maxRequestLine: 1024, maxHeaderBytes: 4096, maxHeaders: 32, maxBodyBytes: 65536 });
    A.deepEqual({ ...SERVER_HTTP_LIMITS }, { maxRequestLine: 8192, maxHeaderBytes: 65536, maxHeaders: 100, maxBodyBytes: 1073741824 });
  });

  it("holds at most one cut line, within the limits, however the bytes arrive", () => {
    const p = new RequestParser(L, { onHead() {}, onBody() {}, onComplete() {} });
    const bound = Math.max(L.maxRequestLine, L.maxHeaderBytes + 16) + 1;
    const data = bytes(`GET /${"a".repeat(40)} HTTP/1.1\r\nHost: h\r\nX: ${"v".repeat(120)}\r\n\r\n`);
    let max = 0;
    for (let i = 0; i < data.length && p.state !== "error"; i++) {
      p.execute(data.subarray(i, i + 1));
      max = Math.max(max, p.buffered);
      A.ok(p.bufferSize <= bound, "buffer within the bound");
    }
    A.ok(max <= bound && max > 60, `held ${max}`);
    A.equal(p.error?.status, 431);
  });
});

// ---------------------------------------------------------------- responses

describe("http response parser", () => {
  const R = (s: string, o: RunOptions = {}) => accepts(s, { response: true, ...o });
  const RX = (s: string, status: number, o: RunOptions = {}) => rejects(s, status, { response: true, ...o });

  it("parses a status line, headers and a Content-Length body", () => {
    const r = R("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
    const h = rhead(r);
    A.equal(h.status, 200);
    A.equal(h.reason, "OK");
    A.equal(h.versionMinor, 1);
    A.equal(h.contentLength, 5);
    A.equal(h.chunked, false);
    A.equal(h.keepAlive, true);
    A.deepEqual(h.headers[0], { name: "Content-Type", lower: "content-type", value: "text/plain" });
    A.equal(body(r), "hello");
    A.equal(r.messages, 1);
  });

  it("accepts an empty or missing reason phrase, and any reason text", () => {
    A.equal(rhead(R("HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n")).reason, "");
    A.equal(rhead(R("HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n")).reason, "");
    A.equal(rhead(R("HTTP/1.0 500 Internal\tServer  Error\xe9\r\nContent-Length: 0\r\n\r\n")).reason, "Internal\tServer  Error\xe9");
  });

  it("de-chunks, with trailers", () => {
    const r = R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;x=1\r\npedia\r\n0\r\nExpires: never\r\n\r\n");
    A.equal(rhead(r).chunked, true);
    A.equal(body(r), "Wikipedia");
    const c = r.evs[r.evs.length - 1]!;
    A.ok(c.t === "complete");
    A.deepEqual(c.trailers, [{ name: "Expires", lower: "expires", value: "never" }]);
  });

  it("reads a body without framing until finish(), and then does not keep the connection", () => {
    const r = R("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this until the end", { finish: true });
    A.equal(rhead(r).keepAlive, false);
    A.equal(body(r), "all of this until the end");
    A.equal(r.messages, 1);
    A.equal(r.state, "complete");
    const g = R("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n\x1f\x8b...", { finish: true });
    A.equal(rhead(g).chunked, false);
    A.equal(body(g), "\x1f\x8b...");
    const cut = run("HTTP/1.1 200 OK\r\n\r\n" + "x".repeat(101), { response: true, limits: { maxRequestLine: 64, maxHeaderBytes: 128, maxHeaders: 4, maxBodyBytes: 100 } });
    A.equal(body(cut), "x".repeat(100), "up to the limit");
    RX("HTTP/1.1 200 OK\r\n\r\n" + "x".repeat(101), 413, { limits: { maxRequestLine: 64, maxHeaderBytes: 128, maxHeaders: 4, maxBodyBytes: 100 } });
  });

  it("has no body for 1xx, 204, 304, and responses to HEAD", () => {
    for (const st of ["100 Continue", "101 Switching Protocols", "204 No Content", "304 Not Modified"]) {
      const r = R(`HTTP/1.1 ${st}\r\nContent-Length: 10\r\n\r\n`);
      A.deepEqual(r.evs.map((e) => e.t), ["head", "complete"], st);
    }
    const h = R("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", { isHeadRequest: true });
    A.deepEqual(h.evs.map((e) => e.t), ["head", "complete"]);
    A.equal(rhead(h).contentLength, 1000);
    const c = R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", { isHeadRequest: true });
    A.deepEqual(c.evs.map((e) => e.t), ["head", "complete"]);
    // the setter, per request
    const seen: string[] = [];
    const p = new ResponseParser(SERVER_HTTP_LIMITS, { onHead: (x) => seen.push("head" + x.status), onBody: () => seen.push("body"), onComplete: () => seen.push("done") });
    p.isHeadRequest = true;
    A.equal(p.execute(bytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n")), 38);
    p.reset();
    p.isHeadRequest = false;
    p.execute(bytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"));
    A.deepEqual(seen, ["head200", "done", "head200", "body", "done"]);
  });

  it("stops after a 100 Continue, then reads the final response", () => {
    const r = R("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
    A.equal(r.messages, 2);
    A.equal(rhead(r, 0).status, 100);
    A.equal(rhead(r, 1).status, 201);
    A.equal(body(r), "ok");
  });

  it("stops after a 101: the rest belongs to the new protocol", () => {
    const data = bytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x02hi");
    const p = new ResponseParser(DEVICE_HTTP_LIMITS, { onHead() {}, onBody() {}, onComplete() {} });
    A.equal(p.execute(data), data.length - 4);
    A.equal(p.state, "complete");
  });

  it("follows the version and Connection for keep-alive", () => {
    A.equal(rhead(R("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")).keepAlive, false);
    A.equal(rhead(R("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")).keepAlive, true);
    A.equal(rhead(R("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")).keepAlive, false);
    A.equal(rhead(R("HTTP/1.1 204 No Content\r\n\r\n")).keepAlive, true);
  });

  it("rejects what could be read two ways, and malformed status lines", () => {
    RX("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
    RX("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc", 400);
    RX("HTTP/1.1 200 OK\r\nContent-Length: 3x\r\n\r\nabc", 400);
    RX("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
    RX("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", 400);
    RX("HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n", 400);
    RX("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX", 400);
    RX("HTTP/2.0 200 OK\r\n\r\n", 505);
    RX("HTTP/1.2 200 OK\r\n\r\n", 505);
    for (const line of ["HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 099 X", "HTTP/1.1  200 OK", "HTTP/1.1 200OK", "http/1.1 200 OK", "HTTP/1.1", "HTTP/1.1 abc", "ICY 200 OK", "HTTP/1.1 200 O\x01K"]) {
      RX(`${line}\r\nContent-Length: 0\r\n\r\n`, 400);
    }
    RX("HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n", 413, { limits: { maxRequestLine: 64, maxHeaderBytes: 128, maxHeaders: 4, maxBodyBytes: 100 } });
    RX(`HTTP/1.1 200 ${"O".repeat(100)}\r\n\r\n`, 400, { limits: { maxRequestLine: 64, maxHeaderBytes: 128, maxHeaders: 4, maxBodyBytes: 100 } });
  });

  it("finish(): fails a message cut short, completes nothing between messages", () => {
    const p = new ResponseParser(SERVER_HTTP_LIMITS, { onHead() {}, onBody() {}, onComplete() {} });
    A.equal(p.finish(), 0);
    p.execute(bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
    A.equal(p.finish(), -1);
    A.equal(p.error!.status, 400);
    p.reset();
    p.execute(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"));
    A.equal(p.finish(), -1);
    p.reset();
    p.execute(bytes("HTTP/1.1 200 O"));
    A.equal(p.finish(), -1);
  });

  it("gives the same events whatever the split", () => {
    const s = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nServer: x\r\n\r\n3\r\nabc\r\n2;e\r\nde\r\n0\r\nT: 1\r\n\r\n" + "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n";
    const whole = R(s);
    for (let size = 1; size <= 11; size++) A.deepEqual(run(s, { response: true, chunk: size }).evs, whole.evs);
  });
});
