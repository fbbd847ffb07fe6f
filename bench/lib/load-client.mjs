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
import { loadClientProcess, measureWindow } from "./client-proc.mjs";

const cfg = JSON.parse(process.argv[2] ?? "{}");
const { host = "127.0.0.1", port, conns = 1, size = 64, warmupMs = 1000, measureMs = 3000 } = cfg;

const { socks, out, finish, fail, track } = loadClientProcess(port);

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
  track(s, i, () => {
    if (++connected === conns) start();
  });
}

function start() {
  running = true;
  for (const s of socks) s.write(msg);
  measureWindow({
    warmupMs,
    measureMs,
    out,
    snapshot: () => ({ total, per: perConn.slice() }),
    done(w) {
      running = false;
      const { count: rts, seconds } = w;
      finish({ result: { conns, size, roundTrips: rts, seconds, rtPerS: rts / seconds, clientCpuPct: w.clientCpuPct, perConnMin: w.perConnMin, perConnMax: w.perConnMax, stalled: w.stalled } }, 0);
    },
  });
}

for (let i = 0; i < conns; i++) open(i);
