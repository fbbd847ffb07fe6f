// Property tests (fast-check) of the HTTP/1.1 parsers. Node only: fast-check cannot load inside XS.
import fc from "fast-check";
import * as A from "../lib/assert.js";
import { concatBytes as concat, cut } from "../lib/env.js";
import { bytes, recordEvents, text, type Ev } from "../lib/http-parse.js";
import {
  RequestParser,
  ResponseParser,
  SERVER_HTTP_LIMITS,
  type HttpHeader,
  type HttpLimits,
  type HttpParseError,
  type RequestHead,
  type ResponseHead,
} from "../../src/roles/http/parser.js";

// ------------------------------------------------------------------ helpers



interface Outcome {
  evs: Ev[];
  error: HttpParseError | null;
  messages: number;
}

const bound = (l: HttpLimits) => Math.max(l.maxRequestLine, l.maxHeaderBytes + 16) + 1;

/**
 * Feeds the pieces, going on with the next message after each complete one, and checks after
 * every call that the parser holds no more than its bound and hands out no more than its limits.
 */
function feed(pieces: Uint8Array[], limits: HttpLimits, response = false): Outcome {
  const evs: Ev[] = [];
  let bodyBytes = 0;
  const events = recordEvents(evs, {
    head(head) {
      A.ok(head.headers.length <= limits.maxHeaders, "no more headers than the limit");
      bodyBytes = 0;
    },
    body(b) {
      A.ok(b.length > 0, "no empty body piece");
      bodyBytes += b.length;
      A.ok(bodyBytes <= limits.maxBodyBytes, "no more body than the limit");
    },
  });
  const p = response ? new ResponseParser(limits, events) : new RequestParser(limits, events);
  let messages = 0;
  const max = bound(limits);
  for (const piece of pieces) {
    let off = 0;
    while (off < piece.length) {
      const n = p.execute(piece.subarray(off));
      A.ok(p.buffered <= max && p.bufferSize <= max, `held ${p.buffered} (${p.bufferSize} allocated), bound ${max}`);
      if (n < 0) {
        A.equal(p.state, "error");
        A.ok(p.error !== null);
        return { evs, error: p.error, messages };
      }
      A.ok(n <= piece.length - off);
      off += n;
      if (p.state === "complete") {
        messages++;
        p.reset();
      } else A.ok(n > 0, "execute() consumes something unless complete");
    }
  }
  return { evs, error: null, messages };
}

// --------------------------------------------------------------- generators

const TCHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const tokenArb = (min: number, max: number) => fc.array(fc.constantFrom(...TCHARS), { minLength: min, maxLength: max }).map((a) => a.join(""));
/** field-value characters: visible ASCII, obs-text, with inner SP / HTAB */
const VCHARS = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i));
const valueOf = (chars: fc.Arbitrary<string>) =>
  fc
    .array(fc.oneof({ weight: 8, arbitrary: chars }, { weight: 1, arbitrary: fc.constantFrom(" ", "\t") }), { maxLength: 40 })
    .map((a) => a.join("").replace(/^[ \t]+|[ \t]+$/g, ""));
// mostly ASCII (a whole head of it takes the fast path), sometimes obs-text (the byte-wise path)
const valueArb = fc.oneof(
  { weight: 9, arbitrary: valueOf(fc.constantFrom(...VCHARS)) },
  { weight: 1, arbitrary: valueOf(fc.constantFrom(...VCHARS, "\x80", "\xe9", "\xff")) },
);
const owsArb = fc.constantFrom("", " ", "  ", "\t", " \t");
const targetChars = "/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%!$&'()*+,;=:@?";
const targetArb = fc.array(fc.constantFrom(...targetChars), { maxLength: 60 }).map((a) => "/" + a.join(""));
const RESERVED = new Set(["content-length", "transfer-encoding", "host", "connection", "upgrade", "expect"]);
const headerArb = fc
  .record({
    name: fc.oneof(tokenArb(1, 20), fc.constantFrom("Accept", "user-agent", "CONTENT-TYPE", "Cookie", "X-Forwarded-For", "sec-websocket-key", "ETag")),
    value: valueArb,
    pre: owsArb,
    post: owsArb,
  })
  .filter((h) => !RESERVED.has(h.name.toLowerCase()));
const bodyArb = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 300 }).map((a) => String.fromCharCode(...a));
const extArb = fc.oneof(
  fc.constant(""),
  tokenArb(1, 8).map((n) => ";" + n),
  fc.tuple(tokenArb(1, 6), tokenArb(1, 6)).map(([n, v]) => `;${n}=${v}`),
  fc.tuple(tokenArb(1, 6), fc.array(fc.constantFrom("a", " ", "\\\"", "\\\\", ";", "="), { maxLength: 8 })).map(([n, v]) => `;${n}="${v.join("")}"`),
);

interface Model {
  wire: string;
  head: RequestHead;
  body: string;
  trailers: HttpHeader[];
}

const requestArb: fc.Arbitrary<Model> = fc
  .record({
    method: fc.oneof(fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"), tokenArb(1, 10)),
    target: targetArb,
    v0: fc.boolean(),
    headers: fc.array(headerArb, { maxLength: 12 }),
    hostAt: fc.nat(),
    framing: fc.constantFrom("none", "length", "chunked"),
    body: bodyArb,
    chunkCuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 5 }),
    exts: fc.array(extArb, { minLength: 7, maxLength: 7 }),
    hex: fc.constantFrom("lower", "upper", "zeros"),
    trailers: fc.array(headerArb, { maxLength: 3 }),
    connection: fc.constantFrom(null, "close", "keep-alive", "Keep-Alive, foo"),
  })
  .map((g) => {
    const v0 = g.v0 && g.framing !== "chunked";
    const fields = g.headers.map((h) => ({ ...h }));
    if (!v0) fields.splice(g.hostAt % (fields.length + 1), 0, { name: "Host", value: "example.com:8080", pre: " ", post: "" });
    if (g.connection) fields.push({ name: "Connection", value: g.connection, pre: " ", post: "" });
    let body = "";
    let wireBody = "";
    let contentLength = -1;
    if (g.framing === "length") {
      body = g.body;
      contentLength = body.length;
      fields.push({ name: "Content-Length", value: String(body.length), pre: " ", post: " " });
      wireBody = body;
    } else if (g.framing === "chunked") {
      body = g.body;
      fields.push({ name: "Transfer-Encoding", value: "chunked", pre: " ", post: "" });
      const pieces = cut(bytes(body), g.chunkCuts)
        .map(text)
        .filter((s) => s.length > 0);
      const hex = (n: number) => (g.hex === "upper" ? n.toString(16).toUpperCase() : g.hex === "zeros" ? "00" + n.toString(16) : n.toString(16));
      pieces.forEach((s, i) => (wireBody += `${hex(s.length)}${g.exts[i % 7]}\r\n${s}\r\n`));
      wireBody += `0${g.exts[6]}\r\n` + g.trailers.map((t) => `${t.name}:${t.pre}${t.value}${t.post}\r\n`).join("") + "\r\n";
    }
    const lc = g.connection?.toLowerCase() ?? "";
    const wire = `${g.method} ${g.target} HTTP/1.${v0 ? 0 : 1}\r\n` + fields.map((f) => `${f.name}:${f.pre}${f.value}${f.post}\r\n`).join("") + "\r\n" + wireBody;
    const head: RequestHead = {
      method: g.method,
      target: g.target,
      versionMinor: v0 ? 0 : 1,
      headers: fields.map((f) => ({ name: f.name, lower: f.name.toLowerCase(), value: f.value })),
      contentLength,
      chunked: g.framing === "chunked",
      keepAlive: lc.includes("close") ? false : v0 ? lc.includes("keep-alive") : true,
      expectContinue: false,
      upgrade: null,
    };
    const trailers = g.framing === "chunked" ? g.trailers.map((t) => ({ name: t.name, lower: t.name.toLowerCase(), value: t.value })) : [];
    return { wire, head, body, trailers };
  });

function expected(models: Model[]): Ev[] {
  const evs: Ev[] = [];
  for (const m of models) {
    evs.push({ t: "head", head: m.head });
    if (m.body.length && (m.head.chunked || m.head.contentLength > 0)) evs.push({ t: "body", data: m.body });
    evs.push({ t: "complete", trailers: m.trailers });
  }
  return evs;
}

const splitsArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });

// ------------------------------------------------------------------ properties

describe("http parser properties", () => {
  it("parses any valid request (or pipeline of them) to the model's events, however it is split", () => {
    fc.assert(
      fc.property(fc.array(requestArb, { minLength: 1, maxLength: 3 }), splitsArb, (models, splits) => {
        const wire = bytes(models.map((m) => m.wire).join(""));
        const want = expected(models);
        const whole = feed([wire], SERVER_HTTP_LIMITS);
        A.equal(whole.error, null, "no error");
        A.equal(whole.messages, models.length);
        A.deepEqual(whole.evs, want);
        const split = feed(cut(wire, splits), SERVER_HTTP_LIMITS);
        A.deepEqual(split, whole);
      }),
      { numRuns: 400 },
    );
  });

  it("parses byte by byte to the same events", () => {
    fc.assert(
      fc.property(requestArb, (m) => {
        const wire = bytes(m.wire);
        const pieces: Uint8Array[] = [];
        for (let i = 0; i < wire.length; i++) pieces.push(wire.subarray(i, i + 1));
        A.deepEqual(feed(pieces, SERVER_HTTP_LIMITS), feed([wire], SERVER_HTTP_LIMITS));
      }),
      { numRuns: 100 },
    );
  });

  // material for inputs that go deep: pieces of valid messages, and the bytes that matter
  const SMALL: HttpLimits = { maxRequestLine: 40, maxHeaderBytes: 120, maxHeaders: 5, maxBodyBytes: 64 };
  const fragments = [
    "GET / HTTP/1.1\r\n", "POST /x HTTP/1.0\r\n", "HTTP/1.1 200 OK\r\n", "Host: h\r\n", "Content-Length: 5\r\n",
    "Content-Length: 99999999999999999999\r\n", "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: gzip, chunked\r\n",
    "Connection: upgrade\r\n", "Upgrade: websocket\r\n", "\r\n", "\r", "\n", " ", "\t", ":", ";", "=", "\"", "\\", "0", "5",
    "a", "F", "\x00", "\x7f", "\xff", "5\r\nhello\r\n", "0\r\n\r\n", "3;x=\"y\"\r\nabc\r\n", "X: " + "v".repeat(50) + "\r\n",
    "/" + "p".repeat(45), "HTTP/1.1", "HTTP/2.0", "100000000000000000\r\n",
  ];
  const noisyArb = fc
    .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...fragments) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) }), { maxLength: 40 })
    .map((a) => bytes(a.join("")));

  it("never throws on arbitrary bytes, stays within its limits, and fails the same way however split", () => {
    for (const response of [false, true]) {
      fc.assert(
        fc.property(fc.oneof(noisyArb, fc.uint8Array({ maxLength: 400 })), splitsArb, (data, splits) => {
          const whole = feed([data], SMALL, response);
          const split = feed(cut(data, splits), SMALL, response);
          A.deepEqual(split, whole);
          if (whole.error) A.ok([400, 413, 414, 431, 501, 505].includes(whole.error.status), `status ${whole.error.status}`);
        }),
        { numRuns: 1500 },
      );
    }
  });

  it("fails the same way byte by byte as whole, for arbitrary input", () => {
    fc.assert(
      fc.property(noisyArb, (data) => {
        const pieces: Uint8Array[] = [];
        for (let i = 0; i < data.length; i++) pieces.push(data.subarray(i, i + 1));
        A.deepEqual(feed(pieces, SMALL), feed([data], SMALL));
      }),
      { numRuns: 500 },
    );
  });

  it("keeps its held bytes bounded under endless input without line ends", () => {
    fc.assert(
      fc.property(fc.constantFrom("", "GET /", "GET / HTTP/1.1\r\nHost: h\r\nX: ", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1;"), fc.integer({ min: 1, max: 97 }), (prefix, step) => {
        // more than any line may hold under the server limits (the bound is checked at every call by feed())
        const data = concat([bytes(prefix), new Uint8Array(SERVER_HTTP_LIMITS.maxHeaderBytes + 100).fill(97)]);
        const pieces: Uint8Array[] = [];
        for (let i = 0; i < data.length; i += step * 7) pieces.push(data.subarray(i, i + step * 7));
        const r = feed(pieces, SERVER_HTTP_LIMITS);
        A.ok(r.error !== null && [400, 414, 431].includes(r.error.status), "over the limit is an error");
        const small = feed(pieces, SMALL);
        A.ok(small.error !== null);
      }),
      { numRuns: 60 },
    );
  });

  it("parses valid responses the same however split", () => {
    const responseArb = fc
      .record({
        status: fc.integer({ min: 100, max: 599 }),
        reason: valueArb,
        headers: fc.array(headerArb, { maxLength: 6 }),
        framing: fc.constantFrom("length", "chunked"),
        body: bodyArb,
        cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
      })
      .map((g) => {
        const noBody = g.status < 200 || g.status === 204 || g.status === 304;
        let wire = `HTTP/1.1 ${g.status} ${g.reason}\r\n` + g.headers.map((h) => `${h.name}:${h.pre}${h.value}${h.post}\r\n`).join("");
        let tail = "";
        if (g.framing === "length") {
          wire += `Content-Length: ${g.body.length}\r\n`;
          tail = g.body;
        } else {
          wire += "Transfer-Encoding: chunked\r\n";
          for (const s of cut(bytes(g.body), g.cuts).map(text)) if (s.length) tail += `${s.length.toString(16)}\r\n${s}\r\n`;
          tail += "0\r\n\r\n";
        }
        return { wire: wire + "\r\n" + (noBody ? "" : tail), body: noBody ? "" : g.body, status: g.status };
      });
    fc.assert(
      fc.property(fc.array(responseArb, { minLength: 1, maxLength: 3 }), splitsArb, (list, splits) => {
        const wire = bytes(list.map((r) => r.wire).join(""));
        const whole = feed([wire], SERVER_HTTP_LIMITS, true);
        A.equal(whole.error, null);
        A.equal(whole.messages, list.length);
        A.deepEqual(
          whole.evs.filter((e) => e.t === "head").map((e) => (e as { head: ResponseHead }).head.status),
          list.map((r) => r.status),
        );
        A.equal(whole.evs.filter((e) => e.t === "body").map((e) => (e as { data: string }).data).join(""), list.map((r) => r.body).join(""));
        A.deepEqual(feed(cut(wire, splits), SERVER_HTTP_LIMITS, true), whole);
      }),
      { numRuns: 300 },
    );
  });
});
