// Build: transpile every TypeScript module of src/, platform/, examples/ and
// bench/ to ES2022 JavaScript under dist/, one file per module (no bundling),
// so Node runs it and manifest.json can name the emitted modules for mcconfig.
import { build } from "esbuild";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dirs = ["src", "platform", "examples", "bench"];

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
