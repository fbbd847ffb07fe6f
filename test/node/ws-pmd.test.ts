// permessage-deflate (RFC 7692) on the Node platform: negotiation, context
// takeover from the client, limits on what a small compressed frame inflates
// to, and refusal paths.
import * as zlib from "node:zlib";
import WebSocket from "ws";
import * as A from "../lib/assert.js";
import { nodeEnv } from "../lib/node-env.js";
import { WsTestClient } from "../lib/ws-peer.js";
import { startApp } from "../../examples/app/app.js";
import { encodeFrame, OPCODE_BINARY, OPCODE_TEXT } from "../../src/roles/ws/frame.js";
import { createContext, callbackHttpDummy, LWS_CALLBACK_CONFIRM_EXTENSION_OKAY, type Context } from "../../src/index.js";

function deflated(data: Uint8Array): Uint8Array {
  const z = zlib.deflateRawSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return new Uint8Array(z.subarray(0, z.length - 4));
}

describe("permessage-deflate on node", function () {
  this.timeout(20000);
  let cx: Context | null = null;
  let env = nodeEnv();
  beforeEach(() => (env = nodeEnv()));
  afterEach(() => {
    cx?.destroy();
    cx = null;
    env.done();
  });

  function demo(opts: object = {}): number {
    const app = startApp(env.platform, { host: "127.0.0.1", port: 0, wsMaxMessageSize: 1 << 20, ...opts });
    cx = app.context;
    return app.port;
  }

  it("is negotiated with the ws client and round-trips text and binary, with the client's context kept", async () => {
    const port = demo();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: { threshold: 0 } });
    const got: string[] = [];
    let ext = "";
    ws.on("upgrade", (res) => (ext = String(res.headers["sec-websocket-extensions"] ?? "")));
    await new Promise<void>((resolve, reject) => {
      ws.on("open", () => {
        for (let i = 0; i < 50; i++) ws.send(`message number ${i} with repeated words repeated words`);
        ws.send(Buffer.alloc(200000, 3));
      });
      ws.on("message", (m: Buffer, bin: boolean) => {
        got.push(bin ? `bin ${m.length} ${m.every((b) => b === 3)}` : m.toString());
        if (got.length === 51) resolve();
      });
      ws.on("error", reject);
    });
    A.equal(ws.extensions, "permessage-deflate");
    A.ok(/^permessage-deflate; server_no_context_takeover/.test(ext), ext);
    for (let i = 0; i < 50; i++) A.equal(got[i], `message number ${i} with repeated words repeated words`);
    A.equal(got[50], "bin 200000 true");
    ws.close();
  });

  it("closes with 1009 when a small compressed frame would inflate past the limit, 1007 for corrupt data", async () => {
    const port = demo({ wsMaxMessageSize: 100000 });
    const bomb = deflated(new Uint8Array(5_000_000));
    A.ok(bomb.length < 10000, `the bomb is small (${bomb.length} bytes)`);
    for (const [payload, op, code] of [[bomb, OPCODE_BINARY, 1009], [new Uint8Array([0xff, 0xff, 0xff]), OPCODE_BINARY, 1007], [deflated(new Uint8Array([0xc3, 0x28])), OPCODE_TEXT, 1007]] as const) {
      const c = new WsTestClient(env.peer(port), "/", undefined, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
      await env.waitFor(() => c.poll().status === 101, "101");
      A.ok(/sec-websocket-extensions: permessage-deflate/i.test(c.responseHead));
      c.sendRaw(encodeFrame(op, payload, { mask: new Uint8Array([9, 8, 7, 6]), rsv1: true }));
      await env.waitFor(() => c.poll().closeFrame !== null, `close ${code}`);
      A.equal(c.closeCode, code);
    }
  });

  it("is not negotiated when the protocol refuses it or the vhost turns it off", async () => {
    const refuse = { name: "x", callback: (_w: unknown, r: number) => (r === LWS_CALLBACK_CONFIRM_EXTENSION_OKAY ? 1 : 0) };
    cx = createContext({ platform: env.platform, iface: "127.0.0.1", port: 0, protocols: [{ name: "http", callback: callbackHttpDummy }, refuse as never], wsDefaultProtocol: "x" });
    const c = new WsTestClient(env.peer(cx.vhosts[0]!.port), "/", undefined, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
    await env.waitFor(() => c.poll().status === 101, "101");
    A.ok(!/sec-websocket-extensions/i.test(c.responseHead), c.responseHead);
    cx.destroy();
    const port = demo({});
    (cx!.vhosts[0]!.info as { wsNoCompression?: boolean }).wsNoCompression = true;
    const d = new WsTestClient(env.peer(port), "/", undefined, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
    await env.waitFor(() => d.poll().status === 101, "101");
    A.ok(!/sec-websocket-extensions/i.test(d.responseHead));
  });
});

// Autobahn sections 12 and 13 in spirit: compressed messages of many sizes,
// text and binary, compressible and not, under each context-takeover
// combination a client may offer, echoed intact through the demo.
describe("permessage-deflate conformance (Autobahn 12/13-style) on node", function () {
  this.timeout(60000);
  const sizes = [0, 16, 64, 256, 1024, 4096, 8192, 16384, 65536, 131072];
  const offers: [string, object][] = [
    ["client context kept", { threshold: 0 }],
    ["client_no_context_takeover", { threshold: 0, clientNoContextTakeover: true }],
    ["client_max_window_bits=9", { threshold: 0, clientMaxWindowBits: 9 }],
    ["server_max_window_bits=10", { threshold: 0, serverMaxWindowBits: 10 }],
  ];
  for (const [what, pmd] of offers) {
    it(`echoes ${sizes.length * 4} compressed messages with ${what}`, async () => {
      const env = nodeEnv();
      const app = startApp(env.platform, { host: "127.0.0.1", port: 0, wsMaxMessageSize: 1 << 20 });
      try {
        const ws = new WebSocket(`ws://127.0.0.1:${app.port}/`, { perMessageDeflate: pmd });
        const sent: Buffer[] = [];
        const got: { data: Buffer; binary: boolean }[] = [];
        const total = sizes.length * 4;
        await new Promise<void>((resolve, reject) => {
          ws.on("open", () => {
            let seed = 1;
            const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
            for (const n of sizes) {
              const words = Buffer.from("lorem ipsum dolor sit amet ".repeat(Math.ceil(n / 27) + 1).slice(0, n));
              const noise = Buffer.alloc(n);
              for (let i = 0; i < n; i++) noise[i] = rnd();
              for (const [b, binary] of [[words, false], [words, true], [noise, true], [Buffer.from(noise.toString("base64").slice(0, n)), false]] as [Buffer, boolean][]) {
                sent.push(b);
                ws.send(b, { binary });
              }
            }
          });
          ws.on("message", (data: Buffer, binary: boolean) => {
            got.push({ data, binary });
            if (got.length === total) resolve();
          });
          ws.on("error", reject);
          ws.on("close", (code) => reject(new Error(`closed early with ${code}`)));
        });
        ws.removeAllListeners("close");
        A.equal(ws.extensions, "permessage-deflate");
        for (let i = 0; i < total; i++) A.ok(got[i]!.data.equals(sent[i]!), `message ${i} (${sent[i]!.length} bytes) echoed intact`);
        ws.close();
      } finally {
        app.context.destroy();
        env.done();
      }
    });
  }
});
