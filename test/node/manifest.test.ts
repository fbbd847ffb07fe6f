// Static checks of manifest.json and boards/esp32: the device build cannot run
// here (no Moddable SDK, ESP-IDF or QEMU), so what can be checked without
// them is, following what the SDK does with them:
//
//  - mcconfig names each module by its manifest key ("src/core/*" ->
//    "./dist/src/core/*" gives "src/core/context", ...; tools/mcmanifest.js,
//    ModulesRule), and XS resolves an import against the importing module's
//    *name*: ".js" / ".mjs" is dropped from the last segment, "./" and "../"
//    walk the referrer's name (xs/platforms/mc/xsHosts.c and
//    xs/tools/xsl.c, fxFindModule). resolve() below is that algorithm.
//  - the module run after set-up is creation.main (tools/mcconfig.js: default
//    "main"; xs/platforms/mc/xsHosts.c: xsImport(preparation->main)).
//  - the SDK modules the device code imports come from the manifests it includes.
//  - mcconfig merges one "platforms" section per manifest: the first key that
//    matches the platform, then its parent, else "..." (tools/mcmanifest.js,
//    matchPlatform); each board's section must be the one picked.
//  - esp32-qemu is a subplatform outside the SDK (mcconfig -p esp32:<dir>):
//    the SDK's manifests then want <dir>/manifest.json and <dir>/host/provider.
//  - creation sizes: checked against figures measured inside XS
//    (scripts/device/xs-figures.mjs).

import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import * as A from "../lib/assert.js";

interface PlatformSection {
  build?: Record<string, string>;
  error?: string;
  warning?: string;
  include?: string[];
  modules?: Record<string, string | string[]>;
}

interface Manifest {
  include: string[];
  creation: { main: string };
  modules: Record<string, string | string[]>;
  preload?: string[];
  platforms: Record<string, PlatformSection>;
}

interface XsFigures {
  modules: { slots: number; chunks: number };
  atRest: { slots: number; chunks: number };
  handshakePeak: { slots: number; chunks: number };
  busy16: { slots: number; chunks: number };
  stack: { loads: number; runs: number; chain: number };
}

/** scripts/device/boards.mjs's table (read as text: the .mjs has no types) */
const BOARDS: Record<string, { platform: string; fullPlatform: string }> = (() => {
  const src = fs.readFileSync("scripts/device/boards.mjs", "utf8");
  const out: Record<string, { platform: string; fullPlatform: string }> = {};
  for (const x of src.matchAll(/^\s*"?([\w-]+)"?: \{ platform: "([^"]+)", fullPlatform: "([^"]+)"/gm)) out[x[1]!] = { platform: x[2]!, fullPlatform: x[3]! };
  return out;
})();

/** the ESP32 subplatforms of the Moddable SDK 8.2.3 the boards rely on (build/devices/esp32/targets/) */
const SDK_ESP32_TARGETS = ["esp32s3", "esp32c3"];

/**
 * mcconfig's choice of a "platforms" section (tools/mcmanifest.js, matchPlatform):
 * for "a/b", then "a", the first key in order that is equal, or "x/*" with a
 * matching head, or "*\/x" with a matching tail; else "...".
 */
function matchPlatform<T>(platforms: Record<string, T>, name: string): T | undefined {
  const parts = name.split("/");
  while (parts.length) {
    const partial = parts.join("/");
    for (const n of Object.keys(platforms)) {
      if (n.endsWith("/*")) {
        if (partial.startsWith(n.slice(0, -1))) return platforms[n];
      } else if (n.startsWith("*/")) {
        if (partial.endsWith(n.slice(1))) return platforms[n];
      } else if (partial === n) return platforms[n];
    }
    parts.length -= 1;
  }
  return platforms["..."];
}

/** SDK module specifier -> where a Moddable build gets it (an include, or a "*" modules entry) */
const SDK_MODULES: Record<string, string> = {
  "embedded:io/socket/tcp": "$(MODDABLE)/modules/io/manifest.json",
  "embedded:io/socket/listener": "$(MODDABLE)/modules/io/manifest.json",
  timer: "$(MODDABLE)/examples/manifest_base.json",
  time: "$(MODDABLE)/examples/manifest_base.json",
  logical: "$(MODULES)/data/logical/*",
  "text/encoder": "$(MODDABLE)/modules/data/text/encoder/manifest.json",
  "text/decoder": "$(MODDABLE)/modules/data/text/decoder/manifest.json",
  crypt: "$(MODDABLE)/modules/crypt/digest/manifest.json",
};

/** XS's fxFindModule: the module name `spec` means when imported by the module named `referrer` */
function resolve(referrer: string, spec: string): string | null {
  let name = spec;
  let dot = 0, i = 0;
  if (name[0] === ".") {
    if (name[1] === "/") (dot = 1), (i = 1);
    else if (name[1] === "." && name[2] === "/") {
      dot = 2;
      i = 2;
      while (name[i + 1] === "." && name[i + 2] === "." && name[i + 3] === "/") dot++, (i += 3);
    }
  }
  const slash = name.lastIndexOf("/");
  const ext = name.lastIndexOf(".");
  if (ext > slash && (name.slice(ext) === ".js" || name.slice(ext) === ".mjs")) name = name.slice(0, ext);
  if (!dot) return name;
  let buffer = "/" + referrer;
  for (; dot > 0; dot--) {
    const s = buffer.lastIndexOf("/");
    if (s < 0) return null;
    buffer = buffer.slice(0, s);
  }
  return (buffer + name.slice(i)).slice(1);
}

describe("manifest.json", () => {
  const m = JSON.parse(fs.readFileSync("manifest.json", "utf8")) as Manifest;
  before(() => execFileSync(process.execPath, ["scripts/build.mjs"]));

  /** the emitted file a module name maps to, by the manifest's keys (exact, or "dir/*") */
  const fileOf = (name: string): string | null => {
    for (const [key, value] of Object.entries(m.modules)) {
      if (key === "*" || typeof value !== "string") continue;
      if (key.endsWith("/*")) {
        const prefix = key.slice(0, -1);
        const rest = name.slice(prefix.length);
        if (name.startsWith(prefix) && rest && !rest.includes("/")) return path.normalize(`${value.slice(0, -1)}${rest}.js`);
      } else if (key === name) return path.normalize(`${value}.js`);
    }
    return null;
  };

  const provides = (where: string) => m.include.includes(where) || ([] as string[]).concat(m.modules["*"] ?? []).includes(where);

  it("resolves specifiers as XS does", () => {
    A.equal(resolve("src/roles/raw/index", "../../core/reasons.js"), "src/core/reasons");
    A.equal(resolve("src/index", "./core/context.js"), "src/core/context");
    A.equal(resolve("examples/app/main-moddable", "../../platform/moddable/device.js"), "platform/moddable/device");
    A.equal(resolve("main", "../x.js"), null, "a module named 'main' cannot import '../' anything");
    A.equal(resolve("main", "./app.js"), "app");
    A.equal(resolve("a/b", "timer"), "timer");
  });

  it("names only modules the build emits, with the device entry as creation.main", () => {
    for (const [name, p] of Object.entries(m.modules)) {
      if (name === "*") continue;
      A.equal(typeof p, "string", `${name}: one source`);
      const src = p as string;
      A.ok(src.startsWith("./dist/"), `${name} -> ${src}: the project's build output, not its TypeScript`);
      if (src.endsWith("/*")) {
        A.ok(name.endsWith("/*") && `./dist/${name}` === src, `${name} -> ${src}: the module names mirror dist/ (so relative imports resolve)`);
        const dir = src.slice(0, -2);
        A.ok(fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.endsWith(".js")), `${name} -> ${dir} has modules`);
      } else {
        A.equal(`./dist/${name}`, src, `${name}: its name mirrors its path`);
        A.ok(fs.existsSync(`${src}.js`), `${name} -> ${src}.js exists`);
      }
    }
    A.equal(m.creation.main, "examples/app/main-moddable");
    A.equal(fileOf(m.creation.main), path.normalize("dist/examples/app/main-moddable.js"));
    A.deepEqual(m.preload ?? [], [], "nothing preloaded (see platform/moddable/README.md: module-level Maps and typed arrays of src/ are written at run time)");
  });

  it("resolves every import of every module reachable from the main, to a module it names or an SDK module it includes", () => {
    const seen = new Map<string, string>();
    const sdk = new Set<string>();
    const visit = (name: string, from: string) => {
      if (seen.has(name)) return;
      const file = fileOf(name);
      A.ok(file, `module '${name}' (imported by ${from}) is not named by the manifest`);
      A.ok(fs.existsSync(file!), `module '${name}' -> ${file}: not emitted by the build`);
      seen.set(name, file!);
      const src = fs.readFileSync(file!, "utf8");
      for (const mm of src.matchAll(/(?:^|[;\n}])\s*(?:import|export)\s*(?:[^"';]*?\bfrom\s*)?["']([^"']+)["']/g)) {
        const spec = mm[1]!;
        A.ok(!/^node:/.test(spec), `${file} imports the Node built-in '${spec}'`);
        if (spec.startsWith(".")) {
          const target = resolve(name, spec);
          A.ok(target, `${file}: '${spec}' does not resolve from module '${name}'`);
          visit(target!, file!);
        } else {
          A.ok(spec in SDK_MODULES, `${file} imports '${spec}', which is neither a project module nor an SDK module lwsx knows`);
          A.ok(provides(SDK_MODULES[spec]!), `'${spec}' comes from ${SDK_MODULES[spec]}, which the manifest does not include`);
          sdk.add(spec);
        }
      }
      A.ok(!/\bimport\s*\(/.test(src), `${file} uses import(): not followed here`);
    };
    visit(m.creation.main, "creation.main");
    const files = [...seen.values()];
    A.ok(files.length > 10, `${files.length} modules reachable`);
    A.ok(files.every((f) => !/platform[\\/](sim|node)|standin|test[\\/]/.test(f)), "no sim, node, stand-in or test module reaches the device");
    for (const need of ["embedded:io/socket/tcp", "embedded:io/socket/listener", "timer", "text/encoder"]) A.ok(sdk.has(need), `the device build uses ${need}`);
    // the device entry imports device.js (the TextEncoder globals) before app.js (src/ makes encoders at load time)
    const main = fs.readFileSync(seen.get(m.creation.main)!, "utf8");
    A.ok(main.indexOf("platform/moddable/device.js") < main.indexOf("./app.js"), "device.js is imported before app.js");
  });

  it("has a platform section per board, each pointing at its partition table and sdkconfig; the simulators; an error elsewhere", () => {
    // every board folder is one of scripts/device/boards.mjs's, and its section is the one mcconfig picks
    A.deepEqual(Object.keys(BOARDS).sort(), fs.readdirSync("boards", { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort());
    for (const [board, b] of Object.entries(BOARDS)) {
      const section = matchPlatform(m.platforms, b.fullPlatform);
      A.ok(section, `a section for ${b.fullPlatform}`);
      A.equal(section, m.platforms[b.fullPlatform], `${b.fullPlatform} picks its own section, not a wildcard before it (mcconfig takes the first key that matches)`);
      A.equal(section.build?.PARTITIONS_FILE, `./boards/${board}/partitions.csv`);
      A.equal(section.build?.SDKCONFIGPATH, `./boards/${board}`);
      A.ok(fs.existsSync(`boards/${board}/partitions.csv`) && fs.existsSync(`boards/${board}/sdkconfig.defaults`), "mcconfig reads <SDKCONFIGPATH>/sdkconfig.defaults");
      A.ok(!section.error && !section.warning, `${b.fullPlatform} builds without a warning`);
    }
    // the SDK's targets the boards use: build/devices/esp32/targets/{esp32s3,esp32c3} in SDK 8.2.3
    for (const sub of ["esp32s3", "esp32c3"]) A.ok(SDK_ESP32_TARGETS.includes(sub) && `esp32/${sub}` in m.platforms, `esp32/${sub} is an SDK target with a section`);
    // other ESP32 targets take boards/esp32, with a warning
    for (const other of ["esp32/moddable_two", "esp32/esp32c6", "esp32/nodemcu"]) {
      const section = matchPlatform(m.platforms, other);
      A.equal(section, m.platforms["esp32/*"], other);
      A.equal(section!.build?.PARTITIONS_FILE, "./boards/esp32/partitions.csv");
      A.ok(/boards\/esp32/.test(section!.warning ?? ""), `${other}: a warning says which settings it gets`);
    }
    // the simulators (mcconfig -p lin, -p sim/moddable_two on Linux is lin/moddable_two)
    for (const sim of ["lin", "mac", "lin/moddable_two", "mac/moddable_six"]) {
      const section = matchPlatform(m.platforms, sim);
      A.ok(section && !section.error && section === m.platforms[sim.split("/")[0]!], `${sim} builds the simulator`);
    }
    // anything else stops with an error
    for (const other of ["win", "esp", "esp/moddable_one", "pico", "wasm", "zephyr", "nrf52"]) {
      const section = matchPlatform(m.platforms, other);
      A.equal(section, m.platforms["..."], other);
      A.ok(/esp32/.test(section!.error!) && /lin/.test(section!.error!) && /mac/.test(section!.error!), "the error says what is supported");
    }
  });

  it("builds esp32-qemu as a subplatform outside the SDK, with the openeth module and its set-up", () => {
    const b = BOARDS["esp32-qemu"]!;
    // mcconfig -p esp32:<dir>: the subplatform is the folder's manifest build.SUBPLATFORM, else its name;
    // mcconfig lower-cases the whole -p argument, so the path must be relative and lower case
    A.equal(b.platform, "esp32:./boards/esp32-qemu");
    A.equal(b.platform, b.platform.toLowerCase());
    const sub = JSON.parse(fs.readFileSync("boards/esp32-qemu/manifest.json", "utf8")) as { build?: { SUBPLATFORM?: string } };
    A.equal(`esp32/${sub.build?.SUBPLATFORM ?? "esp32-qemu"}`, b.fullPlatform);
    // the SDK's io manifest maps embedded:provider/builtin to $(SUBPLATFORMDIRECTORY)/host/provider for esp32/*
    A.ok(/export default/.test(fs.readFileSync("boards/esp32-qemu/host/provider.js", "utf8")), "boards/esp32-qemu/host/provider.js");
    const section = m.platforms["esp32/esp32-qemu"]!;
    A.deepEqual(section.include, ["./boards/esp32-qemu/openeth/manifest.json"]);
    const frag = JSON.parse(fs.readFileSync("boards/esp32-qemu/openeth/manifest.json", "utf8")) as Manifest;
    const fragSection = matchPlatform(frag.platforms, b.fullPlatform);
    A.equal(fragSection, frag.platforms.esp32, "the fragment's esp32 section applies to esp32/esp32-qemu");
    const mods = fragSection!.modules as Record<string, string>;
    A.equal(mods["*"], "./openeth");
    A.equal(mods["setup/openeth"], "./setup-openeth");
    for (const f of ["openeth.js", "openeth.c", "setup-openeth.js"]) A.ok(fs.existsSync(`boards/esp32-qemu/openeth/${f}`), f);
    // the set-up module: a default export taking done, importing only what the build has
    const setup = fs.readFileSync("boards/esp32-qemu/openeth/setup-openeth.js", "utf8");
    A.ok(/export default function \(done\)/.test(setup), "setup/openeth exports function (done)");
    const imports = [...setup.matchAll(/^import .* from "([^"]+)";$/gm)].map((x) => x[1]);
    A.deepEqual(imports.sort(), ["openeth", "timer"]);
  });

  it("sizes creation from the XS figures (scripts/device/xs-figures.mjs)", async function () {
    this.timeout(600_000); // builds the XS host the first time (cached after)
    const c = m.creation as Manifest["creation"] & { static: number; chunk: { initial: number; incremental: number }; heap: { initial: number; incremental: number }; stack: number };
    A.equal(c.static, 0, "no static block: the ESP32's RAM is in separate regions (documentation/tools/manifest.md), and the C3 target's 92 KB could not hold the modules");
    const { measure } = (await import(pathToFileURL(path.resolve("scripts/device/xs-figures.mjs")).href)) as { measure(): Promise<XsFigures> };
    const f = await measure();
    const boot = f.modules.slots + f.atRest.slots + f.handshakePeak.slots;
    A.ok(c.heap.initial >= boot, `heap.initial ${c.heap.initial} slots holds the modules (${f.modules.slots}), the app at rest (${f.atRest.slots}) and a handshake's live peak (${f.handshakePeak.slots}): ${boot}`);
    A.ok(c.heap.initial <= boot * 1.5, `heap.initial ${c.heap.initial} is not far above the need (${boot}): RAM is short`);
    const perConnection = f.busy16.slots / 16;
    A.ok(c.heap.incremental >= 2 * perConnection, `each heap growth (${c.heap.incremental} slots) holds two busy connections (${Math.round(perConnection)} slots each)`);
    A.ok(c.chunk.initial >= f.atRest.chunks + f.handshakePeak.chunks + 8192, `chunk.initial ${c.chunk.initial} holds the app's chunks at rest and in a handshake (${f.atRest.chunks + f.handshakePeak.chunks}, 64-bit host: an upper bound) and 8 KB of module tables`);
    A.ok(c.chunk.incremental >= 2 * (f.busy16.chunks / 16), "each chunk growth holds two busy connections");
    A.ok(c.stack >= 1.25 * f.stack.chain, `stack ${c.stack} slots is at least 1.25 x what the app's call chains take (${f.stack.chain})`);
  });

  it("has a partition table with two OTA slots that fit in 4 MB without overlap", () => {
    const rows = fs.readFileSync("boards/esp32/partitions.csv", "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#")).map((l) => l.split(",").map((s) => s.trim()));
    let end = 0;
    for (const [name, , , off, size] of rows) {
      const o = Number(off), s = Number(size);
      A.ok(o >= end, `${name} does not overlap the previous partition`);
      end = o + s;
    }
    A.ok(end <= 4 * 1024 * 1024, "fits in 4 MB");
    A.deepEqual(rows.filter((r) => r[1] === "app").map((r) => r[2]), ["ota_0", "ota_1"]);
    A.ok(rows.every((r) => r[1] !== "app" || Number(r[3]) % 0x10000 === 0), "app partitions on 64 KB boundaries");
  });

  it("has an sdkconfig fragment mcconfig can merge: server-sized lwIP, rollback, mbedTLS", () => {
    const lines = fs.readFileSync("boards/esp32/sdkconfig.defaults", "utf8").split(/\r?\n/).filter((l) => l.trim() && !l.startsWith("#"));
    const cfg = new Map<string, string>();
    for (const l of lines) {
      A.ok(/^CONFIG_[A-Z0-9_]+=[^\s#]+$/.test(l), `'${l}': one CONFIG_NAME=value per line, no inline comment (mcmanifest splits on '=')`);
      const [k, v] = l.split("=") as [string, string];
      A.ok(!cfg.has(k), `${k} set once`);
      cfg.set(k, v);
    }
    A.equal(cfg.get("CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE"), "y");
    A.ok(Number(cfg.get("CONFIG_LWIP_MAX_ACTIVE_TCP")) > 8, "more active TCP connections than the base's 8");
    A.ok(Number(cfg.get("CONFIG_LWIP_MAX_LISTENING_TCP")) >= 2);
    A.ok([...cfg.keys()].some((k) => k.startsWith("CONFIG_MBEDTLS_")), "mbedTLS options");
    A.ok(Number(cfg.get("CONFIG_LWIP_TCP_WND_DEFAULT")) >= 2 * 1436 && Number(cfg.get("CONFIG_LWIP_TCP_SND_BUF_DEFAULT")) >= 2 * 1436, "lwIP needs at least 2 MSS of window and send buffer");
  });
});
