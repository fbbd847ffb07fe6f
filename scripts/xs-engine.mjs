#!/usr/bin/env node
// Ensures the XS host used by the XS test lane and benchmarks exists, and prints its path.
//
//   node scripts/xs-engine.mjs            build if needed, print the binary's path on stdout
//   node scripts/xs-engine.mjs --rebuild  rebuild even when a cached binary exists
//
//   import { ensureXsHost } from "./xs-engine.mjs";
//   const hostPath = await ensureXsHost();
//
// The XS engine sources come from the @agoric/xsnap tarball, fetched from the npm registry with
// `npm pack` (checked against a pinned integrity) and built with the machine's make and C compiler,
// together with our own host program (test/xs/host/lwsx-xs-host.c). Everything is cached under
// node_modules/.cache/lwsx-xs/:
//   agoric-xsnap-<version>.tgz     the tarball
//   xsnap-<version>/               its contents (renamed into place once fully unpacked)
//   obj-<version>-<hash>/          engine objects; ".complete" is written after a successful make,
//                                  a directory without it is from an interrupted build and is wiped
//   host-<version>-<hash>/         the linked host; <hash> covers our C source and makefile, so a
//                                  change to either relinks, and an unchanged tree does nothing
// Progress goes to stderr; stdout carries only the path. LWSX_XS_HOST=/path/to/binary skips all
// of this and uses that binary.

import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const XSNAP_VERSION = "0.15.0";
const XSNAP_PACKAGE = `@agoric/xsnap@${XSNAP_VERSION}`;
const XSNAP_INTEGRITY =
  "sha512-ZBm4DZxbtfacxMHVVdJjZi0Y8zOxN77vpu1WwI5RWfPkaRh0aHkz/dVdTGKXalDNzWfz183lljKxlxl3/h0n+A==";
const TARBALL = `agoric-xsnap-${XSNAP_VERSION}.tgz`;
const HOST_NAME = "lwsx-xs-host";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const CACHE_DIR = path.join(ROOT, "node_modules", ".cache", "lwsx-xs");
const HOST_DIR = path.join(ROOT, "test", "xs", "host");
const HOST_SOURCE = path.join(HOST_DIR, `${HOST_NAME}.c`);
const MAKEFILE = path.join(HOST_DIR, `${HOST_NAME}.mk`);
const JOBS = Math.max(1, Math.min(2, os.availableParallelism?.() ?? os.cpus().length));

const log = (message) => process.stderr.write(`lwsx-xs: ${message}\n`);

function hashOf(...parts) {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\0");
  return hash.digest("hex").slice(0, 16);
}

/** The path the host binary has (or will have) for the current sources. */
export function xsHostPath() {
  const key = hashOf(XSNAP_VERSION, fs.readFileSync(HOST_SOURCE), fs.readFileSync(MAKEFILE));
  return path.join(CACHE_DIR, `host-${XSNAP_VERSION}-${key}`, HOST_NAME);
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    // stdout of the tools goes to our stderr: our stdout carries only the path
    const child = spawn(command, args, { stdio: ["ignore", 2, 2], ...options });
    child.on("error", (error) => reject(new Error(`cannot run ${command}: ${error.message}`)));
    child.on("close", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(" ")} failed (${signal ?? `exit status ${code}`})`));
    });
  });
}

function requireTool(command, hint) {
  const probe = spawnSync(command, ["--version"], { stdio: "ignore" });
  if (probe.error || probe.status !== 0) throw new Error(`${command} is needed to build the XS host: ${hint}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

/** One builder at a time per cache (another `npm test` lane may be building too). */
async function withLock(fn) {
  const lock = path.join(CACHE_DIR, "build.lock");
  const started = Date.now();
  let told = false;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, "pid"), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      let owner = NaN;
      try {
        owner = Number(fs.readFileSync(path.join(lock, "pid"), "utf8"));
      } catch {}
      const age = (() => {
        try {
          return Date.now() - fs.statSync(lock).mtimeMs;
        } catch {
          return 0;
        }
      })();
      // stale: its owner died, never wrote its pid, or has held it far longer than a build takes
      const dead = Number.isInteger(owner) && owner > 0 ? !alive(owner) : age > 10_000;
      if (dead || age > 10 * 60_000) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - started > 15 * 60_000) throw new Error(`timed out waiting for ${lock} (remove it if no build is running)`);
      if (!told) log(`waiting for another build of the XS host (pid ${owner})…`);
      told = true;
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function npmCommand() {
  // under `npm test`, use the npm that runs us
  const execPath = process.env.npm_execpath;
  if (execPath && /\.c?js$/.test(execPath) && fs.existsSync(execPath)) return [process.execPath, [execPath]];
  return ["npm", []];
}

async function ensureTarball() {
  const tarball = path.join(CACHE_DIR, TARBALL);
  const check = (file) => {
    const digest = "sha512-" + createHash("sha512").update(fs.readFileSync(file)).digest("base64");
    if (digest !== XSNAP_INTEGRITY) throw new Error(`${file} does not match the pinned integrity of ${XSNAP_PACKAGE}`);
  };
  if (fs.existsSync(tarball)) {
    try {
      check(tarball);
      return tarball;
    } catch {
      fs.rmSync(tarball, { force: true });
    }
  }
  const scratch = fs.mkdtempSync(path.join(CACHE_DIR, "pack-"));
  try {
    log(`fetching ${XSNAP_PACKAGE} from the npm registry (npm pack)…`);
    const [command, prefix] = npmCommand();
    // npm prints the tarball name on stdout: drop it (our stdout carries only the path)
    await run(command, [...prefix, "pack", XSNAP_PACKAGE, "--silent", "--pack-destination", scratch], { cwd: scratch, stdio: ["ignore", "ignore", 2] });
    const packed = fs.readdirSync(scratch).find((name) => name.endsWith(".tgz"));
    if (!packed) throw new Error(`npm pack ${XSNAP_PACKAGE} produced no tarball`);
    check(path.join(scratch, packed));
    fs.renameSync(path.join(scratch, packed), tarball);
    return tarball;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

async function ensureSources() {
  const sources = path.join(CACHE_DIR, `xsnap-${XSNAP_VERSION}`);
  const packageDir = path.join(sources, "package");
  if (fs.existsSync(path.join(sources, ".complete"))) return packageDir;
  fs.rmSync(sources, { recursive: true, force: true });
  const tarball = await ensureTarball();
  const scratch = fs.mkdtempSync(path.join(CACHE_DIR, "unpack-"));
  try {
    await run("tar", ["-xzf", tarball, "-C", scratch]);
    if (!fs.existsSync(path.join(scratch, "package", "moddable", "xs", "sources", "xsAll.c")))
      throw new Error(`${TARBALL} does not hold the XS sources where expected`);
    fs.writeFileSync(path.join(scratch, ".complete"), `${XSNAP_PACKAGE}\n`);
    fs.renameSync(scratch, sources);
  } catch (error) {
    fs.rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  return packageDir;
}

function removeStale(prefix, keep) {
  for (const name of fs.readdirSync(CACHE_DIR)) {
    if (name.startsWith(prefix) && name !== keep) fs.rmSync(path.join(CACHE_DIR, name), { recursive: true, force: true });
  }
}

async function build(target) {
  requireTool("make", "install it (Debian: apt-get install make)");
  requireTool(process.env.CC || "cc", "install a C compiler (Debian: apt-get install gcc)");
  const packageDir = await ensureSources();
  const started = Date.now();

  // engine objects: keyed on the xsnap version and the makefile (which holds the compile flags)
  const objName = `obj-${XSNAP_VERSION}-${hashOf(XSNAP_VERSION, fs.readFileSync(MAKEFILE))}`;
  const objDir = path.join(CACHE_DIR, objName);
  const objDone = path.join(objDir, ".complete");
  const make = (goal, extra = []) =>
    run("make", ["-s", `-j${JOBS}`, "-f", MAKEFILE, `XSNAP=${packageDir}`, `OBJ_DIR=${objDir}`, ...extra, goal], { cwd: ROOT });
  if (!fs.existsSync(objDone)) {
    fs.rmSync(objDir, { recursive: true, force: true }); // anything here is from an interrupted build
    log(`building the XS engine (${XSNAP_PACKAGE}, ${JOBS} job${JOBS > 1 ? "s" : ""}, about 15-40 s)…`);
    await make("objects");
    fs.writeFileSync(objDone, `${new Date().toISOString()}\n`);
  }

  // the host: linked into a scratch name, checked, then renamed into place
  const hostDir = path.dirname(target);
  fs.rmSync(hostDir, { recursive: true, force: true });
  fs.mkdirSync(hostDir, { recursive: true });
  const scratch = `${target}.tmp-${process.pid}`;
  log(`linking ${HOST_NAME}…`);
  await make("host", [`OUT=${scratch}`]);
  const probe = spawnSync(scratch, ["-v"], { encoding: "utf8" });
  if (probe.status !== 0 || !/^XS \d+\.\d+\.\d+/.test(probe.stdout))
    throw new Error(`the freshly built ${HOST_NAME} does not run: ${probe.stderr || probe.stdout || probe.error}`);
  fs.renameSync(scratch, target);
  log(`built ${path.relative(ROOT, target)} (${probe.stdout.trim()}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  removeStale("obj-", objName);
  removeStale("host-", path.basename(hostDir));
}

/**
 * Returns the path of the XS host binary, building it first when the cache has none for the
 * current host source and makefile.
 * @param {{ rebuild?: boolean }} [options]
 * @returns {Promise<string>}
 */
export async function ensureXsHost(options = {}) {
  const override = process.env.LWSX_XS_HOST;
  if (override) {
    if (!isExecutable(override)) throw new Error(`LWSX_XS_HOST=${override} is not an executable file`);
    return path.resolve(override);
  }
  const target = xsHostPath();
  if (!options.rebuild && isExecutable(target)) return target;
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  return withLock(async () => {
    if (!options.rebuild && isExecutable(target)) return target; // built meanwhile by another process
    if (options.rebuild) fs.rmSync(path.join(CACHE_DIR, `xsnap-${XSNAP_VERSION}`), { recursive: true, force: true });
    if (options.rebuild) removeStale("obj-", "");
    await build(target);
    return target;
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => arg !== "--rebuild");
  if (unknown.length) {
    process.stderr.write(`usage: node scripts/xs-engine.mjs [--rebuild]\n`);
    process.exit(2);
  }
  ensureXsHost({ rebuild: args.includes("--rebuild") }).then(
    (hostPath) => process.stdout.write(`${hostPath}\n`),
    (error) => {
      log(`error: ${error.message}`);
      process.exit(1);
    },
  );
}
