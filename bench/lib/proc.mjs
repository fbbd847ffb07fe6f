// Child processes of a benchmark: spawned with this Node, talking JSON lines
// on stdout (and taking command lines on stdin), tracked so that every one of
// them is stopped when the run ends, fails or is interrupted.

import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { constants as osConstants } from "node:os";

const live = new Set();
let hooked = false;

function killAllNow() {
  for (const c of live) {
    try {
      c.proc.kill("SIGKILL");
    } catch {
      /* already gone */
    }
  }
}

function hookExit() {
  if (hooked) return;
  hooked = true;
  // last resort, synchronous: nothing outlives the bench
  process.on("exit", killAllNow);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(sig, () => {
      killAllNow();
      process.exit(128 + (osConstants.signals[sig] ?? 0));
    });
  }
}

/** stop every child still running (gracefully first, so profilers can write) */
export async function stopAll() {
  await Promise.all([...live].map((c) => c.stop()));
}

const STDERR_KEEP = 4096;

export class Child {
  /**
   * @param {string} name for messages
   * @param {string} script path of the .mjs to run
   * @param {string[]} [args]
   * @param {{env?: Record<string,string>, nodeArgs?: string[]}} [opts]
   */
  constructor(name, script, args = [], opts = {}) {
    hookExit();
    this.name = name;
    this.messages = [];
    this.waiters = [];
    this.stderrTail = "";
    this.exitInfo = null;
    this.proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), script, ...args], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, ...(opts.env ?? {}) },
    });
    live.add(this);
    this.proc.stdin.on("error", () => {});
    this.proc.stderr.setEncoding("utf8");
    this.proc.stderr.on("data", (s) => {
      this.stderrTail = (this.stderrTail + s).slice(-STDERR_KEEP);
    });
    createInterface({ input: this.proc.stdout }).on("line", (line) => {
      let m;
      try {
        m = JSON.parse(line);
      } catch {
        m = { text: line };
      }
      this.deliver(m);
    });
    this.exited = new Promise((resolve) => {
      const done = (code, signal, error) => {
        if (this.exitInfo) return;
        this.exitInfo = { code, signal, error };
        live.delete(this);
        const err = new Error(`${this.name} exited early (${error ? error.message : signal ?? `code ${code}`})${this.stderrText()}`);
        for (const w of this.waiters.splice(0)) w.reject(err);
        resolve(this.exitInfo);
      };
      this.proc.on("exit", (code, signal) => done(code, signal, null));
      this.proc.on("error", (e) => done(null, null, e));
    });
  }

  stderrText() {
    const t = this.stderrTail.trim();
    return t ? `\n--- ${this.name} stderr ---\n${t}` : "";
  }

  deliver(m) {
    const i = this.waiters.findIndex((w) => w.pred(m));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      w.resolve(m);
    } else this.messages.push(m);
  }

  /** the next JSON message satisfying pred (earlier non-matching ones stay queued) */
  next(pred, timeoutMs, what = "a message") {
    const i = this.messages.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.messages.splice(i, 1)[0]);
    if (this.exitInfo) return Promise.reject(new Error(`${this.name} has exited, waiting for ${what}${this.stderrText()}`));
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: null, reject: null };
      const timer = setTimeout(() => {
        const k = this.waiters.indexOf(w);
        if (k >= 0) this.waiters.splice(k, 1);
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms${this.stderrText()}`));
      }, timeoutMs);
      w.resolve = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
      w.reject = (e) => {
        clearTimeout(timer);
        reject(e);
      };
      this.waiters.push(w);
    });
  }

  /** send one command line on the child's stdin */
  send(line) {
    if (!this.exitInfo) this.proc.stdin.write(line + "\n");
  }

  /** ask the child for a CPU snapshot (see lib/serve.mjs) */
  async cpu(timeoutMs = 5000) {
    this.send("cpu");
    return (await this.next((m) => m.cpu, timeoutMs, "cpu snapshot")).cpu;
  }

  /** close stdin (children exit on that), then SIGTERM, then SIGKILL */
  async stop(graceMs = 3000) {
    if (this.exitInfo) return this.exitInfo;
    this.proc.stdin.end();
    const wait = (ms) => Promise.race([this.exited, new Promise((r) => setTimeout(r, ms).unref())]);
    await wait(graceMs);
    if (!this.exitInfo) {
      this.proc.kill("SIGTERM");
      await wait(1000);
    }
    if (!this.exitInfo) {
      this.proc.kill("SIGKILL");
      await this.exited;
    }
    return this.exitInfo;
  }
}
