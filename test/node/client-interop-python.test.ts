// Interop of lwsx's WebSocket client with Python's `websockets` server
// (Debian's python3-websockets 10.x, importable only by /usr/bin/python3) on
// loopback: test/node/fixtures/client-py-server.py echoes, closes with
// 4002 "py bye" when asked, pings when asked, and reports each connection's
// negotiated extensions and any protocol error it saw (it checks masking,
// RSV bits, UTF-8 and close codes strictly) as JSON lines. One server with
// permessage-deflate (websockets' default), one without.

import * as crypto from "node:crypto";
import { fileURLToPath } from "node:url";
import * as A from "../lib/assert.js";
import { requirePythonWebsockets } from "../lib/peers.js";
import { noise, startPeer, stopPeer, text, waitUntil, WsClient, type Peer } from "./fixtures/client-interop-util.js";

const SCRIPT = fileURLToPath(new URL("./fixtures/client-py-server.py", import.meta.url));
const sha = (b: Uint8Array): string => crypto.createHash("sha256").update(b).digest("hex");

type Closed = { id: number; code: number | null; reason: string };
type Line = { port?: number; conn?: Record<string, any>; closed?: Closed; error?: { id: number; what: string } };

/** the python server, its port, and what it has said so far */
class PyServer {
  port = 0;
  constructor(readonly peer: Peer) {}
  lines(): Line[] {
    return this.peer.out
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Line);
  }
  conns(): Record<string, any>[] {
    return this.lines().flatMap((l) => (l.conn ? [l.conn] : []));
  }
  /** the connection the server accepted after `before` others */
  async conn(before: number): Promise<Record<string, any>> {
    await waitUntil(() => this.conns().length > before, 3000, "the server's connection report");
    return this.conns()[before]!;
  }
  closed(id: number): Closed | null {
    return this.lines().find((l) => l.closed?.id === id)?.closed ?? null;
  }
  /** protocol errors websockets saw on connection `id` */
  errors(id: number): string[] {
    return this.lines().flatMap((l) => (l.error?.id === id ? [l.error.what] : []));
  }
}

describe("WebSocket client interop: lwsx client against python3-websockets' server (loopback)", function () {
  this.timeout(20000);
  let python = "";
  const servers: Record<"deflate" | "none", PyServer | null> = { deflate: null, none: null };
  const clients: WsClient[] = [];

  before(async function () {
    this.timeout(20000);
    python = await requirePythonWebsockets(this);
    for (const mode of ["deflate", "none"] as const) {
      const s = new PyServer(startPeer(python, [SCRIPT, mode], { stdin: true }));
      servers[mode] = s;
      await waitUntil(() => s.lines().some((l) => l.port) || s.peer.child.exitCode !== null, 10000, `the ${mode} python server's port`).catch((e) => {
        throw new Error(`${(e as Error).message}\n${s.peer.out}`);
      });
      const p = s.lines().find((l) => l.port)?.port;
      if (!p) throw new Error(`the python server (${mode}) did not start:\n${s.peer.out}`);
      s.port = p;
    }
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
  });

  after(async () => {
    await stopPeer(servers.deflate?.peer ?? null);
    await stopPeer(servers.none?.peer ?? null);
  });

  function client(): WsClient {
    const c = new WsClient();
    clients.push(c);
    return c;
  }

  async function echoes(c: WsClient): Promise<void> {
    const t = await c.echo("grüße aus lwsx ✓");
    A.equal(t.binary, false);
    A.equal(text(t), "grüße aus lwsx ✓");
    for (let i = 0; i < 5; i++) {
      const s = `compressible ${i} ` + "abcabcabc ✓ ".repeat(300 + i);
      A.equal(text(await c.echo(s)), s, `echo ${i}`);
    }
    const bin = noise(200000, 11);
    const b = await c.echo(bin);
    A.equal(b.binary, true);
    A.equal(sha(b.data), sha(bin));
  }

  /** the client closes with 1000: websockets sees a clean close, and no error on the connection */
  async function closeCleanly(c: WsClient, s: PyServer, id: number): Promise<void> {
    c.close(1000, "done");
    await waitUntil(() => c.closed && s.closed(id) !== null, 5000, "both sides closed");
    A.deepEqual(s.closed(id), { id, code: 1000, reason: "done" });
    A.deepEqual(s.errors(id), [], "websockets saw no protocol error");
    A.equal(c.c.cce(), null, "no CLIENT_CONNECTION_ERROR");
  }

  for (const mode of ["deflate", "none"] as const) {
    it(`${mode === "deflate" ? "with permessage-deflate (negotiated)" : "without compression"}: echoes text and binary, closes cleanly; no error on either side`, async () => {
      const s = servers[mode]!;
      const before = s.conns().length;
      const c = client().connect({ port: s.port, path: "/py" });
      await c.open();
      await echoes(c);
      const conn = await s.conn(before);
      A.equal(conn.path, "/py");
      A.ok(/permessage-deflate/.test(conn.requestExtensions ?? ""), `the client offered permessage-deflate: ${conn.requestExtensions}`);
      if (mode === "deflate") {
        A.deepEqual(conn.extensions, ["permessage-deflate"], `websockets negotiated it: ${conn.responseExtensions}`);
        A.ok(c.extensions !== null && /^permessage-deflate/.test(c.extensions), `the client saw it in the 101: ${c.extensions}`);
      } else {
        A.deepEqual(conn.extensions, []);
        A.equal(c.extensions, null);
      }
      await closeCleanly(c, s, conn.id);
      A.deepEqual(c.c.flow().slice(-3), ['WS_CLIENT_DROP_PROTOCOL"user"', "CLIENT_CLOSED", "WSI_DESTROY"]);
    });
  }

  it("answers the server's ping with a pong carrying its payload", async () => {
    const s = servers.deflate!;
    const before = s.conns().length;
    const c = client().connect({ port: s.port });
    await c.open();
    A.equal(text(await c.echo("ping me")), "pong seen");
    await closeCleanly(c, s, (await s.conn(before)).id);
  });

  it("the server closing with 4002 'py bye': the client sees them in WS_PEER_INITIATED_CLOSE and echoes the close", async () => {
    const s = servers.deflate!;
    const before = s.conns().length;
    const c = client().connect({ port: s.port });
    await c.open();
    const id = (await s.conn(before)).id;
    A.equal(text(await c.echo("before")), "before");
    c.send("close me");
    await waitUntil(() => c.closed, 5000, "CLIENT_CLOSED");
    A.deepEqual(c.peerClose, { code: 4002, reason: "py bye" });
    await waitUntil(() => s.closed(id) !== null, 5000, "the server's close report");
    A.deepEqual(s.closed(id), { id, code: 4002, reason: "py bye" }, "websockets got the close echoed");
    const flow = c.c.flow();
    A.ok(flow.indexOf("CLIENT_ESTABLISHED") < flow.indexOf("WS_PEER_INITIATED_CLOSE[8]") && flow.indexOf("WS_PEER_INITIATED_CLOSE[8]") < flow.indexOf("CLIENT_CLOSED"), flow.join(","));
    A.equal(c.c.cce(), null);
    A.deepEqual(s.errors(id), []);
  });
});
