// The demo app as `npm start` runs it, and the lwsx command, as processes.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import * as net from "node:net";
import * as A from "../lib/assert.js";

function startMain(env: Record<string, string>, args: string[] = ["dist/examples/app/main-node.js"]): Promise<{ child: ChildProcess; line: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`no listening line in 10 s: ${out}`)), 10000);
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /listening on .*/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, line: m[0] });
      }
    });
    child.stderr!.on("data", (d) => (out += d));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}: ${out}`));
    });
  });
}

function echoOnce(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port }, () => s.end(text));
    let got = "";
    s.on("data", (d) => (got += d));
    s.on("end", () => resolve(got));
    s.on("error", reject);
    setTimeout(() => reject(new Error("echo timeout")), 5000);
  });
}

describe("demo app process (npm start)", function () {
  this.timeout(30000);
  before(() => {
    execFileSync(process.execPath, ["scripts/build.mjs"]);
  });

  it("listens where HOST/PORT say, prints the address, and echoes raw bytes", async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const { child, line } = await startMain({ HOST: "127.0.0.1", PORT: String(port) });
    try {
      A.ok(line.includes(`127.0.0.1:${port}`), line);
      A.equal(await echoOnce(port, "hello from nc\n"), "hello from nc\n");
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("defaults to lws' port 7681 and exits with a clear message when it is taken", async () => {
    const blocker = net.createServer();
    const taken = await new Promise<boolean>((r) => {
      blocker.once("error", () => r(false));
      blocker.listen(7681, "127.0.0.1", () => r(true));
    });
    try {
      const env = { ...process.env };
      delete env.PORT;
      delete env.HOST;
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const c = spawn(process.execPath, ["dist/examples/app/main-node.js"], { env, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        c.stdout.on("data", (d) => (out += d));
        c.stderr.on("data", (d) => (out += d));
        c.on("exit", (code) => resolve({ code, out }));
        setTimeout(() => c.kill(), 5000);
      });
      if (taken) {
        A.equal(r.code, 1);
        A.ok(/cannot listen on 127\.0\.0\.1:7681/.test(r.out), r.out);
      }
    } finally {
      blocker.close();
    }
  });

  it("rejects a PORT that is not a number", () => {
    let code = 0, err = "";
    try {
      execFileSync(process.execPath, ["dist/examples/app/main-node.js"], { env: { ...process.env, PORT: "seventy" }, stdio: "pipe" });
    } catch (e) {
      code = (e as { status: number }).status;
      err = String((e as { stderr: Buffer }).stderr);
    }
    A.equal(code, 2);
    A.ok(/PORT must be a TCP port number/.test(err), err);
  });

  it("runs the same app from the lwsx command", async () => {
    const { child, line } = await startMain({}, ["bin/lwsx.js", "serve", "--port", "0"]);
    try {
      const port = Number(/:(\d+)/.exec(line)![1]);
      A.equal(await echoOnce(port, "via lwsx serve"), "via lwsx serve");
    } finally {
      child.kill("SIGTERM");
    }
  });
});
