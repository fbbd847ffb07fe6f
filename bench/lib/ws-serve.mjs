// The child side of a ws benchmark server: lib/serve.mjs's control channel
// (announce the port as one JSON line on stdout, answer "cpu", stop when stdin
// closes or on SIGTERM/SIGINT), extended with two commands for the memory
// figures:
//   "count" -> {"count":N}        WebSocket connections the server has open
//   "mem"   -> {"mem":{rss,heapUsed,heapTotal,external,arrayBuffers},"count":N}
//              after forced full GCs (the child must run with --expose-gc;
//              without it: {"memError":"..."})

import { out, serveControl } from "./serve.mjs";

const tick = () => new Promise((r) => setImmediate(r));

async function memReport(connections) {
  if (typeof globalThis.gc !== "function") return { memError: "no global gc(): start the server with --expose-gc" };
  // a few full collections with loop turns between them, so that weak
  // callbacks and finalizers of the first one are collected by the next
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await tick();
  }
  const m = process.memoryUsage();
  return {
    mem: { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers },
    count: connections(),
  };
}

/**
 * @param {{name: string, port: number, stop: () => void, connections: () => number, info?: object}} s
 *   info: extra fields for the ready line (e.g. {bufferutil: true})
 */
export function wsServeControl({ name, port, stop, connections, info = {} }) {
  serveControl({
    name,
    port,
    stop,
    info,
    commands: {
      count: () => out({ count: connections() }),
      mem: () => memReport(connections).then(out, (e) => out({ memError: String(e?.message ?? e) })),
    },
  });
}
