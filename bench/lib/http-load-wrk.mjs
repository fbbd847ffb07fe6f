// wrk behind the load-client protocol (a child process of its own, so that
// lib/proc.mjs tracks it): runs `wrk -t1` (one thread: one core) against
// http://host:port/path with N keep-alive connections, first for the warm-up
// (when warmupS > 0), then for the measured run, and reports what the
// measured run counted. wrk's CPU is exact: the CPU time of this process's
// reaped children (/proc/self/stat cutime + cstime) across the measured run,
// over its wall time.
//
// argv[2]: JSON {wrk, host, port, path, conns, warmupS, measureS}
// stdout, JSON lines: {"phase":"measure"} as the measured run starts, then
// {"result":{...}} or {"error":"..."}; the process exits after either.

import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const cfg = JSON.parse(process.argv[2] ?? "{}");
const { wrk = "wrk", host = "127.0.0.1", port, path = "/", conns = 1, warmupS = 1, measureS = 2 } = cfg;

let current = null;
let finished = false;

function out(obj, then) {
  process.stdout.write(JSON.stringify(obj) + "\n", then);
}
function finish(obj, code) {
  if (finished) return;
  finished = true;
  current?.kill("SIGKILL");
  out(obj, () => process.exit(code));
}
const fail = (msg) => finish({ error: msg }, 1);

process.on("exit", () => current?.kill("SIGKILL"));
for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(sig, () => fail(`${sig}`));
process.stdin.on("end", () => fail("stdin closed")).resume();
setTimeout(() => fail("wrk deadline passed"), (warmupS + measureS) * 1000 + 15000).unref();

const CLK_TCK = (() => {
  const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const n = Number(r.stdout?.trim());
  return Number.isInteger(n) && n > 0 ? n : 100;
})();

/** CPU µs of this process's reaped children (wrk runs, once they exited) */
function childrenCpuUs() {
  const s = readFileSync("/proc/self/stat", "utf8");
  const f = s.slice(s.lastIndexOf(")") + 2).split(" "); // f[0] is field 3 (state)
  return ((Number(f[13]) + Number(f[14])) * 1e6) / CLK_TCK; // cutime, cstime
}

function runWrk(seconds) {
  const args = ["-t1", `-c${conns}`, `-d${seconds}s`, "--timeout", "5s", `http://${host}:${port}${path}`];
  return new Promise((resolve, reject) => {
    const p = spawn(wrk, args, { stdio: ["ignore", "pipe", "pipe"] });
    current = p;
    let stdout = "";
    let stderr = "";
    p.stdout.setEncoding("utf8").on("data", (s) => (stdout += s));
    p.stderr.setEncoding("utf8").on("data", (s) => (stderr += s));
    const t0 = process.hrtime.bigint();
    p.on("error", reject);
    p.on("exit", (code, signal) => {
      current = null;
      const wallUs = Number((process.hrtime.bigint() - t0) / 1000n);
      if (code !== 0) reject(new Error(`wrk ${args.join(" ")}: ${signal ?? `exit ${code}`} ${stderr.trim() || stdout.trim()}`));
      else resolve({ stdout, wallUs });
    });
  });
}

/** what a wrk report says */
function parse(text) {
  const num = (re) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : null;
  };
  const m = /(\d+) requests in ([\d.]+)(us|ms|s|m)\b/.exec(text);
  const unit = { us: 1e-6, ms: 1e-3, s: 1, m: 60 };
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const lat = /Latency\s+([\d.]+)(us|ms|s)\b/.exec(text);
  return {
    requests: m ? Number(m[1]) : null,
    seconds: m ? Number(m[2]) * unit[m[3]] : null,
    reqPerS: num(/Requests\/sec:\s+([\d.]+)/),
    socketErrors: sock ? sock.slice(1).reduce((a, x) => a + Number(x), 0) : 0,
    socketErrorText: sock ? sock[0] : "",
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/) ?? 0,
    latencyAvgUs: lat ? Number(lat[1]) * { us: 1, ms: 1e3, s: 1e6 }[lat[2]] : null,
  };
}

try {
  if (!Number.isInteger(port) || port <= 0) throw new Error(`bad port ${port}`);
  if (warmupS > 0) await runWrk(warmupS);
  out({ phase: "measure" });
  const c0 = childrenCpuUs();
  const { stdout, wallUs } = await runWrk(measureS);
  const c1 = childrenCpuUs();
  const r = parse(stdout);
  if (r.reqPerS === null || r.requests === null) throw new Error(`no figures in wrk's report:\n${stdout}`);
  if (r.non2xx) throw new Error(`wrk saw ${r.non2xx} non-2xx/3xx responses`);
  if (r.socketErrors) throw new Error(`wrk: ${r.socketErrorText}`);
  finish(
    {
      result: {
        conns,
        requests: r.requests,
        seconds: r.seconds,
        reqPerS: r.reqPerS,
        clientCpuPct: ((c1 - c0) / wallUs) * 100,
        latencyAvgUs: r.latencyAvgUs,
        perConnMin: null,
        perConnMax: null,
        stalled: r.requests === 0 ? conns : 0,
      },
    },
    0,
  );
} catch (e) {
  fail(e.message);
}
