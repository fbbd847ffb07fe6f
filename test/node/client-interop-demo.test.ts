// lwsx's WebSocket client against this project's own demo app
// (examples/app/app.ts startApp, on platform/node, loopback): the "echo"
// protocol with permessage-deflate negotiated both ways (and, with the
// extension refused by the client, without), a 1 MiB message, a graceful close
// the server sees, and the lws callback sequences on both sides.

import * as crypto from "node:crypto";
import * as A from "../lib/assert.js";
import type { App } from "../../examples/app/app.js";
import { LWS_CALLBACK_CLIENT_CONFIRM_EXTENSION_SUPPORTED, LWS_CALLBACK_CLOSED, LWS_CALLBACK_ESTABLISHED, LWS_CALLBACK_RECEIVE } from "../../src/index.js";
import { countReasons, startDemo, stopDemo } from "./fixtures/ws-interop-util.js";
import { noise, text, waitUntil, WsClient } from "./fixtures/client-interop-util.js";

const MiB = 1024 * 1024;
const sha = (b: Uint8Array): string => crypto.createHash("sha256").update(b).digest("hex");
const OPENING = ["WSI_CREATE", "WS_CLIENT_BIND_PROTOCOL", "CLIENT_APPEND_HANDSHAKE_HEADER", "ESTABLISHED_CLIENT_HTTP", "CLIENT_FILTER_PRE_ESTABLISH", "CLIENT_ESTABLISHED"];

describe("WebSocket client interop: lwsx client against the lwsx demo app (loopback)", function () {
  this.timeout(20000);
  let app: App | null = null;
  let counts: Record<string, Record<number, number>> = {};
  const clients: WsClient[] = [];

  beforeEach(() => {
    app = startDemo({ wsMaxMessageSize: 2 * MiB });
    counts = countReasons(app, ["echo"]);
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
    stopDemo(app);
    app = null;
  });

  const n = (reason: number): number => counts.echo?.[reason] ?? 0;

  it("echo with permessage-deflate: negotiated, text and binary (1 MiB) echoed, clean close seen by the server", async () => {
    const c = new WsClient();
    clients.push(c);
    c.connect({ port: app!.port, path: "/", protocol: "echo" });
    await c.open();
    A.equal(c.subprotocol, "echo");
    A.ok(c.extensions !== null && /^permessage-deflate(;|$)/.test(c.extensions), `the demo's 101: ${c.extensions}`);
    for (let i = 0; i < 5; i++) {
      const s = `compress me ${i} ` + "lorem ipsum dolor sit amet ✓ ".repeat(100 + i);
      const m = await c.echo(s);
      A.equal(m.binary, false);
      A.equal(text(m), s);
    }
    const big = noise(MiB, 5);
    const b = await c.echo(big, 10000);
    A.equal(b.binary, true);
    A.equal(sha(b.data), sha(big));
    A.equal(n(LWS_CALLBACK_ESTABLISHED), 1);
    A.ok(n(LWS_CALLBACK_RECEIVE) >= 6);
    c.close(1000, "done");
    await waitUntil(() => c.closed && n(LWS_CALLBACK_CLOSED) === 1, 5000, "CLIENT_CLOSED here, CLOSED at the demo");
    const flow = c.c.flow();
    A.deepEqual(flow.slice(0, OPENING.length), OPENING);
    A.deepEqual(flow.slice(OPENING.length), ['WS_CLIENT_DROP_PROTOCOL"user"', "CLIENT_CLOSED", "WSI_DESTROY"]);
    A.equal(c.c.cce(), null);
  });

  it("echo with the extension refused by CLIENT_CONFIRM_EXTENSION_SUPPORTED: not offered, not negotiated, echo works", async () => {
    const c = new WsClient({ handler: (_w, reason) => (reason === LWS_CALLBACK_CLIENT_CONFIRM_EXTENSION_SUPPORTED ? 1 : 0) });
    clients.push(c);
    c.connect({ port: app!.port });
    await c.open();
    A.equal(c.extensions, null);
    A.equal(c.subprotocol, null, "no subprotocol asked: the demo's default (echo) without naming it");
    const s = "uncompressed ".repeat(1000);
    A.equal(text(await c.echo(s)), s);
    A.equal(n(LWS_CALLBACK_RECEIVE), 1);
    A.equal(c.c.cce(), null);
  });

  it("dumb-increment-protocol: consecutive numbers", async () => {
    const c = new WsClient();
    clients.push(c);
    c.connect({ port: app!.port, protocol: "dumb-increment-protocol" });
    await c.open();
    await waitUntil(() => c.messages.length >= 5, 5000, "five numbers");
    const nums = c.messages.map((m) => Number(text(m)));
    for (let i = 1; i < nums.length; i++) A.equal(nums[i], nums[i - 1]! + 1, nums.join(","));
    A.equal(c.c.cce(), null);
  });
});
