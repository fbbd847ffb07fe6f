// Interop with the npm `ws` client (the WebSocket client most Node programs
// use) against the demo app on loopback: echo of text, binary, empty and
// 16 MiB messages, pipelining, ping/pong, the close handshake with a
// client's code, permessage-deflate offered but not negotiated, and the
// demo's dumb-increment, lws-mirror and lws-status protocols. `ws` validates
// what the server sends strictly (unmasked frames, RSV bits, UTF-8 of text,
// close codes, the accept key, an unrequested subprotocol), so any slip on the
// server's side shows up as an 'error' event here.

import * as crypto from "node:crypto";
import type { IncomingMessage } from "node:http";
import WebSocket from "ws";
import * as A from "../lib/assert.js";
import { missingPeer } from "../lib/peers.js";
import type { App } from "../../examples/app/app.js";
import { LWS_CALLBACK_RECEIVE } from "../../src/index.js";
import { countReasons, startDemo, stopDemo, waitUntil, within } from "./fixtures/ws-interop-util.js";

const BIG = 16 * 1024 * 1024;

interface Msg {
  data: Buffer;
  binary: boolean;
}

/** a `ws` client with a queue of received messages and bounded waits */
class Client {
  readonly messages: Msg[] = [];
  errors: string[] = [];
  closed: { code: number; reason: string } | null = null;
  response: IncomingMessage | null = null;
  private waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on("message", (data: WebSocket.RawData, binary: boolean) => {
      const b = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      this.messages.push({ data: b, binary });
      this.wake();
    });
    ws.on("upgrade", (res) => (this.response = res));
    ws.on("error", (e) => {
      this.errors.push(e.message);
      this.wake();
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** resolves when `pred` holds; rejects on timeout, a client error, or a close not waited for */
  until(pred: () => boolean, ms: number, what: string, closeOk = false): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (pred()) {
          resolve();
          return true;
        }
        if (this.errors.length) {
          reject(new Error(`ws client error while waiting for ${what}: ${this.errors.join("; ")}`));
          return true;
        }
        if (this.closed && !closeOk) {
          reject(new Error(`connection closed (${this.closed.code} ${JSON.stringify(this.closed.reason)}) while waiting for ${what}`));
          return true;
        }
        return false;
      };
      if (check()) return;
      // woken by messages, errors and closes; polled too, for what other events change
      const poll = setInterval(() => loop(), 10);
      const t = setTimeout(() => {
        clearInterval(poll);
        this.waiters = this.waiters.filter((w) => w !== loop);
        reject(new Error(`timed out after ${ms} ms waiting for ${what} (${this.messages.length} messages so far)`));
      }, ms);
      let done = false;
      const loop = (): void => {
        if (done) return;
        if (check()) {
          done = true;
          clearTimeout(t);
          clearInterval(poll);
          this.waiters = this.waiters.filter((w) => w !== loop);
        } else if (!this.waiters.includes(loop)) this.waiters.push(loop);
      };
      this.waiters.push(loop);
    });
  }

  async next(ms = 5000, what = "a message"): Promise<Msg> {
    await this.until(() => this.messages.length > 0, ms, what);
    return this.messages.shift()!;
  }

  send(data: string | Buffer | Uint8Array, opts: { binary?: boolean; fin?: boolean } = {}): Promise<void> {
    return new Promise((resolve, reject) => this.ws.send(data, opts, (e) => (e ? reject(e) : resolve())));
  }

  terminate(): void {
    this.ws.terminate();
  }
}

const sha256 = (b: Buffer | Uint8Array): string => crypto.createHash("sha256").update(b).digest("hex");

/** what a connection that offered permessage-deflate must echo, compressed or not */
async function deflateTraffic(c: Client): Promise<void> {
  // similar messages one after another (a client keeping its context refers back to earlier ones)
  for (let i = 0; i < 5; i++) {
    const text = `compressible ${i} ` + "abcabcabc ✓ ".repeat(200 + i);
    await c.send(text);
    const m = await c.next();
    A.equal(m.binary, false);
    A.equal(m.data.toString(), text, `echo ${i}`);
  }
  const bin = crypto.randomBytes(70000);
  await c.send(bin, { binary: true });
  const mb = await c.next();
  A.equal(mb.binary, true);
  A.equal(sha256(mb.data), sha256(bin), "incompressible binary");
  // a message sent in three frames (compressed as one stream when negotiated)
  await c.send("fragmented ", { fin: false });
  await c.send("compressible ".repeat(100), { fin: false });
  await c.send("end ✓", { fin: true });
  A.equal((await c.next()).data.toString(), "fragmented " + "compressible ".repeat(100) + "end ✓", "fragmented echo");
  const zeros = Buffer.alloc(1024 * 1024);
  await c.send(zeros, { binary: true });
  const mz = await c.next(10000, "the 1 MiB zeros echo");
  A.equal(mz.data.length, zeros.length);
  A.equal(sha256(mz.data), sha256(zeros), "1 MiB of zeros");
  await c.send("", {});
  const me = await c.next(5000, "the empty text echo");
  A.equal(me.data.length, 0);
}

describe("WebSocket interop: npm ws client against the demo app (loopback)", function () {
  this.timeout(30000);
  let app: App | null = null;
  let url = "";
  const clients: Client[] = [];

  async function connect(protocols?: string | string[], opts: WebSocket.ClientOptions = {}): Promise<Client> {
    const ws = new WebSocket(url, protocols, { handshakeTimeout: 5000, perMessageDeflate: false, ...opts });
    const c = new Client(ws);
    clients.push(c);
    await within(
      new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", (e) => reject(new Error(`connect to ${url} failed: ${e.message}`)));
        ws.once("unexpected-response", (_req, res) => reject(new Error(`connect to ${url}: HTTP ${res.statusCode} instead of 101`)));
      }),
      6000,
      `the opening handshake with ${url}`,
    );
    return c;
  }

  before(async function () {
    try {
      await import("ws");
    } catch (e) {
      missingPeer(this, `the npm module ws (${(e as Error).message.split("\n")[0]})`, "npm ci installs it from devDependencies");
    }
    app = startDemo({ wsMaxMessageSize: BIG });
    url = `ws://127.0.0.1:${app.port}/`;
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.terminate();
  });

  after(() => {
    for (const c of clients.splice(0)) c.terminate();
    stopDemo(app);
    app = null;
  });

  it("connects without a subprotocol (echo) and echoes text with multi-byte UTF-8, as text", async () => {
    const c = await connect();
    A.equal(c.ws.protocol, "", "no subprotocol chosen when none was asked");
    A.equal(c.response?.headers["sec-websocket-protocol"], undefined, "no Sec-WebSocket-Protocol in the 101");
    const text = "héllo wörld — ✓ ☃ 𝄞 🚀 日本語";
    await c.send(text);
    const m = await c.next();
    A.equal(m.binary, false, "text comes back as text");
    A.equal(m.data.toString("utf8"), text);
  });

  it("echoes binary as binary, every byte value, and an empty message of each kind", async () => {
    const c = await connect();
    const bin = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31 + 7) & 255));
    await c.send(bin, { binary: true });
    const m = await c.next();
    A.equal(m.binary, true, "binary comes back as binary");
    A.equal(sha256(m.data), sha256(bin), "binary content");
    await c.send(Buffer.alloc(0), { binary: true });
    const e1 = await c.next(5000, "the empty binary message");
    A.equal(e1.binary, true);
    A.equal(e1.data.length, 0);
    await c.send("");
    const e2 = await c.next(5000, "the empty text message");
    A.equal(e2.binary, false);
    A.equal(e2.data.length, 0);
  });

  it("echoes a 16 MiB binary message intact (wsMaxMessageSize 16 MiB)", async function () {
    this.timeout(60000);
    const c = await connect(undefined, { maxPayload: 64 * 1024 * 1024 });
    const big = crypto.randomBytes(BIG);
    const t0 = Date.now();
    await c.send(big, { binary: true });
    const m = await c.next(45000, "the 16 MiB echo");
    A.equal(m.binary, true);
    A.equal(m.data.length, BIG, "length of the echo");
    A.equal(sha256(m.data), sha256(big), "sha256 of the echo");
    A.ok(Date.now() - t0 < 45000);
  });

  it("echoes a message sent in fragments (fin: false) whole", async () => {
    const c = await connect();
    await c.send("frag", { fin: false });
    await c.send("ment", { fin: false });
    await c.send("ed ✓", { fin: true });
    const m = await c.next();
    A.equal(m.binary, false);
    A.equal(m.data.toString("utf8"), "fragmented ✓");
  });

  it("answers 100 messages sent without waiting, in order", async () => {
    const c = await connect();
    const sent: string[] = [];
    for (let i = 0; i < 100; i++) {
      const s = `message ${i} ` + "x".repeat(i * 13);
      sent.push(s);
      c.ws.send(s);
    }
    await c.until(() => c.messages.length >= 100, 10000, "100 echoes");
    A.deepEqual(
      c.messages.map((m) => m.data.toString()),
      sent,
      "the echoes, in order",
    );
  });

  it("answers a ping with a pong carrying the same payload", async () => {
    const c = await connect();
    const pongs: Buffer[] = [];
    c.ws.on("pong", (d: Buffer) => pongs.push(d));
    c.ws.ping(Buffer.from("are you there?"));
    c.ws.ping(Buffer.alloc(0));
    await c.until(() => pongs.length >= 2, 5000, "two pongs");
    A.equal(pongs[0]!.toString(), "are you there?");
    A.equal(pongs[1]!.length, 0);
    // the connection still echoes after the control frames
    await c.send("after ping");
    A.equal((await c.next()).data.toString(), "after ping");
  });

  it("echoes the client's close code 4001, then closes the TCP connection", async () => {
    const c = await connect();
    c.ws.close(4001, "bye");
    await c.until(() => c.closed !== null, 5000, "the close handshake", true);
    A.equal(c.errors.length, 0, `no client error: ${c.errors.join("; ")}`);
    A.equal(c.closed!.code, 4001, "the close code the server sent back");
    // RFC 6455 5.5.1 asks only for the code to be echoed; lwsx echoes the code
    // alone (lws 4.1 echoes the whole payload, "bye" included): either is fine
    A.ok(c.closed!.reason === "" || c.closed!.reason === "bye", `the reason sent back: ${JSON.stringify(c.closed!.reason)}`);
  });

  it("permessage-deflate offered: the answer is one ws accepts, and compressed messages echo intact", async () => {
    const c = await connect(undefined, { perMessageDeflate: { serverMaxWindowBits: 15, threshold: 0 } });
    const answered = c.response?.headers["sec-websocket-extensions"];
    if (answered === undefined) A.equal(c.ws.extensions, "", "no extension in the 101, none in use");
    else {
      A.ok(/^permessage-deflate(;|$)/.test(String(answered)), `the 101 answers only permessage-deflate: ${answered}`);
      A.ok(c.ws.extensions.startsWith("permessage-deflate"), `ws accepted the answer ${answered}: extensions ${JSON.stringify(c.ws.extensions)}`);
    }
    await deflateTraffic(c);
  });

  it("permessage-deflate offered to a server that cannot compress (no zlib): no Sec-WebSocket-Extensions, and it works", async () => {
    const plain = startDemo({ wsMaxMessageSize: BIG }, false);
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${plain.port}/`, { handshakeTimeout: 5000, perMessageDeflate: { threshold: 0 } });
      const c = new Client(ws);
      clients.push(c);
      await c.until(() => c.ws.readyState === WebSocket.OPEN, 5000, "the handshake");
      A.equal(c.response?.headers["sec-websocket-extensions"], undefined, "no Sec-WebSocket-Extensions in the 101");
      A.equal(c.ws.extensions, "", "ws sees no extension");
      await deflateTraffic(c);
    } finally {
      stopDemo(plain);
    }
  });

  it("dumb-increment-protocol: counting numbers as text; 'reset\\n' restarts; 'closeme\\n' closes 1001 'seeya'", async () => {
    const c = await connect("dumb-increment-protocol");
    A.equal(c.ws.protocol, "dumb-increment-protocol");
    A.equal(c.response?.headers["sec-websocket-protocol"], "dumb-increment-protocol");
    await c.until(() => c.messages.length >= 5, 5000, "five numbers");
    const nums = c.messages.splice(0).map((m) => {
      A.equal(m.binary, false, "numbers come as text");
      A.ok(/^\d+$/.test(m.data.toString()), `a number: ${JSON.stringify(m.data.toString())}`);
      return Number(m.data.toString());
    });
    for (let i = 1; i < nums.length; i++) A.equal(nums[i], nums[i - 1]! + 1, `consecutive numbers ${nums.join(",")}`);
    // wait until the count is well past a few, then reset it
    await c.until(() => c.messages.length >= 5, 5000, "more numbers");
    await c.send("reset\n");
    await c.until(() => c.messages.some((m) => Number(m.data.toString()) <= 1), 5000, "the count to restart after reset");
    await c.send("closeme\n");
    await c.until(() => c.closed !== null, 5000, "the server's close after closeme", true);
    A.equal(c.errors.length, 0, `no client error: ${c.errors.join("; ")}`);
    A.equal(c.closed!.code, 1001);
    A.equal(c.closed!.reason, "seeya");
  });

  it("lws-mirror-protocol: a message from one client reaches both clients", async () => {
    const counts = countReasons(app!, ["lws-mirror-protocol"]);
    const a = await connect("lws-mirror-protocol");
    const b = await connect("lws-mirror-protocol");
    A.equal(a.ws.protocol, "lws-mirror-protocol");
    A.equal(b.ws.protocol, "lws-mirror-protocol");
    const text = `c #00FF00 100 100 ${Date.now() % 1000};`;
    await a.send(text);
    await waitUntil(() => (counts["lws-mirror-protocol"]![LWS_CALLBACK_RECEIVE] ?? 0) >= 1, 3000, "the server to receive the mirror message");
    const pending = (c: Client): Promise<void> =>
      c.until(() => c.messages.some((m) => m.data.toString() === text), 3000, "the mirrored message").catch((e: Error) => {
        throw new Error(
          `${e.message}; the server got ${counts["lws-mirror-protocol"]![LWS_CALLBACK_RECEIVE] ?? 0} RECEIVE callback(s) on ` +
            `lws-mirror-protocol but sent nothing back to this client`,
        );
      });
    await pending(b);
    await pending(a);
  });

  it("lws-status: a JSON snapshot arrives on connect", async () => {
    const c = await connect("lws-status");
    A.equal(c.ws.protocol, "lws-status");
    const m = await c.next(3000, "the first status");
    A.equal(m.binary, false);
    const j = JSON.parse(m.data.toString()) as { connections: { ws: number } };
    A.ok(j.connections.ws >= 1, `status counts this connection: ${m.data.toString()}`);
  });

  it("picks the first of several offered subprotocols the demo has", async () => {
    const c = await connect(["no-such-protocol", "echo", "lws-status"]);
    A.equal(c.ws.protocol, "echo");
    await c.send("chosen");
    A.equal((await c.next()).data.toString(), "chosen");
  });
});
