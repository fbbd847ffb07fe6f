// The bench side of the ws benchmark's client runs (lib/ws-load-client.mjs,
// a process of its own each time): a load client measuring in windows,
// sampling the server's CPU as each measured window opens and closes; and a
// set of idle connections
// for the memory figures, measured through the server's control channel
// (lib/ws-serve.mjs: "count", "mem").

import { fileURLToPath } from "node:url";
import { Child } from "./proc.mjs";
import { cpuPct, machineBusyPct, machineCpuSnapshot } from "./cpu.mjs";

const CLIENT = fileURLToPath(new URL("./ws-load-client.mjs", import.meta.url));

/**
 * A load client connected to one server, measuring in windows on demand
 * (lib/ws-load-client.mjs mode "load"): its connections stay open and warm
 * between windows, so that windows on two servers can alternate closely.
 */
export class WsLoadClient {
  /**
   * @param {{host: string, port: number, conns: number, size: number, binary: boolean, pmd: boolean,
   *          server?: import("./proc.mjs").Child, label?: string}} o
   */
  constructor(o) {
    this.o = o;
    this.label = o.label ?? `ws load c${o.conns}`;
    const { host, port, conns, size, binary, pmd } = o;
    this.child = new Child(this.label, CLIENT, [JSON.stringify({ host, port, mode: "load", conns, size, binary, pmd })]);
  }

  /** connected, handshakes done, one echo per connection checked */
  async ready() {
    const m = await this.child.next((x) => x.phase === "ready" || x.error, 20000, "connections ready");
    if (m.error) throw new Error(`${this.label}: ${m.error}`);
    return m;
  }

  /** one window: warmMs of load, then measureMs measured, with the server's CPU sampled over the measured part */
  async run(warmMs, measureMs) {
    const { server } = this.o;
    this.child.send(`run ${warmMs} ${measureMs}`);
    const m = await this.child.next((x) => x.phase === "measure" || x.error, warmMs + 10000, "start of measurement");
    if (m.error) throw new Error(`${this.label}: ${m.error}`);
    const m0 = machineCpuSnapshot();
    const s0 = server ? await server.cpu() : null;
    const r = await this.child.next((x) => x.result || x.error, measureMs + 10000, "result");
    if (r.error) throw new Error(`${this.label}: ${r.error}`);
    const m1 = machineCpuSnapshot();
    const s1 = server ? await server.cpu() : null;
    return { ...r.result, serverCpuPct: s0 && s1 ? cpuPct(s0, s1) : null, machineBusyPct: machineBusyPct(m0, m1) };
  }

  stop() {
    return this.child.stop();
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** ask the server for its WebSocket connection count until pred holds (or fail after timeoutMs) */
export async function waitCount(server, pred, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    server.send("count");
    const { count } = await server.next((m) => m.count !== undefined && !m.mem, 5000, "connection count");
    if (pred(count)) return count;
    if (Date.now() > deadline) throw new Error(`${server.name}: ${what} (it has ${count} WebSocket connections)`);
    await sleep(50);
  }
}

/** the server's memory after forced GCs */
export async function serverMem(server) {
  server.send("mem");
  const m = await server.next((x) => x.mem || x.memError, 15000, "memory report");
  if (m.memError) throw new Error(`${server.name}: ${m.memError}`);
  return m;
}

/**
 * Open `conns` idle WebSocket connections to a server (`concurrency`
 * handshakes at a time) in a client process; resolves once all are open and
 * the server counts them. close() ends the client and waits until the server
 * has let them go.
 */
export async function openIdle({ host, port, conns, concurrency, server, label }) {
  const client = new Child(label ?? `ws idle c${conns}`, CLIENT, [JSON.stringify({ host, port, mode: "idle", conns, concurrency })]);
  try {
    const m = await client.next((x) => x.phase === "open" || x.error, 60000, `${conns} open connections`);
    if (m.error) throw new Error(`${client.name}: ${m.error}`);
    await waitCount(server, (n) => n >= conns, 10000, `does not count the ${conns} connections opened`);
    return {
      openMs: m.ms,
      async close() {
        await client.stop();
        await waitCount(server, (n) => n === 0, 10000, "kept connections the client closed");
      },
    };
  } catch (e) {
    await client.stop();
    throw e;
  }
}
