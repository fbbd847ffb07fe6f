// HTTP/1.1 server scenarios, run on every platform environment (sim in Node
// and XS, real loopback sockets in Node).

import * as A from "../lib/assert.js";
import { bytes, sameBytes, type ScenarioEnv, type TestPeer } from "../lib/env.js";
import { recorder } from "../lib/recorder.js";
import { readResponses, type TestResponse } from "../lib/http-reader.js";
import {
  createContext,
  write,
  headerCursor,
  addHttpHeaderStatus,
  addHttpHeaderByName,
  addHttpHeaderContentLength,
  addHttpCommonHeaders,
  finalizeWriteHttpHeader,
  httpTransactionCompleted,
  callbackOnWritable,
  callbackHttpDummy,
  hdrCopy,
  hdrTotalLength,
  hdrCopyFragment,
  hdrCustomCopy,
  getUrlargByName,
  serveHttpFile,
  LWS_CALLBACK_HTTP,
  LWS_CALLBACK_HTTP_BODY,
  LWS_CALLBACK_HTTP_BODY_COMPLETION,
  LWS_CALLBACK_HTTP_WRITEABLE,
  LWS_CALLBACK_ADD_HEADERS,
  LWS_CALLBACK_CHECK_ACCESS_RIGHTS,
  LWS_CALLBACK_HTTP_PMO,
  LWS_CALLBACK_FILTER_HTTP_CONNECTION,
  LWS_WRITE_HTTP,
  LWS_WRITE_HTTP_FINAL,
  LWS_ILLEGAL_HTTP_CONTENT_LEN,
  LWSMPRO_FILE,
  LWSMPRO_CALLBACK,
  LWSMPRO_REDIR_HTTPS,
  WSI_TOKEN_HOST,
  WSI_TOKEN_GET_URI,
  WSI_TOKEN_POST_URI,
  WSI_TOKEN_HTTP_URI_ARGS,
  type Context,
  type Protocol,
  type Wsi,
  type HttpMount,
} from "../../src/index.js";

type MakeEnv = () => ScenarioEnv;

const WWW = {
  "index.html": "<!DOCTYPE html><title>t</title><p>hello</p>",
  "app.js": "console.log(1)",
  "data.bin": bytes(50000, 9),
  "sub/index.html": "<p>sub</p>",
  "noext": "no type",
  "logins": "alice:secret\nbob:hunter2\n",
};

const req = (path: string, extra = "", method = "GET") => `${method} ${path} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;

export function defineHttpScenarios(label: string, makeEnv: MakeEnv): void {
  describe(`HTTP server on ${label}`, function () {
    let env: ScenarioEnv;
    let cx: Context | null = null;
    let root = "";
    beforeEach(async () => {
      env = makeEnv();
      root = await env.makeFiles!(WWW);
    });
    afterEach(() => {
      cx?.destroy();
      cx = null;
      env.done();
    });

    /** a context with protocols[0] = `p0` and the www mount (plus `mounts`) */
    function server(p0: Protocol, mounts: HttpMount[] = [], extra: object = {}): number {
      cx = createContext({
        platform: env.platform,
        iface: env.host,
        port: 0,
        protocols: [p0, ...((extra as { more?: Protocol[] }).more ?? [])],
        mounts: [...mounts, { mountpoint: "/", origin: root, originProtocol: LWSMPRO_FILE, def: "index.html", extraMimetypes: { bin: "application/octet-stream" } }],
        ...extra,
      });
      return cx.vhosts[0]!.port;
    }

    async function exchange(port: number, request: string | Uint8Array, n = 1, heads: number[] = []): Promise<{ res: TestResponse[]; peer: TestPeer }> {
      const peer = env.peer(port);
      peer.write(request);
      // parse again only when more has arrived (the sim asks after every event)
      let seen = -1;
      let count = 0;
      await env.waitFor(() => {
        if (peer.eof || peer.closed) return true;
        if (peer.receivedLength !== seen) {
          seen = peer.receivedLength;
          count = readResponses(peer.received, false, heads).length;
        }
        return count >= n;
      }, `${n} response(s)`, 20000);
      return { res: readResponses(peer.received, true, heads), peer };
    }

    const dummy = (): Protocol => ({ name: "http", callback: callbackHttpDummy });

    it("serves a file from a mount with type, length, ETag and the vhost's headers", async () => {
      const port = server(dummy(), [], { headers: { "x-frame-options": "DENY" } });
      const { res } = await exchange(port, req("/"));
      A.equal(res[0]!.status, 200);
      A.equal(res[0]!.text, WWW["index.html"]);
      A.equal(res[0]!.headers["content-type"], "text/html; charset=utf-8");
      A.equal(res[0]!.headers["content-length"], String(WWW["index.html"].length));
      A.ok(/^"[0-9a-f]+-[0-9a-f]+"$/.test(res[0]!.headers["etag"]!), res[0]!.headers["etag"]);
      A.equal(res[0]!.headers["x-frame-options"], "DENY");
      A.equal(res[0]!.headers["accept-ranges"], "bytes");
    });

    it("streams a 50 KB file in pieces, intact", async () => {
      const port = server(dummy());
      const { res } = await exchange(port, req("/data.bin"));
      A.equal(res[0]!.status, 200);
      A.ok(sameBytes(res[0]!.body, WWW["data.bin"]));
    });

    it("answers If-None-Match with 304, HEAD with headers only, and ranges with 206 / 416", async () => {
      const port = server(dummy());
      const first = (await exchange(port, req("/app.js"))).res[0]!;
      const etag = first.headers["etag"]!;
      const { res } = await exchange(
        port,
        req("/app.js", `If-None-Match: ${etag}\r\n`) +
          req("/app.js", "", "HEAD") +
          req("/data.bin", "Range: bytes=100-199\r\n") +
          req("/data.bin", "Range: bytes=-10\r\n") +
          req("/data.bin", "Range: bytes=90000-\r\n") +
          req("/app.js", `If-None-Match: "other"\r\n`),
        6,
        [1],
      );
      A.deepEqual(res.map((r) => r.status), [304, 200, 206, 206, 416, 200]);
      A.equal(res[0]!.body.length, 0);
      A.equal(res[0]!.headers["etag"], etag);
      A.equal(res[1]!.headers["content-length"], String(WWW["app.js"].length));
      A.equal(res[1]!.body.length, 0, "HEAD has no body");
      A.equal(res[2]!.headers["content-range"], "bytes 100-199/50000");
      A.ok(sameBytes(res[2]!.body, WWW["data.bin"].subarray(100, 200)));
      A.equal(res[3]!.headers["content-range"], "bytes 49990-49999/50000");
      A.ok(sameBytes(res[3]!.body, WWW["data.bin"].subarray(49990)));
      A.equal(res[4]!.headers["content-range"], "bytes */50000");
      A.equal(res[5]!.text, WWW["app.js"]);
    });

    it("keeps the connection alive and answers pipelined requests in order, even byte by byte", async () => {
      const port = server(dummy());
      const peer = env.peer(port);
      const all = req("/app.js") + req("/sub/") + req("/index.html") + req("/nope.html");
      for (let i = 0; i < all.length; i++) peer.write(all[i]!);
      await env.waitFor(() => readResponses(peer.received).length === 4, "4 responses", 20000);
      const res = readResponses(peer.received);
      A.deepEqual(res.map((r) => r.status), [200, 200, 200, 404]);
      A.equal(res[1]!.text, WWW["sub/index.html"]);
      A.ok(!peer.eof, "still open");
    });

    it("redirects a directory without its slash, refuses unknown types and escapes from the mount", async () => {
      const port = server(dummy());
      const { res } = await exchange(port, req("/sub") + req("/noext") + req("/../logins") + req("/sub/%2e%2e/%2e%2e/logins"), 4);
      A.equal(res[0]!.status, 301);
      A.equal(res[0]!.headers["location"], "/sub/");
      A.equal(res[1]!.status, 403);
      A.equal(res[2]!.status, 400);
    });

    it("gives protocols[0] the HTTP reasons in lws' order, with the URI as `in`", async () => {
      const rec = recorder("http", (wsi, reason) => {
        if (reason === LWS_CALLBACK_HTTP) {
          const body = new TextEncoder().encode("dyn");
          const c = headerCursor();
          if (addHttpHeaderStatus(wsi, 200, c) || addHttpHeaderContentLength(wsi, 3, c) || finalizeWriteHttpHeader(wsi, c)) return -1;
          write(wsi, body, 3, LWS_WRITE_HTTP_FINAL);
          return httpTransactionCompleted(wsi) ? -1 : 0;
        }
        return 0;
      });
      cx = createContext({ platform: env.platform, iface: env.host, port: 0, protocols: [rec.protocol] });
      const { res, peer } = await exchange(cx.vhosts[0]!.port, req("/x/y?z=1"));
      A.equal(res[0]!.text, "dyn");
      peer.end();
      await env.waitFor(() => rec.plain().includes("WSI_DESTROY"), "closed");
      A.deepEqual(rec.plain(), [
        "PROTOCOL_INIT",
        "FILTER_NETWORK_CONNECTION",
        "WSI_CREATE",
        "HTTP_BIND_PROTOCOL",
        "SERVER_NEW_CLIENT_INSTANTIATED",
        'FILTER_HTTP_CONNECTION"/x/y"',
        'HTTP"/x/y"',
        'HTTP_DROP_PROTOCOL"peer closed"',
        "CLOSED_HTTP",
        "WSI_DESTROY",
      ]);
    });

    it("lets callbacks read headers, method URIs, query arguments and custom headers", async () => {
      const seen: Record<string, unknown> = {};
      const p: Protocol = {
        name: "http",
        callback(wsi, reason, u, in_, len) {
          if (reason === LWS_CALLBACK_HTTP) {
            seen.host = hdrCopy(wsi, WSI_TOKEN_HOST);
            seen.hostLen = hdrTotalLength(wsi, WSI_TOKEN_HOST);
            seen.get = hdrCopy(wsi, WSI_TOKEN_GET_URI);
            seen.post = hdrTotalLength(wsi, WSI_TOKEN_POST_URI);
            seen.arg0 = hdrCopyFragment(wsi, WSI_TOKEN_HTTP_URI_ARGS, 0);
            seen.arg1 = hdrCopyFragment(wsi, WSI_TOKEN_HTTP_URI_ARGS, 1);
            seen.name = getUrlargByName(wsi, "name=");
            seen.custom = hdrCustomCopy(wsi, "x-thing:");
            seen.tooSmall = hdrCopy(wsi, WSI_TOKEN_HOST, 3);
          }
          return callbackHttpDummy(wsi, reason, u, in_, len);
        },
      };
      cx = createContext({ platform: env.platform, iface: env.host, port: 0, protocols: [p] });
      await exchange(cx.vhosts[0]!.port, "GET /p%20q?a=1&name=J%C3%B8rn+X HTTP/1.1\r\nHost: example.org\r\nX-Thing: yes\r\n\r\n");
      A.deepEqual(seen, { host: "example.org", hostLen: 11, get: "/p q", post: 0, arg0: "a=1", arg1: "name=Jørn X", name: "Jørn X", custom: "yes", tooSmall: null });
    });

    it("delivers a chunked upload to a callback mount as HTTP_BODY pieces then HTTP_BODY_COMPLETION", async () => {
      let got = "";
      const order: string[] = [];
      const upload: Protocol = {
        name: "upload",
        callback(wsi, reason, u, in_, len) {
          switch (reason) {
            case LWS_CALLBACK_CHECK_ACCESS_RIGHTS:
              order.push(`access ${in_.max_len}`);
              return 0;
            case LWS_CALLBACK_HTTP_PMO:
              order.push(`pmo ${in_.k}`);
              return 0;
            case LWS_CALLBACK_HTTP:
              order.push(`http ${in_}`);
              return 0;
            case LWS_CALLBACK_HTTP_BODY:
              got += new TextDecoder().decode(in_);
              return 0;
            case LWS_CALLBACK_HTTP_BODY_COMPLETION: {
              order.push("complete");
              const c = headerCursor();
              const out = new TextEncoder().encode(`got ${got.length}`);
              if (addHttpHeaderStatus(wsi, 201, c) || addHttpHeaderContentLength(wsi, out.length, c) || finalizeWriteHttpHeader(wsi, c)) return -1;
              write(wsi, out, out.length, LWS_WRITE_HTTP_FINAL);
              return httpTransactionCompleted(wsi) ? -1 : 0;
            }
          }
          return callbackHttpDummy(wsi, reason, u, in_, len);
        },
      };
      const port = server(dummy(), [{ mountpoint: "/up", origin: "callback://upload", originProtocol: LWSMPRO_CALLBACK, authMask: 4, pmo: { k: "v" } }], { more: [upload] });
      const body = "x".repeat(3000);
      const chunked = `POST /up/file HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${(1000).toString(16)}\r\n${body.slice(0, 1000)}\r\n${(2000).toString(16)};ext=1\r\n${body.slice(1000)}\r\n0\r\nX-Trailer: 1\r\n\r\n`;
      const { res } = await exchange(port, chunked + req("/app.js"), 2);
      A.equal(res[0]!.status, 201);
      A.equal(res[0]!.text, "got 3000");
      A.equal(res[1]!.status, 200, "the next request on the connection is served by the default protocol again");
      A.deepEqual(order, ["access 4", "pmo v", "http /file", "complete"]);
      A.equal(got, body);
    });

    it("streams a chunked response from HTTP_WRITEABLE and keeps the connection", async () => {
      const p: Protocol<{ n: number }> = {
        name: "http",
        perSessionData: () => ({ n: 0 }),
        callback(wsi, reason, user, in_, len) {
          if (reason === LWS_CALLBACK_HTTP) {
            const c = headerCursor();
            if (addHttpCommonHeaders(wsi, 200, "text/plain", LWS_ILLEGAL_HTTP_CONTENT_LEN, c) || finalizeWriteHttpHeader(wsi, c)) return -1;
            callbackOnWritable(wsi);
            return 0;
          }
          if (reason === LWS_CALLBACK_HTTP_WRITEABLE) {
            user.n++;
            const last = user.n % 5 === 0;
            write(wsi, `part ${((user.n - 1) % 5) + 1}\n`, undefined, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
            if (!last) callbackOnWritable(wsi);
            else return httpTransactionCompleted(wsi) ? -1 : 0;
            return 0;
          }
          return callbackHttpDummy(wsi, reason, user, in_, len);
        },
      };
      cx = createContext({ platform: env.platform, iface: env.host, port: 0, protocols: [p] });
      const { res, peer } = await exchange(cx.vhosts[0]!.port, req("/s") + req("/s"), 2);
      A.equal(res[0]!.headers["transfer-encoding"], "chunked");
      A.equal(res[0]!.text, "part 1\npart 2\npart 3\npart 4\npart 5\n");
      A.equal(res[1]!.text, res[0]!.text);
      A.ok(!peer.eof);
    });

    it("adds headers from ADD_HEADERS and serves a file from a callback with serveHttpFile", async () => {
      const p: Protocol = {
        name: "http",
        callback(wsi, reason, u, in_, len) {
          if (reason === LWS_CALLBACK_ADD_HEADERS) return addHttpHeaderByName(wsi, "set-cookie:", "a=b", in_);
          if (reason === LWS_CALLBACK_HTTP) return serveHttpFile(wsi, `${root}/app.js`, "application/javascript", { "x-served": "1" });
          return callbackHttpDummy(wsi, reason, u, in_, len);
        },
      };
      cx = createContext({ platform: env.platform, iface: env.host, port: 0, protocols: [p] });
      const { res } = await exchange(cx.vhosts[0]!.port, req("/anything") + req("/again"), 2);
      A.equal(res[0]!.text, WWW["app.js"]);
      A.equal(res[0]!.headers["set-cookie"], "a=b");
      A.equal(res[0]!.headers["x-served"], "1");
      A.equal(res[0]!.headers["content-type"], "application/javascript");
      A.equal(res[1]!.status, 200);
    });

    it("redirects from a redirect mount and checks basic auth on a protected mount", async () => {
      const port = server(dummy(), [
        { mountpoint: "/old", origin: "example.org/new", originProtocol: LWSMPRO_REDIR_HTTPS, appendPath: true },
        { mountpoint: "/private", origin: root, originProtocol: LWSMPRO_FILE, basicAuthLoginFile: `${root}/logins` },
      ]);
      const b64 = (s: string) => {
        const t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const b = new TextEncoder().encode(s);
        let o = "";
        for (let i = 0; i < b.length; i += 3) {
          const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
          o += t[(n >> 18) & 63]! + t[(n >> 12) & 63]! + (i + 1 < b.length ? t[(n >> 6) & 63]! : "=") + (i + 2 < b.length ? t[n & 63]! : "=");
        }
        return o;
      };
      const { res } = await exchange(port, req("/old/x/y?q=1") + req("/private/app.js") + req("/private/app.js", `Authorization: Basic ${b64("alice:wrong")}\r\n`) + req("/private/app.js", `Authorization: Basic ${b64("bob:hunter2")}\r\n`), 4);
      A.equal(res[0]!.status, 301);
      A.equal(res[0]!.headers["location"], "https://example.org/new/x/y?q=1");
      A.equal(res[1]!.status, 401);
      A.ok(/^Basic realm=/.test(res[1]!.headers["www-authenticate"]!));
      A.equal(res[2]!.status, 401);
      A.equal(res[3]!.status, 200);
      A.equal(res[3]!.text, WWW["app.js"]);
    });

    it("closes the connection when FILTER_HTTP_CONNECTION refuses the request", async () => {
      const p: Protocol = { name: "http", callback: (w, r, u, i, l) => (r === LWS_CALLBACK_FILTER_HTTP_CONNECTION ? 1 : callbackHttpDummy(w, r, u, i, l)) };
      cx = createContext({ platform: env.platform, iface: env.host, port: 0, protocols: [p] });
      const { res, peer } = await exchange(cx.vhosts[0]!.port, req("/"));
      A.equal(res.length, 0);
      A.ok(peer.eof || peer.closed);
    });

    const bad: [string, string, number][] = [
      ["Content-Length with Transfer-Encoding", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400],
      ["differing Content-Lengths", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400],
      ["obs-fold", "GET / HTTP/1.1\r\nHost: t\r\nX-A: 1\r\n  folded\r\n\r\n", 400],
      ["whitespace before the colon", "GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400],
      ["a bad chunk size", "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n", 400],
      ["a bare CR", "GET / HTTP/1.1\r\nHost: t\rX: y\r\n\r\n", 400],
      ["no Host on HTTP/1.1", "GET / HTTP/1.1\r\nX: y\r\n\r\n", 400],
      ["a transfer coding that does not end in chunked", "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 400],
      ["an unknown transfer coding", "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501],
      ["HTTP/2.0 in an HTTP/1 request line", "GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505],
      ["a URI longer than the limit", `GET /${"a".repeat(3000)} HTTP/1.1\r\nHost: t\r\n\r\n`, 414],
      ["too many header bytes", `GET / HTTP/1.1\r\nHost: t\r\nX-Big: ${"b".repeat(5000)}\r\n\r\n`, 431],
      ["too many headers", `GET / HTTP/1.1\r\nHost: t\r\n${Array.from({ length: 40 }, (_, i) => `X-${i}: 1\r\n`).join("")}\r\n`, 431],
      ["a body over the limit", `POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999\r\n\r\n`, 413],
    ];
    for (const [what, request, status] of bad) {
      it(`answers ${status} and closes for ${what}`, async () => {
        // a protocol that waits for the whole body before it answers
        const waiter: Protocol = {
          name: "http",
          callback: (w, r, u, i, l) => (r === LWS_CALLBACK_HTTP ? 0 : r === LWS_CALLBACK_HTTP_BODY ? 0 : callbackHttpDummy(w, r, u, i, l)),
        };
        cx = createContext({ platform: env.platform, iface: env.host, port: 0, protocols: [waiter], httpLimits: { maxRequestLine: 1024, maxHeaderBytes: 4096, maxHeaders: 32, maxBodyBytes: 65536 } });
        const port = cx.vhosts[0]!.port;
        const { res, peer } = await exchange(port, request);
        A.equal(res[0]?.status, status, `status for ${what}`);
        A.equal(res[0]!.headers["connection"], "close");
        await env.waitFor(() => peer.eof || peer.closed, "closed");
      });
    }

    it("answers 503 beyond the vhost's connection limit", async () => {
      const port = server(dummy(), [], { maxConnections: 1 });
      const p1 = env.peer(port);
      p1.write(req("/app.js"));
      await env.waitFor(() => readResponses(p1.received).length === 1, "first served");
      const { res } = await exchange(port, req("/app.js"));
      A.equal(res[0]!.status, 503);
    });

    it("closes an idle keep-alive connection after keepaliveTimeout, and a slow head after headerTimeout", async function () {
      const port = server(dummy(), [], { keepaliveTimeout: 1, headerTimeout: 2 });
      const p1 = env.peer(port);
      p1.write(req("/app.js"));
      const t0 = env.platform.now();
      await env.waitFor(() => p1.eof || p1.closed, "idle close", 5000);
      A.ok(env.platform.now() - t0 >= 900_000, "not before the keep-alive timeout");
      const p2 = env.peer(port);
      p2.write("GET / HTTP/1.1\r\n");
      const t1 = env.platform.now();
      await env.waitFor(() => env.platform.now() - t1 > 1_000_000, "a second", 5000).catch(() => {});
      p2.write("Host: t\r\n");
      await env.waitFor(() => p2.eof || p2.closed, "slow head closed", 5000);
      A.ok(env.platform.now() - t1 >= 1_900_000, `closed at the header timeout (${env.platform.now() - t1}us)`);
      A.equal(readResponses(p2.received).length, 0);
    });

    it("keeps a connection that keeps asking past keepaliveTimeout, and closes it a timeout after its last answer", async function () {
      this.timeout(15000);
      const port = server(dummy(), [], { keepaliveTimeout: 1 });
      const p = env.peer(port);
      const t0 = env.platform.now();
      // a request every half second: each answer moves the idle deadline on
      for (let i = 1; i <= 4; i++) {
        p.write(req("/app.js"));
        await env.waitFor(() => readResponses(p.received).length === i, `answer ${i}`, 5000);
        // to the next half second exactly: a predicate wait would jump to the next event (the idle close itself)
        for (let k = 0; i < 4 && k < 50 && env.platform.now() < t0 + i * 500_000; k++) await env.settle((t0 + i * 500_000 - env.platform.now()) / 1000);
      }
      const last = env.platform.now();
      A.ok(last - t0 >= 1_400_000 && !p.eof && !p.closed, "open past the first answer's idle deadline");
      await env.waitFor(() => p.eof || p.closed, "idle close", 5000);
      A.ok(env.platform.now() - last >= 900_000, `closed a keepaliveTimeout after the last answer (${env.platform.now() - last}us)`);
    });

    it("dates responses where the platform has a clock, once (a callback's own Date stands)", async () => {
      const own = "Sun, 06 Nov 1994 08:49:37 GMT";
      const port = server({
        name: "http",
        callback(wsi, reason, user, in_, len) {
          if (reason === LWS_CALLBACK_HTTP) {
            const c = headerCursor();
            if (addHttpHeaderStatus(wsi, 200, c) || addHttpHeaderByName(wsi, "Date:", own, c) || addHttpHeaderContentLength(wsi, 0, c) || finalizeWriteHttpHeader(wsi, c)) return -1;
            return httpTransactionCompleted(wsi) ? -1 : 0;
          }
          return callbackHttpDummy(wsi, reason, user, in_, len);
        },
      }, [{ mountpoint: "/own", origin: "callback://http", originProtocol: LWSMPRO_CALLBACK }]);
      const { res } = await exchange(port, req("/app.js") + req("/nope") + req("/own"), 3);
      A.deepEqual(res.map((r) => r.status), [200, 404, 200]);
      const wall = env.platform.hooks?.wallClockMs;
      // a platform whose clock is not set yet (NaN) has none either
      const clock = wall && wall() >= 0 ? wall : null;
      for (const r of res.slice(0, 2)) {
        if (!clock) {
          A.equal(r.headers["date"], undefined, "no clock, no Date");
          continue;
        }
        // IMF-fixdate, one of them, within a few seconds of the platform's clock
        A.ok(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/.test(r.headers["date"] ?? ""), r.headers["date"]);
        A.ok(Math.abs(Date.parse(r.headers["date"]!) - clock()) < 5000, r.headers["date"]);
      }
      A.equal(res[2]!.headers["date"], own);
    });
  });
}
