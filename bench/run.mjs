// `npm run bench [-- NAME...] [--json]`: run the named benchmarks (default:
// all registered), print a table per benchmark, or with --json exactly one
// JSON object per figure per line:
//   {"bench":"raw","figure":"echo_rt_per_s_c50_64B","value":N,"unit":"1/s","peer":"node-net","peerValue":N,"ratio":N}
// Progress goes to stderr. Exit: 0 ok, 1 a benchmark failed, 2 usage.
//
// A benchmark is a module exporting `title`, optional `timeoutMs`, and
// `async run({log, json})` returning {figures, notes?, errors?}.

import { figureJson, figureTable } from "./lib/report.mjs";
import { stopAll } from "./lib/proc.mjs";

/** known benchmarks: name -> module (one line each) */
const BENCHES = {
  raw: "./raw.mjs",
  http: "./http.mjs",
  ws: "./ws.mjs",
  xs: "./xs.mjs",
};

const USAGE = `usage: npm run bench [-- NAME...] [--json]
  NAME    one of: ${Object.keys(BENCHES).join(", ")} (default: all)
  --json  one JSON object per figure per line on stdout, instead of tables`;

const argv = process.argv.slice(2);
let json = false;
const names = [];
for (const a of argv) {
  if (a === "--json") json = true;
  else if (a === "-h" || a === "--help") {
    console.log(USAGE);
    process.exit(0);
  } else if (a.startsWith("-")) {
    console.error(`lwsx bench: unknown option '${a}'\n${USAGE}`);
    process.exit(2);
  } else if (!Object.hasOwn(BENCHES, a)) {
    console.error(`lwsx bench: unknown benchmark '${a}' (known: ${Object.keys(BENCHES).join(", ")})`);
    process.exit(2);
  } else if (!names.includes(a)) names.push(a);
}
if (!names.length) names.push(...Object.keys(BENCHES));

const log = (s) => process.stderr.write(s + "\n");
let exitCode = 0;

for (const name of names) {
  const mod = await import(BENCHES[name]);
  const limit = mod.timeoutMs ?? 120000;
  const watchdog = setTimeout(() => {
    console.error(`lwsx bench: '${name}' did not finish within ${limit / 1000} s; stopping`);
    process.exit(1); // the exit hook of lib/proc.mjs kills the children
  }, limit);
  const t0 = Date.now();
  try {
    const { figures = [], notes = [], errors = [] } = await mod.run({ log, json });
    if (json) for (const f of figures) process.stdout.write(figureJson(f) + "\n");
    else process.stdout.write(figureTable(figures, { title: mod.title ?? name, notes }) + "\n\n");
    for (const e of errors) console.error(`lwsx bench: ${name}: ${e}`);
    if (errors.length) exitCode = 1;
    log(`${name}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (e) {
    console.error(`lwsx bench: ${name} failed: ${process.env.BENCH_DEBUG ? e?.stack : e?.message ?? e}`);
    exitCode = 1;
    await stopAll();
  } finally {
    clearTimeout(watchdog);
  }
}
process.exit(exitCode);
