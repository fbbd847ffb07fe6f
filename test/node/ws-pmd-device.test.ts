// permessage-deflate as the device does it (platform/moddable/zlib.ts over the
// SDK's miniz classes: 15-bit windows, deflate that only finishes a stream,
// no inflate dictionary), run on the Node platform with the SDK classes'
// behaviour reproduced over node:zlib (fixtures/node-sdk-zlib.ts), against
// real peers on loopback: the npm ws client and server and python3-websockets
// (Chromium: ws-interop-chromium.test.ts). What has to hold:
//  - the server answers client_no_context_takeover (it cannot inflate with a
//    dictionary) and server_no_context_takeover; a client offers
//    server_no_context_takeover and client_no_context_takeover;
//  - each compressed message is a whole deflate stream ended by a final block
//    and RFC 7692's empty stored block (one 0x00 once its 00 00 ff ff is
//    taken off), which every peer inflates;
//  - a peer asking for a window under 15 bits gets uncompressed messages.

import * as crypto from "node:crypto";
import * as net from "node:net";
import * as zlib from "node:zlib";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import * as A from "../lib/assert.js";
import { requirePythonWebsockets, run } from "../lib/peers.js";
import type { App } from "../../examples/app/app.js";
import { encodeFrame, FrameParser, OPCODE_TEXT } from "../../src/roles/ws/frame.js";
import { deviceLikeZlib, NodeSdkInflate } from "./fixtures/node-sdk-zlib.js";
import { startDemo, stopDemo, within } from "./fixtures/ws-interop-util.js";
import { noise, text, WsClient } from "./fixtures/client-interop-util.js";
import { fileURLToPath } from "node:url";

const sha = (b: Uint8Array): string => crypto.createHash("sha256").update(b).digest("hex");

/** JSON-like text that deflates well */
function jsonish(n: number, seed: number): string {
  let s = "";
  for (let i = 0; s.length < n; i++) s += JSON.stringify({ id: seed * 1000 + i, name: `item-${(i * 7919 + seed) % 1000}`, ok: i % 3 === 0, tags: ["a", "b", "c"].slice(0, 1 + (i % 3)) });
  return s.slice(0, n);
}

/** the raw frames of one connection: upgrade with `offer`, send `frames`, collect the server's frames */
async function rawExchange(port: number, offer: string, frames: Uint8Array[], expect: number): Promise<{ head: string; frames: { rsv1: boolean; opcode: number; payload: Uint8Array }[] }> {
  const sock = net.connect({ host: "127.0.0.1", port });
  const key = crypto.randomBytes(16).toString("base64");
  sock.write(`GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: ${offer}\r\n\r\n`);
  let head = "";
  let buf = Buffer.alloc(0);
  const got: { rsv1: boolean; opcode: number; payload: Uint8Array }[] = [];
  let rsv1 = false, opcode = 0;
  const parts: Uint8Array[] = [];
  const parser = new FrameParser(
    { isServer: false, maxMessageSize: 1 << 24, rsv1Allowed: true },
    {
      onData: (d, info) => {
        if (info.first) {
          parts.length = 0;
          rsv1 = info.compressed;
          opcode = info.opcode;
        }
        parts.push(d.slice());
        if (info.final) got.push({ rsv1, opcode, payload: Buffer.concat(parts) });
      },
      onControl: () => {},
      onError: (code, reason) => got.push({ rsv1: false, opcode: -code, payload: Buffer.from(reason) }),
    },
  );
  try {
    await within(
      new Promise<void>((resolve, reject) => {
        sock.on("error", reject);
        sock.on("data", (b: Buffer) => {
          buf = Buffer.concat([buf, b]);
          if (!head) {
            const i = buf.indexOf("\r\n\r\n");
            if (i < 0) return;
            head = buf.subarray(0, i).toString();
            buf = buf.subarray(i + 4);
            for (const f of frames) sock.write(f);
          }
          if (buf.length) parser.execute(new Uint8Array(buf));
          buf = Buffer.alloc(0);
          if (got.length >= expect) resolve();
        });
      }),
      10000,
      "the server's frames",
    );
  } finally {
    sock.destroy();
  }
  return { head, frames: got };
}

const MASK = new Uint8Array([9, 8, 7, 6]);

describe("permessage-deflate as the device does it (miniz-like zlib on the Node platform), against real peers", function () {
  this.timeout(30000);
  let app: App | null = null;
  let port = 0;

  beforeEach(() => {
    app = startDemo({ wsMaxMessageSize: 4 << 20 }, deviceLikeZlib());
    port = app.port;
  });
  afterEach(() => {
    stopDemo(app);
    app = null;
  });

  it("answers ws' offer with both no_context_takeover parameters, and ws inflates every echo (text, binary, 30 in a row)", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: { threshold: 0 } });
    const got: { data: Buffer; binary: boolean }[] = [];
    const errors: string[] = [];
    let ext = "";
    ws.on("upgrade", (res) => (ext = String(res.headers["sec-websocket-extensions"] ?? "")));
    ws.on("message", (d: Buffer, binary: boolean) => got.push({ data: Buffer.from(d), binary }));
    ws.on("error", (e) => errors.push(e.message));
    await within(new Promise((r) => ws.once("open", r)), 5000, "ws to open");
    A.equal(ext, "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
    const sent: { data: Buffer; binary: boolean }[] = [];
    for (let i = 0; i < 30; i++) {
      const m = i % 5 === 4 ? { data: Buffer.from(noise(3000 + i * 100, i)), binary: true } : { data: Buffer.from(jsonish(10 + i * 3000, i)), binary: false };
      sent.push(m);
      ws.send(m.data, { binary: m.binary });
    }
    await within(
      new Promise<void>((r) => {
        const t = setInterval(() => {
          if (got.length >= sent.length || errors.length) clearInterval(t), r();
        }, 5);
      }),
      10000,
      "30 echoes",
    );
    A.deepEqual(errors, []);
    A.equal(got.length, sent.length);
    for (let i = 0; i < sent.length; i++) {
      A.equal(got[i]!.binary, sent[i]!.binary, `message ${i}: type`);
      A.equal(sha(got[i]!.data), sha(sent[i]!.data), `message ${i}: content`);
    }
    ws.close(1000);
    await within(new Promise((r) => ws.once("close", r)), 5000, "the close");
  });

  it("sends each compressed message as a whole deflate stream plus RFC 7692's empty stored block (a trailing 0x00)", async () => {
    const before = NodeSdkInflate.made;
    const msg = jsonish(20000, 1);
    // two messages compressed by the client (sync flush, its own window each), one plain
    const z = (s: string): Uint8Array => {
      const b = zlib.deflateRawSync(Buffer.from(s), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      return b.subarray(0, b.length - 4);
    };
    const frames = [
      encodeFrame(OPCODE_TEXT, z(msg), { mask: MASK, rsv1: true }),
      encodeFrame(OPCODE_TEXT, z("short and sweet, short and sweet"), { mask: MASK, rsv1: true }),
      encodeFrame(OPCODE_TEXT, Buffer.from("tiny"), { mask: MASK }),
    ];
    const r = await rawExchange(port, "permessage-deflate; client_max_window_bits", frames, 3);
    A.match(r.head, /^HTTP\/1\.1 101/);
    A.match(r.head, /sec-websocket-extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r?$/im);
    const [a, b, c] = r.frames;
    A.ok(a!.rsv1, "the 20 KB echo is compressed");
    A.equal(a!.payload[a!.payload.length - 1], 0, "it ends with the empty stored block's first octet");
    A.ok(a!.payload.length < 8000, `compressed to ${a!.payload.length} bytes`);
    A.equal(Buffer.from(zlib.inflateRawSync(Buffer.concat([a!.payload, Buffer.from([0, 0, 0xff, 0xff])]))).toString(), msg);
    A.ok(b!.rsv1, "the 32-byte echo is compressed too");
    A.equal(Buffer.from(zlib.inflateRawSync(Buffer.concat([b!.payload, Buffer.from([0, 0, 0xff, 0xff])]))).toString(), "short and sweet, short and sweet");
    A.equal(c!.rsv1, false, "a 4-byte echo is not worth compressing");
    A.equal(Buffer.from(c!.payload).toString(), "tiny");
    A.equal(NodeSdkInflate.made - before, 2, "one SDK inflater per compressed message");
  });

  it("answers an offer of server_max_window_bits=10 and then sends uncompressed (the SDK deflates with 15 bits only), while inflating the client's", async () => {
    const b = zlib.deflateRawSync(Buffer.from(jsonish(5000, 2)), { finishFlush: zlib.constants.Z_SYNC_FLUSH, windowBits: 10 });
    const r = await rawExchange(port, "permessage-deflate; server_max_window_bits=10", [encodeFrame(OPCODE_TEXT, b.subarray(0, b.length - 4), { mask: MASK, rsv1: true })], 1);
    A.match(r.head, /sec-websocket-extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10/i);
    A.equal(r.frames[0]!.rsv1, false, "the echo goes uncompressed");
    A.equal(Buffer.from(r.frames[0]!.payload).toString(), jsonish(5000, 2));
  });

  it("python3-websockets (permessage-deflate by default) inflates the device's messages and the demo inflates its", async function () {
    const python = await requirePythonWebsockets(this);
    const script = fileURLToPath(new URL("./fixtures/ws-py-client.py", import.meta.url));
    const r = await run(python, [script, `ws://127.0.0.1:${port}/`, "deflate"], 30000);
    A.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    A.match(String(out.responseExtensions), /^permessage-deflate; server_no_context_takeover; client_no_context_takeover/);
    A.equal((out.extensions as string[]).length, 1, "websockets accepted the answer");
    A.equal(out.textsEqual, true, "five compressible texts echoed");
    A.equal(out.binReceivedSha, out.binSentSha, "random binary echoed");
  });
});

describe("the WebSocket client with the device's zlib, against the npm ws server (permessage-deflate)", function () {
  this.timeout(20000);
  let wss: WebSocketServer | null = null;
  const clients: WsClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    if (wss) {
      const s = wss;
      wss = null;
      for (const c of s.clients) c.terminate();
      await within(new Promise<void>((r) => s.close(() => r())), 5000, "the ws server to close");
    }
  });

  it("offers server_no_context_takeover and client_no_context_takeover; ws inflates what it compresses, and the echoes inflate", async () => {
    const errors: string[] = [];
    const wire: number[] = [];
    const s = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: { threshold: 0 } });
    wss = s;
    let offer = "";
    s.on("connection", (ws, req) => {
      offer = String(req.headers["sec-websocket-extensions"] ?? "");
      ws.on("error", (e) => errors.push(e.message));
      ws.on("message", (d, isBinary) => {
        wire.push(req.socket.bytesRead);
        ws.send(d as Buffer, { binary: isBinary });
      });
    });
    await within(new Promise<void>((r) => s.once("listening", () => r())), 5000, "listening");
    const port = (s.address() as AddressInfo).port;
    const c = new WsClient({ zlib: deviceLikeZlib() });
    clients.push(c);
    c.connect({ port });
    await c.open();
    A.equal(offer, "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
    A.match(String(c.extensions), /^permessage-deflate; server_no_context_takeover; client_no_context_takeover/);
    for (let i = 0; i < 8; i++) {
      const t = jsonish(100 + i * 9000, i);
      const e = await c.echo(t);
      A.equal(text(e), t, `text ${i}`);
    }
    const bin = noise(40000, 5);
    const e = await c.echo(bin);
    A.equal(sha(e.data), sha(bin));
    A.deepEqual(errors, [], "ws saw no protocol error");
    A.ok(wire[wire.length - 2]! < 8 * 9000 * 0.6, `the client's texts went compressed: ${wire[wire.length - 2]} bytes read by the server`);
    A.equal(c.c.cce(), null);
  });
});
