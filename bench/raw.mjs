// The raw benchmark: echo round trips per second, 64-byte messages, one in
// flight per connection, with 1 and 50 connections, lwsx (the demo app's raw
// echo on the Node platform) against a plain node:net echo server. Each server
// runs in its own process, the load client in a third; both servers are
// measured in the same run with the same client, alternating, each case after
// a warm-up, on loopback only.
//
// Tunables (environment): BENCH_WARMUP_MS (1000), BENCH_MEASURE_MS (1500),
// BENCH_ROUNDS (3; each round measures every server once, order alternating;
// a figure is the best round),
// BENCH_LWSX_NODE_ARGS / BENCH_PEER_NODE_ARGS (extra node flags for the server
// children, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").

import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { Child, stopAll } from "./lib/proc.mjs";
import { runLoad } from "./lib/load.mjs";
import { makeFigure, fmt, othersWarning } from "./lib/report.mjs";

export const title = "raw: TCP echo round trips, 64 B, one message in flight per connection, loopback (lwsx vs node:net)";
/** safety net for the whole benchmark (run.mjs kills everything past it) */
export const timeoutMs = 120000;

const HOST = "127.0.0.1";
const SIZE = 64;
const CONNS = [1, 50];
const NCPU = cpus().length;

const envInt = (name, dflt) => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : dflt;
};
const envArgs = (name) => (process.env[name] ?? "").split(/\s+/).filter(Boolean);

const SERVERS = [
  { key: "node-net", script: "./servers/net-echo.mjs", nodeArgs: envArgs("BENCH_PEER_NODE_ARGS") },
  { key: "lwsx", script: "./servers/lwsx-raw-echo.mjs", nodeArgs: envArgs("BENCH_LWSX_NODE_ARGS") },
];
const SUBJECT = "lwsx";
const PEER = "node-net";

async function startServer(s) {
  const child = new Child(`${s.key} server`, fileURLToPath(new URL(s.script, import.meta.url)), [], {
    env: { HOST, PORT: "0" },
    nodeArgs: s.nodeArgs,
  });
  const m = await child.next((x) => x.ready, 15000, "listening port");
  if (!Number.isInteger(m.port) || m.port <= 0) throw new Error(`${s.key} server announced no port: ${JSON.stringify(m)}`);
  return { ...s, child, port: m.port };
}


/**
 * @param {{log: (s: string) => void}} ctx
 * @returns {Promise<{figures: object[], notes: string[], errors: string[]}>}
 */
export async function run({ log }) {
  const warmupMs = envInt("BENCH_WARMUP_MS", 1000);
  const measureMs = envInt("BENCH_MEASURE_MS", 1500);
  const rounds = envInt("BENCH_ROUNDS", 3);
  const notes = [];
  const errors = [];
  /** results[key][conns] = list of runs */
  const results = {};
  try {
    const servers = await Promise.all(SERVERS.map(startServer));
    log(`raw: servers up (${servers.map((s) => `${s.key} :${s.port} pid ${s.child.proc.pid}`).join(", ")}); ` + `${rounds} round(s) of ${warmupMs} ms warm-up + ${measureMs} ms per case`);
    for (const conns of CONNS) {
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 ? [...servers].reverse() : servers;
        for (const s of order) {
          const r = await runLoad({ host: HOST, port: s.port, conns, size: SIZE, warmupMs, measureMs, server: s.child, label: `load c${conns} -> ${s.key}` });
          // CPU the rest of the machine used meanwhile (% of one core): others' load makes figures noisy
          r.othersPct = r.machineBusyPct === null || r.serverCpuPct === null ? null : Math.max(0, (r.machineBusyPct * NCPU) - r.clientCpuPct - r.serverCpuPct);
          ((results[s.key] ??= {})[conns] ??= []).push(r);
          log(
            `raw: ${s.key.padEnd(8)} c${String(conns).padEnd(2)} round ${round + 1}: ${fmt(r.rtPerS)} rt/s, ` +
              `client cpu ${fmt(r.clientCpuPct, 1)}%, server cpu ${r.serverCpuPct === null ? "?" : fmt(r.serverCpuPct, 1)}%` +
              (conns > 1 ? `, per conn ${fmt(r.perConnMin)}..${fmt(r.perConnMax)}` : "") +
              (r.othersPct === null ? "" : `, other processes ${fmt(r.othersPct, 1)}%`),
          );
          if (r.stalled) errors.push(`${s.key} c${conns}: ${r.stalled} connection(s) made no round trip while measured`);
        }
      }
    }
  } finally {
    await stopAll();
  }

  // per server and connection count: the best round (the one least disturbed
  // by anything else on the machine), CPU figures from that same round
  const best = (key, conns) => results[key][conns].reduce((a, r) => (r.rtPerS > a.rtPerS ? r : a));
  const chosen = CONNS.flatMap((conns) => [best(SUBJECT, conns), best(PEER, conns)]);
  const warning = othersWarning(chosen);
  if (warning) notes.push(warning);
  const figures = [];
  const cpuFigs = [];
  for (const conns of CONNS) {
    const a = best(SUBJECT, conns);
    const p = best(PEER, conns);
    figures.push(makeFigure("raw", `echo_rt_per_s_c${conns}_${SIZE}B`, Math.round(a.rtPerS), "1/s", { peer: PEER, value: Math.round(p.rtPerS) }));
    const r1 = (v) => Math.round(v * 10) / 10;
    cpuFigs.push(makeFigure("raw", `client_cpu_pct_c${conns}`, r1(a.clientCpuPct), "%", { peer: PEER, value: r1(p.clientCpuPct) }));
    if (a.serverCpuPct !== null && p.serverCpuPct !== null) cpuFigs.push(makeFigure("raw", `server_cpu_pct_c${conns}`, r1(a.serverCpuPct), "%", { peer: PEER, value: r1(p.serverCpuPct) }));
    for (const [key, x] of [[SUBJECT, a], [PEER, p]]) {
      // saturated, and at least as busy as the server it loads
      if (x.clientCpuPct >= 90 && (x.serverCpuPct === null || x.clientCpuPct >= x.serverCpuPct - 5)) {
        notes.push(`warning: the load client used ${fmt(x.clientCpuPct, 1)}% of a core against ${key} at c${conns}: that figure may be client-bound`);
      }
    }
  }
  figures.push(...cpuFigs);
  notes.unshift(
    `value = ${SUBJECT}, peer = ${PEER} (plain node:net echo); best of ${rounds} alternating round(s) of ${measureMs} ms, each after ${warmupMs} ms warm-up`,
    `cpu = % of one core (this machine has ${NCPU}) in the measured window; client = the load client's own process`,
  );

  try {
    figures.push(...(await xsFigures()));
  } catch (e) {
    errors.push(`xs figures: ${e.message}`);
  }
  return { figures, notes, errors };
}

// ----------------------------------------------------------------- XS hook
// The XS figure ("XS heap per idle raw connection") comes from the lead's
// scripts/xs-bench.mjs: its default export returns an array of figure objects
// in the same form as above ({bench, figure, value, unit, ...}); they are
// printed with the raw figures. When that script does not exist this hook
// yields nothing, silently.
export async function xsFigures() {
  const url = new URL("../scripts/xs-bench.mjs", import.meta.url);
  if (!existsSync(fileURLToPath(url))) return [];
  const mod = await import(url.href);
  if (typeof mod.default !== "function") throw new Error("scripts/xs-bench.mjs has no default export function");
  const figs = await mod.default();
  if (!Array.isArray(figs)) throw new Error("scripts/xs-bench.mjs returned no array of figures");
  return figs.map((f) => ({ bench: "raw", ...f }));
}
