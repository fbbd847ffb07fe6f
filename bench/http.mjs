// The http benchmark: HTTP/1.1 requests per second, keep-alive, one request
// in flight per connection (no pipelining), with 1 and 50 connections, lwsx
// (servers/lwsx-http.mjs: a protocols[0] callback answering LWS_CALLBACK_HTTP,
// on the Node platform) against Node's own `http` server
// (servers/node-http.mjs), both answering GET / with the same 13-byte text
// response ("hello, world\n", content-type text/plain, content-length). Each
// server runs in its own process, the load generator in a third (wrk with
// one thread when installed, else lib/http-load-client.mjs; see
// lib/http-load.mjs); both servers are measured in the same run with the same
// generator, alternating, on loopback only. Before any load, one request to
// each server checks the answer (status, type, length, body).
//
// Tunables (environment): BENCH_WARMUP_MS (wrk: 1000, only before the first
// round of each case, the servers stay hot; node client: 750, every case),
// BENCH_MEASURE_MS (wrk: 2000, whole seconds; node client: 1500),
// BENCH_ROUNDS (4; each round measures every server
// once, order alternating; a figure is the best round), BENCH_HTTP_LOAD
// (wrk|node: force a generator), BENCH_LWSX_NODE_ARGS / BENCH_PEER_NODE_ARGS
// (extra node flags for the server children, e.g. "--cpu-prof
// --cpu-prof-dir=/tmp/prof").

import net from "node:net";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { Child, stopAll } from "./lib/proc.mjs";
import { pickLoadTool, runHttpLoad } from "./lib/http-load.mjs";
import { makeFigure, fmt, othersWarning } from "./lib/report.mjs";

export const title = "http: HTTP/1.1 requests/s, GET / -> 13-byte text/plain, keep-alive, one request in flight per connection, loopback (lwsx vs node:http)";
/** the whole benchmark stays under a minute (run.mjs stops it past this) */
export const timeoutMs = 60000;

const HOST = "127.0.0.1";
const PATH = "/";
const BODY = "hello, world\n";
const CONNS = [1, 50];
const NCPU = cpus().length;

const envInt = (name, dflt) => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : dflt;
};
const envArgs = (name) => (process.env[name] ?? "").split(/\s+/).filter(Boolean);

const SUBJECT = "lwsx";
const PEER = "node-http";
const SERVERS = [
  { key: PEER, script: "./servers/node-http.mjs", nodeArgs: envArgs("BENCH_PEER_NODE_ARGS") },
  { key: SUBJECT, script: "./servers/lwsx-http.mjs", nodeArgs: envArgs("BENCH_LWSX_NODE_ARGS") },
];

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
 * One keep-alive request over a plain socket; the answer must be 200,
 * text/plain, Content-Length 13, the body, and the connection kept.
 * @returns {Promise<{bytes: number, headBytes: number, head: string}>}
 */
function probe(s) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: HOST, port: s.port });
    let got = Buffer.alloc(0);
    const done = (err, v) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(new Error(`${s.key} answered wrongly: ${err}`));
      else resolve(v);
    };
    const timer = setTimeout(() => done("no complete answer within 5 s"), 5000);
    sock.on("connect", () => sock.write(`GET ${PATH} HTTP/1.1\r\nHost: ${HOST}:${s.port}\r\n\r\n`));
    sock.on("error", (e) => done(e.message));
    sock.on("end", () => done("the connection was closed after one request"));
    sock.on("data", (d) => {
      got = Buffer.concat([got, d]);
      const end = got.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = got.subarray(0, end).toString("latin1");
      const headBytes = end + 4;
      if (got.length < headBytes + BODY.length) return;
      const lines = head.split("\r\n");
      const fields = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
      if (!/^HTTP\/1\.1 200 /.test(lines[0])) return done(`status line '${lines[0]}'`);
      if (fields.get("content-type") !== "text/plain") return done(`content-type '${fields.get("content-type")}'`);
      if (fields.get("content-length") !== String(BODY.length)) return done(`content-length '${fields.get("content-length")}'`);
      if (/close/i.test(fields.get("connection") ?? "")) return done("connection: close");
      const body = got.subarray(headBytes).toString("latin1");
      if (body !== BODY) return done(`body ${JSON.stringify(body)}`);
      done(null, { bytes: headBytes + BODY.length, headBytes, head });
    });
  });
}


/**
 * @param {{log: (s: string) => void}} ctx
 * @returns {Promise<{figures: object[], notes: string[], errors: string[]}>}
 */
export async function run({ log }) {
  const tool = pickLoadTool();
  // the node client warms up in every case (a new process each time): shorter cases keep the whole run under a minute
  const warmupMs = envInt("BENCH_WARMUP_MS", tool.kind === "wrk" ? 1000 : 750);
  const measureMs = envInt("BENCH_MEASURE_MS", tool.kind === "wrk" ? 2000 : 1500);
  const rounds = envInt("BENCH_ROUNDS", 4);
  const notes = [];
  const errors = [];
  /** results[key][conns] = list of runs */
  const results = {};
  const probes = {};
  try {
    const servers = await Promise.all(SERVERS.map(startServer));
    for (const s of servers) probes[s.key] = await probe(s);
    log(
      `http: servers up (${servers.map((s) => `${s.key} :${s.port} pid ${s.child.proc.pid}, ${probes[s.key].bytes}-byte answer`).join("; ")}); ` +
        `load: ${tool.name}; ${rounds} round(s) of ${measureMs} ms per case` +
        (tool.kind === "wrk" ? `, ${warmupMs} ms warm-up before the first` : `, each after ${warmupMs} ms warm-up`),
    );
    for (const conns of CONNS) {
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 ? [...servers].reverse() : servers;
        for (const s of order) {
          // wrk is native and the servers stay up: warm each case up once;
          // the node client is a new process each time: it warms up every time
          const warm = tool.kind === "wrk" && round > 0 ? 0 : warmupMs;
          const r = await runHttpLoad({ tool, host: HOST, port: s.port, path: PATH, conns, warmupMs: warm, measureMs, server: s.child, label: `load c${conns} -> ${s.key}` });
          r.othersPct = r.machineBusyPct === null || r.serverCpuPct === null ? null : Math.max(0, r.machineBusyPct * NCPU - r.clientCpuPct - r.serverCpuPct);
          ((results[s.key] ??= {})[conns] ??= []).push(r);
          log(
            `http: ${s.key.padEnd(9)} c${String(conns).padEnd(2)} round ${round + 1}: ${fmt(r.reqPerS)} req/s, ` +
              `load cpu ${fmt(r.clientCpuPct, 1)}%, server cpu ${r.serverCpuPct === null ? "?" : fmt(r.serverCpuPct, 1)}%` +
              (r.latencyAvgUs ? `, latency avg ${fmt(r.latencyAvgUs)} us` : "") +
              (conns > 1 && r.perConnMin !== null ? `, per conn ${fmt(r.perConnMin)}..${fmt(r.perConnMax)}` : "") +
              (r.othersPct === null ? "" : `, other processes ${fmt(r.othersPct, 1)}%`),
          );
          if (r.stalled) errors.push(`${s.key} c${conns}: ${r.stalled} connection(s) got no answer while measured`);
        }
      }
    }
  } finally {
    await stopAll();
  }

  const best = (key, conns) => results[key][conns].reduce((a, r) => (r.reqPerS > a.reqPerS ? r : a));
  const chosen = CONNS.flatMap((conns) => [best(SUBJECT, conns), best(PEER, conns)]);
  const warning = othersWarning(chosen);
  if (warning) notes.push(warning);
  const figures = [];
  const cpuFigs = [];
  const r1 = (v) => Math.round(v * 10) / 10;
  for (const conns of CONNS) {
    const a = best(SUBJECT, conns);
    const p = best(PEER, conns);
    figures.push(makeFigure("http", `http_req_per_s_c${conns}`, Math.round(a.reqPerS), "1/s", { peer: PEER, value: Math.round(p.reqPerS) }));
    cpuFigs.push({ ...makeFigure("http", `client_cpu_pct_c${conns}`, r1(a.clientCpuPct), "%", { peer: PEER, value: r1(p.clientCpuPct) }), load: tool.kind });
    if (a.serverCpuPct !== null && p.serverCpuPct !== null) {
      cpuFigs.push(makeFigure("http", `server_cpu_pct_c${conns}`, r1(a.serverCpuPct), "%", { peer: PEER, value: r1(p.serverCpuPct) }));
      // the server's CPU per answer: what the rate would be with a core to itself (lower is better)
      const us = (x) => Math.round(((x.serverCpuPct / 100) * 1e6 * 100) / x.reqPerS) / 100;
      cpuFigs.push(makeFigure("http", `server_cpu_us_per_req_c${conns}`, us(a), "us", { peer: PEER, value: us(p) }));
    }
    for (const [key, x] of [[SUBJECT, a], [PEER, p]]) {
      if (x.clientCpuPct >= 90 && (x.serverCpuPct === null || x.clientCpuPct >= x.serverCpuPct - 5)) {
        notes.push(`warning: the load generator used ${fmt(x.clientCpuPct, 1)}% of a core against ${key} at c${conns}: that figure may be load-bound`);
      }
    }
  }
  figures.push(...cpuFigs);
  notes.unshift(
    `value = ${SUBJECT}, peer = ${PEER} (node:http); best of ${rounds} alternating round(s) of ${measureMs} ms` + (tool.kind === "wrk" ? ` (${warmupMs} ms warm-up per case before the first)` : `, each after ${warmupMs} ms warm-up`),
    `load generator: ${tool.name}; client = its CPU, server = the server process's, in % of one core (this machine has ${NCPU}) in the measured window; server_cpu_us_per_req: lower is better`,
    `answer on the wire: ${SUBJECT} ${probes[SUBJECT].bytes} bytes (${probes[SUBJECT].head.split("\r\n").slice(1).map((l) => l.slice(0, l.indexOf(":"))).join(", ")}), ` +
      `${PEER} ${probes[PEER].bytes} bytes (${probes[PEER].head.split("\r\n").slice(1).map((l) => l.slice(0, l.indexOf(":"))).join(", ")})`,
  );
  return { figures, notes, errors };
}
