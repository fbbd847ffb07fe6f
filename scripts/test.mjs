// npm test: every lane, then one closing line that totals them all.
//   1. typecheck   tsc --noEmit over src/, platform/, examples/, test/ (strict)
//   2. node        mocha: unit + sim scenarios + node-only interop/loopback tests
//   3. xs          the unit + sim scenario suites bundled and run inside the XS engine
// The last line is `N passed, N failed` (totals of every lane).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const lanes = only.length ? only : ["typecheck", "node", "xs"];
const totals = { passed: 0, failed: 0, skipped: 0 };
const summary = [];

function run(cmd, args, { capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", capture ? "pipe" : "inherit", capture ? "pipe" : "inherit"] });
    let out = "";
    if (capture) {
      child.stdout.on("data", (d) => {
        out += d;
        process.stdout.write(d);
      });
      child.stderr.on("data", (d) => {
        out += d;
        process.stderr.write(d);
      });
    }
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }));
  });
}

const bin = (name) => path.join(root, "node_modules", ".bin", name);

for (const lane of lanes) {
  console.log(`\n== lane: ${lane}`);
  if (lane === "typecheck") {
    const r = await run(bin("tsc"), ["-p", "tsconfig.json", "--noEmit"]);
    const ok = r.code === 0;
    totals[ok ? "passed" : "failed"]++;
    summary.push(`typecheck: ${ok ? "ok" : "FAILED"}`);
  } else if (lane === "node") {
    const r = await run(bin("mocha"), ["--reporter", "dot"], { capture: true });
    const passing = Number(/(\d+) passing/.exec(r.out)?.[1] ?? 0);
    const failing = Number(/(\d+) failing/.exec(r.out)?.[1] ?? 0);
    const pending = Number(/(\d+) pending/.exec(r.out)?.[1] ?? 0);
    // mocha exiting non-zero without a failure count (a crash, a load error) is one failure
    const failed = failing || (r.code !== 0 ? 1 : 0);
    totals.passed += passing;
    totals.failed += failed;
    totals.skipped += pending;
    summary.push(`node: ${passing} passed, ${failed} failed, ${pending} skipped`);
  } else if (lane === "xs") {
    const { runXsTests } = await import("./xs-test.mjs");
    let res;
    try {
      res = await runXsTests();
    } catch (e) {
      console.error(`xs lane: ${e?.stack ?? e}`);
      res = { passed: 0, failed: 1 };
    }
    totals.passed += res.passed;
    totals.failed += res.failed;
    summary.push(`xs: ${res.passed} passed, ${res.failed} failed`);
  } else {
    console.error(`unknown lane '${lane}' (lanes: typecheck, node, xs)`);
    process.exit(2);
  }
}

console.log(`\n${summary.join("\n")}`);
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ""}`);
process.exit(totals.failed ? 1 : 0);
