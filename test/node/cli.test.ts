// `lwsx get` and `lwsx ws` (cli/, built into dist/cli/) run as child
// processes of bin/lwsx.js against loopback servers started here: Node's
// http server, the npm `ws` server and this project's demo app. Every child
// is killed when its test ends; each run has a time limit.

import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { WebSocketServer, type WebSocket } from "ws";
import * as A from "../lib/assert.js";
import { startApp } from "../../examples/app/app.js";
import { createNodePlatform } from "../../platform/node/index.js";
import { progressLine } from "../../cli/progress.js";
import { formatBytes } from "../../cli/common.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = path.join(ROOT, "bin", "lwsx.js");

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

const children = new Set<ChildProcess>();

/** run `lwsx args...`; `input` is written to stdin (then closed unless keepStdin); killed after limitMs */
function lwsx(args: string[], opts: { input?: string; keepStdin?: boolean; limitMs?: number; onChild?: (c: ChildProcess) => void } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    children.add(child);
    const out: Buffer[] = [];
    let err = "";
    child.stdout!.on("data", (d: Buffer) => out.push(d));
    child.stderr!.on("data", (d: Buffer) => (err += d));
    child.stdin!.on("error", () => {});
    if (opts.input !== undefined) child.stdin!.write(opts.input);
    if (!opts.keepStdin) child.stdin!.end();
    const limit = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`lwsx ${args.join(" ")}: no exit within ${opts.limitMs ?? 15000} ms; stderr: ${err}`));
    }, opts.limitMs ?? 15000);
    child.on("close", (code, signal) => {
      clearTimeout(limit);
      children.delete(child);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: err });
    });
    opts.onChild?.(child);
  });
}

/** wait (bounded) until `pred` holds */
async function waitFor(pred: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!pred()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function pattern(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed + (i >> 9)) & 0xff;
  return b;
}

function listen(server: http.Server | net.Server, host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

const tmpDirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "lwsx-cli-"));
  tmpDirs.push(d);
  return d;
}

const DATA = pattern(1024 * 1024 + 77);
const SIZED = pattern(300 * 1024 + 5, 3);

describe("lwsx get / lwsx ws (the command line, on the lws client API)", function () {
  this.timeout(40000);
  let httpServer: http.Server;
  let port = 0;
  let otherServer: http.Server;
  let otherPort = 0;
  const requests: string[] = [];
  /** bytes the /big route has handed to its socket (it waits for 'drain' as it should) */
  let bigSent = 0;
  let bigStalled: (() => void) | null = null;
  /** told when /stall has sent its first bytes (it then sends nothing more) */
  let stallStarted: (() => void) | null = null;

  before(async () => {
    // the tests run what `npm run build` makes: build it now, never a stale dist/
    execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: ROOT });
    httpServer = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url} host=${req.headers.host}`);
      const u = req.url ?? "/";
      if (u === "/hello") return void res.end("hello world\n");
      if (u === "/data") {
        // chunked, in pieces
        res.writeHead(200, { "content-type": "application/octet-stream" });
        for (let o = 0; o < DATA.length; o += 50000) res.write(DATA.subarray(o, o + 50000));
        return void res.end();
      }
      if (u === "/sized") {
        res.writeHead(200, { "content-length": SIZED.length });
        return void res.end(SIZED);
      }
      if (u === "/r") {
        res.writeHead(302, { location: "/hello" });
        return void res.end();
      }
      if (u === "/dir/r") {
        res.writeHead(307, { location: "sub/sized" });
        return void res.end();
      }
      if (u === "/dir/sub/sized") {
        res.writeHead(200, { "content-length": SIZED.length });
        return void res.end(SIZED);
      }
      if (u === "/elsewhere") {
        res.writeHead(301, { location: `http://127.0.0.1:${otherPort}/there?x=1` });
        return void res.end("moved");
      }
      if (u === "/loop") {
        res.writeHead(302, { location: "/loop" });
        return void res.end();
      }
      if (u === "/404") {
        res.writeHead(404, { "content-type": "text/plain" });
        return void res.end("not here\n");
      }
      if (u === "/cut") {
        // promises 100000 bytes, sends 1000, hangs up
        res.writeHead(200, { "content-length": 100000 });
        res.write(DATA.subarray(0, 1000));
        setTimeout(() => req.socket.destroy(), 50);
        return;
      }
      if (u === "/stall") {
        res.writeHead(200, { "content-length": 1000000 });
        res.write(DATA.subarray(0, 1000), () => stallStarted?.());
        return;
      }
      if (u === "/big") {
        // 64 MiB, written only as fast as the socket takes it
        const total = 64 * 1024 * 1024;
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        res.writeHead(200, { "content-length": total });
        bigSent = 0;
        const pump = () => {
          while (bigSent < total) {
            bigSent += chunk.length;
            if (!res.write(chunk)) {
              const s = bigStalled;
              bigStalled = null;
              s?.();
              res.once("drain", pump);
              return;
            }
          }
          res.end();
        };
        return void pump();
      }
      res.writeHead(500);
      res.end();
    });
    port = await listen(httpServer);
    otherServer = http.createServer((req, res) => {
      requests.push(`other ${req.method} ${req.url} host=${req.headers.host}`);
      res.end("over there\n");
    });
    otherPort = await listen(otherServer);
  });

  after(async () => {
    httpServer.closeAllConnections?.();
    otherServer.closeAllConnections?.();
    await new Promise((r) => httpServer.close(r));
    await new Promise((r) => otherServer.close(r));
  });

  afterEach(() => {
    for (const c of children) c.kill("SIGKILL");
    children.clear();
    for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  describe("lwsx get", () => {
    it("writes a chunked body to stdout, byte for byte, and exits 0", async () => {
      const r = await lwsx(["get", `http://127.0.0.1:${port}/data`]);
      A.equal(r.code, 0, r.stderr);
      A.equal(r.stdout.length, DATA.length);
      A.ok(r.stdout.equals(DATA), "same bytes");
      A.equal(r.stderr, "", "nothing on stderr when it is not a terminal");
    });

    it("-o FILE: the body in FILE (nothing on stdout), no temporary file left", async () => {
      const dir = tmpDir();
      const file = path.join(dir, "out.bin");
      const r = await lwsx(["get", `http://127.0.0.1:${port}/sized`, "-o", file]);
      A.equal(r.code, 0, r.stderr);
      A.equal(r.stdout.length, 0);
      A.ok(fs.readFileSync(file).equals(SIZED), "same bytes in FILE");
      A.deepEqual(fs.readdirSync(dir), ["out.bin"]);
    });

    it("follows redirects: same server (302 absolute path, 307 relative), then another server (301 absolute URL)", async () => {
      const a = await lwsx(["get", `http://127.0.0.1:${port}/r`]);
      A.equal(a.code, 0, a.stderr);
      A.equal(a.stdout.toString(), "hello world\n");
      const b = await lwsx(["get", `http://127.0.0.1:${port}/dir/r`]);
      A.equal(b.code, 0, b.stderr);
      A.ok(b.stdout.equals(SIZED), "sub/sized from /dir/r is /dir/sub/sized");
      requests.length = 0;
      const c = await lwsx(["get", `http://127.0.0.1:${port}/elsewhere`, "-v"]);
      A.equal(c.code, 0, c.stderr);
      A.equal(c.stdout.toString(), "over there\n", "the redirect's own body is not written");
      A.ok(requests.includes(`other GET /there?x=1 host=127.0.0.1:${otherPort}`), requests.join("; "));
      A.ok(/301 redirect to http:\/\/127\.0\.0\.1:\d+\/there\?x=1/.test(c.stderr), c.stderr);
    });

    it("too many redirects: lws' \"HS: Redirect failed\", exit 1; --max-redirects sets the limit", async () => {
      requests.length = 0;
      const r = await lwsx(["get", `http://127.0.0.1:${port}/loop`, "--max-redirects", "2"]);
      A.equal(r.code, 1);
      A.ok(r.stderr.includes("HS: Redirect failed"), r.stderr);
      A.equal(requests.filter((x) => x.startsWith("GET /loop")).length, 3, "the first request and two redirects");
      A.equal(r.stdout.length, 0);
    });

    it("HTTP 404: exit 3 with the status on stderr, no body written (like curl -f), -o FILE not made", async () => {
      const r = await lwsx(["get", `http://127.0.0.1:${port}/404`]);
      A.equal(r.code, 3);
      A.equal(r.stdout.length, 0);
      A.ok(r.stderr.includes("HTTP 404 Not Found"), r.stderr);
      const dir = tmpDir();
      const o = await lwsx(["get", `http://127.0.0.1:${port}/404`, "-o", path.join(dir, "f")]);
      A.equal(o.code, 3);
      A.deepEqual(fs.readdirSync(dir), []);
    });

    it("a refused port: lws' CLIENT_CONNECTION_ERROR string (\"Unable to connect\"), exit 1", async () => {
      const p = await closedPort();
      const r = await lwsx(["get", `http://127.0.0.1:${p}/`]);
      A.equal(r.code, 1);
      A.equal(r.stderr.trim(), `lwsx get: http://127.0.0.1:${p}/: Unable to connect`);
      A.equal(r.stdout.length, 0);
    });

    it("a body cut short: exit 1, and -o leaves neither FILE (an older FILE stays as it was) nor a temporary file", async () => {
      const dir = tmpDir();
      const file = path.join(dir, "keep.txt");
      fs.writeFileSync(file, "old");
      const r = await lwsx(["get", `http://127.0.0.1:${port}/cut`, "-o", file]);
      A.equal(r.code, 1);
      A.ok(/closed before the response was complete \(1000 bytes/.test(r.stderr), r.stderr);
      A.equal(fs.readFileSync(file, "utf8"), "old");
      A.deepEqual(fs.readdirSync(dir), ["keep.txt"]);
    });

    it("^C during a download with -o: exit 130, no FILE, no temporary file", async () => {
      const dir = tmpDir();
      let child!: ChildProcess;
      const started = new Promise<void>((r) => (stallStarted = r));
      const run = lwsx(["get", `http://127.0.0.1:${port}/stall`, "-o", path.join(dir, "f")], { onChild: (c) => (child = c) });
      await started;
      // the temporary file is there while the body comes
      await waitFor(() => fs.readdirSync(dir).length === 1, "the temporary file");
      A.ok(/^\.f\.lwsx-\d+-\w+\.part$/.test(fs.readdirSync(dir)[0]!), fs.readdirSync(dir)[0]);
      await new Promise((r) => setTimeout(r, 100));
      child.kill("SIGINT");
      const r = await run;
      A.equal(r.code, 130, r.stderr);
      A.ok(r.stderr.includes("interrupted"), r.stderr);
      A.deepEqual(fs.readdirSync(dir), []);
    });

    it("https:// and bad URLs: a clear message, exit 2, nothing connects", async () => {
      const t = await lwsx(["get", `https://127.0.0.1:${port}/`]);
      A.equal(t.code, 2);
      A.ok(/https:\/\/ needs TLS, which is not in this build/.test(t.stderr), t.stderr);
      for (const [url, msg] of [
        ["http://127.0.0.1:99999/", /bad URL: the port 99999 is out of range/],
        ["ftp://h/", /bad URL: unknown scheme 'ftp:\/\/'/],
        ["ws://127.0.0.1/", /bad URL: this command does not take 'ws:\/\/'/],
        ["http://user@h/", /user names and passwords/],
        ["http://[::1/", /no closing/],
      ] as const) {
        const r = await lwsx(["get", url]);
        A.equal(r.code, 2, url);
        A.ok(msg.test(r.stderr), `${url}: ${r.stderr}`);
      }
      const none = await lwsx(["get"]);
      A.equal(none.code, 2);
      A.ok(none.stderr.includes("which URL?") && none.stderr.includes("usage: lwsx get"), none.stderr);
      const bad = await lwsx(["get", "--bogus", `http://127.0.0.1:${port}/`]);
      A.equal(bad.code, 2);
      // option values that are wrong are not called bad URLs, and the usage follows
      for (const args of [["--max-redirects", "x"], ["-o", ""]]) {
        const r = await lwsx(["get", ...args, `http://127.0.0.1:${port}/`]);
        A.equal(r.code, 2, args.join(" "));
        A.ok(!/bad URL/.test(r.stderr) && /usage: lwsx get/.test(r.stderr) && /--max-redirects takes a number|-o needs a file name/.test(r.stderr), r.stderr);
      }
      const noDir = await lwsx(["get", `http://127.0.0.1:${port}/hello`, "-o", path.join(tmpDir(), "no", "such", "f")]);
      A.equal(noDir.code, 4);
      A.ok(/cannot write .*no folder/.test(noDir.stderr), noDir.stderr);
    });

    it("back-pressure: while stdout is not read, the server cannot send it all; then all 64 MiB come through", async () => {
      let child!: ChildProcess;
      const stalled = new Promise<void>((r) => (bigStalled = r));
      const run = lwsx(["get", `http://127.0.0.1:${port}/big`], { limitMs: 30000, onChild: (c) => (child = c) });
      // nobody reads the child's stdout for a while
      child.stdout!.pause();
      await stalled;
      await new Promise((r) => setTimeout(r, 1000));
      const during = bigSent;
      A.ok(during < 32 * 1024 * 1024, `the server could hand ${during} bytes to TCP while the client's stdout was full: the client did not hold reception`);
      let n = 0;
      child.stdout!.removeAllListeners("data");
      child.stdout!.on("data", (d: Buffer) => (n += d.length));
      child.stdout!.resume();
      const r = await run;
      A.equal(r.code, 0, r.stderr);
      A.equal(n, 64 * 1024 * 1024);
    });

    it("--progress (the bar is drawn when stderr is a terminal): bytes, percent with a Content-Length, rate", async () => {
      const r = await lwsx(["get", `http://127.0.0.1:${port}/sized`, "--progress"]);
      A.equal(r.code, 0, r.stderr);
      A.ok(r.stdout.equals(SIZED));
      A.ok(/^\r\[[#.]{24}\] +\d+%  .*\r\[#{24}\] 100%  300 KiB \/ 300 KiB  [\d.]+ [KMG]?i?B\/s *\n$/s.test(r.stderr), JSON.stringify(r.stderr));
      const q = await lwsx(["get", `http://127.0.0.1:${port}/sized`, "--progress", "-q"]);
      A.equal(q.stderr, "");
    });

    it("progress line format", () => {
      A.equal(formatBytes(512), "512 B");
      A.equal(formatBytes(1536), "1.50 KiB");
      A.equal(formatBytes(300 * 1024), "300 KiB");
      A.equal(formatBytes(20 * 1024 * 1024), "20.0 MiB");
      A.equal(progressLine(512, 1024, 2048), "[############............]  50%  512 B / 1.00 KiB  2.00 KiB/s");
      A.equal(progressLine(5 * 1024 * 1024, null, 1024 * 1024), "5.00 MiB  1.00 MiB/s");
      A.equal(progressLine(2000, 1000, 1), "[########################] 100%  1.95 KiB / 1000 B  1 B/s");
    });

    it("an IPv6 literal in brackets (where ::1 is there)", async function () {
      const s = http.createServer((req, res) => res.end(`v6 ${req.headers.host}\n`));
      let p: number;
      try {
        p = await listen(s, "::1");
      } catch {
        this.skip();
      }
      try {
        const r = await lwsx(["get", `http://[::1]:${p!}/`]);
        A.equal(r.code, 0, r.stderr);
        A.equal(r.stdout.toString(), `v6 [::1]:${p!}\n`);
      } finally {
        await new Promise((r) => s.close(r));
      }
    });
  });

  describe("lwsx ws", () => {
    let wss: WebSocketServer;
    let wsPort = 0;
    const seen: { url: string; origin?: string; extensions?: string; protocol?: string; closeCode?: number }[] = [];

    before(async () => {
      wss = new WebSocketServer({ host: "127.0.0.1", port: 0, handleProtocols: (set) => (set.has("chat") ? "chat" : false) });
      await new Promise<void>((r) => wss.once("listening", () => r()));
      wsPort = (wss.address() as net.AddressInfo).port;
      wss.on("connection", (s: WebSocket, req) => {
        const rec: (typeof seen)[number] = { url: req.url ?? "", origin: req.headers.origin, extensions: req.headers["sec-websocket-extensions"], protocol: s.protocol };
        seen.push(rec);
        s.on("close", (code) => (rec.closeCode = code));
        if (req.url === "/bye") return void s.close(4001, "go away");
        if (req.url === "/away") return void s.close(1001, "restarting");
        if (req.url === "/bin") {
          s.send(Buffer.from([0, 1, 2, 250]));
          s.send(Buffer.alloc(0));
          s.send("after the binary");
          return void s.close(1000, "done");
        }
        if (req.url === "/drop") return void setTimeout(() => s.terminate(), 50);
        s.on("message", (d, isBinary) => s.send(d, { binary: isBinary }));
      });
    });

    after(async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    });

    it("echo (npm ws server): stdin lines become messages, messages come back as lines; end of stdin closes with 1000, exit 0", async () => {
      seen.length = 0;
      const lines = ["hello", "", "wörld ✓", "x".repeat(100000), "last line without newline"];
      const r = await lwsx(["ws", `ws://127.0.0.1:${wsPort}/echo`], { input: lines.join("\n") });
      A.equal(r.code, 0, r.stderr);
      A.equal(r.stdout.toString(), lines.map((l) => l + "\n").join(""));
      A.equal(r.stderr, "");
      await waitFor(() => seen[0]?.closeCode !== undefined, "the server's close event");
      A.equal(seen[0]!.closeCode, 1000, "the server saw our 1000");
      A.ok(/permessage-deflate/.test(seen[0]!.extensions ?? ""), "deflate offered by default");
    });

    it("CRLF lines, and many lines in a row (stdin paused while they wait), all echoed in order", async () => {
      const many = Array.from({ length: 3000 }, (_, i) => `line ${i}`);
      const r = await lwsx(["ws", `ws://127.0.0.1:${wsPort}/echo`], { input: many.join("\r\n") + "\r\n" });
      A.equal(r.code, 0, r.stderr);
      A.equal(r.stdout.toString(), many.map((l) => l + "\n").join(""));
    });

    it("the demo app's echo, and its dumb-increment-protocol asked with --protocol", async () => {
      const app = startApp(createNodePlatform(), { host: "127.0.0.1", port: 0 });
      try {
        const r = await lwsx(["ws", `ws://127.0.0.1:${app.port}/`], { input: "one\ntwo\n" });
        A.equal(r.code, 0, r.stderr);
        A.equal(r.stdout.toString(), "one\ntwo\n");
        const d = await lwsx(["ws", `ws://127.0.0.1:${app.port}/`, "--protocol", "dumb-increment-protocol", "--linger", "300"], { input: "" });
        A.equal(d.code, 0, d.stderr);
        const nums = d.stdout.toString().trim().split("\n").map(Number);
        A.ok(nums.length >= 2 && nums.every((n, i) => i === 0 || n === nums[i - 1]! + 1), d.stdout.toString());
      } finally {
        app.context.destroy();
      }
    });

    it("--protocol, --origin and --no-compress reach the server", async () => {
      seen.length = 0;
      const r = await lwsx(["ws", `ws://127.0.0.1:${wsPort}/echo?a=1`, "--protocol", "chat, other", "--origin", "http://example.test", "--no-compress"], { input: "hi\n" });
      A.equal(r.code, 0, r.stderr);
      A.equal(r.stdout.toString(), "hi\n");
      A.equal(seen[0]!.url, "/echo?a=1");
      A.equal(seen[0]!.protocol, "chat");
      A.equal(seen[0]!.origin, "http://example.test");
      A.equal(seen[0]!.extensions, undefined);
    });

    it("binary messages are written as '[binary N bytes] BASE64'; the server's 1000 close: its code and reason on stderr, exit 0", async () => {
      const r = await lwsx(["ws", `ws://127.0.0.1:${wsPort}/bin`], { keepStdin: true });
      A.equal(r.code, 0, r.stderr);
      A.equal(r.stdout.toString(), "[binary 4 bytes] AAEC+g==\n[binary 0 bytes]\nafter the binary\n");
      A.equal(r.stderr.trim(), "lwsx ws: the server closed the connection: 1000 (done)");
    });

    it("the server closes with 1001: exit 0; with 4001: exit 3, code and reason on stderr", async () => {
      const a = await lwsx(["ws", `ws://127.0.0.1:${wsPort}/away`], { keepStdin: true });
      A.equal(a.code, 0, a.stderr);
      A.ok(a.stderr.includes("1001 (restarting)"), a.stderr);
      const b = await lwsx(["ws", `ws://127.0.0.1:${wsPort}/bye`], { keepStdin: true });
      A.equal(b.code, 3);
      A.ok(b.stderr.includes("the server closed the connection: 4001 (go away)"), b.stderr);
    });

    it("^C: closes with 1000 at once, exit 130", async () => {
      seen.length = 0;
      let child!: ChildProcess;
      let out = "";
      const run = lwsx(["ws", `ws://127.0.0.1:${wsPort}/echo`], { keepStdin: true, onChild: (c) => (child = c) });
      child.stdout!.on("data", (d: Buffer) => (out += d));
      child.stdin!.write("ping\n");
      await waitFor(() => out.includes("ping\n"), "the echo", 10000);
      child.kill("SIGINT");
      const r = await run;
      A.equal(r.code, 130, r.stderr);
      await waitFor(() => seen[0]?.closeCode !== undefined, "the server's close event");
      A.equal(seen[0]!.closeCode, 1000);
    });

    it("a connection dropped without a close frame: exit 1", async () => {
      const r = await lwsx(["ws", `ws://127.0.0.1:${wsPort}/drop`], { keepStdin: true });
      A.equal(r.code, 1);
      A.ok(r.stderr.includes("the connection was lost"), r.stderr);
    });

    it("a refused port: lws' string, exit 1; a server that is not WebSocket: lws' handshake string, exit 1", async () => {
      const p = await closedPort();
      const r = await lwsx(["ws", `ws://127.0.0.1:${p}/`]);
      A.equal(r.code, 1);
      A.equal(r.stderr.trim(), `lwsx ws: ws://127.0.0.1:${p}/: Unable to connect`);
      const h = await lwsx(["ws", `ws://127.0.0.1:${port}/hello`]);
      A.equal(h.code, 1);
      A.ok(h.stderr.includes("HS: ws upgrade response not 101"), h.stderr);
    });

    it("wss:// and bad URLs: a clear message, exit 2", async () => {
      const t = await lwsx(["ws", `wss://127.0.0.1:${wsPort}/`]);
      A.equal(t.code, 2);
      A.ok(t.stderr.includes("wss:// needs TLS, which is not in this build"), t.stderr);
      const h = await lwsx(["ws", `http://127.0.0.1:${wsPort}/`]);
      A.equal(h.code, 2);
      A.ok(h.stderr.includes("bad URL: this command does not take 'http://' (use ws:// or wss://)"), h.stderr);
      const p = await lwsx(["ws", `ws://127.0.0.1:${wsPort}/`, "--protocol", "a b"]);
      A.equal(p.code, 2);
      A.ok(p.stderr.includes("--protocol takes a comma list"), p.stderr);
    });
  });

  it("lwsx help lists get and ws", async () => {
    const r = await lwsx(["help"]);
    A.equal(r.code, 0);
    A.ok(/lwsx get URL \[-o FILE\]/.test(r.stdout.toString()) && /lwsx ws URL/.test(r.stdout.toString()), r.stdout.toString());
  });
});
