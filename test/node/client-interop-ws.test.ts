// Interop of lwsx's WebSocket client (clientConnect without a method, on
// platform/node) with the npm `ws` server on loopback: text and binary echo
// with and without permessage-deflate (negotiated as the 101 says, and
// compressed on the wire as the server's byte counts show), a 1 MiB message
// both ways, a subprotocol chosen by the server, and a close the server
// starts, whose code and reason the client sees in WS_PEER_INITIATED_CLOSE
// and echoes. `ws` checks what it receives strictly (masking, RSV bits,
// UTF-8, close codes): a slip of the client shows as a server-side error.

import * as crypto from "node:crypto";
import type { AddressInfo } from "node:net";
import type { IncomingMessage } from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import * as A from "../lib/assert.js";
import { closeReason, LWS_CALLBACK_CLIENT_WRITEABLE } from "../../src/index.js";
import { noise, text, waitUntil, within, WsClient } from "./fixtures/client-interop-util.js";

const MiB = 1024 * 1024;
const sha = (b: Uint8Array): string => crypto.createHash("sha256").update(b).digest("hex");

/** the good path's callbacks up to CLIENT_ESTABLISHED, as lws gives them */
const OPENING = ["WSI_CREATE", "WS_CLIENT_BIND_PROTOCOL", "CLIENT_APPEND_HANDSHAKE_HEADER", "ESTABLISHED_CLIENT_HTTP", "CLIENT_FILTER_PRE_ESTABLISH", "CLIENT_ESTABLISHED"];

interface ServerConn {
  ws: WebSocket;
  req: IncomingMessage;
  errors: string[];
  closed: { code: number; reason: string } | null;
}

describe("WebSocket client interop: lwsx client against the npm ws server (loopback)", function () {
  this.timeout(20000);
  let wss: WebSocketServer | null = null;
  let port = 0;
  const conns: ServerConn[] = [];
  const clients: WsClient[] = [];

  async function serve(perMessageDeflate: boolean): Promise<void> {
    const s = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      perMessageDeflate: perMessageDeflate ? { threshold: 0 } : false,
      maxPayload: 4 * MiB,
      handleProtocols: (protocols) => (protocols.has("superchat") ? "superchat" : false),
    });
    wss = s;
    s.on("connection", (ws, req) => {
      const c: ServerConn = { ws, req, errors: [], closed: null };
      conns.push(c);
      ws.on("error", (e) => c.errors.push(e.message));
      ws.on("close", (code, reason) => (c.closed = { code, reason: reason.toString() }));
      ws.on("message", (data, isBinary) => {
        const b = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
        if (!isBinary && b.toString() === "close me") ws.close(4001, "server says bye");
        else ws.send(b, { binary: isBinary });
      });
    });
    await within(new Promise<void>((r) => s.once("listening", () => r())), 5000, "the ws server to listen");
    port = (s.address() as AddressInfo).port;
  }

  function client(opts: ConstructorParameters<typeof WsClient>[0] = {}): WsClient {
    const c = new WsClient(opts);
    clients.push(c);
    return c;
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    for (const c of conns.splice(0)) c.ws.terminate();
    if (wss) {
      const s = wss;
      wss = null;
      await within(new Promise<void>((r) => s.close(() => r())), 5000, "the ws server to close");
    }
  });

  /** no errors on either side, no CLIENT_CONNECTION_ERROR */
  function clean(c: WsClient): void {
    A.equal(c.c.cce(), null, "no CLIENT_CONNECTION_ERROR");
    for (const s of conns) A.deepEqual(s.errors, [], "the ws server saw no protocol error");
  }

  for (const pmd of [false, true]) {
    const label = pmd ? "with permessage-deflate" : "without permessage-deflate";

    it(`${label}: echoes text (UTF-8) and binary, as text and binary, in lws' callback order`, async () => {
      await serve(pmd);
      const c = client().connect({ port, path: "/echo?x=1", host: `127.0.0.1:${port}`, origin: "http://127.0.0.1" });
      await c.open();
      A.equal(conns.length, 1);
      A.equal(conns[0]!.req.url, "/echo?x=1");
      A.equal(conns[0]!.req.headers.origin, "http://127.0.0.1");
      if (pmd) {
        A.ok(c.extensions !== null && /^permessage-deflate(;|$)/.test(c.extensions), `the 101 named permessage-deflate: ${c.extensions}`);
        A.ok(/permessage-deflate/.test(conns[0]!.ws.extensions), `ws negotiated it: ${JSON.stringify(conns[0]!.ws.extensions)}`);
      } else {
        A.equal(c.extensions, null, "no extension in the 101");
        A.equal(conns[0]!.ws.extensions, "");
      }
      const t = await c.echo("héllo wörld ✓ 😀");
      A.equal(t.binary, false);
      A.equal(text(t), "héllo wörld ✓ 😀");
      const bin = noise(70000, 3);
      const b = await c.echo(bin);
      A.equal(b.binary, true);
      A.equal(sha(b.data), sha(bin));
      const empty = await c.echo(new Uint8Array(0));
      A.equal(empty.binary, true);
      A.equal(empty.data.length, 0);
      // several queued back to back come back in order
      for (let i = 0; i < 10; i++) c.send(`message ${i}`);
      for (let i = 0; i < 10; i++) A.equal(text(await c.next()), `message ${i}`);
      A.deepEqual(c.c.flow().slice(0, OPENING.length), OPENING);
      clean(c);
    });

    it(`${label}: a 1 MiB message each way (binary, then compressible text)`, async () => {
      await serve(pmd);
      const c = client().connect({ port });
      await c.open();
      const big = noise(MiB, 7);
      const b = await c.echo(big, 10000);
      A.equal(b.binary, true);
      A.equal(b.data.length, MiB);
      A.equal(sha(b.data), sha(big));
      const before = conns[0]!.req.socket.bytesRead;
      const txt = "the quick brown fox jumps over the lazy dog ".repeat(Math.ceil(MiB / 44)).slice(0, MiB);
      const t = await c.echo(txt, 10000);
      A.equal(t.binary, false);
      A.equal(t.data.length, MiB);
      A.ok(text(t) === txt, "the 1 MiB text echoed intact");
      const wire = conns[0]!.req.socket.bytesRead - before;
      if (pmd) A.ok(wire < MiB / 10, `the client compressed 1 MiB of text to ${wire} bytes on the wire`);
      else A.ok(wire > MiB, `uncompressed: ${wire} bytes on the wire`);
      clean(c);
    });
  }

  it("the server closing with 4001 'server says bye': WS_PEER_INITIATED_CLOSE has them, the client echoes the close, CLIENT_CLOSED", async () => {
    await serve(true);
    const c = client().connect({ port });
    await c.open();
    A.equal(text(await c.echo("first")), "first");
    c.send("close me");
    await waitUntil(() => c.closed, 5000, "CLIENT_CLOSED");
    A.deepEqual(c.peerClose, { code: 4001, reason: "server says bye" });
    await waitUntil(() => conns[0]!.closed !== null, 5000, "the server's close event");
    A.deepEqual(conns[0]!.closed, { code: 4001, reason: "server says bye" }, "the client echoed the close frame");
    const flow = c.c.flow();
    A.deepEqual(flow.slice(0, OPENING.length), OPENING);
    const rest = flow.slice(OPENING.length);
    A.ok(rest.indexOf("WS_PEER_INITIATED_CLOSE[17]") >= 0 && rest.indexOf("WS_PEER_INITIATED_CLOSE[17]") < rest.indexOf("CLIENT_CLOSED"), rest.join(","));
    A.equal(rest[rest.length - 1], "WSI_DESTROY", rest.join(","));
    clean(c);
  });

  it("asks for subprotocols 'chat, superchat': the server's choice binds the vhost's protocol of that name", async () => {
    await serve(false);
    const c = client({ alsoNamed: ["superchat"] }).connect({ port, protocol: "chat, superchat" });
    await c.open();
    A.equal(conns[0]!.req.headers["sec-websocket-protocol"], "chat, superchat");
    A.equal(c.subprotocol, "superchat");
    A.equal(conns[0]!.ws.protocol, "superchat");
    A.ok(c.c.flow().includes('WS_CLIENT_DROP_PROTOCOL"ws subprotocol"'), c.c.flow().join(","));
    A.equal(text(await c.echo("in superchat")), "in superchat");
    clean(c);
  });

  it("the client closing (callback returns nonzero after closeReason) reaches the server with its code", async () => {
    await serve(false);
    let closeNow = false;
    const c = client({
      handler: (wsi, reason) => {
        if (closeNow && reason === LWS_CALLBACK_CLIENT_WRITEABLE) {
          closeReason(wsi, 4005, "client done");
          return -1;
        }
        return 0;
      },
    }).connect({ port });
    await c.open();
    A.equal(text(await c.echo("x")), "x");
    closeNow = true;
    c.send("last");
    await waitUntil(() => conns[0]!.closed !== null, 5000, "the server's close event");
    A.deepEqual(conns[0]!.closed, { code: 4005, reason: "client done" });
    await waitUntil(() => c.closed, 5000, "CLIENT_CLOSED");
    clean(c);
  });
});
