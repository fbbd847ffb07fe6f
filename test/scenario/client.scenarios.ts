// HTTP and WebSocket client scenarios, on every platform environment: the
// demo app as the well-behaved server, and scripted raw servers that
// misbehave in each way lws names in CLIENT_CONNECTION_ERROR.
import * as A from "../lib/assert.js";
import { bytes, concatBytes as concat, sameBytes, type ScenarioEnv } from "../lib/env.js";
import { recorder, type Handler } from "../lib/recorder.js";
import { startApp } from "../../examples/app/app.js";
import {
  createContext,
  clientConnect,
  write,
  httpClientRead,
  httpClientHttpResponse,
  clientHttpBodyPending,
  callbackOnWritable,
  hdrCopy,
  hdrCustomCopy,
  WSI_TOKEN_HTTP_CONTENT_TYPE,
  LWS_SERVER_OPTION_EXPLICIT_VHOSTS,
  LWS_SERVER_OPTION_ONLY_RAW,
  LWS_SERVER_OPTION_DISABLE_IPV6,
  LWS_CALLBACK_RAW_RX,
  LWS_CALLBACK_RAW_ADOPT,
  LWS_CALLBACK_CLIENT_RECEIVE_PONG,
  LWS_CALLBACK_CLIENT_ESTABLISHED,
  LWS_CALLBACK_CLIENT_RECEIVE,
  LWS_CALLBACK_CLIENT_WRITEABLE,
  LWS_CALLBACK_CLIENT_CONNECTION_ERROR,
  LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER,
  LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH,
  LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP,
  LWS_CALLBACK_RECEIVE_CLIENT_HTTP,
  LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ,
  LWS_CALLBACK_COMPLETED_CLIENT_HTTP,
  LWS_CALLBACK_CLIENT_HTTP_WRITEABLE,
  LWS_CALLBACK_CLIENT_HTTP_REDIRECT,
  LWS_CALLBACK_CLIENT_CONFIRM_EXTENSION_SUPPORTED,
  LWS_CALLBACK_WS_EXT_DEFAULTS,
  LWS_CALLBACK_HTTP,
  LWS_CALLBACK_HTTP_BODY,
  LWS_CALLBACK_HTTP_BODY_COMPLETION,
  LWS_CALLBACK_ADD_POLL_FD,
  LWS_WRITE_TEXT,
  LWS_WRITE_BINARY,
  LWS_WRITE_HTTP,
  LWS_WRITE_HTTP_FINAL,
  LCCSCF_PIPELINE,
  LCCSCF_USE_SSL,
  callbackHttpDummy,
  returnHttpStatus,
  frameIsBinary,
  isFinalFragment,
  type Context,
  type Protocol,
  type HeaderAppender,
  type ExtDefaults,
  type ClientConnectInfo,
  PlatformError,
} from "../../src/index.js";
import type { Wsi } from "../../src/core/wsi.js";
import { acceptKey } from "../../src/roles/ws/handshake.js";

const dec = new TextDecoder();

export function defineClientScenarios(label: string, makeEnv: () => ScenarioEnv): void {
  describe(`HTTP and WebSocket clients on ${label}`, function () {
    let env: ScenarioEnv;
    const contexts: Context[] = [];
    beforeEach(() => (env = makeEnv()));
    afterEach(() => {
      for (const c of contexts.splice(0)) c.destroy();
      env.done();
    });

    function demo(): number {
      const app = startApp(env.platform, { host: env.host, port: 0, wsMaxMessageSize: 1 << 20 });
      contexts.push(app.context);
      return app.port;
    }

    /** a client context whose one protocol records everything and calls `handler` */
    function client(handler?: Handler, extra: Partial<Protocol> = {}, options = 0) {
      const rec = recorder("cli", handler, extra);
      const cx = createContext({ platform: env.platform, options: LWS_SERVER_OPTION_EXPLICIT_VHOSTS | options, timeoutSecs: 2 });
      contexts.push(cx);
      cx.createVhost({ name: "c", port: -1, options, wsMaxMessageSize: 1 << 20, protocols: [rec.protocol, { name: "other", callback: rec.protocol.callback }] });
      const connect = (i: Partial<ClientConnectInfo>): Wsi | null => clientConnect({ context: cx, address: env.host, port: 1, ...i });
      return { rec, cx, connect };
    }

    /**
     * A server that answers each request head with what `answer` makes of it
     * (then closes when it says so): the misbehaving peer of each error case.
     */
    const accepted = { n: 0 };
    function scripted(answer: (head: string) => { data?: string | Uint8Array; close?: boolean } | null): number {
      let buf = "";
      const cb: Handler = (wsi, reason, _u, inp) => {
        if (reason === LWS_CALLBACK_RAW_ADOPT) accepted.n++;
        if (reason !== LWS_CALLBACK_RAW_RX) return 0;
        buf += dec.decode(inp as Uint8Array);
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return 0;
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const a = answer(head);
        if (!a) return 0;
        if (a.data !== undefined) write(wsi, a.data);
        return a.close ? -1 : 0;
      };
      const cx = createContext({ platform: env.platform, options: LWS_SERVER_OPTION_EXPLICIT_VHOSTS });
      contexts.push(cx);
      const vh = cx.createVhost({ name: "s", iface: env.host, port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [{ name: "script", callback: cb as any }] });
      return vh.port;
    }

    function keyOf(head: string): string {
      return /sec-websocket-key: *(\S+)/i.exec(head)![1]!;
    }
    function ws101(head: string, extra = "", accept?: string): string {
      return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept ?? acceptKey(keyOf(head))}\r\n${extra}\r\n`;
    }

    async function cceOf(c: ReturnType<typeof client>): Promise<string> {
      // CLIENT_CONNECTION_ERROR is followed by WSI_DESTROY
      await env.waitFor(() => c.rec.saw("WSI_DESTROY"), "CLIENT_CONNECTION_ERROR", 30000);
      const e = c.rec.plain().find((x) => x.startsWith("CLIENT_CONNECTION_ERROR"))!;
      return e.slice("CLIENT_CONNECTION_ERROR".length + 1, -1);
    }

    // ------------------------------------------------------------ WebSocket

    it("WebSocket: connects to the demo's echo, sends text and binary, gets them back, in lws' callback order", async () => {
      const port = demo();
      const got: { text: string | null; bin: Uint8Array | null }[] = [];
      const big = bytes(Math.round(100000 * env.scale), 5);
      let sent = 0;
      let parts: Uint8Array[] = [];
      const c = client((wsi, reason, _u, inp) => {
        if (reason === LWS_CALLBACK_CLIENT_ESTABLISHED) callbackOnWritable(wsi);
        if (reason === LWS_CALLBACK_CLIENT_WRITEABLE) {
          if (sent === 0) write(wsi, "hello", undefined, LWS_WRITE_TEXT);
          if (sent === 1) write(wsi, big, undefined, LWS_WRITE_BINARY);
          if (++sent < 2) callbackOnWritable(wsi);
        }
        if (reason === LWS_CALLBACK_CLIENT_RECEIVE) {
          parts.push((inp as Uint8Array).slice());
          if (isFinalFragment(wsi)) {
            const all = concat(parts);
            parts = [];
            got.push(frameIsBinary(wsi) ? { text: null, bin: all } : { text: dec.decode(all), bin: null });
          }
        }
        return 0;
      });
      const wsi = c.connect({ port, path: "/", host: "localhost", origin: "localhost" });
      A.ok(wsi);
      await env.waitFor(() => got.length === 2, "two echoes", 60000);
      A.equal(got[0]!.text, "hello");
      A.ok(sameBytes(got[1]!.bin!, big));
      // (CLIENT_CONFIRM_EXTENSION_SUPPORTED and WS_EXT_DEFAULTS come too where the platform can deflate)
      const seq = c.rec.plain().filter((e) => !/^(CLIENT_(RECEIVE|WRITEABLE|CONFIRM_EXTENSION_SUPPORTED)|PROTOCOL_INIT|WS_EXT_DEFAULTS)/.test(e));
      A.deepEqual(seq.slice(0, 6), ["WSI_CREATE", "WS_CLIENT_BIND_PROTOCOL", "CLIENT_APPEND_HANDSHAKE_HEADER", "ESTABLISHED_CLIENT_HTTP", "CLIENT_FILTER_PRE_ESTABLISH", "CLIENT_ESTABLISHED"]);
    });

    it("WebSocket: asks for a subprotocol and speaks it (dumb-increment counts up), headers readable at FILTER_PRE_ESTABLISH", async () => {
      const port = demo();
      const numbers: number[] = [];
      let proto: string | null = null;
      const c = client((wsi, reason, _u, inp) => {
        if (reason === LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH) proto = hdrCustomCopy(wsi, "sec-websocket-protocol");
        if (reason === LWS_CALLBACK_CLIENT_RECEIVE) numbers.push(Number(dec.decode(inp as Uint8Array)));
        return 0;
      });
      c.connect({ port, protocol: "dumb-increment-protocol" });
      await env.waitFor(() => numbers.length >= 3, "three numbers", 30000);
      A.equal(proto, "dumb-increment-protocol");
      A.ok(numbers[1]! === numbers[0]! + 1 && numbers[2]! === numbers[1]! + 1, numbers.join(","));
    });

    it("WebSocket: APPEND_HANDSHAKE_HEADER adds headers within the space it says is left", async () => {
      let seen = "";
      const port = scripted((head) => {
        seen = head;
        return { data: ws101(head) };
      });
      let remaining = -1;
      const c = client((_w, reason, _u, inp, len) => {
        if (reason === LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER) {
          const app = inp as HeaderAppender;
          remaining = len;
          A.equal(app.remaining, len);
          A.ok(app.add("cookie", "a=b"));
          A.ok(!app.add("x-huge", "y".repeat(len + 1)), "a header that does not fit is refused");
          A.ok(!app.add("bad header", "v"), "a malformed name is refused");
        }
        return 0;
      });
      c.connect({ port, path: "/p?q=1", protocol: "cli" });
      await env.waitFor(() => c.rec.saw("CLIENT_ESTABLISHED"), "established");
      A.ok(remaining > 100, `${remaining}`);
      A.ok(/^GET \/p\?q=1 HTTP\/1\.1\r\n/.test(seen), seen);
      A.ok(/\r\ncookie: a=b(\r\n|$)/.test(seen), seen);
      A.ok(/\r\nSec-WebSocket-Version: 13(\r\n|$)/.test(seen), seen);
      A.ok(/\r\nSec-WebSocket-Protocol: cli(\r\n|$)/.test(seen), seen);
      A.ok(!/x-huge/.test(seen));
    });

    it("WebSocket: frames the server sends right behind its 101 are not lost", async () => {
      const port = scripted((head) => {
        const h = enc(ws101(head));
        const frame = new Uint8Array([0x81, 2, 0x68, 0x69]);
        return { data: concat([h, frame]) };
      });
      const got: string[] = [];
      let part = "";
      const c = client((wsi, reason, _u, inp) => {
        if (reason === LWS_CALLBACK_CLIENT_RECEIVE) {
          part += dec.decode(inp as Uint8Array);
          if (isFinalFragment(wsi)) got.push(part), (part = "");
        }
        return 0;
      });
      c.connect({ port });
      await env.waitFor(() => got.length === 1, "the frame");
      A.equal(got[0], "hi");
    });

    it("WebSocket: a masked frame from the server is a protocol error (1002)", async () => {
      const port = scripted((head) => ({ data: concat([enc(ws101(head)), new Uint8Array([0x81, 0x82, 1, 2, 3, 4, 0x69, 0x6b])]) }));
      const c = client();
      c.connect({ port });
      await env.waitFor(() => c.rec.saw("CLIENT_CLOSED"), "closed");
      A.ok(!c.rec.plain().some((e) => e.startsWith("CLIENT_RECEIVE")), "no data from a masked frame");
    });

    // every CLIENT_CONNECTION_ERROR string of the reference a misbehaving server can cause
    const wsCases: [string, (head: string) => string, string][] = [
      ["a non-101 answer", () => "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n", "HS: ws upgrade response not 101"],
      ["no accept header", () => "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", "HS: ACCEPT missing"],
      ["no upgrade header", (h) => `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(keyOf(h))}\r\n\r\n`, "HS: UPGRADE missing"],
      ["an upgrade to something else", (h) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(keyOf(h))}\r\n\r\n`, "HS: Upgrade to something other than websocket"],
      ["no connection header", (h) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: ${acceptKey(keyOf(h))}\r\n\r\n`, "HS: CONNECTION missing"],
      ["a connection header without upgrade", (h) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Accept: ${acceptKey(keyOf(h))}\r\n\r\n`, "HS: UPGRADE malformed"],
      ["a wrong accept hash", (h) => ws101(h, "", acceptKey(keyOf(h) + "x")), "HS: Accept hash wrong"],
      ["a subprotocol that was not offered", (h) => ws101(h, "Sec-WebSocket-Protocol: chat\r\n"), "HS: PROTOCOL malformed"],
      ["an unknown extension", (h) => ws101(h, "Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n"), "HS: EXT: unknown ext"],
      ["an extension list too big", (h) => ws101(h, `Sec-WebSocket-Extensions: permessage-deflate; ${"x".repeat(1100)}\r\n`), "HS: EXT: list too big"],
      ["a status line that is not HTTP/1.x", () => "ICY 200 OK\r\n\r\n", "HS: URI missing"],
    ];
    for (const [what, answer, cce] of wsCases) {
      it(`WebSocket: ${what} fails with "${cce}", and no CLIENT_CLOSED`, async () => {
        const port = scripted((head) => ({ data: answer(head) }));
        const c = client();
        c.connect({ port, protocol: "cli" });
        A.equal(await cceOf(c), cce);
        await env.settle(100);
        A.ok(!c.rec.plain().includes("CLIENT_CLOSED"), c.rec.plain().join(","));
        A.ok(!c.rec.plain().includes("CLIENT_ESTABLISHED"));
      });
    }

    it('WebSocket: the server choosing an offered subprotocol the vhost does not serve fails with "HS: Cannot match protocol"', async () => {
      const port = scripted((h) => ({ data: ws101(h, "Sec-WebSocket-Protocol: nowhere\r\n") }));
      const c = client();
      c.connect({ port, protocol: "cli, nowhere" });
      A.equal(await cceOf(c), "HS: Cannot match protocol");
    });

    it("WebSocket: the server choosing the second offered subprotocol binds the vhost's protocol of that name", async () => {
      const port = scripted((h) => ({ data: ws101(h, "Sec-WebSocket-Protocol: other\r\n") }));
      const c = client();
      c.connect({ port, protocol: "cli, other" });
      await env.waitFor(() => c.rec.saw("CLIENT_ESTABLISHED"), "established");
      const seq = c.rec.plain();
      A.ok(seq.includes('WS_CLIENT_DROP_PROTOCOL"ws subprotocol"'), seq.join(","));
    });

    if (env0HasZlib(makeEnv)) {
      const pmdCases: [string, string, string, ((wsi: Wsi, reason: number, u: any, inp: any) => number) | null][] = [
        ["server options that do not parse", "permessage-deflate; foo=1", "HS: EXT: failed parsing options", null],
        ["client_max_window_bits the client did not offer in that form (=8)", "permessage-deflate; client_max_window_bits=8", "HS: EXT: Rejects server options", null],
        ["WS_EXT_DEFAULTS refusing", "permessage-deflate", "HS: EXT: failed setting defaults", (_w, r) => (r === LWS_CALLBACK_WS_EXT_DEFAULTS ? 1 : 0)],
        ["WS_EXT_DEFAULTS giving options that do not parse", "permessage-deflate", "HS: EXT: failed parsing defaults", (_w, r, _u, inp) => {
          if (r === LWS_CALLBACK_WS_EXT_DEFAULTS) (inp as ExtDefaults).value = "bogus_option";
          return 0;
        }],
      ];
      for (const [what, ext, cce, h] of pmdCases) {
        it(`WebSocket permessage-deflate: ${what} fails with "${cce}"`, async () => {
          const port = scripted((head) => ({ data: ws101(head, `Sec-WebSocket-Extensions: ${ext}\r\n`) }));
          const c = client(h ?? undefined);
          c.connect({ port });
          A.equal(await cceOf(c), cce);
        });
      }

      it("WebSocket permessage-deflate: the offer asks for what the platform's zlib needs (no dictionary, a deflate that ends streams, one window)", async () => {
        let offer: string | null = null;
        const port = scripted((head) => {
          offer = /^sec-websocket-extensions: (.*)$/im.exec(head)?.[1]?.trim() ?? "";
          return { data: ws101(head, "") };
        });
        const c = client();
        c.connect({ port });
        await env.waitFor(() => c.rec.saw("CLIENT_ESTABLISHED"), "established");
        const z = env.platform.zlib!;
        let want = "permessage-deflate";
        if (z.inflateNoDictionary) want += "; server_no_context_takeover";
        if (z.deflateEndsStream) want += "; client_no_context_takeover";
        if (z.deflateWindowBits === undefined) want += "; client_max_window_bits";
        A.equal(offer, want);
      });

      it("WebSocket permessage-deflate: a deflate that only ends streams sends plain unless the server took up client_no_context_takeover", async () => {
        const z = env.platform.zlib!;
        // what the client's first message looks like under each answer
        const firstFrameRsv1 = async (answer: string): Promise<boolean> => {
          let got = new Uint8Array(0);
          let bodyAt = -1;
          const cb: Handler = (wsi, reason, _u, inp) => {
            if (reason !== LWS_CALLBACK_RAW_RX) return 0;
            const b = inp as Uint8Array;
            const all = new Uint8Array(got.length + b.length);
            all.set(got);
            all.set(b, got.length);
            got = all;
            if (bodyAt < 0) {
              const head = dec.decode(got);
              const end = head.indexOf("\r\n\r\n");
              if (end < 0) return 0;
              bodyAt = end + 4;
              write(wsi, ws101(head.slice(0, end), `Sec-WebSocket-Extensions: ${answer}\r\n`));
            }
            return 0;
          };
          const scx = createContext({ platform: env.platform, options: LWS_SERVER_OPTION_EXPLICIT_VHOSTS });
          contexts.push(scx);
          const port = scx.createVhost({ name: "s", iface: env.host, port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [{ name: "script", callback: cb as any }] }).port;
          const c = client((wsi, reason) => {
            if (reason === LWS_CALLBACK_CLIENT_ESTABLISHED) write(wsi, "a message long enough to be compressed ".repeat(20), undefined, LWS_WRITE_TEXT);
            return 0;
          });
          c.connect({ port });
          await env.waitFor(() => bodyAt >= 0 && got.length >= bodyAt + 2, "the client's first frame");
          return (got[bodyAt]! & 0x40) !== 0;
        };
        const base = z.inflateNoDictionary ? "permessage-deflate; server_no_context_takeover" : "permessage-deflate";
        A.equal(await firstFrameRsv1(`${base}; client_no_context_takeover`), true, "compressed when the server took it up");
        A.equal(await firstFrameRsv1(base), !z.deflateEndsStream, z.deflateEndsStream ? "plain: the server may keep one inflate stream" : "compressed: a sync flush keeps the stream going");
      });

      it("WebSocket permessage-deflate: negotiated with the demo, compressed echo both ways; CLIENT_CONFIRM_EXTENSION_SUPPORTED can refuse the offer", async () => {
        const port = demo();
        const text = "compress me ".repeat(500);
        let got: string | null = null;
        let extHdr: string | null = null;
        const c = client((wsi, reason, _u, inp) => {
          if (reason === LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH) extHdr = hdrCustomCopy(wsi, "sec-websocket-extensions");
          if (reason === LWS_CALLBACK_CLIENT_ESTABLISHED) write(wsi, text, undefined, LWS_WRITE_TEXT);
          if (reason === LWS_CALLBACK_CLIENT_RECEIVE) got = dec.decode(inp as Uint8Array);
          return 0;
        });
        c.connect({ port });
        await env.waitFor(() => got !== null, "the echo");
        A.equal(got, text);
        A.ok(extHdr && /permessage-deflate/.test(extHdr), `${extHdr}`);
        let ext2: string | null = "unset";
        const c2 = client((wsi, reason) => {
          if (reason === LWS_CALLBACK_CLIENT_CONFIRM_EXTENSION_SUPPORTED) return 1;
          if (reason === LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH) ext2 = hdrCustomCopy(wsi, "sec-websocket-extensions");
          return 0;
        });
        c2.connect({ port });
        await env.waitFor(() => c2.rec.saw("CLIENT_ESTABLISHED"), "established");
        A.equal(ext2, null);
      });
    }

    it('WebSocket: CLIENT_FILTER_PRE_ESTABLISH refusing gives "HS: Rejected by filter cb"; CLIENT_ESTABLISHED refusing gives "HS: Rejected at CLIENT_ESTABLISHED"; ESTABLISHED_CLIENT_HTTP refusing gives "HS: disallowed by client filter"', async () => {
      const port = demo();
      const a = client((_w, r) => (r === LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH ? 1 : 0));
      a.connect({ port });
      A.equal(await cceOf(a), "HS: Rejected by filter cb");
      const b = client((_w, r) => (r === LWS_CALLBACK_CLIENT_ESTABLISHED ? -1 : 0));
      b.connect({ port });
      A.equal(await cceOf(b), "HS: Rejected at CLIENT_ESTABLISHED");
      A.ok(!b.rec.plain().includes("CLIENT_CLOSED"));
      const d = client((_w, r) => (r === LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP ? -1 : 0));
      d.connect({ port });
      A.equal(await cceOf(d), "HS: disallowed by client filter");
    });

    // ----------------------------------------------------------- HTTP client

    function httpReader(into: { body: Uint8Array[]; status: number; ctype: string | null }): Handler {
      return (wsi, reason, _u, inp) => {
        if (reason === LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP) {
          into.status = httpClientHttpResponse(wsi);
          into.ctype = hdrCopy(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE);
        }
        if (reason === LWS_CALLBACK_RECEIVE_CLIENT_HTTP) return httpClientRead(wsi);
        if (reason === LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ) into.body.push((inp as Uint8Array).slice());
        return 0;
      };
    }

    it("HTTP: GET of the demo's /status: ESTABLISHED_CLIENT_HTTP with the status, the body through httpClientRead, COMPLETED, CLOSED", async () => {
      const port = demo();
      const r = { body: [] as Uint8Array[], status: 0, ctype: null as string | null };
      const c = client(httpReader(r));
      c.connect({ port, method: "GET", path: "/status" });
      await env.waitFor(() => c.rec.saw("CLOSED_CLIENT_HTTP"), "closed");
      A.equal(r.status, 200);
      A.ok(/json/.test(r.ctype ?? ""), `${r.ctype}`);
      const json = JSON.parse(dec.decode(concat(r.body)));
      A.ok(typeof json.uptime === "number" || typeof json.uptimeSecs === "number" || "uptime" in json, JSON.stringify(json));
      const seq = c.rec.plain().filter((e) => !/^(RECEIVE_CLIENT_HTTP|PROTOCOL_INIT)/.test(e));
      A.deepEqual(seq, ["WSI_CREATE", "CLIENT_HTTP_BIND_PROTOCOL", "CLIENT_APPEND_HANDSHAKE_HEADER", "CLIENT_FILTER_PRE_ESTABLISH", "ESTABLISHED_CLIENT_HTTP", "COMPLETED_CLIENT_HTTP", 'CLIENT_HTTP_DROP_PROTOCOL"transaction completed"', "CLOSED_CLIENT_HTTP", "WSI_DESTROY"]);
    });

    it("HTTP: chunked, close-delimited and Content-Length bodies arrive whole and de-chunked; HEAD and 204 have none", async function () {
      this.timeout(20000);
      const body = "0123456789".repeat(Math.max(101, Math.round(300 * env.scale)));
      const chunked = `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${(1000).toString(16)}\r\n${body.slice(0, 1000)}\r\n${(body.length - 1000).toString(16)};ext=1\r\n${body.slice(1000)}\r\n0\r\nx-trailer: t\r\n\r\n`;
      const forms: [string, { data: string; close?: boolean }, string, number][] = [
        ["chunked", { data: chunked }, body, 200],
        ["close-delimited", { data: `HTTP/1.0 200 OK\r\n\r\n${body}`, close: true }, body, 200],
        ["content-length", { data: `HTTP/1.1 203 Fine\r\ncontent-length: ${body.length}\r\n\r\n${body}` }, body, 203],
        ["204", { data: "HTTP/1.1 204 No Content\r\n\r\n" }, "", 204],
      ];
      for (const [what, answer, want, status] of forms) {
        const port = scripted(() => answer);
        const r = { body: [] as Uint8Array[], status: 0, ctype: null as string | null };
        const c = client(httpReader(r));
        c.connect({ port, method: "GET" });
        await env.waitFor(() => c.rec.saw("CLOSED_CLIENT_HTTP"), `${what} closed`);
        A.ok(c.rec.plain().includes("COMPLETED_CLIENT_HTTP"), `${what}: ${c.rec.plain().join(",")}`);
        A.equal(r.status, status, what);
        A.equal(dec.decode(concat(r.body)), want, what);
      }
      const hport = scripted(() => ({ data: `HTTP/1.1 200 OK\r\ncontent-length: 5000\r\n\r\n` }));
      const r = { body: [] as Uint8Array[], status: 0, ctype: null as string | null };
      const h = client(httpReader(r));
      h.connect({ port: hport, method: "HEAD" });
      await env.waitFor(() => h.rec.saw("COMPLETED_CLIENT_HTTP"), "HEAD complete");
      A.equal(r.body.length, 0);
    });

    it("HTTP: a body cut short by the server closing ends with CLOSED_CLIENT_HTTP and no COMPLETED", async () => {
      const port = scripted(() => ({ data: "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly this", close: true }));
      const r = { body: [] as Uint8Array[], status: 0, ctype: null as string | null };
      const c = client(httpReader(r));
      c.connect({ port, method: "GET" });
      await env.waitFor(() => c.rec.saw("CLOSED_CLIENT_HTTP"), "closed");
      A.ok(!c.rec.plain().includes("COMPLETED_CLIENT_HTTP"));
    });

    it("HTTP: a body not read at RECEIVE_CLIENT_HTTP holds reception until httpClientRead drains it", async () => {
      const big = "z".repeat(Math.round(200000 * env.scale));
      const port = scripted(() => ({ data: `HTTP/1.1 200 OK\r\ncontent-length: ${big.length}\r\n\r\n${big}` }));
      let wsiRef: Wsi | null = null;
      let got = 0;
      let notified = 0;
      let drain = false;
      let completed = false;
      const c = client((wsi, reason, _u, _inp, len) => {
        wsiRef = wsi;
        if (reason === LWS_CALLBACK_COMPLETED_CLIENT_HTTP) completed = true;
        if (reason === LWS_CALLBACK_RECEIVE_CLIENT_HTTP) {
          notified++;
          if (drain) return httpClientRead(wsi);
        }
        if (reason === LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ) got += len;
        return 0;
      });
      c.connect({ port, method: "GET" });
      await env.waitFor(() => notified === 1, "announced");
      await env.settle(200);
      A.equal(notified, 1, "no more RECEIVE_CLIENT_HTTP while the first bytes wait");
      A.equal(got, 0);
      // drained from outside the callback (as a proxy does from another connection's WRITEABLE)
      drain = true;
      A.equal(httpClientRead(wsiRef!), 0);
      A.ok(got > 0);
      await env.waitFor(() => completed, "completed", 30000);
      A.equal(got, big.length);
    });

    it("HTTP: POST with a body from CLIENT_HTTP_WRITEABLE (chunked without a length, raw with one) reaches an lwsx server whole", async () => {
      const seen: { len: number; te: boolean }[] = [];
      let cur = 0;
      let te = false;
      const srv: Protocol = {
        name: "http",
        callback: ((wsi: Wsi, reason: number, user: any, inp: any, len: number) => {
          if (reason === LWS_CALLBACK_HTTP) {
            cur = 0;
            te = /chunked/.test(hdrCustomCopy(wsi, "transfer-encoding") ?? "");
            return 0;
          }
          if (reason === LWS_CALLBACK_HTTP_BODY) {
            cur += len;
            return 0;
          }
          if (reason === LWS_CALLBACK_HTTP_BODY_COMPLETION) {
            seen.push({ len: cur, te });
            return returnHttpStatus(wsi, 200, `got ${cur}`) ? -1 : 0;
          }
          return callbackHttpDummy(wsi, reason as any, user, inp, len);
        }) as any,
      };
      const scx = createContext({ platform: env.platform, iface: env.host, port: 0, protocols: [srv], httpLimits: { maxBodyBytes: 1 << 20 } } as any);
      contexts.push(scx);
      const port = scx.vhosts[0]!.port;
      const payload = bytes(Math.round(50000 * env.scale), 9);
      for (const withLength of [false, true]) {
        let off = 0;
        const r = { body: [] as Uint8Array[], status: 0, ctype: null as string | null };
        const read = httpReader(r);
        const c = client((wsi, reason, u, inp, len) => {
          if (reason === LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER) {
            if (withLength) (inp as HeaderAppender).add("content-length", String(payload.length));
            clientHttpBodyPending(wsi, 1);
            return 0;
          }
          if (reason === LWS_CALLBACK_CLIENT_HTTP_WRITEABLE) {
            const n = Math.min(7000, payload.length - off);
            const last = off + n === payload.length;
            write(wsi, payload.subarray(off, off + n), n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
            off += n;
            if (!last) callbackOnWritable(wsi);
            return 0;
          }
          return read(wsi, reason, u, inp, len) ?? 0;
        });
        c.connect({ port, method: "POST", path: "/upload" });
        await env.waitFor(() => c.rec.saw("CLOSED_CLIENT_HTTP"), "closed", 30000);
        A.equal(r.status, 200);
        A.equal(dec.decode(concat(r.body)).includes(`got ${payload.length}`), true, dec.decode(concat(r.body)));
      }
      A.equal(seen.length, 2);
      A.ok(seen[0]!.te, "without a length the body went chunked");
      A.ok(!seen[1]!.te);
    });

    it("HTTP: follows a relative redirect (CLIENT_HTTP_REDIRECT with the Location and status); 303 turns a POST into a GET", async () => {
      const reqs: string[] = [];
      const port = scripted((head) => {
        reqs.push(head.split("\r\n")[0]!);
        if (head.startsWith("POST /a ")) return { data: "HTTP/1.1 303 See Other\r\nlocation: /b\r\ncontent-length: 0\r\n\r\n", close: true };
        return { data: "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok", close: true };
      });
      const r = { body: [] as Uint8Array[], status: 0, ctype: null as string | null };
      const c = client(httpReader(r));
      c.connect({ port, method: "POST", path: "/a" });
      await env.waitFor(() => c.rec.saw("CLOSED_CLIENT_HTTP"), "closed");
      A.deepEqual(reqs, ["POST /a HTTP/1.1", "GET /b HTTP/1.1"]);
      A.equal(dec.decode(concat(r.body)), "ok");
      A.ok(c.rec.plain().includes('CLIENT_HTTP_REDIRECT"/b"'), c.rec.plain().join(","));
      A.equal(c.rec.plain().filter((e) => e === "CLIENT_HTTP_BIND_PROTOCOL").length, 1, "the same wsi and binding across the redirect");
    });

    const httpCases: [string, () => { data: string; close?: boolean }, string, Partial<ClientConnectInfo>?][] = [
      ["a redirect without Location", () => ({ data: "HTTP/1.1 302 Found\r\ncontent-length: 0\r\n\r\n" }), "HS: Redirect code but no Location"],
      ["a redirect to a URI that does not parse", () => ({ data: "HTTP/1.1 302 Found\r\nlocation: http://[bad\r\ncontent-length: 0\r\n\r\n" }), "HS: URI did not parse"],
      ["redirects without end", () => ({ data: "HTTP/1.1 302 Found\r\nlocation: /again\r\ncontent-length: 0\r\n\r\n", close: true }), "HS: Redirect failed"],
      ["a 404 when a success is required", () => ({ data: "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n" }), "HS: Server did not return 200", { requireOk: true }],
      ["a server that hangs up before answering", () => ({ data: "", close: true }), "Peer hung up"],
      ["a malformed header line", () => ({ data: "HTTP/1.1 200 OK\r\nbad header\r\n\r\n" }), "problems parsing header"],
    ];
    for (const [what, answer, cce, extra] of httpCases) {
      it(`HTTP: ${what} fails with "${cce}"`, async () => {
        const port = scripted(answer);
        const c = client();
        c.connect({ port, method: "GET", ...(extra ?? {}) });
        A.equal(await cceOf(c), cce);
        A.ok(!c.rec.plain().includes("CLOSED_CLIENT_HTTP"));
      });
    }

    it('HTTP: a connection reset during the handshake gives "read failed"', async function () {
      const sim = (env as { sim?: { reset(fd: number): void } }).sim;
      if (!sim || env.name.startsWith("moddable")) return this.skip();
      const cx = createContext({ platform: env.platform, options: LWS_SERVER_OPTION_EXPLICIT_VHOSTS });
      contexts.push(cx);
      const vh = cx.createVhost({
        name: "s", iface: env.host, port: 0, options: LWS_SERVER_OPTION_ONLY_RAW,
        protocols: [{ name: "rst", callback: ((wsi: Wsi, reason: number) => {
          if (reason === LWS_CALLBACK_RAW_RX) sim.reset(wsi.fd);
          return 0;
        }) as any }],
      });
      const c = client();
      c.connect({ port: vh.port, method: "GET" });
      A.equal(await cceOf(c), "read failed");
    });

    it('a platform that cannot make the socket (EMFILE) gives "set socket opts failed"', async () => {
      const net = env.platform.net;
      const real = net.connect;
      net.connect = () => {
        throw new PlatformError("EMFILE", "too many open files");
      };
      try {
        const c = client();
        A.equal(c.connect({ port: 80, method: "GET" }), null);
        A.equal(await cceOf(c), "set socket opts failed");
      } finally {
        net.connect = real;
      }
    });

    it('HTTP: the user refusing a redirect gives "HS: user code rejected redirect"; FILTER_PRE_ESTABLISH refusing "HS: disallowed by client filter"; ESTABLISHED_CLIENT_HTTP refusing "HS: disallowed at ESTABLISHED"', async () => {
      const rport = scripted(() => ({ data: "HTTP/1.1 301 Moved\r\nlocation: /x\r\ncontent-length: 0\r\n\r\n" }));
      const a = client((_w, r) => (r === LWS_CALLBACK_CLIENT_HTTP_REDIRECT ? 1 : 0));
      a.connect({ port: rport, method: "GET" });
      A.equal(await cceOf(a), "HS: user code rejected redirect");
      const port = demo();
      const b = client((_w, r) => (r === LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH ? 1 : 0));
      b.connect({ port, method: "GET", path: "/status" });
      A.equal(await cceOf(b), "HS: disallowed by client filter");
      const d = client((_w, r) => (r === LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP ? 1 : 0));
      d.connect({ port, method: "GET", path: "/status" });
      A.equal(await cceOf(d), "HS: disallowed at ESTABLISHED");
    });

    it('HTTP: a server that never answers gives "Timed out waiting server reply"', async function () {
      this.timeout(15000);
      const port = scripted(() => null);
      const c = client();
      c.connect({ port, method: "GET" });
      A.equal(await cceOf(c), "Timed out waiting server reply");
    });

    it("HTTP: interim 100 and 103 answers are skipped before the final one", async () => {
      const port = scripted(() => ({ data: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nyes" }));
      const r = { body: [] as Uint8Array[], status: 0, ctype: null as string | null };
      const c = client(httpReader(r));
      c.connect({ port, method: "GET" });
      await env.waitFor(() => c.rec.saw("COMPLETED_CLIENT_HTTP"), "completed");
      A.equal(r.status, 200);
      A.equal(dec.decode(concat(r.body)), "yes");
    });

    it("HTTP keep-alive (LCCSCF_PIPELINE): the next transaction to the same place reuses the connection, one queued behind a busy one waits for it", async () => {
      accepted.n = 0;
      let served = 0;
      const port = scripted(() => {
        const body = `answer ${++served}`;
        return { data: `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}` };
      });
      const bodies: string[] = [];
      const reader: Handler = (wsi, reason, user, inp) => {
        if (reason === LWS_CALLBACK_RECEIVE_CLIENT_HTTP) return httpClientRead(wsi);
        if (reason === LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ) user.text += dec.decode(inp as Uint8Array);
        if (reason === LWS_CALLBACK_COMPLETED_CLIENT_HTTP) bodies.push(user.text);
        return 0;
      };
      const session = { perSessionData: () => ({ text: "" }) };
      const c = client(reader, session);
      const first = c.connect({ port, method: "GET", path: "/1", sslConnection: LCCSCF_PIPELINE });
      const second = c.connect({ port, method: "GET", path: "/2", sslConnection: LCCSCF_PIPELINE });
      A.ok(first && second);
      await env.waitFor(() => bodies.length === 2, "two answers");
      const third = c.connect({ port, method: "GET", path: "/3", sslConnection: LCCSCF_PIPELINE });
      A.ok(third);
      await env.waitFor(() => bodies.length === 3, "three answers");
      A.deepEqual(bodies, ["answer 1", "answer 2", "answer 3"]);
      A.equal(accepted.n, 1, "one TCP connection carried all three");
      // without the flag, each transaction has its own connection and says "connection: close"
      const d = client(reader, session);
      d.connect({ port, method: "GET", path: "/4" });
      await env.waitFor(() => d.rec.saw("CLOSED_CLIENT_HTTP"), "fourth");
      A.equal(accepted.n, 2);
      // an idle kept-alive connection goes after keepWarmSecs
      await env.settle(7000);
      const e = client(reader, session);
      e.connect({ port, method: "GET", path: "/5", sslConnection: LCCSCF_PIPELINE });
      await env.waitFor(() => e.rec.saw("CLOSED_CLIENT_HTTP"), "fifth");
      A.equal(accepted.n, 3, "the idle one had timed out: a new connection");
    });

    it("WebSocket validity (retry_and_idle_policy): a ping after secsSinceValidPing idle, a hang-up after secsSinceValidHangup without an answer", async function () {
      this.timeout(20000);
      let frames: number[] = [];
      let pongs = 0;
      const port = scripted((head) => {
        if (head.includes("sec-websocket-key") || head.includes("Sec-WebSocket-Key")) return { data: ws101(head) };
        return null;
      });
      void frames;
      const c = client((_w, reason) => {
        if (reason === LWS_CALLBACK_CLIENT_RECEIVE_PONG) pongs++;
        return 0;
      });
      const t0 = env.platform.now();
      c.connect({ port, retryAndIdlePolicy: { retryMsTable: [], secsSinceValidPing: 1, secsSinceValidHangup: 3 } });
      await env.waitFor(() => c.rec.saw("CLIENT_CLOSED"), "hang-up", 15000);
      const secs = (env.platform.now() - t0) / 1e6;
      A.ok(secs >= 3 && secs < 6, `${secs} s`);
      A.equal(pongs, 0);
      frames = [];
    });

    // -------------------------------------------------------- the network

    it('refused: "Unable to connect"; a name that does not resolve: "getaddrinfo (ipv4|ipv6) failed"; unix sockets: "unknown address family"; TLS before the TLS work: "lws_ssl_client_connect1 failed"', async () => {
      const a = client();
      a.connect({ port: await env.closedPort(), method: "GET" });
      A.equal(await cceOf(a), "Unable to connect");
      const b = client();
      b.connect({ address: "no-such-host.invalid", port: 80, method: "GET" });
      A.equal(await cceOf(b), env.platform.net.ipv6 ? "getaddrinfo (ipv6) failed" : "getaddrinfo (ipv4) failed");
      const b4 = client(undefined, {}, LWS_SERVER_OPTION_DISABLE_IPV6);
      b4.connect({ address: "no-such-host.invalid", port: 80, method: "GET" });
      A.equal(await cceOf(b4), "getaddrinfo (ipv4) failed");
      const d = client();
      A.equal(d.connect({ address: "+/tmp/sock", port: 80, method: "GET" }), null);
      A.equal(await cceOf(d), "unknown address family");
      const e = client();
      A.equal(e.connect({ port: 443, method: "GET", sslConnection: LCCSCF_USE_SSL }), null);
      A.equal(await cceOf(e), "lws_ssl_client_connect1 failed");
    });

    it("names are looked up through the platform, without blocking: a known name connects, a lookup that never answers times out as a lookup failure", async function () {
      const sim = (env as { sim?: { hosts: Map<string, string>; hostsHanging: Set<string> } }).sim;
      if (!sim || !sim.hosts || env.name.startsWith("moddable")) return this.skip();
      sim.hosts.set("demo.test", "127.0.0.1");
      sim.hostsHanging.add("slow.test");
      const port = demo();
      const r = { body: [] as Uint8Array[], status: 0, ctype: null as string | null };
      const a = client(httpReader(r));
      a.connect({ address: "demo.test", port, method: "GET", path: "/status" });
      await env.waitFor(() => a.rec.saw("CLOSED_CLIENT_HTTP"), "answer by name");
      A.equal(r.status, 200);
      const t0 = env.platform.now();
      const b = client();
      b.connect({ address: "slow.test", port, method: "GET" });
      A.equal(await cceOf(b), "getaddrinfo (ipv4) failed");
      A.ok(env.platform.now() - t0 >= 2_000_000, "after the context's timeoutSecs (2)");
    });

    it('the pollfd table refusing the socket (ADD_POLL_FD nonzero) gives "insert wsi failed"; per-session data that cannot be made gives "HS: OOM"', async () => {
      const a = client((_w, reason) => (reason === LWS_CALLBACK_ADD_POLL_FD ? 1 : 0));
      a.connect({ port: demo(), method: "GET" });
      A.equal(await cceOf(a), "insert wsi failed");
      const b = client(undefined, {
        perSessionData: () => {
          throw new Error("out of memory");
        },
      });
      A.equal(b.connect({ port: 80, method: "GET" }), null);
      A.equal(await cceOf(b), "HS: OOM");
    });

    it("retries with lws_retry_bo_t: failures are concealed conceal_count times with the table's delays, then reported once", async () => {
      const t0 = env.platform.now();
      const c = client();
      c.connect({ port: await env.closedPort(), method: "GET", retryAndIdlePolicy: { retryMsTable: [100, 200, 400], concealCount: 3, jitterPercent: 1 } });
      A.equal(await cceOf(c), "Unable to connect");
      const ms = (env.platform.now() - t0) / 1000;
      A.ok(ms >= 700, `${ms} ms for three retries of 100 + 200 + 400 ms`);
      A.equal(c.rec.plain().filter((e) => e.startsWith("CLIENT_CONNECTION_ERROR")).length, 1);
    });

    it("bad connect info throws at once with a clear error", () => {
      const c = client();
      A.throws(() => c.connect({ port: 0 }), /port 0/);
      A.throws(() => c.connect({ port: 80, method: "get" }), /method/);
      A.throws(() => c.connect({ port: 80, path: "/a b" }), /path/);
      A.throws(() => c.connect({ port: 80, host: "a\r\nb" }), /CR, LF/);
      A.throws(() => c.connect({ port: 80, localProtocolName: "nope" }), /no protocol 'nope'/);
    });
  });
}

function env0HasZlib(makeEnv: () => ScenarioEnv): boolean {
  const e = makeEnv();
  const has = !!e.platform.zlib;
  e.done();
  return has;
}

function enc(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

void LWS_CALLBACK_CLIENT_CONNECTION_ERROR;
