// `npm run bench -- xs`: figures measured inside the XS engine (the device's
// engine, on this host), against the budget in the README: heap per idle
// raw / HTTP / WebSocket connection (device estimate: slots x 16 + chunk
// bytes), transient heap of a WebSocket handshake, engine computation per
// echoed 64-byte message (deterministic byte-code counts), and the size of
// the bundled core and roles.
import { build } from "esbuild";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runInXs } from "../scripts/xs-test.mjs";
import xsRaw from "../scripts/xs-bench.mjs";
import { makeFigure } from "./lib/report.mjs";

export const title = "xs: the XS engine's costs (sim platform, device estimates), against the README's budget";
export const timeoutMs = 240000;

const BUDGET = { wsIdle: 1024, handshake: 6 * 1024, bundle: 100 * 1024 };
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** an entry exporting the names the demo app (examples/app) imports from src/index.ts */
function serverAppEntry() {
  const names = new Set();
  for (const f of ["examples/app/app.ts", "examples/app/ws-protocols.ts", "examples/app/selftest.ts"]) {
    const text = fs.readFileSync(path.join(ROOT, f), "utf8");
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"\.\.\/\.\.\/src\/index\.js"/g))
      for (const n of m[1].split(",").map((x) => x.trim()).filter(Boolean)) if (!n.startsWith("type ")) names.add(n);
  }
  if (!names.size) throw new Error("no imports of src/index.js found in examples/app");
  return { stdin: { contents: `export { ${[...names].join(", ")} } from "./src/index.ts";`, resolveDir: ROOT, loader: "ts", sourcefile: "server-app-entry.ts" } };
}

/** src/ modules whose exports go unused are left out: esbuild keeps a module with top-level code unless told it has no side effects */
const srcWithoutSideEffects = {
  name: "lwsx-src-side-effect-free",
  setup(b) {
    b.onResolve({ filter: /^\./ }, async (a) => {
      if (a.pluginData === "inner") return undefined;
      const r = await b.resolve(a.path, { resolveDir: a.resolveDir, kind: a.kind, importer: a.importer, pluginData: "inner" });
      if (r.errors.length) return undefined;
      return { path: r.path, sideEffects: !r.path.startsWith(path.join(ROOT, "src") + path.sep) };
    });
  },
};

async function bundleSize(entry, treeShakeSrc) {
  const res = await build({
    ...entry,
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    platform: "neutral",
    write: false,
    plugins: treeShakeSrc ? [srcWithoutSideEffects] : [],
  });
  return res.outputFiles[0].contents.length;
}

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
  const app = await bundleSize(serverAppEntry(), true);
  const full = await bundleSize({ entryPoints: [fileURLToPath(new URL("../src/index.ts", import.meta.url))] }, false);
  figures.push(
    makeFigure("xs", "bundle_bytes_server_app_minified", app, "B"),
    makeFigure("xs", "bundle_bytes_src_index_minified", full, "B"),
  );
  const size = app;
  const over = [];
  if (r.wsDeviceBytesPerConn > BUDGET.wsIdle) over.push(`idle WebSocket connection ${r.wsDeviceBytesPerConn} B > ${BUDGET.wsIdle} B`);
  if (r.handshakeDeviceBytes > BUDGET.handshake) over.push(`handshake ${r.handshakeDeviceBytes} B > ${BUDGET.handshake} B`);
  if (size > BUDGET.bundle) over.push(`bundle ${size} B > ${BUDGET.bundle} B`);
  notes.push(
    "device estimates: XS slots x 16 bytes (ESP32) + chunk bytes, what the demo adds beyond the sim network's own endpoints",
    "handshake: what one WebSocket handshake allocates, garbage included (no collection in between), from the connect to the 101 at the peer (accept and adoption included), minus the same for a bare sim server; the peer is made beforehand",
    "bundle_bytes_server_app: what the device app imports from src/index.ts (app.ts, ws-protocols.ts and the boot self-test: the core, the server roles and the raw client), bundled, minified and tree-shaken with src/ modules taken as free of side effects (the client roles register themselves with clientConnect when loaded; a server app does not load them); bundle_bytes_src_index: all of src/index.ts, client roles included (informational)",
    `budget (README): idle WebSocket connection <= ${BUDGET.wsIdle} B, handshake <= ${BUDGET.handshake} B, bundled code of a server app <= ${BUDGET.bundle} B` + (over.length ? `; over: ${over.join("; ")}` : "; all within"),
  );
  return { figures, notes };
}
