// Build: transpile every TypeScript module of src/, platform/, examples/, cli/ and
// bench/ to ES2022 JavaScript under dist/, one file per module (no bundling),
// so Node runs it and manifest.json can name the emitted modules for mcconfig.
//
//   node scripts/build.mjs                          dist/ only
//   node scripts/build.mjs --board B [key=value]    dist/, then the device build of boards/B with
//                                                   the Moddable SDK's mcconfig (scripts/device/esp.mjs);
//                                                   without $MODDABLE / $IDF_PATH it says what to install
import { build } from "esbuild";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dirs = ["src", "platform", "examples", "bench", "cli"];

function walk(dir, out) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (n.endsWith(".ts") && !n.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

const argv = process.argv.slice(2).filter((a) => a !== "--verbose");
const wantsDevice = argv.some((a) => a === "--board" || a.startsWith("--board="));
if (!wantsDevice && argv.length) {
  console.error(`build: unknown argument(s) ${argv.join(" ")}\nusage: npm run build [-- --board B [key=value...]]`);
  process.exit(2);
}
if (wantsDevice) {
  // a misspelt board fails before anything is built
  const { resolveBoard, parseOptions, DeviceError } = await import("./device/boards.mjs");
  try {
    resolveBoard(parseOptions(argv).opts.board);
  } catch (e) {
    if (!(e instanceof DeviceError)) throw e;
    console.error(`lwsx build: ${e.message}`);
    process.exit(e.exitCode);
  }
}

const entryPoints = dirs.flatMap((d) => walk(join(root, d), []));
await build({
  entryPoints,
  outdir: join(root, "dist"),
  outbase: root,
  format: "esm",
  target: "es2022",
  platform: "neutral",
  bundle: false,
  sourcemap: false,
  logLevel: "warning",
});
if (process.argv.includes("--verbose")) console.error(`built ${entryPoints.length} modules: ${entryPoints.map((e) => relative(root, e)).join(" ")}`);
if (wantsDevice) {
  const { device } = await import("./device/esp.mjs");
  process.exit(await device("build", argv));
}
