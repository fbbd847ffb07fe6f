#!/usr/bin/env node
// The XS test lane: runs test/unit/**/*.test.ts and test/scenario/**/*.test.ts inside the XS engine.
//
//   node scripts/xs-test.mjs                      all unit and scenario tests
//   node scripts/xs-test.mjs test/unit/a.test.ts  only these files
//   node scripts/xs-test.mjs --verbose            a line per test with its outcome and time
//
//   import { runXsTests, runInXs } from "./xs-test.mjs";
//   const { passed, failed, ok } = await runXsTests();
//   const stdout = await runInXs("bench/xs-heap.ts", { args: ["100"] });
//
// The test files and the harness (test/xs/harness.ts) are bundled with esbuild into one classic
// script (build/xs/xs-tests.js; importing a Node built-in fails the bundle: that is a portability
// bug) and run in our XS host (scripts/xs-engine.mjs builds it) under a wall-clock limit. Output
// is streamed, with bundle locations in stacks rewritten to source locations; the totals line
// "N passed, N failed" printed last by the harness gives the result.

import { spawn } from "node:child_process";
import fs from "node:fs";
import { builtinModules, SourceMap } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { ensureXsHost, ROOT } from "./xs-engine.mjs";

export const BUILD_DIR = path.join(ROOT, "build", "xs");
const TEST_ROOTS = ["test/unit", "test/scenario"];
const HARNESS = "test/xs/harness.ts";
const DEFAULT_TIMEOUT_MS = Number(process.env.LWSX_XS_TIMEOUT_MS) || 10 * 60_000;
const TOTALS = /^(\d+) passed, (\d+) failed$/;
const START_MARK = "##lwsx-test-start## "; // printed by the harness before each test

const log = (message) => process.stderr.write(`xs-test: ${message}\n`);
const toPosix = (p) => p.split(path.sep).join("/");

/** test/unit/**\/*.test.ts and test/scenario/**\/*.test.ts, repo-relative, sorted. */
export function findXsTestFiles() {
  const found = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith(".test.ts")) found.push(toPosix(path.relative(ROOT, full)));
    }
  };
  for (const dir of TEST_ROOTS) walk(path.join(ROOT, dir));
  return found.sort();
}

// ------------------------------------------------------------------ bundling

const builtinPattern = new RegExp(
  `^(node:.*|(${builtinModules
    .filter((name) => !name.startsWith("_"))
    .map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("|")})(/.*)?)$`,
);

/** Refuses Node built-ins: code that runs in XS (on the device) cannot use them. */
const noNodeBuiltins = {
  name: "lwsx-no-node-builtins",
  setup(build) {
    build.onResolve({ filter: builtinPattern }, (args) => ({
      errors: [
        {
          text: `"${args.path}" is a Node built-in module, imported by ${toPosix(path.relative(ROOT, args.importer)) || "the entry"}: code that runs in XS (and on the device) must not import Node modules`,
        },
      ],
    }));
  },
};

/**
 * Bundles a TypeScript entry (a file, or `contents` resolved from the repo root) into one classic
 * script for XS at `outfile`, with an external source map beside it. Throws with esbuild's
 * formatted messages when bundling fails.
 */
export async function bundleForXs({ entry, contents, outfile }) {
  const options = {
    bundle: true,
    format: "iife",
    target: "es2022",
    platform: "neutral",
    mainFields: ["module", "main"],
    outfile,
    // external: no sourceMappingURL comment (XS would read the map and, as it knows only one
    // source per map, misattribute lines); the runner maps locations itself
    sourcemap: "external",
    sourcesContent: false,
    charset: "utf8",
    legalComments: "none",
    write: false,
    logLevel: "silent",
    absWorkingDir: ROOT,
    plugins: [noNodeBuiltins],
  };
  if (contents !== undefined) options.stdin = { contents, resolveDir: ROOT, sourcefile: path.basename(outfile, ".js") + ".entry.ts", loader: "ts" };
  else options.entryPoints = [entry];
  let result;
  try {
    result = await esbuild.build(options);
  } catch (error) {
    const messages = error.errors ?? [];
    const text = messages.length
      ? (await esbuild.formatMessages(messages, { kind: "error", color: false })).join("")
      : String(error.message ?? error);
    const failure = new Error(`esbuild could not bundle ${entry ?? options.stdin.sourcefile} for XS:\n${text}`);
    failure.bundleErrors = messages;
    throw failure;
  }
  if (result.warnings.length) {
    const text = await esbuild.formatMessages(result.warnings, { kind: "warning", color: false });
    process.stderr.write(text.join(""));
  }
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  let size = 0;
  for (const file of result.outputFiles) {
    fs.writeFileSync(file.path, file.contents);
    if (file.path === outfile) size = file.contents.length;
  }
  return { outfile, size };
}

// ------------------------------------------------------------------ source locations

/** Returns a function rewriting "<bundle>:<line>" in a text line to "<source>:<line>". */
function locationMapper(bundlePath) {
  let map;
  let lines;
  const real = fs.realpathSync(bundlePath);
  const names = [...new Set([real, bundlePath])].map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(`(${names.join("|")}):(\\d+)`, "g");
  const cache = new Map();
  const lookup = (line) => {
    if (cache.has(line)) return cache.get(line);
    let mapped;
    try {
      map ??= new SourceMap(JSON.parse(fs.readFileSync(`${bundlePath}.map`, "utf8")));
      lines ??= fs.readFileSync(bundlePath, "utf8").split("\n");
      const text = lines[line - 1] ?? "";
      const column = Math.max(0, text.search(/\S/));
      const entry = map.findEntry(line - 1, column);
      if (entry && entry.originalSource) {
        const source = entry.originalSource.startsWith("file:")
          ? new URL(entry.originalSource).pathname
          : path.resolve(path.dirname(bundlePath), entry.originalSource);
        mapped = `${toPosix(path.relative(ROOT, source))}:${entry.originalLine + 1}`;
      }
    } catch {}
    cache.set(line, mapped);
    return mapped;
  };
  return (text) => text.replace(pattern, (whole, _file, line) => lookup(Number(line)) ?? whole);
}

/**
 * Wraps a line sink to drop stack frames that only show the machinery: frames of the harness and
 * everything below them (the harness calls the tests), frames of the generated entry or bundle
 * glue, and frames without a location (built-ins such as call/apply). LWSX_XS_FULL_STACKS=1 keeps
 * them all.
 */
function tidyStacks(sink) {
  if (!sink || process.env.LWSX_XS_FULL_STACKS) return sink;
  let dropping = false;
  return (line) => {
    if (!/^\s+at\b/.test(line)) {
      dropping = false;
      return sink(line);
    }
    if (dropping) return;
    if (/\((test\/xs\/harness\.ts|[^)]*\.entry\.ts):\d+\)\s*$/.test(line)) {
      dropping = true;
      return;
    }
    if (/\(\)\s*$/.test(line) || /\([^)]*build\/xs\/[^)]*\)\s*$/.test(line)) return;
    sink(line);
  };
}

// ------------------------------------------------------------------ running

/**
 * Runs `scriptPath` in the XS host. Streams mapped output lines to `onStdout`/`onStderr` and
 * resolves { code, signal, timedOut, stdout, stderr } (stdout and stderr unmapped).
 */
async function runHost(scriptPath, { args = [], hostArgs = [], timeoutMs = DEFAULT_TIMEOUT_MS, onStdout, onStderr } = {}) {
  const host = await ensureXsHost();
  const map = locationMapper(scriptPath);
  const env = { ...process.env };
  delete env.XSBUG_HOST; // never try to reach a debugger from a test run
  return new Promise((resolve, reject) => {
    const child = spawn(host, [...hostArgs.map(String), scriptPath, ...(args.length ? ["--", ...args.map(String)] : [])], {
      stdio: ["ignore", "pipe", "pipe"],
      env,
    });
    const out = [];
    const err = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    const lineStream = (stream, chunks, sink) => {
      let rest = "";
      stream.setEncoding("utf8");
      stream.on("data", (data) => {
        chunks.push(data);
        if (!sink) return;
        const parts = (rest + data).split("\n");
        rest = parts.pop();
        for (const line of parts) sink(map(line));
      });
      stream.on("end", () => {
        if (sink && rest) sink(map(rest));
      });
    };
    lineStream(child.stdout, out, onStdout);
    lineStream(child.stderr, err, onStderr);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stdout: out.join(""), stderr: err.join("") });
    });
  });
}

/**
 * Runs the unit and scenario tests in XS.
 * @param {{ files?: string[], timeoutMs?: number, quiet?: boolean, verbose?: boolean, hostArgs?: string[] }} [options]
 *   files: repo-relative test files (default: all of test/unit and test/scenario)
 *   hostArgs: host options, e.g. ["-s", "1024"] to run with a device-sized JS stack
 *   quiet: do not stream the host's output (it is still parsed)
 *   verbose: a line per test with its outcome and time (also LWSX_XS_VERBOSE=1)
 * @returns {Promise<{ passed: number, failed: number, pending: number, ok: boolean, exitCode: number|null, error?: string }>}
 *   ok is false when any test failed, the host exited non-zero, timed out, or printed no totals;
 *   in the last three cases `failed` is at least 1, so that lane totals show the failure, and
 *   `error` says what happened. It does not throw for test failures or bundling errors.
 */
export async function runXsTests(options = {}) {
  const files = (options.files ?? findXsTestFiles()).map((file) => toPosix(path.relative(ROOT, path.resolve(ROOT, file))));
  const failure = (error, extra = {}) => {
    log(`XS lane failed: ${error}`);
    return { passed: 0, failed: 1, pending: 0, ok: false, exitCode: null, error, ...extra };
  };
  for (const file of files) if (!fs.existsSync(path.join(ROOT, file))) return failure(`no such test file: ${file}`);
  const contents = [
    `import { loadTestFile, run } from "./${HARNESS}";`,
    ...files.map((file) => `loadTestFile(${JSON.stringify(file)}, () => require(${JSON.stringify("./" + file)}));`),
    `run();`,
    ``,
  ].join("\n");
  const outfile = path.join(BUILD_DIR, "xs-tests.js");
  let bundle;
  try {
    fs.rmSync(outfile, { force: true });
    bundle = await bundleForXs({ contents, outfile });
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    return failure("the tests could not be bundled for XS (see above)");
  }
  let host;
  try {
    host = await ensureXsHost();
  } catch (error) {
    return failure(`no XS host: ${error.message}`);
  }
  if (!options.quiet)
    log(`${files.length} test file${files.length === 1 ? "" : "s"} bundled into ${toPosix(path.relative(ROOT, outfile))} (${Math.round(bundle.size / 1024)} kB), running in ${toPosix(path.relative(ROOT, host))}`);
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const verbose = options.verbose ?? !!process.env.LWSX_XS_VERBOSE;
  let lastStarted;
  const show = options.quiet ? undefined : tidyStacks((line) => process.stdout.write(`${line}\n`));
  const result = await runHost(outfile, {
    timeoutMs,
    args: verbose ? ["--verbose"] : [],
    hostArgs: options.hostArgs ?? [],
    onStdout: (line) => {
      if (line.startsWith(START_MARK)) lastStarted = line.slice(START_MARK.length);
      else show?.(line);
    },
    onStderr: options.quiet ? undefined : tidyStacks((line) => process.stderr.write(`${line}\n`)),
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const lines = result.stdout.split("\n").map((line) => line.trim());
  const totalsLine = lines.filter((line) => TOTALS.test(line)).pop();
  const pendingLine = lines.filter((line) => /^\d+ pending$/.test(line)).pop();
  const pending = pendingLine ? Number.parseInt(pendingLine, 10) : 0;
  const exitCode = result.code;
  if (result.timedOut)
    return failure(`the XS host ran longer than ${timeoutMs / 1000} s and was killed${lastStarted ? `; the test running was "${lastStarted}"` : ""}`, { exitCode });
  if (!totalsLine)
    return failure(`the XS host ${result.signal ? `was killed by ${result.signal}` : `exited with status ${exitCode}`} without printing "N passed, N failed"${lastStarted ? `; the last test started was "${lastStarted}"` : ""}`, { exitCode });
  const [, passedText, failedText] = TOTALS.exec(totalsLine);
  const passed = Number(passedText);
  let failed = Number(failedText);
  let error;
  if (failed > 0) error = `${failed} test${failed === 1 ? "" : "s"} failed in XS`;
  else if (exitCode !== 0) {
    failed = 1;
    error = `the XS host exited with status ${exitCode ?? result.signal} although no test failed (see its messages above)`;
  }
  if (error) log(`XS lane failed: ${error} (${seconds} s)`);
  else if (!options.quiet) log(`XS lane passed (${seconds} s)`);
  return { passed, failed, pending, ok: !error, exitCode, ...(error ? { error } : {}) };
}

/**
 * Bundles a TypeScript entry for XS (build/xs/run-<name>.js) and runs it in the XS host with the
 * host globals (print, gc, __lwsxHeap, __lwsxMeter, __lwsxArgs, setImmediate, ...).
 * @param {string} entryTsPath  the entry file, absolute or relative to the repo root
 * @param {{ args?: string[], hostArgs?: string[], timeoutMs?: number, echo?: boolean }} [options]
 *   args: strings the script sees as __lwsxArgs; hostArgs: host options before the script (e.g.
 *   ["-s", "2048"] for a device-sized JS stack); echo: also stream its output to ours
 * @returns {Promise<string>} what the script printed on stdout
 * @throws when bundling fails, or the host exits non-zero or times out (the error carries
 *   stdout, stderr and exitCode)
 */
export async function runInXs(entryTsPath, options = {}) {
  const entry = path.resolve(ROOT, entryTsPath);
  const name = toPosix(path.relative(ROOT, entry)).replace(/\.[cm]?[jt]sx?$/, "").replace(/[^A-Za-z0-9_.-]+/g, "_");
  const outfile = path.join(BUILD_DIR, `run-${name}.js`);
  await bundleForXs({ entry, outfile });
  const errLines = [];
  const result = await runHost(outfile, {
    args: options.args ?? [],
    hostArgs: options.hostArgs ?? [],
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    onStdout: options.echo ? (line) => process.stdout.write(`${line}\n`) : undefined,
    onStderr: (line) => {
      errLines.push(line);
      if (options.echo) process.stderr.write(`${line}\n`);
    },
  });
  if (result.timedOut || result.code !== 0) {
    const why = result.timedOut ? "timed out" : `exited with status ${result.code ?? result.signal}`;
    const error = new Error(`${toPosix(path.relative(ROOT, entry))} ${why} in XS${errLines.length ? `:\n${errLines.join("\n")}` : ""}`);
    Object.assign(error, { stdout: result.stdout, stderr: result.stderr, exitCode: result.code });
    throw error;
  }
  return result.stdout;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const files = args.filter((arg) => !arg.startsWith("--"));
  const unknown = args.filter((arg) => arg.startsWith("--") && arg !== "--verbose");
  if (unknown.length) {
    process.stderr.write("usage: node scripts/xs-test.mjs [--verbose] [test files...]\n");
    process.exit(2);
  }
  runXsTests({ ...(files.length ? { files } : {}), ...(args.includes("--verbose") ? { verbose: true } : {}) }).then(
    (result) => process.exit(result.ok ? 0 : 1),
    (error) => {
      log(`error: ${error.stack ?? error}`);
      process.exit(1);
    },
  );
}
