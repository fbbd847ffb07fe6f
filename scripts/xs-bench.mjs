// XS figures for `npm run bench -- raw`: heap per idle raw connection and
// engine computation per echo round trip, measured inside the XS engine.
import { runInXs } from "./xs-test.mjs";

export default async function xsFigures({ connections = 200 } = {}) {
  const out = await runInXs("bench/xs/idle-raw.ts", { args: [String(connections)] });
  const line = out.trim().split("\n").filter((l) => l.startsWith("{")).pop();
  if (!line) throw new Error(`xs bench printed no figures:\n${out}`);
  const r = JSON.parse(line);
  const fig = (figure, value, unit) => ({ bench: "raw", figure, value: Math.round(value * 10) / 10, unit });
  return [
    fig("xs_heap_slots_per_idle_conn", r.lwsxSlotsPerConn, "slots"),
    fig("xs_heap_chunk_bytes_per_idle_conn", r.lwsxChunkBytesPerConn, "B"),
    fig("xs_heap_bytes_per_idle_conn_host", r.lwsxHostBytesPerConn, "B"),
    fig("xs_heap_bytes_per_idle_conn_esp32_est", r.lwsxDeviceBytesPerConn, "B"),
    fig("xs_bytecodes_per_echo_rt_64B", r.bytecodesPerRoundTrip, "ops"),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of await xsFigures()) console.log(JSON.stringify(f));
}
