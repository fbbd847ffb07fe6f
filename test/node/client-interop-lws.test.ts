// Interop of lwsx's WebSocket client with libwebsockets itself: Debian's
// libwebsockets-test-server (lws 4.1.6, package libwebsockets-test-server),
// bound to the loopback interface on a free port. Its
// "dumb-increment-protocol" sends a number counting up about every 50 ms
// ("reset\n" sets it back to 0, "closeme\n" makes it close with 1001
// "seeya"); its "lws-mirror-protocol" sends what one client draws to every
// client of the same mirror instance. Debian's build of the test server does
// not take the permessage-deflate the lwsx client offers (its 101 has no
// Sec-WebSocket-Extensions, for the npm ws client too): the connection goes on
// uncompressed.

import * as A from "../lib/assert.js";
import { requireBinary, type PeerSpec } from "../lib/peers.js";
import { freePort, startPeer, stopPeer, text, waitForListen, waitUntil, WsClient, type Peer } from "./fixtures/client-interop-util.js";

const LWS_TEST_SERVER: PeerSpec = {
  name: "libwebsockets-test-server (lws 4.1)",
  paths: ["/usr/bin/libwebsockets-test-server"],
  commands: ["libwebsockets-test-server"],
  install: "apt-get install -y libwebsockets-test-server (.ci/run does this as root)",
};

const DUMB = "dumb-increment-protocol";
const MIRROR = "lws-mirror-protocol";
const OPENING = ["WSI_CREATE", "WS_CLIENT_BIND_PROTOCOL", "CLIENT_APPEND_HANDSHAKE_HEADER", "ESTABLISHED_CLIENT_HTTP", "CLIENT_FILTER_PRE_ESTABLISH", "CLIENT_ESTABLISHED"];

describe("WebSocket client interop: lwsx client against libwebsockets-test-server (lws 4.1, loopback)", function () {
  this.timeout(20000);
  let server: Peer | null = null;
  let port = 0;
  const clients: WsClient[] = [];

  before(async function () {
    this.timeout(15000);
    const bin = requireBinary(this, LWS_TEST_SERVER);
    // a free port can be taken by another process before the server binds it: try a few
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      server = startPeer(bin, ["-p", String(port), "-i", "lo", "-d", "7"]);
      try {
        await waitForListen(port, 5000, "libwebsockets-test-server", server.child);
        break;
      } catch (e) {
        await stopPeer(server);
        if (attempt >= 2) throw new Error(`${(e as Error).message}\n${server.out}`);
      }
    }
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
  });

  after(async () => {
    await stopPeer(server);
    server = null;
  });

  function client(): WsClient {
    const c = new WsClient();
    clients.push(c);
    return c;
  }

  const numbersOf = (c: WsClient): number[] => c.messages.map((m) => Number(text(m)));

  it(`${DUMB}: numbers count up by one; permessage-deflate offered (taken or not, consistently); lws' callback order`, async () => {
    const c = client().connect({ port, path: "/", protocol: DUMB, host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` });
    await c.open();
    A.equal(c.subprotocol, DUMB);
    A.ok(c.c.rec.plain().includes('CLIENT_CONFIRM_EXTENSION_SUPPORTED"permessage-deflate"'), "the client offered permessage-deflate");
    A.ok(c.extensions === null || /^permessage-deflate(;|$)/.test(c.extensions), `no extension, or permessage-deflate, in lws' 101: ${c.extensions}`);
    await waitUntil(() => c.messages.length >= 10, 5000, "ten numbers");
    const nums = numbersOf(c);
    A.ok(nums.every((n) => Number.isInteger(n)), `numbers: ${c.messages.slice(0, 10).map(text).join(",")}`);
    for (let i = 1; i < nums.length; i++) A.equal(nums[i], nums[i - 1]! + 1, `consecutive: ${nums.join(",")}`);
    A.ok(c.messages.every((m) => !m.binary), "text messages");
    A.deepEqual(c.c.flow().slice(0, OPENING.length), OPENING);
    A.equal(c.c.cce(), null);
  });

  it(`${DUMB}: "reset\\n" sets the count back to 0; "closeme\\n" closes with 1001 "seeya", seen in WS_PEER_INITIATED_CLOSE`, async () => {
    const c = client().connect({ port, protocol: DUMB });
    await c.open();
    await waitUntil(() => c.messages.length >= 5, 5000, "five numbers");
    c.send("reset\n");
    // after the reset, a 0 (or 1: a number can be on its way) follows a larger number
    await waitUntil(() => numbersOf(c).some((n, i, a) => i > 0 && n < a[i - 1]!), 5000, "the count to restart");
    const nums = numbersOf(c);
    const at = nums.findIndex((n, i) => i > 0 && n < nums[i - 1]!);
    A.ok(nums[at]! <= 1, `restarted from ${nums[at]}: ${nums.join(",")}`);
    c.send("closeme\n");
    await waitUntil(() => c.closed, 5000, "CLIENT_CLOSED");
    A.deepEqual(c.peerClose, { code: 1001, reason: "seeya" });
    const flow = c.c.flow();
    A.ok(flow.indexOf("WS_PEER_INITIATED_CLOSE[7]") > flow.indexOf("CLIENT_ESTABLISHED"), flow.join(","));
    A.ok(flow.indexOf("CLIENT_CLOSED") > flow.indexOf("WS_PEER_INITIATED_CLOSE[7]"), flow.join(","));
    A.equal(c.c.cce(), null);
  });

  it(`${MIRROR}: what one lwsx client draws, another lwsx client of the same mirror receives (and so does the sender)`, async () => {
    const path = "/?mirror=lwsx-interop";
    const a = client().connect({ port, path, protocol: MIRROR });
    const b = client().connect({ port, path, protocol: MIRROR });
    await a.open();
    await b.open();
    A.equal(a.subprotocol, MIRROR);
    A.equal(b.subprotocol, MIRROR);
    const sent: string[] = [];
    for (let i = 0; i < 20; i++) {
      const m = `c #${(0x100000 + i * 4111).toString(16).toUpperCase()} ${i * 3} ${i * 5} ${i + 1};`;
      sent.push(m);
      a.send(m);
    }
    const mine = (c: WsClient): string[] => c.messages.map(text).filter((m) => sent.includes(m));
    await waitUntil(() => mine(b).length >= sent.length && mine(a).length >= sent.length, 5000, "the drawing mirrored to both clients");
    A.deepEqual(mine(b), sent, "the other client got every message, in order");
    A.deepEqual(mine(a), sent, "the sender got its own back too");
    // and the other way
    b.send("d #00FF00 1 2 3 4;");
    await waitUntil(() => a.messages.some((m) => text(m) === "d #00FF00 1 2 3 4;"), 5000, "b's line at a");
    A.equal(a.c.cce(), null);
    A.equal(b.c.cce(), null);
    a.close(1000, "bye");
    await waitUntil(() => a.closed, 5000, "a closed");
    A.ok(!b.closed, "the other client stays");
  });

  it("the server logged no error", () => {
    const errors = (server?.out ?? "").split("\n").filter((l) => / E: /.test(l));
    A.deepEqual(errors, []);
  });
});
