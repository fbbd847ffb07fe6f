// The device build, flash and serial monitor, per board (boards/<name>/):
//
//   npm run build -- --board B [key=value...]   esbuild to dist/, then mcconfig -t build
//   npm run flash -- --board B [--port DEV]      mcconfig -t deploy (idf.py flash)
//   npm run monitor -- --board B [--port DEV]    idf.py monitor on the board's build
//
// mcconfig runs from the repo root with manifest.json, release build, output
// in build/device/<board> (LWSX_DEVICE_BUILD_DIR/<board> when set). Words of
// the form key=value go to mcconfig as config (ssid="NET" password="SECRET"
// for Wi-Fi). --port sets UPLOAD_PORT, the serial port the SDK's makefiles
// and idf.py use. When $MODDABLE or $IDF_PATH (or the tools under them) are
// missing, nothing runs and the message says what to install.
//
//   node scripts/device/esp.mjs build|flash|monitor --board B ...

import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { DeviceError, ROOT, deviceBuildDir, findIdfProject, mcconfigArgs, parseOptions, requireTools, resolveBoard } from "./boards.mjs";

function run(cmd, args, { cwd, env }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: "inherit" });
    child.on("error", (e) => {
      process.stderr.write(`lwsx: cannot run ${cmd}: ${e.message}\n`);
      resolve(1);
    });
    child.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const KNOWN = { build: ["board"], flash: ["board", "port"], monitor: ["board", "port"] };

/** check the arguments of `step` and the tools it needs; returns what to run */
export function plan(step, argv, env = process.env) {
  const { opts, config, rest } = parseOptions(argv);
  const unknown = [...Object.keys(opts).filter((k) => !KNOWN[step].includes(k)).map((k) => `--${k}`), ...rest];
  if (unknown.length) throw new DeviceError(`${step}: unknown argument${unknown.length > 1 ? "s" : ""}: ${unknown.join(" ")}`, 2);
  if (config.length && step !== "build") throw new DeviceError(`${step}: ${config.join(" ")}: key=value settings go to the build (npm run build -- --board B ${config.join(" ")})`, 2);
  const board = resolveBoard(opts.board);
  if (board.qemu && step !== "build")
    throw new DeviceError(`board ${board.name} runs in Espressif's QEMU, not on a serial port: \`npm run qemu\` writes its flash image, boots it and shows the console`, 2);
  const outDir = deviceBuildDir(board.name, env);
  const runEnv = { ...env };
  if (opts.port) runEnv.UPLOAD_PORT = opts.port;
  if (step === "build") {
    const tools = requireTools(`build for ${board.name}`, { moddable: true, idf: true }, env);
    return { board, cmd: tools.mcconfig, args: mcconfigArgs(board, "build", { outDir, config }), cwd: ROOT, env: runEnv, outDir };
  }
  if (step === "flash") {
    const tools = requireTools(`flash ${board.name}`, { moddable: true, idf: true }, env);
    if (!findIdfProject(outDir)) throw new DeviceError(`nothing to flash: no ${board.name} build under ${outDir}. Build it first: npm run build -- --board ${board.name}`, 1);
    return { board, cmd: tools.mcconfig, args: mcconfigArgs(board, "deploy", { outDir }), cwd: ROOT, env: runEnv, outDir };
  }
  const tools = requireTools(`monitor ${board.name}`, { idf: true }, env);
  const project = findIdfProject(outDir);
  if (!project) throw new DeviceError(`no ${board.name} build under ${outDir} (idf.py monitor decodes the console with its ELF): npm run build -- --board ${board.name}`, 1);
  return { board, cmd: tools.idf, args: [...(opts.port ? ["-p", opts.port] : []), "monitor"], cwd: project, env: runEnv, outDir };
}

/** run `step`; returns the exit status */
export async function device(step, argv, env = process.env) {
  try {
    const p = plan(step, argv, env);
    if (step === "build") fs.mkdirSync(p.outDir, { recursive: true });
    process.stderr.write(`lwsx ${step}: ${p.board.name}: (cd ${path.relative(ROOT, p.cwd) || "."} && ${path.basename(p.cmd)} ${p.args.join(" ")})\n`);
    const code = await run(p.cmd, p.args, { cwd: p.cwd, env: p.env });
    if (code !== 0) process.stderr.write(`lwsx ${step}: ${path.basename(p.cmd)} exited with status ${code}\n`);
    else if (step === "build") process.stderr.write(`lwsx build: ${p.board.name} built under ${path.relative(ROOT, p.outDir)}; next: ${p.board.qemu ? "npm run qemu" : `npm run flash -- --board ${p.board.name}`}\n`);
    return code;
  } catch (e) {
    if (e instanceof DeviceError) {
      process.stderr.write(`lwsx ${step}: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const [step, ...argv] = process.argv.slice(2);
  if (!(step in KNOWN)) {
    process.stderr.write("usage: node scripts/device/esp.mjs build|flash|monitor --board B [--port DEV] [key=value...]\n");
    process.exit(2);
  }
  device(step, argv).then((code) => process.exit(code));
}
