// The bench side of an HTTP load run: the load generator in a process of its
// own against http://host:port/path, the server's CPU sampled as the measured
// window opens and closes, and what the generator counted.
//
// The generator is wrk (one thread) when it is installed (Debian:
// `apt-get install wrk`), else the lean node:net client of
// lib/http-load-client.mjs; BENCH_HTTP_LOAD=wrk|node forces one.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Child } from "./proc.mjs";
import { measureClient } from "./load.mjs";

const NODE_CLIENT = fileURLToPath(new URL("./http-load-client.mjs", import.meta.url));
const WRK_RUNNER = fileURLToPath(new URL("./http-load-wrk.mjs", import.meta.url));

/**
 * The load generator to use.
 * @returns {{kind: "wrk" | "node", name: string}}
 */
export function pickLoadTool() {
  const want = (process.env.BENCH_HTTP_LOAD ?? "").trim();
  if (want && want !== "wrk" && want !== "node") throw new Error(`BENCH_HTTP_LOAD must be 'wrk' or 'node', not '${want}'`);
  if (want !== "node") {
    const r = spawnSync("wrk", ["--version"], { encoding: "utf8", timeout: 5000 });
    // wrk --version prints its banner and exits 1
    const banner = `${r.stdout ?? ""}${r.stderr ?? ""}`.match(/wrk\s+\S+/)?.[0];
    if (!r.error && banner) return { kind: "wrk", name: `${banner} (-t1, one thread)` };
    if (want === "wrk") throw new Error("BENCH_HTTP_LOAD=wrk but wrk is not installed (apt-get install wrk)");
  }
  return { kind: "node", name: "lwsx node:net keep-alive client (bench/lib/http-load-client.mjs, pipelining depth 1)" };
}

/**
 * @param {{tool: {kind: string}, host: string, port: number, path?: string, conns: number, warmupMs: number, measureMs: number,
 *          server?: import("./proc.mjs").Child, label?: string}} o
 * @returns {Promise<{reqPerS: number, requests: number, seconds: number, clientCpuPct: number, serverCpuPct: number | null,
 *          machineBusyPct: number | null, perConnMin: number | null, perConnMax: number | null, stalled: number, latencyAvgUs?: number | null}>}
 */
export async function runHttpLoad(o) {
  const { tool, host, port, path = "/", conns, warmupMs, measureMs, server } = o;
  const label = o.label ?? `load c${conns}`;
  let client;
  if (tool.kind === "wrk") {
    // wrk takes whole seconds; no warm-up asked: none
    const warmupS = warmupMs > 0 ? Math.max(1, Math.round(warmupMs / 1000)) : 0;
    const measureS = Math.max(1, Math.round(measureMs / 1000));
    client = new Child(label, WRK_RUNNER, [JSON.stringify({ wrk: "wrk", host, port, path, conns, warmupS, measureS })]);
  } else {
    client = new Child(label, NODE_CLIENT, [JSON.stringify({ host, port, path, conns, warmupMs, measureMs })]);
  }
  return measureClient(client, label, warmupMs, measureMs, server);
}
