// Interop with Python's `websockets` library (Debian's python3-websockets,
// importable only by /usr/bin/python3) against the demo app on loopback.
// test/node/fixtures/ws-py-client.py runs one case per invocation and prints
// what it sent and received as JSON; each run is bounded (the script's own
// 20 s asyncio timeout, and a kill after 30 s). `websockets` checks the
// server's frames strictly (masking, RSV bits, UTF-8, close codes) and
// raises on any violation, which fails the run with its traceback.

import { fileURLToPath } from "node:url";
import * as A from "../lib/assert.js";
import { requirePythonWebsockets, run } from "../lib/peers.js";
import type { App } from "../../examples/app/app.js";
import { startDemo, stopDemo } from "./fixtures/ws-interop-util.js";

const SCRIPT = fileURLToPath(new URL("./fixtures/ws-py-client.py", import.meta.url));

type Result = Record<string, any>;

describe("WebSocket interop: python3-websockets against the demo app (loopback)", function () {
  this.timeout(40000);
  let python = "";
  let app: App | null = null;
  let url = "";

  async function pyCase(name: string): Promise<Result> {
    const r = await run(python, [SCRIPT, url, name], 30000);
    if (r.code !== 0) throw new Error(`ws-py-client.py ${name} exited with ${r.code}:\n${r.stderr.trim()}\n${r.stdout.trim()}`);
    try {
      return JSON.parse(r.stdout) as Result;
    } catch {
      throw new Error(`ws-py-client.py ${name}: not JSON on stdout: ${JSON.stringify(r.stdout.slice(0, 500))}\n${r.stderr}`);
    }
  }

  before(async function () {
    python = await requirePythonWebsockets(this);
    app = startDemo({ wsMaxMessageSize: 16 * 1024 * 1024 });
    url = `ws://127.0.0.1:${app.port}/`;
  });

  after(() => {
    stopDemo(app);
    app = null;
  });

  it("echoes multi-byte UTF-8 text as text (no subprotocol, no extension)", async () => {
    const r = await pyCase("text");
    A.equal(r.subprotocol, null, "no subprotocol chosen");
    A.equal(r.responseProtocol, null, "no Sec-WebSocket-Protocol in the 101");
    A.deepEqual(r.extensions, [], "no extension (none offered)");
    A.equal(r.type, "text");
    A.equal(r.received, r.sent);
  });

  it("echoes binary as binary, and an empty binary message", async () => {
    const r = await pyCase("binary");
    A.equal(r.type, "binary");
    A.equal(r.receivedLen, 256 * 257);
    A.equal(r.receivedSha, r.sentSha, "sha256 of the echo");
    A.equal(r.emptyType, "binary");
    A.equal(r.emptyLen, 0);
  });

  it("echoes messages sent fragmented (text, and binary with an empty fragment) whole", async () => {
    const r = await pyCase("fragmented");
    A.equal(r.textType, "text");
    A.equal(r.text, r.textExpected);
    A.equal(r.binType, "binary");
    A.equal(r.binSha, r.binExpectedSha, "sha256 of the binary echo");
  });

  it("echoes a 4 MiB binary message intact", async () => {
    const r = await pyCase("large");
    A.equal(r.type, "binary");
    A.equal(r.receivedLen, 4 * 1024 * 1024);
    A.equal(r.receivedSha, r.sentSha, "sha256 of the echo");
  });

  it("answers a ping with a pong, and keeps echoing", async () => {
    const r = await pyCase("ping");
    A.equal(r.pong, true);
    A.equal(r.echo, "after ping");
  });

  it("echoes the client's close code 4002", async () => {
    const r = await pyCase("close");
    A.equal(r.echo, "before close");
    A.equal(r.closeCode, 4002, "the code of the server's close frame");
    A.ok(r.closeReason === "" || r.closeReason === "py bye", `the reason sent back: ${JSON.stringify(r.closeReason)}`);
  });

  it("permessage-deflate offered (websockets' default): not negotiated, or negotiated consistently; messages echo", async () => {
    const r = await pyCase("deflate");
    if (r.responseExtensions === null) A.deepEqual(r.extensions, [], "no extension answered, none in use");
    else {
      A.ok(/^permessage-deflate(;|$)/.test(r.responseExtensions), `only permessage-deflate answered: ${r.responseExtensions}`);
      A.equal(r.extensions.length, 1, `websockets accepted ${r.responseExtensions}`);
    }
    A.equal(r.textsEqual, true, "five compressible texts echoed");
    A.equal(r.binReceivedSha, r.binSentSha, "random binary echoed");
  });

  it("dumb-increment-protocol: numbers from 0, then 'closeme\\n' closes with 1001 'seeya'", async () => {
    const r = await pyCase("dumb");
    A.equal(r.subprotocol, "dumb-increment-protocol");
    A.deepEqual(r.numbers, ["0", "1", "2", "3", "4"]);
    A.equal(r.closeCode, 1001);
    A.equal(r.closeReason, "seeya");
  });
});
