// Interop with a browser's WebSocket: headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core) opens the demo's status page
// from http://127.0.0.1:PORT/ (a page from data: or about:blank may not reach
// loopback, peers.md), then runs the cases of fixtures/ws-page-client.js in
// the page against ws://127.0.0.1:PORT/: echo of text, ArrayBuffer, empty,
// 1 MiB and pipelined messages, a close code of the page's, the
// dumb-increment and lws-mirror protocols. Chromium offers permessage-deflate
// on every connection, so every case also checks what was negotiated.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type * as PW from "playwright-core";
import * as A from "../lib/assert.js";
import { CHROMIUM, CHROMIUM_ARGS, requireBinary, requireModule } from "../lib/peers.js";
import type { App } from "../../examples/app/app.js";
import { deviceLikeZlib } from "./fixtures/node-sdk-zlib.js";
import { startDemo, stopDemo, within } from "./fixtures/ws-interop-util.js";

const APP_WWW = fileURLToPath(new URL("../../examples/app/www", import.meta.url));
const PAGE_CLIENT = fs.readFileSync(fileURLToPath(new URL("./fixtures/ws-page-client.js", import.meta.url)), "utf8");


/** what a page case resolves with (JSON-able) */
type Result = Record<string, any>;

/**
 * What Chromium's `ws.extensions` may say on the demo: a permessage-deflate
 * answer it accepted (the Node platform has zlib), or "" (a build without it).
 */
function checkExtensions(ext: string): void {
  A.ok(ext === "" || /^permessage-deflate(;|$)/.test(ext), `extensions: ${JSON.stringify(ext)}`);
}

/** the page's echo case came back whole: text, binary, 1 MiB, pipelined in order, a clean 1000 */
function echoedWhole(r: Result): void {
  A.equal(r.text.equal, true, "text echo");
  A.equal(r.binary.sha, r.binary.expectedSha, "binary echo");
  A.equal(r.big.sha, r.big.expectedSha, "1 MiB echo");
  A.equal(r.pipelined.inOrder, true, "pipelined echoes");
  A.equal(r.close.code, 1000);
  A.equal(r.errors, 0, "no error event");
}

describe("WebSocket interop: Chromium's WebSocket against the demo app (loopback)", function () {
  this.timeout(60000);
  let pw: typeof PW;
  let executablePath = "";
  let app: App | null = null;
  let ctx: PW.BrowserContext | null = null;
  let page: PW.Page | null = null;
  let profile = "";
  let wsUrl = "";
  const pageErrors: string[] = [];

  /** a case of ws-page-client.js, bounded */
  function pageCase(name: string, ...args: unknown[]): Promise<Result> {
    return within(
      page!.evaluate(([n, a]) => (globalThis as any).lwsxWs[n as string](...(a as unknown[])), [name, args] as const) as Promise<Result>,
      30000,
      `the page case ${name}`,
    );
  }

  before(async function () {
    this.timeout(60000);
    executablePath = requireBinary(this, CHROMIUM);
    pw = await requireModule<typeof PW>(this, "playwright-core");
    app = startDemo({ wwwRoot: APP_WWW, wsMaxMessageSize: 16 * 1024 * 1024 });
    wsUrl = `ws://127.0.0.1:${app.port}/`;
    profile = fs.mkdtempSync(path.join(os.tmpdir(), "lwsx-ws-chromium-"));
    ctx = await within(
      pw.chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 30000 }),
      35000,
      `launching ${executablePath}`,
    );
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on("pageerror", (e) => pageErrors.push(e.message));
    const res = await page.goto(`http://127.0.0.1:${app.port}/`, { timeout: 15000 });
    A.equal(res?.status(), 200, "the demo's page loads");
    await within(page.evaluate(PAGE_CLIENT), 5000, "installing ws-page-client.js");
  });

  after(async () => {
    try {
      if (ctx) await within(ctx.close(), 15000, "closing Chromium");
    } catch (e) {
      // a browser that does not close is killed with its process group by playwright on exit;
      // say so rather than hide it
      console.warn(`      (Chromium did not close: ${(e as Error).message})`);
      const b = ctx?.browser();
      if (b) await b.close().catch(() => undefined);
    }
    ctx = null;
    stopDemo(app);
    app = null;
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it("echoes text, ArrayBuffer, empty, 1 MiB and 50 pipelined messages (permessage-deflate offered)", async () => {
    const r = await pageCase("echo", wsUrl);
    A.equal(r.protocol, "", "no subprotocol");
    checkExtensions(r.extensions);
    A.deepEqual(r.text, { kind: "text", equal: true, got: "héllo wörld — ✓ ☃ 𝄞 🚀 日本語" }, "text echo");
    A.equal(r.binary.kind, "binary", "binary comes back as an ArrayBuffer");
    A.equal(r.binary.length, 1024);
    A.equal(r.binary.sha, r.binary.expectedSha, "binary content");
    A.deepEqual(r.empty, { text: "text", textLength: 0, binary: "binary", binaryLength: 0 }, "empty messages");
    A.equal(r.big.kind, "binary");
    A.equal(r.big.length, 1024 * 1024);
    A.equal(r.big.sha, r.big.expectedSha, "1 MiB content");
    A.equal(r.pipelined.inOrder, true, `pipelined echoes in order (first ${JSON.stringify(r.pipelined.first)}, last ${JSON.stringify(r.pipelined.last)})`);
    A.equal(r.close.code, 1000, "the close code echoed");
    A.equal(r.close.wasClean, true, "a clean close");
    A.equal(r.errors, 0, "no error event");
  });

  it("a server that cannot compress (no zlib) does not negotiate Chromium's permessage-deflate offer: extensions === ''", async () => {
    const plain = startDemo({ wsMaxMessageSize: 16 * 1024 * 1024 }, false);
    try {
      const r = await pageCase("echo", `ws://127.0.0.1:${plain.port}/`);
      A.equal(r.extensions, "", "ws.extensions");
      echoedWhole(r);
    } finally {
      stopDemo(plain);
    }
  });

  it("a server with the device's zlib (miniz-like: no sync flush, no dictionary) negotiates no context takeover; Chromium inflates its echoes", async () => {
    const dev = startDemo({ wsMaxMessageSize: 16 * 1024 * 1024 }, deviceLikeZlib());
    try {
      const r = await pageCase("echo", `ws://127.0.0.1:${dev.port}/`);
      A.equal(r.extensions, "permessage-deflate; server_no_context_takeover; client_no_context_takeover", "ws.extensions");
      echoedWhole(r);
    } finally {
      stopDemo(dev);
    }
  });

  it("echoes the page's close code 4003", async () => {
    const r = await pageCase("closeWith", wsUrl, 4003, "chromium bye");
    A.equal(r.echo, "before close");
    A.equal(r.close.code, 4003, "the code of the server's close frame");
    A.equal(r.close.wasClean, true, "a clean close");
    A.ok(r.close.reason === "" || r.close.reason === "chromium bye", `the reason sent back: ${JSON.stringify(r.close.reason)}`);
    A.equal(r.errors, 0, "no error event");
  });

  it("dumb-increment-protocol: consecutive numbers as text", async () => {
    const r = await pageCase("dumb", wsUrl);
    A.equal(r.protocol, "dumb-increment-protocol");
    A.deepEqual(r.kinds, ["text", "text", "text", "text", "text"]);
    A.deepEqual(r.numbers, ["0", "1", "2", "3", "4"], `the numbers (arrived at ${JSON.stringify(r.times)} ms)`);
  });

  it("lws-mirror-protocol: a message from one socket reaches both", async () => {
    const text = `c #0000FF 10 20 ${Date.now() % 100};`;
    const r = await pageCase("mirror", wsUrl, text);
    A.deepEqual(r.protocols, ["lws-mirror-protocol", "lws-mirror-protocol"]);
    A.ok(r.timedOut === null, `${r.timedOut}: sender got ${JSON.stringify(r.a)}, other socket got ${JSON.stringify(r.b)}`);
    A.ok(r.a.includes(text) && r.b.includes(text));
  });

  it("raised no error in the page", () => {
    A.deepEqual(pageErrors, [], "page errors");
  });
});
