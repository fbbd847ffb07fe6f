// The load client (a child process of its own): N connections over node:net,
// each keeping exactly one message in flight (send SIZE bytes, wait until all
// SIZE bytes came back, send again), counting round trips. Lean on purpose:
// one shared immutable message buffer, reads straight into a per-connection
// buffer (net's `onread`, no 'data' events, no chunk allocation).
//
// argv[2]: JSON {host, port, conns, size, warmupMs, measureMs}
// stdout, JSON lines: {"phase":"measure"} when warm-up ends, then
// {"result":{...}} or {"error":"..."}; the process exits after either.

import net from "node:net";
import { cpuSnapshot, cpuPct } from "./cpu.mjs";

const cfg = JSON.parse(process.argv[2] ?? "{}");
const { host = "127.0.0.1", port, conns = 1, size = 64, warmupMs = 1000, measureMs = 3000 } = cfg;

function out(obj, then) {
  process.stdout.write(JSON.stringify(obj) + "\n", then);
}

const socks = [];
let finished = false;

function finish(obj, code) {
  if (finished) return;
  finished = true;
  for (const s of socks) s.destroy();
  out(obj, () => process.exit(code));
}

function fail(msg) {
  finish({ error: msg }, 1);
}

if (!Number.isInteger(port) || port <= 0) fail(`bad port ${port}`);

// a hard bound whatever happens: connecting + warm-up + measuring + slack
setTimeout(() => fail("load client deadline passed"), warmupMs + measureMs + 15000).unref();
// the bench went away: so do we
process.stdin.on("end", () => fail("stdin closed")).resume();

const msg = Buffer.alloc(size, 0x5a);
/** round trips per connection, total */
const perConn = new Array(conns).fill(0);
let total = 0;
let running = false;
let connected = 0;

function open(i) {
  let got = 0;
  const s = net.connect({
    host,
    port,
    noDelay: true,
    onread: {
      buffer: Buffer.allocUnsafe(Math.max(size, 4096)),
      callback(n) {
        got += n;
        if (got < size) return true;
        if (got > size) {
          fail(`connection ${i}: ${got} bytes back for one ${size}-byte message`);
          return false;
        }
        got = 0;
        perConn[i]++;
        total++;
        if (running) s.write(msg);
        return true;
      },
    },
  });
  socks.push(s);
  s.on("connect", () => {
    if (++connected === conns) start();
  });
  s.on("error", (e) => fail(`connection ${i}: ${e.code ?? e.message}`));
  s.on("end", () => {
    if (!finished) fail(`connection ${i}: server closed`);
  });
}

function start() {
  running = true;
  for (const s of socks) s.write(msg);
  setTimeout(() => {
    const a = { total, per: perConn.slice(), cpu: cpuSnapshot() };
    out({ phase: "measure" });
    setTimeout(() => {
      const b = { total, per: perConn.slice(), cpu: cpuSnapshot() };
      running = false;
      const seconds = (b.cpu.wallUs - a.cpu.wallUs) / 1e6;
      const rts = b.total - a.total;
      let min = Infinity;
      let max = 0;
      let stalled = 0;
      for (let i = 0; i < conns; i++) {
        const d = b.per[i] - a.per[i];
        if (d < min) min = d;
        if (d > max) max = d;
        if (d === 0) stalled++;
      }
      finish(
        {
          result: {
            conns,
            size,
            roundTrips: rts,
            seconds,
            rtPerS: rts / seconds,
            clientCpuPct: cpuPct(a.cpu, b.cpu),
            perConnMin: min,
            perConnMax: max,
            stalled,
          },
        },
        0,
      );
    }, measureMs);
  }, warmupMs);
}

for (let i = 0; i < conns; i++) open(i);
