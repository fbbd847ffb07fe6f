// What the load client processes share (load-client.mjs, http-load-client.mjs,
// ws-load-client.mjs): JSON lines to the bench on stdout, their sockets, one
// way to end (a result or an error: sockets destroyed, then exit), and the
// measured window with its per-connection spread.

import { cpuSnapshot, cpuPct } from "./cpu.mjs";

/** the process side of a load client; a bad port fails at once */
export function loadClientProcess(port) {
  const socks = [];
  let finished = false;
  const out = (obj, then) => process.stdout.write(JSON.stringify(obj) + "\n", then);
  const finish = (obj, code) => {
    if (finished) return;
    finished = true;
    for (const s of socks) s.destroy();
    out(obj, () => process.exit(code));
  };
  const fail = (msg) => finish({ error: msg }, 1);
  if (!Number.isInteger(port) || port <= 0) fail(`bad port ${port}`);
  /** connection `i` of the run: destroyed at the end; its errors, and the server closing it, fail the run */
  const track = (s, i, onConnect) => {
    socks.push(s);
    s.on("connect", onConnect);
    s.on("error", (e) => fail(`connection ${i}: ${e.code ?? e.message}`));
    s.on("end", () => {
      if (!finished) fail(`connection ${i}: server closed`);
    });
  };
  return { socks, out, finish, fail, track, isFinished: () => finished };
}

/**
 * `warmupMs` of load, then `measureMs` measured between two snapshots
 * (`snapshot()` gives {total, per: counts per connection, ...}; the CPU is
 * added); `done(stats, a, b)` gets the count, the seconds, the client's CPU
 * and the per-connection spread of the window.
 */
export function measureWindow({ warmupMs, measureMs, out, snapshot, done }) {
  setTimeout(() => {
    const a = { ...snapshot(), cpu: cpuSnapshot() };
    out({ phase: "measure" });
    setTimeout(() => {
      const b = { ...snapshot(), cpu: cpuSnapshot() };
      let min = Infinity;
      let max = 0;
      let stalled = 0;
      for (let i = 0; i < b.per.length; i++) {
        const d = b.per[i] - a.per[i];
        if (d < min) min = d;
        if (d > max) max = d;
        if (d === 0) stalled++;
      }
      const stats = { count: b.total - a.total, seconds: (b.cpu.wallUs - a.cpu.wallUs) / 1e6, clientCpuPct: cpuPct(a.cpu, b.cpu), perConnMin: min, perConnMax: max, stalled };
      done(stats, a, b);
    }, measureMs);
  }, warmupMs);
}
