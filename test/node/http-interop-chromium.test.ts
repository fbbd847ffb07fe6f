// Interop with a real browser: headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core, which downloads no browser of its own) loads the
// demo app's status page, served from this process on the Node platform over
// loopback, and watches it poll /status.

import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type * as PW from "playwright-core";
import * as A from "../lib/assert.js";
import { CHROMIUM, CHROMIUM_ARGS, requireBinary, requireModule } from "../lib/peers.js";
import { createNodePlatform } from "../../platform/node/index.js";
import { startApp, type App } from "../../examples/app/app.js";
import { SERVER_HTTP_LIMITS } from "../../src/index.js";

const APP_WWW = fileURLToPath(new URL("../../examples/app/www", import.meta.url));
const SCREENSHOT = fileURLToPath(new URL("../../build/screenshots/status.png", import.meta.url));

// What the functions run inside the page use (tsconfig has no DOM lib); local to this module.
declare const document: { getElementById(id: string): { textContent: string | null } | null; querySelector(selector: string): unknown };
declare function getComputedStyle(element: unknown): { backgroundColor: string };


/** what the browser saw, per page load */
interface Seen {
  url: string;
  /** as the page saw it (a revalidated navigation shows the cached 200) */
  status: number;
  /** as it came on the wire, when Chromium reported it (Network.responseReceivedExtraInfo) */
  wire: number | null;
  connectionId: number;
  reused: boolean;
  fromCache: boolean;
}

/** bounded: a promise, or an error after `ms` */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result in ${ms} ms`)), ms))),
  ]);
}

function echo(port: number, text: string): Promise<string> {
  return within(
    new Promise<string>((resolve, reject) => {
      const s = net.connect({ host: "127.0.0.1", port }, () => s.write(text));
      let got = "";
      s.on("data", (d) => {
        got += d;
        if (got.length >= text.length) {
          s.destroy();
          resolve(got);
        }
      });
      s.on("error", reject);
    }),
    5000,
    "raw echo",
  );
}

describe("HTTP interop: Chromium loads the demo's status page (loopback)", function () {
  this.timeout(60000);
  let pw: typeof PW;
  let executablePath = "";
  let app: App | null = null;
  let ctx: PW.BrowserContext | null = null;
  let profile = "";
  let base = "";

  before(async function () {
    executablePath = requireBinary(this, CHROMIUM);
    pw = await requireModule<typeof PW>(this, "playwright-core");
    app = startApp(createNodePlatform(), {
      host: "127.0.0.1",
      port: 0,
      wwwRoot: APP_WWW,
      httpLimits: SERVER_HTTP_LIMITS,
      maxConnections: 200,
      heap: () => {
        const m = process.memoryUsage();
        return { used: m.heapUsed, total: m.heapTotal };
      },
    });
    base = `http://127.0.0.1:${app.port}`;
    profile = fs.mkdtempSync(path.join(os.tmpdir(), "lwsx-chromium-"));
    ctx = await within(
      pw.chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_ARGS, viewport: { width: 900, height: 600 } }),
      30000,
      `launching ${executablePath}`,
    );
  });

  after(async () => {
    try {
      if (ctx) await within(ctx.close(), 15000, "closing Chromium");
    } catch (e) {
      console.warn(`      (${(e as Error).message})`);
    } finally {
      ctx = null;
      app?.context.destroy();
      app = null;
      if (profile) fs.rmSync(profile, { recursive: true, force: true });
    }
  });

  /** a fresh page that records what the browser saw and complained about */
  async function watchedPage() {
    const page = await ctx!.newPage();
    const w = { page, consoleErrors: [] as string[], pageErrors: [] as string[], failed: [] as string[] };
    page.on("console", (m) => {
      if (m.type() === "error") w.consoleErrors.push(`${m.text()} (${m.location().url})`);
    });
    page.on("pageerror", (e) => w.pageErrors.push(e.message));
    page.on("requestfailed", (r) => w.failed.push(`${r.url()}: ${r.failure()?.errorText}`));
    return w;
  }

  /** no script errors, no failed requests; the only console error allowed is
   * the browser's own favicon request (the demo has no /favicon.ico: a 404) */
  function clean(w: Awaited<ReturnType<typeof watchedPage>>): void {
    A.deepEqual(w.pageErrors, [], "script errors");
    const unexpected = w.consoleErrors.filter((e) => !/status of 404 .*\(http:\/\/127\.0\.0\.1:\d+\/favicon\.ico\)$/.test(e));
    A.deepEqual(unexpected, [], `console errors:\n${w.consoleErrors.join("\n")}`);
    // a poll in flight when the page reloads or closes is aborted by the browser: not a failure
    A.deepEqual(w.failed.filter((f) => !/net::ERR_ABORTED$/.test(f)), [], `failed requests:\n${w.failed.join("\n")}`);
  }

  const cell = async (page: PW.Page, id: string) => ((await page.textContent(`#${id}`)) ?? "").trim();

  /** until #state says "updated ... (how)"; returns how */
  async function updated(page: PW.Page, what: string): Promise<string> {
    try {
      await page.waitForFunction(() => /^updated .*\((live|polling)\)$|^updated [^(]*$/.test(document.getElementById("state")?.textContent ?? ""), null, { timeout: 10000 });
    } catch (e) {
      throw new Error(`${what}: #state never said "updated" (it says ${JSON.stringify(await cell(page, "state"))}): ${(e as Error).message.split("\n")[0]}`);
    }
    return /\((live|polling)\)$/.exec(await cell(page, "state"))?.[1] ?? "polling";
  }

  let mode = "";

  it("renders the status table with the server's figures, keeps them current, and screenshots it", async () => {
    // some raw echo traffic first, so the page has a number of ours to show
    A.equal(await echo(app!.port, "hello\n"), "hello\n");
    const w = await watchedPage();
    try {
      const nav = await w.page.goto(`${base}/`, { waitUntil: "load", timeout: 15000 });
      A.equal(nav?.status(), 200);
      mode = await updated(w.page, "first load");
      const uptime = await cell(w.page, "uptime");
      const requests = await cell(w.page, "requests");
      A.ok(/^(\d+d )?(\d+h )?\d+m \d+s$/.test(uptime), `#uptime shows a duration: ${JSON.stringify(uptime)}`);
      A.ok(/^\d+$/.test(requests) && Number(requests) >= 3, `#requests counts the page's requests (page, css, js at least): ${JSON.stringify(requests)}`);
      A.ok(/^\d+ HTTP, (\d+ WebSocket, )?\d+ raw$/.test(await cell(w.page, "connections")), await cell(w.page, "connections"));
      A.equal(await cell(w.page, "echoed"), `${app!.stats.bytesEchoed} bytes`);
      A.ok(app!.stats.bytesEchoed >= 6);
      A.ok(/^\d+ KiB used$/.test(await cell(w.page, "heap")), await cell(w.page, "heap"));
      A.equal(await cell(w.page, "platform"), "node");
      A.equal(await w.page.getAttribute("#state", "class"), "muted", "no error shown");
      A.equal(await w.page.title(), "lwsx status");
      // the style sheet applied: the header has style.css' dark blue
      A.equal(await w.page.evaluate(() => getComputedStyle(document.querySelector("header")!).backgroundColor), "rgb(29, 53, 87)");

      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await w.page.screenshot({ path: SCREENSHOT, fullPage: true, timeout: 10000 });
      A.ok(fs.statSync(SCREENSHOT).size > 1000, "a screenshot was written");

      // the figures stay current (live: every second; polling: every 2 s)
      await w.page
        .waitForFunction((u) => (document.getElementById("uptime")?.textContent ?? u) !== u, uptime, { timeout: 8000 })
        .catch(() => A.fail(`#uptime stayed at ${uptime} for 8 s (${mode}): the page stopped updating`));
      clean(w);
    } finally {
      await w.page.close().catch(() => undefined);
    }
  });

  it("revalidates the static files with If-None-Match on reload (304), over kept-alive connections", async () => {
    const w = await watchedPage();
    const { page } = w;
    try {
      // CDP: the wire status and the connection of every response
      const cdp = await ctx!.newCDPSession(page);
      await cdp.send("Network.enable");
      let load = 0;
      const loads: Map<string, Seen>[] = [new Map(), new Map()];
      const wire = new Map<string, number>();
      cdp.on("Network.responseReceivedExtraInfo", (e) => {
        wire.set(e.requestId, e.statusCode);
        for (const l of loads) {
          const s = l.get(e.requestId);
          if (s) s.wire = e.statusCode;
        }
      });
      cdp.on("Network.responseReceived", (e) => {
        loads[load]!.set(e.requestId, {
          url: e.response.url,
          status: e.response.status,
          wire: wire.get(e.requestId) ?? null,
          connectionId: e.response.connectionId,
          reused: e.response.connectionReused,
          fromCache: !!(e.response.fromDiskCache || e.response.fromPrefetchCache),
        });
      });
      // a fresh cache, so the first load fetches in full whatever the test before did
      await cdp.send("Network.clearBrowserCache");

      A.equal((await page.goto(`${base}/`, { waitUntil: "load", timeout: 15000 }))?.status(), 200);
      await updated(page, "first load");
      // reload: Chromium revalidates what it has cached (no Cache-Control,
      // no Last-Modified: stale at once) with If-None-Match
      load = 1;
      const again = await page.reload({ waitUntil: "load", timeout: 15000 });
      A.ok(again && [200, 304].includes(again.status()), `reload: ${again?.status()}`);
      // status.js ran and got its figures: every static response of the reload has arrived
      await updated(page, "reload");

      const all = [...loads[0]!.values(), ...loads[1]!.values()];
      const report = all.map((s) => `  ${s.url} ${s.status}${s.wire !== null ? ` (wire ${s.wire})` : ""} conn ${s.connectionId}${s.reused ? " reused" : ""}${s.fromCache ? " cache" : ""}`).join("\n");
      const ours = all.filter((s) => s.url.startsWith(base));
      A.ok(ours.length >= 6, `responses seen:\n${report}`);
      for (const s of ours) {
        if (s.url === `${base}/favicon.ico`) continue;
        A.ok([200, 304].includes(s.status) && (s.wire === null || [200, 304].includes(s.wire)), `${s.url} answered ${s.status}/${s.wire}:\n${report}`);
      }
      // the first load fetched every static file in full
      for (const f of ["/", "/style.css", "/status.js"]) {
        const first = [...loads[0]!.values()].find((s) => s.url === base + f);
        A.ok(first, `first load fetched ${f}:\n${report}`);
        A.ok(first.status === 200 && first.wire !== 304, `first load of ${f}: ${first.status}/${first.wire}`);
      }
      // on reload, static files came back as 304 (the wire status: a
      // revalidated navigation shows the page its cached 200)
      const statics = ["/", "/style.css", "/status.js"].map((f) => base + f);
      const revalidated = [...loads[1]!.values()].filter((s) => statics.includes(s.url) && (s.wire ?? s.status) === 304);
      A.ok(revalidated.length >= 1, `no static file was revalidated with a 304 on reload:\n${report}`);
      // kept-alive connections: fewer connections than responses, some reused
      const conns = new Set(ours.map((s) => s.connectionId));
      A.ok(conns.size < ours.length, `${ours.length} responses over ${conns.size} connections:\n${report}`);
      A.ok(ours.some((s) => s.reused), `no connection was reused:\n${report}`);
      await cdp.detach().catch(() => undefined);
      clean(w);
    } finally {
      await page.close().catch(() => undefined);
    }
  });

  it("falls back to polling /status every 2 s when no WebSocket can be opened", async () => {
    const w = await watchedPage();
    const { page } = w;
    try {
      const polls: number[] = [];
      page.on("response", (r) => {
        if (r.url() === `${base}/status`) polls.push(r.status());
      });
      // the page's WebSocket is refused (closed at once) by the test, not by the server
      await page.routeWebSocket(/.*/, (ws) => ws.close());
      A.equal((await page.goto(`${base}/`, { waitUntil: "load", timeout: 15000 }))?.status(), 200);
      A.equal(await updated(page, "polling"), "polling");
      const requests = Number(await cell(page, "requests"));
      A.ok(requests >= 4, `#requests ${requests}`);
      // the next poll is counted: the figure goes up
      await page
        .waitForFunction((n) => Number(document.getElementById("requests")?.textContent) > n, requests, { timeout: 8000 })
        .catch(() => A.fail(`#requests stayed at ${requests} for 8 s: the page stopped polling /status`));
      A.ok(polls.length >= 2 && polls.every((s) => s === 200), `/status answers: ${polls.join(", ")}`);
      clean(w);
    } finally {
      await page.close().catch(() => undefined);
    }
  });

  after(() => {
    if (mode) console.log(`      (the status page updated by ${mode === "live" ? "its lws-status WebSocket" : "polling /status"})`);
  });
});
