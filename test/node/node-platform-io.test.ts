// platform/node's own reading and writing: sockets read into one shared
// buffer (Node's `onread`) and what arrives is copied out to memory nothing
// writes into again; what a callback writes is gathered and handed to the
// socket when the callback returns. These check what that must keep: bytes
// handed out stay intact, and writes leave in order.

import * as net from "node:net";
import * as A from "../lib/assert.js";
import { createContext, write, LWS_CALLBACK_RAW_RX, LWS_SERVER_OPTION_ONLY_RAW, LWS_WRITE_RAW, type Context, type Wsi } from "../../src/index.js";
import { createNodePlatform } from "../../platform/node/index.js";

function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function connect(port: number): Promise<{ sock: net.Socket; got: () => Buffer; wait: (n: number) => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: "127.0.0.1", port });
    const parts: Buffer[] = [];
    let total = 0;
    const waiters: { n: number; done: () => void }[] = [];
    sock.on("data", (d: Buffer) => {
      parts.push(d);
      total += d.length;
      for (const w of waiters.splice(0)) if (total >= w.n) w.done();
      else waiters.push(w);
    });
    sock.on("error", reject);
    sock.on("connect", () =>
      resolve({
        sock,
        got: () => Buffer.concat(parts),
        wait: (n) => new Promise<void>((res) => (total >= n ? res() : waiters.push({ n, done: res }))),
      }),
    );
  });
}

describe("platform/node: reading and writing", function () {
  this.timeout(20000);
  let cx: Context | null = null;
  afterEach(() => {
    cx?.destroy();
    cx = null;
  });

  function rawServer(onRx: (wsi: Wsi, data: Uint8Array) => void): number {
    cx = createContext({
      platform: createNodePlatform(),
      iface: "127.0.0.1",
      port: 0,
      options: LWS_SERVER_OPTION_ONLY_RAW,
      protocols: [
        {
          name: "raw",
          callback(wsi, reason, _user, in_, _len) {
            if (reason === LWS_CALLBACK_RAW_RX) onRx(wsi, in_ as Uint8Array);
            return 0;
          },
        },
      ],
    });
    return cx.vhosts[0]!.port;
  }

  it("keeps received bytes intact after later reads (a callback may hold on to them)", async () => {
    const kept: Uint8Array[] = [];
    const port = rawServer((_w, d) => kept.push(d));
    const c = await connect(port);
    const sent: Uint8Array[] = [];
    // small pieces one at a time (each its own read), then a big one
    for (let i = 0; i < 40; i++) {
      const piece = pattern(100 + i, i);
      sent.push(piece);
      c.sock.write(piece);
      const want = sent.reduce((n, x) => n + x.length, 0);
      for (let t = 0; t < 200 && kept.reduce((n, x) => n + x.length, 0) < want; t++) await new Promise((r) => setImmediate(r));
    }
    const big = pattern(300 * 1024, 77);
    sent.push(big);
    c.sock.write(big);
    const total = sent.reduce((n, x) => n + x.length, 0);
    for (let t = 0; t < 2000 && kept.reduce((n, x) => n + x.length, 0) < total; t++) await new Promise((r) => setTimeout(r, 2));
    const all = Buffer.concat(kept);
    A.ok(same(all, Buffer.concat(sent)), "every byte as sent, none overwritten by a later read");
    c.sock.destroy();
  });

  it("sends what one callback writes in order: small writes, a large one between them, and more small ones", async () => {
    const small = (s: string) => new TextEncoder().encode(s);
    const large = pattern(100 * 1024, 5);
    const port = rawServer((wsi) => {
      for (const part of [small("a"), small("bc"), large, small("d"), pattern(3000, 9), small("e")]) write(wsi, part, part.length, LWS_WRITE_RAW);
    });
    const c = await connect(port);
    c.sock.write("go");
    const expect = Buffer.concat([Buffer.from("abc"), large, Buffer.from("d"), pattern(3000, 9), Buffer.from("e")]);
    await c.wait(expect.length);
    A.ok(same(c.got(), expect), "the bytes arrive in the order written");
    c.sock.destroy();
  });
});
