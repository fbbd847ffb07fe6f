#!/usr/bin/env node
// The figures behind manifest.json's `creation` sizes, measured inside the XS
// engine (the device's engine, on this host): `node scripts/device/xs-figures.mjs`
// (add --json for one JSON object). See README.md, "The device".
//
//   engine     the heap of an empty program (the baseline)
//   modules    what loading the device's modules makes (slots: functions,
//              classes, tables; chunks include byte code, in flash on a device)
//   inRam      the part of it the device still makes at boot: the modules
//              manifest.json does not preload (the app's; the preloaded
//              ones, src/ and the adapter, are made at build time, in flash)
//   app        the demo app as main-moddable runs it, over the stand-in SDK:
//              at rest after the boot self-test, the live peak of a WebSocket
//              handshake and a request, and busy with 8 idle HTTP keep-alive +
//              8 WebSocket connections
//   stack      the JS stack (slots) the app's call chains need: the smallest
//              stack the app and its self-test run in, less the smallest the
//              same bundle merely loads in (a bundle is one script whose
//              top-level bindings all sit in one stack frame; on the device
//              each module has its own, and callbacks start on an empty stack)
//
// Device estimates count 16 bytes a slot (ESP32; 32 on this host). Chunk
// bytes are this host's (64-bit), an upper bound for the device's.

import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { ensureXsHost } from "../xs-engine.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = path.join(ROOT, "build", "xs", "device-figures");
const SLOT = 16;

/** bundle a probe (no tree shaking: a device loads whole modules) and run it in the XS host */
async function probe(name, { args = [], stack = 4096, rebuild = true } = {}) {
  const outfile = path.join(OUT, `${name}.js`);
  if (rebuild || !fs.existsSync(outfile)) await esbuild.build({
    entryPoints: [path.join(ROOT, "scripts", "device", "xs-probe", `${name}.ts`)],
    bundle: true,
    treeShaking: false,
    format: "iife",
    target: "es2022",
    platform: "neutral",
    outfile,
    logLevel: "silent",
  });
  const host = await ensureXsHost();
  return new Promise((resolve) => {
    const child = spawn(host, ["-s", String(stack), outfile, ...(args.length ? ["--", ...args.map(String)] : [])], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      const line = out.split("\n").filter((l) => l.startsWith("{")).pop();
      resolve(code === 0 && line ? JSON.parse(line) : { error: (err || out).trim().split("\n").slice(0, 3).join(" ") || `exit ${code}` });
    });
  });
}

const device = (h) => h.slots * SLOT + h.chunks;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

export async function measure() {
  const engine = await probe("empty");
  const modules = await probe("modules");
  const preloaded = await probe("preloaded");
  const app = await probe("app", { args: [8, 8] });
  for (const r of [engine, modules, preloaded, app]) if (r.error) throw new Error(`XS probe failed: ${r.error}`);
  // the smallest stack (to 4 slots) a probe runs in
  const smallest = async (args) => {
    let lo = 64, hi = 8192;
    if ((await probe("app", { args, stack: hi })).error) throw new Error(`the app probe fails even with a stack of ${hi} slots`);
    while (hi - lo > 4) {
      const mid = (lo + hi) >> 1;
      if ((await probe("app", { args, stack: mid, rebuild: false })).error) lo = mid;
      else hi = mid;
    }
    return hi;
  };
  const loads = await smallest(["load"]);
  const runs = await smallest([2, 2]);
  const d = (a, b) => ({ slots: a.slots - b.slots, chunks: a.chunks - b.chunks });
  return {
    modules: d(modules.heap, engine.heap),
    inRam: d(modules.heap, preloaded.heap),
    atRest: d(app.atRest, app.before),
    handshakePeak: d(app.peak, app.atRest),
    busy16: d(app.busy, app.atRest),
    stack: { loads, runs, chain: runs - loads },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const f = await measure();
  if (process.argv.includes("--json")) console.log(JSON.stringify(f));
  else {
    const rows = [
      ["loading the device's modules", f.modules],
      ["  of which not preloaded (made in RAM)", f.inRam],
      ["the app at rest, after its self-test", f.atRest],
      ["live peak of a WS handshake + a request", f.handshakePeak],
      ["8 idle HTTP + 8 WebSocket connections", f.busy16],
    ];
    console.log("figure                                      slots   device slot bytes   chunk bytes (host)");
    for (const [name, h] of rows) console.log(`${name.padEnd(42)} ${String(h.slots).padStart(6)}   ${kb(h.slots * SLOT).padStart(17)}   ${kb(h.chunks).padStart(18)}`);
    console.log(`JS stack the app's call chains need: ${f.stack.chain} slots (${kb(f.stack.chain * SLOT)} on the device; runs in ${f.stack.runs}, its bundle loads in ${f.stack.loads})`);
  }
}
