// `lwsx qemu` / `npm run qemu`: run the esp32-qemu build in Espressif's QEMU
// and report the app's boot self-test.
//
//  1. writes the flash image from the build's flash_args (flash-image.mjs);
//  2. starts qemu-system-xtensa -nographic -machine esp32 with the image as
//     MTD flash and the OpenCores Ethernet NIC, a host port forwarded to the
//     device's 7681;
//  3. streams the serial console to stdout and stops on the self-test's
//     verdict (examples/app/selftest.ts): `lwsx-selftest: PASS` or
//     `lwsx-selftest: FAIL <why>`; a panic or an XS abort is a failure too;
//  4. stops QEMU and exits 0 (PASS), 1 (FAIL, crash, or QEMU stopped
//     first), 2 (no verdict within the time limit) or 3 (could not start:
//     no emulator, no build, a bad image).
//
// LWSX_QEMU=/path/to/qemu-system-xtensa chooses the emulator (tests give a
// stand-in); otherwise PATH, then ESP-IDF's tools folder.

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { DeviceError, deviceBuildDir, findIdfProject, parseOptions, resolveBoard, which } from "./boards.mjs";
import { FlashImageError, parseFlashSize, writeFlashImage } from "./flash-image.mjs";

/** the self-test's lines (examples/app/selftest.ts: SELFTEST_PASS, SELFTEST_FAIL) */
export const PASS_LINE = "lwsx-selftest: PASS";
export const FAIL_PREFIX = "lwsx-selftest: FAIL";
/** console lines that mean the device crashed (ESP-IDF panic handler, abort(), XS's fxAbort) */
const CRASH = /Guru Meditation Error|abort\(\) was called|^XS abort: /;

export const EXIT = { PASS: 0, FAIL: 1, TIMEOUT: 2, ERROR: 3 };
export const DEVICE_PORT = 7681;
export const DEFAULT_HOST_PORT = 7681;
export const DEFAULT_TIMEOUT_S = 120;
const KILL_GRACE_MS = 2000;

const GET_QEMU =
  "Get Espressif's QEMU (the fork with the esp32 machine): with ESP-IDF, `python $IDF_PATH/tools/idf_tools.py install qemu-xtensa` " +
  "then `source $IDF_PATH/export.sh` (it puts qemu-system-xtensa on PATH); or download qemu-xtensa-softmmu-<version>-<host>.tar.xz " +
  "from https://github.com/espressif/qemu/releases, unpack it and add its qemu/bin to PATH (on Debian/Ubuntu it needs libgcrypt20, " +
  "libglib2.0-0, libpixman-1-0, libsdl2-2.0-0 and libslirp0); or set LWSX_QEMU to the binary.";

/** which verdict a console line carries: {verdict: "pass"|"fail", detail} or null */
export function classifyLine(line) {
  const l = line.replace(/\r$/, "");
  if (l === PASS_LINE) return { verdict: "pass", detail: "self-test passed" };
  if (l === FAIL_PREFIX || l.startsWith(`${FAIL_PREFIX} `)) return { verdict: "fail", detail: `self-test failed: ${l.slice(FAIL_PREFIX.length).trim() || "(no reason given)"}` };
  if (CRASH.test(l)) return { verdict: "fail", detail: `the device crashed: ${l.trim()}` };
  return null;
}

/** the ESP-IDF tools folder's QEMU builds (idf_tools.py install qemu-xtensa), newest first */
function idfToolsQemus(env) {
  const base = env.IDF_TOOLS_PATH || path.join(env.HOME || os.homedir(), ".espressif");
  const dir = path.join(base, "tools", "qemu-xtensa");
  let versions = [];
  try {
    versions = fs.readdirSync(dir).sort().reverse();
  } catch {}
  return versions.map((v) => path.join(dir, v, "qemu", "bin", "qemu-system-xtensa")).filter((p) => fs.existsSync(p));
}

/**
 * Find Espressif's qemu-system-xtensa and check it has the esp32 machine.
 * Throws a DeviceError (exit 3) saying what is missing and how to get it.
 */
export function findEmulator(env = process.env) {
  let bin = env.LWSX_QEMU;
  if (bin) {
    try {
      fs.accessSync(bin, fs.constants.X_OK);
    } catch {
      throw new DeviceError(`LWSX_QEMU is ${bin}, which is not an executable file. ${GET_QEMU}`, EXIT.ERROR);
    }
  } else bin = which("qemu-system-xtensa", env) ?? idfToolsQemus(env)[0];
  if (!bin)
    throw new DeviceError(`Espressif's QEMU is not installed: no qemu-system-xtensa on PATH, in ${path.join(env.IDF_TOOLS_PATH || "~/.espressif", "tools", "qemu-xtensa")}, or in LWSX_QEMU. ${GET_QEMU}`, EXIT.ERROR);
  const r = spawnSync(bin, ["-machine", "help"], { encoding: "utf8", timeout: 15000, env });
  if (r.error) throw new DeviceError(`${bin} -machine help did not run: ${r.error.message}. ${GET_QEMU}`, EXIT.ERROR);
  const machines = `${r.stdout ?? ""}`.split("\n").map((l) => l.trim().split(/\s+/)[0]).filter((m) => m && m !== "Supported");
  if (!machines.includes("esp32"))
    throw new DeviceError(
      `${bin} has no esp32 machine (its -machine help lists: ${machines.slice(0, 12).join(", ") || "nothing"}): this is upstream QEMU ` +
        `(e.g. Debian's qemu-system-xtensa from qemu-system-misc), not Espressif's fork, which alone emulates the ESP32. ${GET_QEMU}`,
      EXIT.ERROR,
    );
  return bin;
}

/** the qemu-system-xtensa arguments: the image as MTD flash, OpenCores Ethernet with the host port forwarded */
export function qemuArgs({ image, hostPort, devicePort = DEVICE_PORT }) {
  return ["-nographic", "-machine", "esp32", "-drive", `file=${image},if=mtd,format=raw`, "-nic", `user,model=open_eth,hostfwd=tcp:127.0.0.1:${hostPort}-:${devicePort}`];
}

/** a free port on 127.0.0.1 when `port` is 0; otherwise check that `port` is free (QEMU would fail to forward it) */
export function hostPortFor(port) {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", (e) => reject(new DeviceError(`host port ${port} on 127.0.0.1 is in use (${e.code}): give another with --host-port P (0 for any free port)`, EXIT.ERROR)));
    s.listen(port, "127.0.0.1", () => {
      const chosen = s.address().port;
      s.close(() => resolve(chosen));
    });
  });
}

/**
 * Run the emulator until the self-test's verdict, a crash, its own exit or
 * the time limit; it is then stopped (SIGTERM, then SIGKILL).
 * @returns {Promise<{ code: number, detail: string }>}
 */
export function runEmulator({ emulator, args, timeoutMs, keep = false, stdout = process.stdout, stderr = process.stderr, env = process.env }) {
  return new Promise((resolve) => {
    const child = spawn(emulator, args, { stdio: ["ignore", "pipe", "pipe"], env });
    let result = null;
    let rest = "";
    let killTimer = null;
    let exited = false;
    const stop = () => {
      if (exited || child.killed) return;
      child.kill("SIGTERM");
      killTimer = setTimeout(() => {
        if (!exited) child.kill("SIGKILL");
      }, KILL_GRACE_MS);
    };
    const settle = (code, detail) => {
      if (result) return;
      result = { code, detail };
      clearTimeout(limit);
      if (keep && code === EXIT.PASS) {
        stderr.write(`\nlwsx qemu: ${detail}; the device stays up (Ctrl-C stops it)\n`);
        return;
      }
      stop();
    };
    const onInterrupt = () => {
      settle(130, "interrupted");
      stop();
    };
    process.once("SIGINT", onInterrupt);
    const limit = setTimeout(() => settle(EXIT.TIMEOUT, `no self-test verdict within ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
    child.stdout.on("data", (data) => {
      stdout.write(data);
      if (result) return;
      const lines = (rest + data.toString("latin1")).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        const v = classifyLine(line);
        if (v) {
          settle(v.verdict === "pass" ? EXIT.PASS : EXIT.FAIL, v.detail);
          break;
        }
      }
    });
    child.stderr.on("data", (data) => stderr.write(data));
    child.on("error", (e) => settle(EXIT.ERROR, `cannot start ${emulator}: ${e.message}`));
    child.on("close", (code, signal) => {
      exited = true;
      clearTimeout(killTimer);
      clearTimeout(limit);
      process.removeListener("SIGINT", onInterrupt);
      if (!result) {
        const last = classifyLine(rest);
        if (last) settle(last.verdict === "pass" ? EXIT.PASS : EXIT.FAIL, last.detail);
        else settle(EXIT.FAIL, `the emulator stopped (${signal ?? `status ${code}`}) before the self-test's verdict`);
      }
      resolve(result);
    });
  });
}

export const USAGE = `usage: lwsx qemu [options]     (also: npm run qemu -- [options])

Boots the esp32-qemu build (npm run build -- --board esp32-qemu) in Espressif's
QEMU and waits for the app's boot self-test: "${PASS_LINE}" or
"${FAIL_PREFIX} <why>" on the serial console, which is copied to stdout.

  --build DIR         the ESP-IDF build folder holding flash_args (default: the
                      newest under build/device/esp32-qemu)
  --flash-args FILE   the flash_args file itself
  --image FILE        where to write the flash image (default: lwsx-qemu-flash.bin
                      beside flash_args)
  --flash-size SIZE   2MB, 4MB, 8MB or 16MB (default: flash_args' --flash_size, else 4MB)
  --host-port P       the host port (on 127.0.0.1) forwarded to the device's ${DEVICE_PORT}
                      (default ${DEFAULT_HOST_PORT}; 0 for any free port)
  --timeout S         seconds to wait for the verdict (default ${DEFAULT_TIMEOUT_S})
  --keep              after a PASS, leave the device running (Ctrl-C stops it)
  --board esp32-qemu  the only board the emulator runs

Exit status: 0 PASS; 1 FAIL, a crash, or the emulator stopped first; 2 no
verdict in time; 3 could not start (no emulator, no build, a bad image).
LWSX_QEMU=/path/to/qemu-system-xtensa chooses the emulator.`;

/** where the flash_args of the run is */
function locateFlashArgs(opts, env) {
  if (opts["flash-args"]) return path.resolve(opts["flash-args"]);
  if (opts.build) {
    const dir = path.resolve(opts.build);
    for (const p of [path.join(dir, "flash_args"), path.join(dir, "build", "flash_args")]) if (fs.existsSync(p)) return p;
    throw new DeviceError(`no flash_args in ${dir} (nor in ${path.join(dir, "build")}): give the ESP-IDF build folder of the esp32-qemu build`, EXIT.ERROR);
  }
  const out = deviceBuildDir("esp32-qemu", env);
  const project = findIdfProject(out);
  const p = project && path.join(project, "build", "flash_args");
  if (!p || !fs.existsSync(p))
    throw new DeviceError(`no esp32-qemu build under ${out}: build it first with \`npm run build -- --board esp32-qemu\` (needs the Moddable SDK and ESP-IDF), or give --build DIR / --flash-args FILE`, EXIT.ERROR);
  return p;
}

/** `lwsx qemu [options]`: returns the exit status */
export async function main(argv, { stdout = process.stdout, stderr = process.stderr, env = process.env } = {}) {
  const say = (m) => stderr.write(`lwsx qemu: ${m}\n`);
  let opts;
  try {
    const parsed = parseOptions(argv, { flags: ["keep", "help"] });
    opts = parsed.opts;
    if (opts.help || parsed.rest.includes("help") || parsed.rest.includes("-h")) {
      stdout.write(`${USAGE}\n`);
      return 0;
    }
    const unknown = [...Object.keys(opts).filter((k) => !["build", "flash-args", "image", "flash-size", "host-port", "timeout", "keep", "board"].includes(k)).map((k) => `--${k}`), ...parsed.rest, ...parsed.config];
    if (unknown.length) throw new DeviceError(`unknown argument${unknown.length > 1 ? "s" : ""}: ${unknown.join(" ")}\n\n${USAGE}`, EXIT.ERROR);
    const board = resolveBoard(opts.board ?? "esp32-qemu");
    if (!board.qemu) throw new DeviceError(`board ${board.name} runs on a chip, not in QEMU: the emulator runs the esp32-qemu board (npm run build -- --board esp32-qemu)`, EXIT.ERROR);
    const hostPortOpt = opts["host-port"] ?? String(DEFAULT_HOST_PORT);
    if (!/^\d+$/.test(hostPortOpt) || Number(hostPortOpt) > 65535) throw new DeviceError(`--host-port ${hostPortOpt}: not a port`, EXIT.ERROR);
    const timeoutS = Number(opts.timeout ?? DEFAULT_TIMEOUT_S);
    if (!(timeoutS > 0)) throw new DeviceError(`--timeout ${opts.timeout}: not a number of seconds`, EXIT.ERROR);
    const size = opts["flash-size"] ? parseFlashSize(opts["flash-size"], "--flash-size") : undefined;

    const emulator = findEmulator(env);
    const flashArgsPath = locateFlashArgs(opts, env);
    const image = path.resolve(opts.image ?? path.join(path.dirname(flashArgsPath), "lwsx-qemu-flash.bin"));
    const written = writeFlashImage({ flashArgsPath, out: image, size });
    say(`flash image ${image} (${written.size / (1024 * 1024)} MB): ${written.entries.map((e) => `${e.file} at 0x${e.offset.toString(16)}`).join(", ")}`);
    const hostPort = await hostPortFor(Number(hostPortOpt));
    const args = qemuArgs({ image, hostPort });
    say(`${emulator} ${args.join(" ")}`);
    say(`the device's port ${DEVICE_PORT} is at http://127.0.0.1:${hostPort}/ ; waiting up to ${timeoutS} s for "${PASS_LINE}"`);
    const r = await runEmulator({ emulator, args, timeoutMs: timeoutS * 1000, keep: !!opts.keep, stdout, stderr, env });
    say(`${r.code === EXIT.PASS ? "PASS" : r.code === EXIT.TIMEOUT ? "TIMEOUT" : r.code === EXIT.FAIL ? "FAIL" : "stopped"}: ${r.detail}`);
    return r.code;
  } catch (e) {
    if (e instanceof DeviceError || e instanceof FlashImageError) {
      say(e.message);
      return EXIT.ERROR;
    }
    throw e;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
