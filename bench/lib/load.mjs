// The bench side of a load run: start the load client (lib/load-client.mjs)
// in its own process against host:port, sample the server's CPU as the
// measured window opens and closes, and return what the client counted.

import { fileURLToPath } from "node:url";
import { Child } from "./proc.mjs";
import { cpuPct, machineBusyPct, machineCpuSnapshot } from "./cpu.mjs";

const CLIENT = fileURLToPath(new URL("./load-client.mjs", import.meta.url));

/**
 * @param {{host: string, port: number, conns: number, size: number, warmupMs: number, measureMs: number,
 *          server?: import("./proc.mjs").Child, label?: string}} o
 * @returns {Promise<{rtPerS: number, roundTrips: number, seconds: number, clientCpuPct: number,
 *          serverCpuPct: number | null, machineBusyPct: number | null, perConnMin: number, perConnMax: number, stalled: number}>}
 */
export async function runLoad(o) {
  const { host, port, conns, size, warmupMs, measureMs, server } = o;
  const label = o.label ?? `load c${conns}`;
  const client = new Child(label, CLIENT, [JSON.stringify({ host, port, conns, size, warmupMs, measureMs })]);
  return measureClient(client, label, warmupMs, measureMs, server);
}

/**
 * Follow a load client child through its measured window ({"phase":"measure"},
 * then {"result"} or {"error"}), with the server's and the machine's CPU
 * sampled as the window opens and closes; the child is stopped either way.
 * @param {import("./proc.mjs").Child} client
 * @param {import("./proc.mjs").Child} [server]
 */
export async function measureClient(client, label, warmupMs, measureMs, server) {
  try {
    const m = await client.next((x) => x.phase === "measure" || x.error, warmupMs + 15000, "start of measurement");
    if (m.error) throw new Error(`${label}: ${m.error}`);
    const m0 = machineCpuSnapshot();
    const s0 = server ? await server.cpu() : null;
    const r = await client.next((x) => x.result || x.error, measureMs + 15000, "result");
    if (r.error) throw new Error(`${label}: ${r.error}`);
    const m1 = machineCpuSnapshot();
    const s1 = server ? await server.cpu() : null;
    return { ...r.result, serverCpuPct: s0 && s1 ? cpuPct(s0, s1) : null, machineBusyPct: machineBusyPct(m0, m1) };
  } finally {
    await client.stop();
  }
}
