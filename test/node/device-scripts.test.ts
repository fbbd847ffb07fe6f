// The device scripts, without the device tools (no Moddable SDK, ESP-IDF or
// Espressif's QEMU on this machine):
//  - the QEMU flash image writer (scripts/device/flash-image.mjs) against golden
//    images: a fixture flash_args with tiny .bin files (fixtures/device/), the
//    expected image hashed independently (a sha256 computed once with Python
//    and dd, and here from the layout written out by hand);
//  - the QEMU runner (`lwsx qemu`, scripts/device/qemu.mjs) end to end with a
//    stand-in emulator (fixtures/device/fake-qemu.mjs) that checks its
//    arguments and image as QEMU would, prints a boot log and a verdict, or
//    hangs, crashes, exits, ignores SIGTERM;
//  - what the runner says when Espressif's QEMU is missing, or is upstream QEMU;
//  - build / flash / monitor: the messages when $MODDABLE / $IDF_PATH are not
//    set, and the mcconfig / idf.py command lines, run against stand-in tools.
// Everything is loopback-only and bounded in time.

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as A from "../lib/assert.js";
import { SELFTEST_FAIL, SELFTEST_PASS } from "../../examples/app/selftest.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const FIX = path.join(ROOT, "test/node/fixtures/device");
const MB = 1024 * 1024;

/** the fixture's layout, written out by hand (not read from flash_args) */
const LAYOUT: Array<[number, string]> = [
  [0x1000, "bootloader/bootloader.bin"],
  [0x8000, "partition_table/partition-table.bin"],
  [0xd000, "ota_data_initial.bin"],
  [0x20000, "lwsx-app.bin"],
];
/** sha256 of the fixture's 2 MB image, computed with Python and with dd (see the commit) */
const GOLDEN_2MB = "490b63f73b991746d1d1204949d0f1ec4700486e3a40e2746a6b41d6491fbc57";
/** ... and of the same files in a 4 MB image */
const GOLDEN_4MB = "73a0a8c662b90eab1dc1d43ae910f3ef2982e4b28d843e315f05e481a278eaa1";

/** sha256 of the image the layout makes, hashed piece by piece: 0xFF runs and the files */
function layoutHash(size: number): string {
  const h = createHash("sha256");
  let at = 0;
  const ff = (n: number) => {
    const chunk = Buffer.alloc(Math.min(n, MB), 0xff);
    for (let left = n; left > 0; left -= chunk.length) h.update(left >= chunk.length ? chunk : chunk.subarray(0, left));
  };
  for (const [off, file] of LAYOUT) {
    ff(off - at);
    const d = fs.readFileSync(path.join(FIX, file));
    h.update(d);
    at = off + d.length;
  }
  ff(size - at);
  return h.digest("hex");
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

// the .mjs modules, loaded by URL (they have no type declarations)
interface FlashImageModule {
  MB: number;
  parseFlashArgs(text: string, source?: string): { options: Record<string, string | true>; flashSize: number | null; entries: Array<{ offset: number; file: string; line: number }> };
  composeImage(parts: Array<{ offset: number; data: Uint8Array; name: string }>, size: number): Buffer;
  writeFlashImage(o: { flashArgsPath: string; out: string; size?: number }): { out: string; size: number; entries: Array<{ offset: number; file: string; bytes: number }> };
  FlashImageError: new (m: string) => Error;
}
interface QemuModule {
  PASS_LINE: string;
  FAIL_PREFIX: string;
  EXIT: Record<"PASS" | "FAIL" | "TIMEOUT" | "ERROR", number>;
  classifyLine(line: string): { verdict: "pass" | "fail"; detail: string } | null;
  qemuArgs(o: { image: string; hostPort: number }): string[];
}
let fi: FlashImageModule;
let qemu: QemuModule;
const load = async <T>(rel: string): Promise<T> => (await import(pathToFileURL(path.join(ROOT, rel)).href)) as T;

let tmp: string;
const tmpDir = (name: string) => {
  const d = path.join(tmp, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** run node with `args` from the repo root, with `env` (replacing process.env), bounded in time */
function runNode(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60000): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, env, timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 16 * MB }, (err, stdout, stderr) => {
      const code = err ? ((err as NodeJS.ErrnoException & { code?: unknown }).code as number | undefined) ?? null : 0;
      resolve({ code: typeof code === "number" ? code : null, stdout: String(stdout), stderr: String(stderr), ms: Date.now() - t0 });
    });
  });
}

/** the environment without any device tool: no MODDABLE, IDF_PATH, LWSX_QEMU, no qemu on PATH, an empty ESP-IDF tools folder */
function bareEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ["MODDABLE", "IDF_PATH", "LWSX_QEMU", "UPLOAD_PORT", "LWSX_DEVICE_BUILD_DIR", "IDF_TOOLS_PATH", "FAKE_QEMU_MODE", "FAKE_QEMU_FLAVOR", "FAKE_QEMU_RECORD"]) delete env[k];
  env.PATH = [path.dirname(process.execPath), "/usr/bin", "/bin"].join(path.delimiter);
  env.IDF_TOOLS_PATH = tmpDir("no-idf-tools");
  return { ...env, ...extra };
}

/** an executable shell script at `file` running `body` */
function script(file: string, body: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`);
  fs.chmodSync(file, 0o755);
  return file;
}

/** the stand-in emulator as an executable (LWSX_QEMU must name one) */
const fakeQemu = () => script(path.join(tmp, "bin-fake", "qemu-system-xtensa"), `exec "${process.execPath}" "${path.join(FIX, "fake-qemu.mjs")}" "$@"`);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lwsx-device-"));
  fi = await load<FlashImageModule>("scripts/device/flash-image.mjs");
  qemu = await load<QemuModule>("scripts/device/qemu.mjs");
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("the QEMU flash image writer (scripts/device/flash-image.mjs)", () => {
  it("reads ESP-IDF's flash_args: esptool options on the first line, then offset/file pairs", () => {
    const p = fi.parseFlashArgs(fs.readFileSync(path.join(FIX, "flash_args"), "utf8"));
    A.deepEqual(p.options, { flash_mode: "dio", flash_freq: "40m", flash_size: "2MB" });
    A.equal(p.flashSize, 2 * MB);
    A.deepEqual(p.entries.map((e) => [e.offset, e.file]), LAYOUT);
    // pairs on the options line, decimal offsets, flags without values, "detect"
    const q = fi.parseFlashArgs("--flash_mode dio --flash_size detect --encrypt 0x1000 a.bin\n65536 b/c.bin\n");
    A.deepEqual(q.entries.map((e) => [e.offset, e.file]), [[0x1000, "a.bin"], [0x10000, "b/c.bin"]]);
    A.equal(q.flashSize, null);
    A.equal(q.options.encrypt, true);
  });

  it("writes the golden 2 MB image: 0xFF everywhere but the files, each at its offset", () => {
    const out = path.join(tmpDir("img2"), "flash.bin");
    const r = fi.writeFlashImage({ flashArgsPath: path.join(FIX, "flash_args"), out });
    A.equal(r.size, 2 * MB);
    A.deepEqual(r.entries.map((e) => [e.offset, e.file, e.bytes]), [
      [0x1000, "bootloader/bootloader.bin", 64],
      [0x8000, "partition_table/partition-table.bin", 96],
      [0xd000, "ota_data_initial.bin", 32],
      [0x20000, "lwsx-app.bin", 4096],
    ]);
    const img = fs.readFileSync(out);
    A.equal(img.length, 2 * MB);
    A.equal(sha256(img), GOLDEN_2MB, "the golden hash");
    A.equal(layoutHash(2 * MB), GOLDEN_2MB, "the hand-written layout agrees with the golden hash");
    // spot checks around each file
    for (const [off, file] of LAYOUT) {
      const d = fs.readFileSync(path.join(FIX, file));
      A.equal(img[off - 1], 0xff, `erased before ${file}`);
      A.ok(img.subarray(off, off + d.length).equals(d), `${file} at 0x${off.toString(16)}`);
      A.equal(img[off + d.length], 0xff, `erased after ${file}`);
    }
    A.equal(img[0], 0xff);
    A.equal(img[img.length - 1], 0xff);
  });

  it("writes the image size asked for, over flash_args' --flash_size", () => {
    const out = path.join(tmpDir("img4"), "flash.bin");
    const r = fi.writeFlashImage({ flashArgsPath: path.join(FIX, "flash_args"), out, size: 4 * MB });
    A.equal(r.size, 4 * MB);
    A.equal(sha256(fs.readFileSync(out)), GOLDEN_4MB);
    A.equal(layoutHash(4 * MB), GOLDEN_4MB);
  });

  it("makes a 4 MB image when flash_args gives no size (or 'detect')", () => {
    const dir = tmpDir("detect");
    fs.writeFileSync(path.join(dir, "a.bin"), Buffer.from([1, 2, 3]));
    fs.writeFileSync(path.join(dir, "flash_args"), "--flash_mode dio --flash_size detect\n0x1000 a.bin\n");
    const r = fi.writeFlashImage({ flashArgsPath: path.join(dir, "flash_args"), out: path.join(dir, "img") });
    A.equal(r.size, 4 * MB);
    const img = fs.readFileSync(path.join(dir, "img"));
    A.deepEqual([...img.subarray(0xfff, 0x1004)], [0xff, 1, 2, 3, 0xff]);
  });

  it("takes only 2, 4, 8 or 16 MB images", () => {
    const part = [{ offset: 0, data: new Uint8Array(4), name: "x" }];
    for (const mb of [2, 4, 8, 16]) A.equal(fi.composeImage(part, mb * MB).length, mb * MB);
    for (const size of [1 * MB, 3 * MB, 32 * MB, 4 * MB + 1, 0]) A.throws(() => fi.composeImage(part, size), /QEMU's esp32 machine takes 2, 4, 8 or 16 MB images only/, `${size} bytes`);
    const dir = tmpDir("size1");
    fs.writeFileSync(path.join(dir, "a.bin"), Buffer.from([1]));
    fs.writeFileSync(path.join(dir, "flash_args"), "--flash_size 1MB\n0x1000 a.bin\n");
    A.throws(() => fi.writeFlashImage({ flashArgsPath: path.join(dir, "flash_args"), out: path.join(dir, "img") }), /1 MB: QEMU's esp32 machine takes 2, 4, 8 or 16 MB/);
    A.ok(!fs.existsSync(path.join(dir, "img")), "no image written");
  });

  it("refuses files that overlap, or end past the image", () => {
    const d = (n: number) => new Uint8Array(n);
    A.throws(() => fi.composeImage([{ offset: 0x1000, data: d(0x1001), name: "boot" }, { offset: 0x2000, data: d(1), name: "table" }], 2 * MB), /boot \(0x1000\.\.0x2001\) overlaps table \(at 0x2000\)/);
    A.throws(() => fi.composeImage([{ offset: 0x8000, data: d(1), name: "b" }, { offset: 0x8000, data: d(1), name: "a" }], 2 * MB), /overlaps/);
    A.equal(fi.composeImage([{ offset: 0x1000, data: d(0x1000), name: "a" }, { offset: 0x2000, data: d(1), name: "b" }], 2 * MB).length, 2 * MB, "touching is not overlapping");
    A.throws(() => fi.composeImage([{ offset: 2 * MB - 2, data: d(3), name: "app" }], 2 * MB), /app \(3 bytes at 0x1ffffe\) ends at 0x200001, past the end of the 2 MB image/);
    A.equal(fi.composeImage([{ offset: 2 * MB - 3, data: d(3), name: "app" }], 2 * MB)[2 * MB - 1], 0, "ending exactly at the end fits");
    // the same through flash_args: the fixture's app moved onto the partition table
    const dir = tmpDir("overlap");
    for (const [, f] of LAYOUT) fs.cpSync(path.join(FIX, f), path.join(dir, f), { recursive: true });
    fs.writeFileSync(path.join(dir, "flash_args"), "--flash_size 2MB\n0x8000 partition_table/partition-table.bin\n0x8010 lwsx-app.bin\n");
    A.throws(() => fi.writeFlashImage({ flashArgsPath: path.join(dir, "flash_args"), out: path.join(dir, "img") }), /partition_table\/partition-table\.bin \(0x8000\.\.0x8060\) overlaps lwsx-app\.bin/);
    fs.writeFileSync(path.join(dir, "flash_args"), "--flash_size 2MB\n0x1ff800 lwsx-app.bin\n");
    A.throws(() => fi.writeFlashImage({ flashArgsPath: path.join(dir, "flash_args"), out: path.join(dir, "img") }), /lwsx-app\.bin \(4096 bytes at 0x1ff800\) ends at 0x200800, past the end of the 2 MB image/);
  });

  it("says which line is wrong: a missing file, an offset without a file, a stray word, no pairs", () => {
    const dir = tmpDir("bad");
    const write = (text: string) => {
      fs.writeFileSync(path.join(dir, "flash_args"), text);
      return () => fi.writeFlashImage({ flashArgsPath: path.join(dir, "flash_args"), out: path.join(dir, "img") });
    };
    A.throws(write("--flash_size 2MB\n0x1000 nope.bin\n"), /flash_args:2: cannot read nope\.bin .*ENOENT/);
    A.throws(write("--flash_size 2MB\n0x1000\n"), /flash_args:2: offset 0x1000 without a file/);
    A.throws(write("--flash_size 2MB\nbootloader.bin 0x1000\n"), /flash_args:2: 'bootloader\.bin' is neither an option nor an offset\/file pair/);
    A.throws(write("--flash_mode dio --flash_size 2MB\n"), /no offset\/file pairs/);
    A.throws(write("--flash_size\n0x1000 a.bin\n"), /flash_args:1: --flash_size without a value/);
    A.throws(write("--flash_size big\n0x1000 a.bin\n"), /'big' is not a flash size/);
    A.throws(() => fi.writeFlashImage({ flashArgsPath: path.join(dir, "absent"), out: path.join(dir, "img") }), /cannot read .*absent: ENOENT/);
  });
});

describe("the QEMU runner (lwsx qemu, scripts/device/qemu.mjs) with a stand-in emulator", function () {
  this.timeout(90000);
  const flashArgs = path.join(FIX, "flash_args");

  /** `node bin/lwsx.js qemu ...` with the stand-in emulator in `mode`; returns the run and what the stand-in recorded */
  async function runQemu(mode: string, extraArgs: string[] = [], extraEnv: NodeJS.ProcessEnv = {}) {
    const dir = fs.mkdtempSync(path.join(tmp, `run-${mode}-`));
    const record = path.join(dir, "record.json");
    const image = path.join(dir, "flash.bin");
    const r = await runNode(["bin/lwsx.js", "qemu", "--flash-args", flashArgs, "--image", image, "--host-port", "0", "--timeout", "30", ...extraArgs], bareEnv({ LWSX_QEMU: fakeQemu(), FAKE_QEMU_MODE: mode, FAKE_QEMU_RECORD: record, ...extraEnv }), 60000);
    const rec = fs.existsSync(record) ? (JSON.parse(fs.readFileSync(record, "utf8")) as { argv: string[]; pid: number; imageSize: number; imageHead: string }) : null;
    return { r, rec, image };
  }

  it("uses the self-test's lines (examples/app/selftest.ts) and classifies console lines", () => {
    A.equal(qemu.PASS_LINE, SELFTEST_PASS);
    A.equal(qemu.FAIL_PREFIX, SELFTEST_FAIL);
    A.deepEqual(qemu.classifyLine("lwsx-selftest: PASS\r"), { verdict: "pass", detail: "self-test passed" });
    A.deepEqual(qemu.classifyLine("lwsx-selftest: FAIL no answer"), { verdict: "fail", detail: "self-test failed: no answer" });
    A.equal(qemu.classifyLine("lwsx-selftest: PASSED"), null);
    A.equal(qemu.classifyLine("lwsx-selftest: GET /status -> 200, 9 bytes of JSON in 3 ms"), null);
    A.equal(qemu.classifyLine("I (31) boot: lwsx-selftest: PASS"), null, "only a whole line counts");
    A.equal(qemu.classifyLine("Guru Meditation Error: Core  0 panic'ed (LoadProhibited)")?.verdict, "fail");
    A.equal(qemu.classifyLine("XS abort: not enough memory")?.verdict, "fail");
    A.deepEqual(qemu.qemuArgs({ image: "/i.bin", hostPort: 8080 }), ["-nographic", "-machine", "esp32", "-drive", "file=/i.bin,if=mtd,format=raw", "-nic", "user,model=open_eth,hostfwd=tcp:127.0.0.1:8080-:7681"]);
  });

  it("is what the device entry prints: main-moddable runs the self-test on the app it started, logging with trace", () => {
    const src = fs.readFileSync(path.join(ROOT, "examples/app/main-moddable.ts"), "utf8");
    A.ok(/import \{ runSelfTest, SELFTEST_FAIL \} from "\.\/selftest\.js";/.test(src), "imports the self-test");
    const start = src.indexOf("app = startApp(");
    const run = src.indexOf("runSelfTest(app.context, { port: app.port, log: deviceLog })");
    A.ok(start > 0 && run > start, "runs it after startApp, on the app's context and port, printing with deviceLog (trace)");
  });

  it("PASS: writes the image, starts the emulator as QEMU must be started, streams the console, stops it, exits 0", async () => {
    const { r, rec, image } = await runQemu("pass");
    A.equal(r.code, 0, r.stderr);
    A.ok(rec, "the stand-in ran");
    A.equal(rec.argv.length, 7);
    A.deepEqual(rec.argv.slice(0, 4), ["-nographic", "-machine", "esp32", "-drive"]);
    A.equal(rec.argv[4], `file=${image},if=mtd,format=raw`);
    A.equal(rec.argv[5], "-nic");
    const port = Number(/^user,model=open_eth,hostfwd=tcp:127\.0\.0\.1:(\d+)-:7681$/.exec(rec.argv[6]!)?.[1]);
    A.ok(port > 0 && port < 65536, `a host port was chosen: ${rec.argv[6]}`);
    A.equal(rec.imageSize, 2 * MB);
    A.equal(rec.imageHead, "e9030220", "the bootloader at 0x1000");
    A.equal(sha256(fs.readFileSync(image)), GOLDEN_2MB, "the emulator was given the golden image");
    A.ok(r.stdout.includes("rst:0x1 (POWERON_RESET)") && r.stdout.includes("lwsx demo listening on 0.0.0.0:7681"), "the console is streamed to stdout");
    A.ok(r.stdout.includes("lwsx-selftest: PASS"), "the PASS line too");
    A.ok(/lwsx qemu: flash image .*flash\.bin \(2 MB\): bootloader\/bootloader\.bin at 0x1000, partition_table\/partition-table\.bin at 0x8000, ota_data_initial\.bin at 0xd000, lwsx-app\.bin at 0x20000/.test(r.stderr), r.stderr);
    A.ok(r.stderr.includes(`http://127.0.0.1:${port}/`), "says where the device's port is");
    A.ok(/lwsx qemu: PASS: self-test passed/.test(r.stderr), r.stderr);
    A.ok(!alive(rec.pid), "the emulator was stopped");
  });

  it("FAIL: exits 1 with the self-test's reason", async () => {
    const { r, rec } = await runQemu("fail");
    A.equal(r.code, 1, r.stderr);
    A.ok(r.stderr.includes("lwsx qemu: FAIL: self-test failed: GET /status answered HTTP/1.1 404 Not Found"), r.stderr);
    A.ok(rec && !alive(rec.pid), "the emulator was stopped");
  });

  it("a crash on the console is a failure (exit 1), without waiting for the time limit", async () => {
    const { r } = await runQemu("crash");
    A.equal(r.code, 1, r.stderr);
    A.ok(r.stderr.includes("the device crashed: Guru Meditation Error"), r.stderr);
    A.ok(r.ms < 20000, `stopped at once, not after the 30 s limit (${r.ms} ms)`);
  });

  it("no verdict within the time limit: stops the emulator, exits 2", async () => {
    const { r, rec } = await runQemu("hang", ["--timeout", "1"]);
    A.equal(r.code, 2, r.stderr);
    A.ok(r.stderr.includes("lwsx qemu: TIMEOUT: no self-test verdict within 1 s"), r.stderr);
    A.ok(r.ms >= 1000 && r.ms < 20000, `${r.ms} ms`);
    A.ok(rec && !alive(rec.pid), "the emulator was stopped");
  });

  it("the emulator stopping before a verdict is a failure (exit 1)", async () => {
    const { r } = await runQemu("exit");
    A.equal(r.code, 1, r.stderr);
    A.ok(r.stderr.includes("the emulator stopped (status 0) before the self-test's verdict"), r.stderr);
  });

  it("finds the verdict line across writes, and kills an emulator that ignores SIGTERM", async () => {
    const split = await runQemu("split");
    A.equal(split.r.code, 0, split.r.stderr);
    const stubborn = await runQemu("stubborn");
    A.equal(stubborn.r.code, 0, stubborn.r.stderr);
    A.ok(stubborn.r.ms >= 2000, `waited for SIGTERM first (${stubborn.r.ms} ms)`);
    A.ok(stubborn.rec && !alive(stubborn.rec.pid), "killed");
  });

  it("the emulator is told what the stand-in refuses: a bad image stops the run (exit 1)", async () => {
    // a flash_args whose bootloader is not at 0x1000: the stand-in, like the ROM, finds no image there
    const dir = tmpDir("noboot");
    fs.cpSync(path.join(FIX, "lwsx-app.bin"), path.join(dir, "lwsx-app.bin"));
    fs.writeFileSync(path.join(dir, "flash_args"), "--flash_size 4MB\n0x20000 lwsx-app.bin\n");
    const r = await runNode(["bin/lwsx.js", "qemu", "--flash-args", path.join(dir, "flash_args"), "--host-port", "0", "--timeout", "30"], bareEnv({ LWSX_QEMU: fakeQemu() }));
    A.equal(r.code, 1);
    A.ok(r.stderr.includes("fake-qemu: no ESP32 image magic"), r.stderr);
    A.ok(fs.existsSync(path.join(dir, "lwsx-qemu-flash.bin")), "the image goes beside flash_args by default");
    A.equal(fs.statSync(path.join(dir, "lwsx-qemu-flash.bin")).size, 4 * MB);
  });

  it("refuses a host port in use (exit 3) and bad options", async () => {
    const server = net.createServer();
    await new Promise<void>((res) => server.listen(0, "127.0.0.1", () => res()));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const r = await runNode(["bin/lwsx.js", "qemu", "--flash-args", flashArgs, "--image", path.join(tmpDir("busy"), "i.bin"), "--host-port", String(port)], bareEnv({ LWSX_QEMU: fakeQemu() }));
      A.equal(r.code, 3);
      A.ok(r.stderr.includes(`host port ${port} on 127.0.0.1 is in use`), r.stderr);
    } finally {
      server.close();
    }
    const bad = await runNode(["bin/lwsx.js", "qemu", "--frobnicate", "1"], bareEnv({ LWSX_QEMU: fakeQemu() }));
    A.equal(bad.code, 3);
    A.ok(bad.stderr.includes("unknown argument: --frobnicate"), bad.stderr);
    const chip = await runNode(["bin/lwsx.js", "qemu", "--board", "esp32s3"], bareEnv({ LWSX_QEMU: fakeQemu() }));
    A.equal(chip.code, 3);
    A.ok(chip.stderr.includes("board esp32s3 runs on a chip, not in QEMU"), chip.stderr);
    const size = await runNode(["bin/lwsx.js", "qemu", "--flash-args", flashArgs, "--image", path.join(tmpDir("size3"), "i.bin"), "--flash-size", "3MB"], bareEnv({ LWSX_QEMU: fakeQemu() }));
    A.equal(size.code, 3);
    A.ok(size.stderr.includes("QEMU's esp32 machine takes 2, 4, 8 or 16 MB images only"), size.stderr);
  });

  it("without a build, says how to make one (exit 3)", async () => {
    const r = await runNode(["bin/lwsx.js", "qemu"], bareEnv({ LWSX_QEMU: fakeQemu(), LWSX_DEVICE_BUILD_DIR: tmpDir("no-builds") }));
    A.equal(r.code, 3);
    A.ok(r.stderr.includes("no esp32-qemu build under") && r.stderr.includes("npm run build -- --board esp32-qemu"), r.stderr);
  });

  it("finds the newest esp32-qemu build mcconfig made when no folder is given", async () => {
    const builds = tmpDir("builds");
    const proj = path.join(builds, "esp32-qemu", "tmp", "esp32", "esp32-qemu", "release", "lwsx", "xsProj-esp32", "build");
    for (const [, f] of LAYOUT) fs.cpSync(path.join(FIX, f), path.join(proj, f), { recursive: true });
    fs.cpSync(flashArgs, path.join(proj, "flash_args"));
    const r = await runNode(["bin/lwsx.js", "qemu", "--host-port", "0", "--timeout", "30"], bareEnv({ LWSX_QEMU: fakeQemu(), LWSX_DEVICE_BUILD_DIR: builds }));
    A.equal(r.code, 0, r.stderr);
    A.equal(sha256(fs.readFileSync(path.join(proj, "lwsx-qemu-flash.bin"))), GOLDEN_2MB);
  });
});

describe("the QEMU runner when Espressif's QEMU is missing", function () {
  this.timeout(60000);
  const args = ["bin/lwsx.js", "qemu", "--flash-args", path.join(FIX, "flash_args"), "--host-port", "0"];

  it("says it is not installed, and how to get it (exit 3)", async () => {
    const r = await runNode(args, bareEnv());
    A.equal(r.code, 3);
    for (const s of ["Espressif's QEMU is not installed", "no qemu-system-xtensa on PATH", "idf_tools.py install qemu-xtensa", "https://github.com/espressif/qemu/releases", "LWSX_QEMU"]) A.ok(r.stderr.includes(s), `says '${s}': ${r.stderr}`);
    A.equal(r.stdout, "");
  });

  it("tells upstream QEMU (Debian's qemu-system-xtensa, no esp32 machine) from Espressif's fork (exit 3)", async () => {
    const bin = script(path.join(tmp, "bin-upstream", "qemu-system-xtensa"), `FAKE_QEMU_FLAVOR=upstream exec "${process.execPath}" "${path.join(FIX, "fake-qemu.mjs")}" "$@"`);
    const env = bareEnv();
    env.PATH = `${path.dirname(bin)}${path.delimiter}${env.PATH}`;
    const r = await runNode(args, env);
    A.equal(r.code, 3);
    for (const s of [`${bin} has no esp32 machine`, "lists: kc705, lx200, lx60", "upstream QEMU", "Debian's qemu-system-xtensa", "idf_tools.py install qemu-xtensa"]) A.ok(r.stderr.includes(s), `says '${s}': ${r.stderr}`);
  });

  it("finds Espressif's QEMU on PATH, or where idf_tools.py installs it", async () => {
    // on PATH
    const env = bareEnv({ FAKE_QEMU_MODE: "pass" });
    env.PATH = `${path.dirname(fakeQemu())}${path.delimiter}${env.PATH}`;
    const onPath = await runNode([...args, "--image", path.join(tmpDir("onpath"), "i.bin"), "--timeout", "30"], env);
    A.equal(onPath.code, 0, onPath.stderr);
    // in <IDF_TOOLS_PATH>/tools/qemu-xtensa/<version>/qemu/bin
    const tools = tmpDir("idf-tools");
    script(path.join(tools, "tools", "qemu-xtensa", "esp_develop_9.2.2_20250817", "qemu", "bin", "qemu-system-xtensa"), `exec "${process.execPath}" "${path.join(FIX, "fake-qemu.mjs")}" "$@"`);
    const inTools = await runNode([...args, "--image", path.join(tmpDir("intools"), "i.bin"), "--timeout", "30"], bareEnv({ IDF_TOOLS_PATH: tools, FAKE_QEMU_MODE: "pass" }));
    A.equal(inTools.code, 0, inTools.stderr);
    A.ok(inTools.stderr.includes(path.join(tools, "tools", "qemu-xtensa")), inTools.stderr);
  });

  it("refuses an LWSX_QEMU that is not an executable (exit 3)", async () => {
    const r = await runNode(args, bareEnv({ LWSX_QEMU: path.join(tmp, "nothing-here") }));
    A.equal(r.code, 3);
    A.ok(r.stderr.includes("is not an executable file"), r.stderr);
  });
});

describe("build / flash / monitor for a board (scripts/build.mjs --board, scripts/device/esp.mjs)", function () {
  this.timeout(120000);

  it("npm run build -- --board B without $MODDABLE and $IDF_PATH: builds dist/, then names both and how to install them (exit 1)", async () => {
    const r = await runNode(["scripts/build.mjs", "--board", "esp32s3"], bareEnv());
    A.equal(r.code, 1, r.stderr);
    A.ok(r.stderr.includes("lwsx build: cannot build for esp32s3: tools are missing."), r.stderr);
    for (const s of ["$MODDABLE is not set", "Moddable SDK", "Getting%20Started", "build/makefiles/lin", "$IDF_PATH is not set", "ESP-IDF", "v6.0", "install.sh esp32,esp32s3,esp32c3", "export.sh"]) A.ok(r.stderr.includes(s), `says '${s}': ${r.stderr}`);
    A.ok(fs.existsSync(path.join(ROOT, "dist/examples/app/selftest.js")), "the esbuild step ran first");
  });

  it("validates the board against boards/ before building anything (exit 2)", async () => {
    const r = await runNode(["scripts/build.mjs", "--board", "esp33"], bareEnv());
    A.equal(r.code, 2);
    A.ok(r.stderr.includes("unknown board 'esp33': there is no boards/esp33/"), r.stderr);
    for (const b of ["esp32", "esp32s3", "esp32c3", "esp32-qemu"]) A.ok(new RegExp(`^  ${b} `, "m").test(r.stderr), `lists ${b}`);
    const none = await runNode(["scripts/build.mjs", "--board"], bareEnv());
    A.equal(none.code, 2);
    A.ok(none.stderr.includes("--board needs a value"), none.stderr);
    const stray = await runNode(["scripts/build.mjs", "--bored", "esp32"], bareEnv());
    A.equal(stray.code, 2);
  });

  it("npm run flash / monitor without the tools: the same messages; monitor needs only ESP-IDF", async () => {
    const flash = await runNode(["scripts/device/esp.mjs", "flash", "--board", "esp32"], bareEnv());
    A.equal(flash.code, 1);
    A.ok(flash.stderr.includes("lwsx flash: cannot flash esp32: tools are missing.") && flash.stderr.includes("$MODDABLE is not set") && flash.stderr.includes("$IDF_PATH is not set"), flash.stderr);
    const monitor = await runNode(["scripts/device/esp.mjs", "monitor", "--board", "esp32c3"], bareEnv());
    A.equal(monitor.code, 1);
    A.ok(monitor.stderr.includes("lwsx monitor: cannot monitor esp32c3: a tool is missing.") && monitor.stderr.includes("$IDF_PATH is not set"), monitor.stderr);
    A.ok(!monitor.stderr.includes("MODDABLE"), "the monitor does not need the Moddable SDK");
    const qemuBoard = await runNode(["scripts/device/esp.mjs", "flash", "--board", "esp32-qemu"], bareEnv());
    A.equal(qemuBoard.code, 2);
    A.ok(qemuBoard.stderr.includes("npm run qemu"), qemuBoard.stderr);
    const noBoard = await runNode(["scripts/device/esp.mjs", "monitor"], bareEnv());
    A.equal(noBoard.code, 2);
    A.ok(noBoard.stderr.includes("which board? give --board NAME"), noBoard.stderr);
  });

  it("names a $MODDABLE or $IDF_PATH that is set but wrong, and an idf.py not on PATH", async () => {
    const notSdk = tmpDir("not-sdk");
    const idf = tmpDir("idf");
    fs.mkdirSync(path.join(idf, "tools"), { recursive: true });
    fs.writeFileSync(path.join(idf, "tools", "idf.py"), "");
    const r = await runNode(["scripts/device/esp.mjs", "flash", "--board", "esp32"], bareEnv({ MODDABLE: notSdk, IDF_PATH: idf }));
    A.equal(r.code, 1);
    A.ok(r.stderr.includes(`$MODDABLE is ${notSdk}, which is not a Moddable SDK folder`), r.stderr);
    A.ok(r.stderr.includes("idf.py is not on PATH although IDF_PATH is set: run source $IDF_PATH/export.sh"), r.stderr);
    const notIdf = await runNode(["scripts/device/esp.mjs", "monitor", "--board", "esp32"], bareEnv({ IDF_PATH: notSdk }));
    A.ok(notIdf.stderr.includes(`$IDF_PATH is ${notSdk}, which is not an ESP-IDF folder`), notIdf.stderr);
    const sdk = tmpDir("sdk-unbuilt");
    fs.mkdirSync(path.join(sdk, "tools", "mcconfig"), { recursive: true });
    const unbuilt = await runNode(["scripts/device/esp.mjs", "flash", "--board", "esp32"], bareEnv({ MODDABLE: sdk }));
    A.ok(unbuilt.stderr.includes("mcconfig is not built"), unbuilt.stderr);
  });

  describe("with stand-in mcconfig and idf.py", () => {
    /** a fake Moddable SDK and ESP-IDF whose mcconfig / idf.py record their arguments, working folder and UPLOAD_PORT */
    function fakeTools(status = 0) {
      const dir = fs.mkdtempSync(path.join(tmp, "tools-"));
      const sdk = path.join(dir, "moddable");
      const idf = path.join(dir, "esp-idf");
      fs.mkdirSync(path.join(sdk, "tools", "mcconfig"), { recursive: true });
      fs.mkdirSync(path.join(idf, "tools"), { recursive: true });
      fs.writeFileSync(path.join(idf, "tools", "idf.py"), "");
      const log = path.join(dir, "calls.log");
      const recorder = `printf '%s\\t%s\\t%s' "$(basename "$0")" "$PWD" "\${UPLOAD_PORT:-}" >> "${log}"; for a in "$@"; do printf '\\t%s' "$a" >> "${log}"; done; printf '\\n' >> "${log}"; exit ${status}`;
      script(path.join(sdk, "build", "bin", "lin", "release", "mcconfig"), recorder);
      script(path.join(dir, "bin", "idf.py"), recorder);
      const env = bareEnv({ MODDABLE: sdk, IDF_PATH: idf, LWSX_DEVICE_BUILD_DIR: path.join(dir, "out") });
      env.PATH = `${path.join(dir, "bin")}${path.delimiter}${env.PATH}`;
      const calls = () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").map((l) => l.split("\t")) : []);
      return { dir, env, calls, out: path.join(dir, "out") };
    }

    it("build: esbuild, then mcconfig -m -p <board's platform> -t build -o build/device/<board> [config] manifest.json, from the repo root", async () => {
      const t = fakeTools();
      const platforms: Record<string, string> = { esp32: "esp32", esp32s3: "esp32/esp32s3", esp32c3: "esp32/esp32c3", "esp32-qemu": "esp32:./boards/esp32-qemu" };
      for (const [board, platform] of Object.entries(platforms)) {
        const r = await runNode(["scripts/build.mjs", "--board", board, ...(board === "esp32" ? ['ssid=My Net', "password=s3cret"] : [])], t.env);
        A.equal(r.code, 0, r.stderr);
        const call = t.calls().pop()!;
        A.deepEqual(call.slice(0, 3), ["mcconfig", ROOT, ""]);
        A.deepEqual(call.slice(3), ["-m", "-p", platform, "-t", "build", "-o", path.join(t.out, board), ...(board === "esp32" ? ["ssid=My Net", "password=s3cret"] : []), "manifest.json"]);
        A.ok(fs.statSync(path.join(t.out, board)).isDirectory(), "the output folder exists (mcconfig -o wants one)");
        A.ok(r.stderr.includes(board === "esp32-qemu" ? "next: npm run qemu" : `next: npm run flash -- --board ${board}`), r.stderr);
      }
      A.equal(platforms["esp32-qemu"], platforms["esp32-qemu"]!.toLowerCase(), "mcconfig lower-cases -p: the path must be lower case");
    });

    it("build: mcconfig's failure is the build's (its exit status)", async () => {
      const t = fakeTools(3);
      const r = await runNode(["scripts/build.mjs", "--board", "esp32"], t.env);
      A.equal(r.code, 3);
      A.ok(r.stderr.includes("mcconfig exited with status 3"), r.stderr);
    });

    it("flash: needs a build; then mcconfig -t deploy with UPLOAD_PORT from --port", async () => {
      const t = fakeTools();
      const none = await runNode(["scripts/device/esp.mjs", "flash", "--board", "esp32s3"], t.env);
      A.equal(none.code, 1);
      A.ok(none.stderr.includes("nothing to flash: no esp32s3 build under") && none.stderr.includes("npm run build -- --board esp32s3"), none.stderr);
      fs.mkdirSync(path.join(t.out, "esp32s3", "tmp", "esp32", "esp32s3", "release", "lwsx", "xsProj-esp32s3", "build"), { recursive: true });
      const r = await runNode(["scripts/device/esp.mjs", "flash", "--board", "esp32s3", "--port", "/dev/ttyUSB7"], t.env);
      A.equal(r.code, 0, r.stderr);
      A.deepEqual(t.calls().pop(), ["mcconfig", ROOT, "/dev/ttyUSB7", "-m", "-p", "esp32/esp32s3", "-t", "deploy", "-o", path.join(t.out, "esp32s3"), "manifest.json"]);
    });

    it("monitor: idf.py [-p PORT] monitor in the ESP-IDF project mcconfig made", async () => {
      const t = fakeTools();
      const none = await runNode(["scripts/device/esp.mjs", "monitor", "--board", "esp32"], t.env);
      A.equal(none.code, 1);
      A.ok(none.stderr.includes("no esp32 build under"), none.stderr);
      const proj = path.join(t.out, "esp32", "tmp", "esp32", "release", "lwsx", "xsProj-esp32");
      fs.mkdirSync(path.join(proj, "build"), { recursive: true });
      const r = await runNode(["scripts/device/esp.mjs", "monitor", "--board", "esp32", "--port", "/dev/ttyACM0"], t.env);
      A.equal(r.code, 0, r.stderr);
      A.deepEqual(t.calls().pop(), ["idf.py", proj, "/dev/ttyACM0", "-p", "/dev/ttyACM0", "monitor"]);
    });
  });

  it("package.json runs them: build, flash, monitor, qemu", () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    A.equal(scripts.build, "node scripts/build.mjs");
    A.equal(scripts.flash, "node scripts/device/esp.mjs flash");
    A.equal(scripts.monitor, "node scripts/device/esp.mjs monitor");
    A.equal(scripts.qemu, "node bin/lwsx.js qemu");
  });
});
