// `npm run bench -- xs`: figures measured inside the XS engine (the device's
// engine, on this host), against the budget in the README: heap per idle
// raw / HTTP / WebSocket connection (device estimate: slots x 16 + chunk
// bytes), transient heap of a WebSocket handshake, engine computation per
// echoed 64-byte message (deterministic byte-code counts), and the size of
// the bundled core and roles.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { runInXs } from "../scripts/xs-test.mjs";
import xsRaw from "../scripts/xs-bench.mjs";
import { makeFigure } from "./lib/report.mjs";

export const title = "xs: the XS engine's costs (sim platform, device estimates), against the README's budget";
export const timeoutMs = 240000;

const BUDGET = { wsIdle: 1024, handshake: 6 * 1024, bundle: 100 * 1024 };

export async function run({ log }) {
  const figures = [];
  const notes = [];
  log("xs: raw connections");
  for (const f of await xsRaw()) figures.push({ ...f, bench: "xs" });
  log("xs: HTTP and WebSocket connections");
  const out = await runInXs("bench/xs/idle-http-ws.ts", { args: ["100"], hostArgs: ["-s", "4096"] });
  const line = out.trim().split("\n").filter((l) => l.startsWith("{")).pop();
  if (!line) throw new Error(`no figures from XS:\n${out}`);
  const r = JSON.parse(line);
  figures.push(
    makeFigure("xs", "xs_heap_bytes_per_idle_http_conn_esp32_est", r.httpDeviceBytesPerConn, "B"),
    makeFigure("xs", "xs_heap_bytes_per_idle_ws_conn_esp32_est", r.wsDeviceBytesPerConn, "B"),
    makeFigure("xs", "xs_heap_bytes_allocated_ws_handshake_esp32_est", r.handshakeDeviceBytes, "B"),
    makeFigure("xs", "xs_bytecodes_per_ws_echo_64B", Math.round(r.bytecodesPerWsEcho64), "ops"),
  );
  log("xs: bundle size");
  const res = await build({
    entryPoints: [fileURLToPath(new URL("../src/index.ts", import.meta.url))],
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    platform: "neutral",
    write: false,
  });
  const size = res.outputFiles[0].contents.length;
  figures.push(makeFigure("xs", "bundle_bytes_src_minified", size, "B"));
  const over = [];
  if (r.wsDeviceBytesPerConn > BUDGET.wsIdle) over.push(`idle WebSocket connection ${r.wsDeviceBytesPerConn} B > ${BUDGET.wsIdle} B`);
  if (r.handshakeDeviceBytes > BUDGET.handshake) over.push(`handshake ${r.handshakeDeviceBytes} B > ${BUDGET.handshake} B`);
  if (size > BUDGET.bundle) over.push(`bundle ${size} B > ${BUDGET.bundle} B`);
  notes.push(
    "device estimates: XS slots x 16 bytes (ESP32) + chunk bytes, what the demo adds beyond the sim network's own endpoints",
    "handshake: heap growth from before the upgrade request to its 101, garbage included (no collection in between): what one handshake allocates",
    `budget (README): idle WebSocket connection <= ${BUDGET.wsIdle} B, handshake <= ${BUDGET.handshake} B, bundled code <= ${BUDGET.bundle} B` + (over.length ? `; over: ${over.join("; ")}` : "; all within"),
  );
  return { figures, notes };
}
