// The device boards (boards/<name>/) as the build, flash, monitor and QEMU
// scripts use them, and the checks for the tools they need (the Moddable
// SDK's mcconfig, ESP-IDF's idf.py), with the messages that say what is
// missing and how to install it.
//
//   import { boardNames, resolveBoard, checkTools, deviceBuildDir } from "./boards.mjs";

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const BOARDS_DIR = path.join(ROOT, "boards");

/**
 * What each board folder means to mcconfig. `platform` is the -p argument;
 * `fullPlatform` the name manifest.json's "platforms" section is matched
 * with (tools/mcmanifest.js, matchPlatform). esp32-qemu is a subplatform
 * defined outside the SDK (`-p esp32:<directory>`, SDK 8.2 and later): its
 * name is the folder's, and the path must be relative and lower case, as
 * mcconfig lower-cases the whole -p argument.
 */
export const BOARDS = {
  esp32: { platform: "esp32", fullPlatform: "esp32", chip: "esp32", flashMB: 4, about: "ESP32 module, 4 MB flash (ESP32-WROOM-32 and the like)" },
  esp32s3: { platform: "esp32/esp32s3", fullPlatform: "esp32/esp32s3", chip: "esp32s3", flashMB: 8, about: "ESP32-S3 module, 8 MB flash (the SDK's esp32s3 target)" },
  esp32c3: { platform: "esp32/esp32c3", fullPlatform: "esp32/esp32c3", chip: "esp32c3", flashMB: 4, about: "ESP32-C3 module, 4 MB flash (the SDK's esp32c3 target)" },
  "esp32-qemu": { platform: "esp32:./boards/esp32-qemu", fullPlatform: "esp32/esp32-qemu", chip: "esp32", flashMB: 4, qemu: true, about: "ESP32 in Espressif's QEMU, OpenCores Ethernet, 4 MB flash image" },
};

/** the board folders under boards/ (those with a partition table), sorted */
export function boardNames() {
  let names = [];
  try {
    names = fs.readdirSync(BOARDS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory() && fs.existsSync(path.join(BOARDS_DIR, d.name, "partitions.csv"))).map((d) => d.name);
  } catch {}
  return names.sort();
}

export class DeviceError extends Error {
  /** @param {string} message  @param {number} [exitCode] */
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** the board named `name`, checked against boards/; throws a DeviceError (exit 2) that lists the boards */
export function resolveBoard(name) {
  const names = boardNames();
  const list = names.map((n) => `  ${n.padEnd(11)} ${BOARDS[n]?.about ?? "(no entry in scripts/device/boards.mjs)"}`).join("\n");
  if (name === undefined || name === true || name === "") throw new DeviceError(`which board? give --board NAME, one of:\n${list}`, 2);
  if (!names.includes(name)) throw new DeviceError(`unknown board '${name}': there is no boards/${name}/ with a partitions.csv. Boards:\n${list}`, 2);
  const b = BOARDS[name];
  if (!b) throw new DeviceError(`boards/${name}/ exists but scripts/device/boards.mjs does not say how to build it`, 2);
  return { name, dir: path.join(BOARDS_DIR, name), ...b };
}

/** where the device build of `board` goes (mcconfig -o): build/device/<board>, or LWSX_DEVICE_BUILD_DIR/<board> */
export function deviceBuildDir(board, env = process.env) {
  return path.join(env.LWSX_DEVICE_BUILD_DIR ? path.resolve(env.LWSX_DEVICE_BUILD_DIR) : path.join(ROOT, "build", "device"), board);
}

/** `name` on PATH (an executable file), or null */
export function which(name, env = process.env) {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {}
  }
  return null;
}

const MODDABLE_DOC = "https://github.com/Moddable-OpenSource/moddable/blob/public/documentation/Moddable%20SDK%20-%20Getting%20Started.md";
const ESP32_DOC = "https://github.com/Moddable-OpenSource/moddable/blob/public/documentation/devices/esp32.md";
const hostDir = process.platform === "darwin" ? "mac" : "lin";

/**
 * The tools a step needs, found or not: { missing: string[] (one paragraph
 * each: what, and how to install it), mcconfig?, idf? }.
 * @param {{ moddable?: boolean, idf?: boolean }} need
 */
export function checkTools(need, env = process.env) {
  const missing = [];
  const found = {};
  if (need.moddable) {
    const sdk = env.MODDABLE;
    if (!sdk) {
      missing.push(
        `$MODDABLE is not set: the Moddable SDK (8.2 or later) is not installed, or not set up in this shell. ` +
          `Install it as its Getting Started guide says (${MODDABLE_DOC}): clone https://github.com/Moddable-OpenSource/moddable, ` +
          `build its tools (cd $MODDABLE/build/makefiles/${hostDir} && make), then export MODDABLE=<the clone> and add $MODDABLE/build/bin/${hostDir}/release to PATH.`,
      );
    } else if (!fs.existsSync(path.join(sdk, "tools", "mcconfig"))) {
      missing.push(`$MODDABLE is ${sdk}, which is not a Moddable SDK folder (no tools/mcconfig in it): point it at the SDK's clone.`);
    } else {
      found.mcconfig = which("mcconfig", env) ?? [path.join(sdk, "build", "bin", hostDir, "release", "mcconfig")].find((p) => fs.existsSync(p)) ?? null;
      if (!found.mcconfig)
        missing.push(`mcconfig is not built: the Moddable SDK at ${sdk} has no build/bin/${hostDir}/release/mcconfig and none is on PATH. Build the SDK's tools: cd $MODDABLE/build/makefiles/${hostDir} && make (${MODDABLE_DOC}).`);
    }
  }
  if (need.idf) {
    const idf = env.IDF_PATH;
    if (!idf) {
      missing.push(
        `$IDF_PATH is not set: ESP-IDF is not installed, or not set up in this shell. ` +
          `Install the version the Moddable SDK names in documentation/devices/esp32.md (v6.0 for SDK 8.2.3; ${ESP32_DOC}): ` +
          `git clone -b v6.0 --recursive https://github.com/espressif/esp-idf.git, run ./install.sh esp32,esp32s3,esp32c3 in it, ` +
          `then in each shell: source <esp-idf>/export.sh (which sets IDF_PATH and puts idf.py on PATH).`,
      );
    } else if (!fs.existsSync(path.join(idf, "tools", "idf.py"))) {
      missing.push(`$IDF_PATH is ${idf}, which is not an ESP-IDF folder (no tools/idf.py in it): point it at ESP-IDF's clone.`);
    } else {
      found.idf = which("idf.py", env);
      if (!found.idf) missing.push(`idf.py is not on PATH although IDF_PATH is set: run source $IDF_PATH/export.sh in this shell (after ./install.sh once), then try again.`);
    }
  }
  return { missing, ...found };
}

/** throw a DeviceError naming every missing tool of `need`, for `what` ("build for esp32s3") */
export function requireTools(what, need, env = process.env) {
  const r = checkTools(need, env);
  if (r.missing.length) throw new DeviceError(`cannot ${what}: ${r.missing.length === 1 ? "a tool is" : "tools are"} missing.\n${r.missing.map((m) => `  - ${m}`).join("\n")}`, 1);
  return r;
}

/** the mcconfig command line (from the repo root) for `board` and make target `target` */
export function mcconfigArgs(board, target, { outDir, config = [] } = {}) {
  return ["-m", "-p", board.platform, "-t", target, "-o", outDir, ...config, "manifest.json"];
}

/**
 * The ESP-IDF project mcconfig made for a board's build: the newest
 * <out>/tmp/esp32/<subplatform>/release/<name>/xsProj-<chip>/ with a build/
 * in it, or null.
 */
export function findIdfProject(buildDir) {
  const found = [];
  const walk = (dir, depth) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (e.name.startsWith("xsProj-") && fs.existsSync(path.join(p, "build"))) found.push(p);
      else if (depth < 6) walk(p, depth + 1);
    }
  };
  walk(path.join(buildDir, "tmp"), 0);
  found.sort((a, b) => fs.statSync(path.join(b, "build")).mtimeMs - fs.statSync(path.join(a, "build")).mtimeMs);
  return found[0] ?? null;
}

/** the options of a command line: --name value, --flag, bare key=value words (mcconfig config), the rest */
export function parseOptions(argv, { flags = [] } = {}) {
  const opts = {};
  const config = [];
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      if (eq > 0) opts[a.slice(2, eq)] = a.slice(eq + 1);
      else if (flags.includes(a.slice(2))) opts[a.slice(2)] = true;
      else {
        const v = argv[i + 1];
        if (v === undefined || v.startsWith("--")) throw new DeviceError(`${a} needs a value`, 2);
        opts[a.slice(2)] = v;
        i++;
      }
    } else if (/^[A-Za-z_][\w-]*=/.test(a)) config.push(a);
    else rest.push(a);
  }
  return { opts, config, rest };
}
