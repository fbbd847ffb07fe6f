// platform/moddable's own vfs (ModdableVfs over the SDK's `file` module),
// built from the stand-in File over the sim's in-memory files, with no vfs
// passed in: the shared HTTP suite on it, the demo app serving its status page
// from where the device keeps it (config.file.root + "www", "/mod/www" on the
// ESP32), and the vfs' edge cases. Runs in Node and in the XS lane.

import * as A from "../lib/assert.js";
import { bytes, sameBytes, type ScenarioEnv } from "../lib/env.js";
import { readResponses, type TestResponse } from "../lib/http-reader.js";
import { defineHttpScenarios } from "./http.scenarios.js";
import { createSimPlatform, type SimNetwork, type SimOptions } from "../../platform/sim/index.js";
import { createModdablePlatform, ModdableVfs, type ModdablePlatform, type SdkFileClass } from "../../platform/moddable/index.js";
import { createStandinFile, createStandinSdk, type StandinFileClass, type StandinFileOptions, type StandinSdk } from "../../platform/moddable/standin/index.js";
import { startApp } from "../../examples/app/app.js";
import { moddableEnv } from "../lib/moddable-env.js";
import { PlatformError } from "../../src/core/platform.js";

type FilesEnv = ScenarioEnv & { sim: SimNetwork; sdk: StandinSdk; File: StandinFileClass; platform: ModdablePlatform; vfs: ModdableVfs; errors: unknown[] };

/** platform/moddable over the stand-in SDK with its File, and no `vfs` option: the adapter's own vfs serves */
function filesEnv(simOpts: SimOptions, file: StandinFileOptions, maxOpenFiles?: number): FilesEnv {
  // the SDK keeps no modification time: the sim's is not given
  const env = moddableEnv({ ...simOpts, standin: { file }, ownVfs: true, maxOpenFiles, filesRoot: "/mod/files", noMtime: true });
  A.ok(env.platform.vfs instanceof ModdableVfs, "the adapter built its own vfs");
  const vfs = env.platform.vfs as ModdableVfs;
  const File = env.sdk.modules.File!;
  const done = env.done;
  return Object.assign(env, {
    name: `moddable with the stand-in File (${file.flavor ?? "esp32"}) over sim(seed ${env.sim.seed})`,
    File,
    vfs,
    done() {
      done();
      A.equal(vfs.openCount, 0, "every vfs handle closed");
      A.equal(File.openCount, 0, "every SDK File closed");
    },
  });
}

// the whole HTTP suite (files, ranges, 304, HEAD, directories, traversal...) through the
// adapter's vfs; the simulator's flavour: directories exist, open like files and fail to read
defineHttpScenarios("moddable, files through its own vfs over the SDK's File (lin flavour, 1460-byte segments)", () =>
  filesEnv({ seed: 46, maxSegment: 1460, randomSplit: true }, { flavor: "lin" }),
);

// what examples/app/www holds, in short (the XS lane has no disk to read it from)
const WWW: Record<string, string | Uint8Array> = {
  "index.html": '<!DOCTYPE html><html><head><link rel="stylesheet" href="style.css"></head><body><pre id="s"></pre><script src="status.js"></script></body></html>',
  "status.js": 'const ws = new WebSocket(`ws://${location.host}/`, "lws-status"); ws.onmessage = (e) => (s.textContent = e.data);',
  "style.css": "body { font-family: sans-serif; }",
  "big.bin": bytes(20000, 3),
};

const get = (path: string, extra = "", method = "GET") => `${method} ${path} HTTP/1.1\r\nHost: esp32\r\n${extra}\r\n`;

describe("the demo app's status page on platform/moddable, from its own vfs (stand-in File, ESP32/SPIFFS flavour)", () => {
  let env: FilesEnv;
  let app: ReturnType<typeof startApp>;
  beforeEach(() => {
    env = filesEnv({ seed: 47 }, { flavor: "esp32" });
    // where the device keeps them: config.file.root ("/mod/" on the ESP32) + "www"
    for (const [name, data] of Object.entries(WWW)) env.sim.writeFile(`/mod/www/${name}`, data);
    app = startApp(env.platform, { host: "0.0.0.0", port: 7681, wwwRoot: "/mod/www" });
  });
  afterEach(() => {
    app.context.destroy();
    env.sim.run({ untilUs: env.sim.now() + 100_000 });
  });

  async function exchange(request: string, n = 1, heads: number[] = []): Promise<TestResponse[]> {
    const peer = env.peer(app.port);
    peer.write(request);
    await env.waitFor(() => readResponses(peer.received, false, heads).length >= n, `${n} response(s)`, 20000);
    peer.end();
    return readResponses(peer.received, false, heads);
  }

  it("serves index.html at /, and its script and style sheet, read in pieces through the SDK's File", async () => {
    const readsBefore = env.File.reads;
    const res = await exchange(get("/") + get("/status.js") + get("/style.css") + get("/big.bin"), 4);
    A.deepEqual(res.map((r) => r.status), [200, 200, 200, 200]);
    A.equal(res[0]!.text, WWW["index.html"]);
    A.equal(res[0]!.headers["content-type"], "text/html; charset=utf-8");
    A.equal(res[1]!.text, WWW["status.js"]);
    A.equal(res[2]!.text, WWW["style.css"]);
    A.ok(sameBytes(res[3]!.body, WWW["big.bin"] as Uint8Array), "20 KB intact");
    A.ok(env.File.reads - readsBefore > 4, `the big file was read in pieces (${env.File.reads - readsBefore} reads)`);
    A.ok(/^"[0-9a-f]+-[0-9a-f]+"$/.test(res[0]!.headers["etag"]!), `an ETag from the size alone (no mtime on the device): ${res[0]!.headers["etag"]}`);
    env.done();
  });

  it("answers a range with 206, If-None-Match with 304, HEAD with headers only, a missing file with 404", async () => {
    const etag = (await exchange(get("/index.html")))[0]!.headers["etag"]!;
    const res = await exchange(
      get("/big.bin", "Range: bytes=1000-1999\r\n") +
        get("/big.bin", "Range: bytes=-7\r\n") +
        get("/", `If-None-Match: ${etag}\r\n`) +
        get("/style.css", "", "HEAD") +
        get("/missing.html") +
        get("/index.html"),
      6,
      [3],
    );
    A.deepEqual(res.map((r) => r.status), [206, 206, 304, 200, 404, 200]);
    A.equal(res[0]!.headers["content-range"], "bytes 1000-1999/20000");
    A.ok(sameBytes(res[0]!.body, (WWW["big.bin"] as Uint8Array).subarray(1000, 2000)));
    A.ok(sameBytes(res[1]!.body, (WWW["big.bin"] as Uint8Array).subarray(19993)));
    A.equal(res[2]!.body.length, 0);
    A.equal(res[2]!.headers["etag"], etag);
    A.equal(res[3]!.headers["content-length"], String((WWW["style.css"] as string).length));
    A.equal(res[3]!.body.length, 0, "HEAD has no body");
    A.equal(res[5]!.text, WWW["index.html"], "the connection goes on after the 404");
    env.done();
  });

  it("without the files (nothing written to the storage partition) / is a 404 and the app still answers /status", async () => {
    for (const name of Object.keys(WWW)) env.sim.fileSystem.delete(`/mod/www/${name}`);
    const res = await exchange(get("/") + get("/status"), 2);
    A.deepEqual(res.map((r) => r.status), [404, 200]);
    env.done();
  });
});

describe("ModdableVfs (platform/moddable's vfs over the SDK's File)", () => {
  function setup(file: StandinFileOptions = {}, maxOpenFiles?: number) {
    const sim = createSimPlatform({ seed: 48 });
    const File = createStandinFile(sim, file);
    const vfs = new ModdableVfs(File as unknown as SdkFileClass, maxOpenFiles);
    const data = bytes(1000, 5);
    sim.writeFile("/mod/a.bin", data);
    sim.writeFile("/mod/empty", new Uint8Array(0));
    sim.writeFile("/mod/dir/x.txt", "x");
    return { sim, File, vfs, data };
  }
  const code = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      A.ok(e instanceof PlatformError, `a PlatformError, not ${(e as Error)?.name}: ${(e as Error)?.message}`);
      return (e as PlatformError).code;
    }
    return "none";
  };

  it("stats a file (size, mtimeMs 0), an empty one, and a missing one (null), leaving nothing open", () => {
    const { vfs, File } = setup();
    A.deepEqual(vfs.stat("/mod/a.bin"), { size: 1000, mtimeMs: 0, isDirectory: false });
    A.deepEqual(vfs.stat("/mod/empty"), { size: 0, mtimeMs: 0, isDirectory: false });
    A.equal(vfs.stat("/mod/nope"), null);
    A.equal(File.openCount, 0);
  });

  it("reads in pieces into the caller's buffer; at or past the end, or into nothing, a read gives 0", () => {
    for (const flavor of ["esp32", "lin", "littlefs"] as const) {
      const { vfs, data, File } = setup({ flavor });
      const h = vfs.open("/mod/a.bin");
      const into = new Uint8Array(300);
      const got: Uint8Array[] = [];
      for (let pos = 0; ; ) {
        const n = vfs.read(h, pos, into);
        if (!n) break;
        got.push(into.slice(0, n));
        pos += n;
      }
      A.deepEqual(got.map((g) => g.length), [300, 300, 300, 100], flavor);
      const all = new Uint8Array(1000);
      let o = 0;
      for (const g of got) all.set(g, (o += g.length) - g.length);
      A.ok(sameBytes(all, data), `${flavor}: intact`);
      const window = new Uint8Array(10).fill(0xee);
      A.equal(vfs.read(h, 995, window.subarray(2, 10)), 5, "a read across the end gives what is left");
      A.ok(sameBytes(window.subarray(2, 7), data.subarray(995)) && window[0] === 0xee && window[7] === 0xee, "into the view given, nothing around it");
      A.equal(vfs.read(h, 1000, into), 0, "at the end");
      A.equal(vfs.read(h, 5000, into), 0, "past the end");
      A.equal(vfs.read(h, 0, new Uint8Array(0)), 0, "into nothing");
      A.equal(vfs.read(h, 500, into.subarray(0, 1)), 1, "random access backwards");
      A.equal(into[0], data[500]);
      vfs.close(h);
      A.equal(File.openCount, 0, `${flavor}: the SDK file closed`);
    }
  });

  it("throws PlatformError ENOENT for a missing file, EBADF for a closed handle; close twice is harmless", () => {
    const { vfs } = setup();
    A.equal(code(() => vfs.open("/mod/nope")), "ENOENT");
    const h = vfs.open("/mod/a.bin");
    vfs.close(h);
    vfs.close(h);
    A.equal(code(() => vfs.read(h, 0, new Uint8Array(4))), "EBADF");
    A.equal(code(() => vfs.read(0, 0, new Uint8Array(4))), "EBADF");
    A.equal(code(() => vfs.read(99, 0, new Uint8Array(4))), "EBADF");
    A.equal(vfs.openCount, 0);
  });

  it("a directory: none on SPIFFS (flat), isDirectory on the simulator (opens, cannot be read) and littlefs (does not open)", () => {
    A.equal(setup({ flavor: "esp32" }).vfs.stat("/mod/dir"), null, "SPIFFS has no directories");
    for (const flavor of ["lin", "littlefs"] as const) {
      const { vfs, File } = setup({ flavor });
      A.deepEqual(vfs.stat("/mod/dir"), { size: 0, mtimeMs: 0, isDirectory: true }, flavor);
      A.deepEqual(vfs.stat("/mod/dir/x.txt"), { size: 1, mtimeMs: 0, isDirectory: false }, flavor);
      A.equal(File.openCount, 0, `${flavor}: nothing left open by stat`);
    }
    A.equal(code(() => setup({ flavor: "littlefs" }).vfs.open("/mod/dir")), "EISDIR");
    A.equal(code(() => setup({ flavor: "esp32" }).vfs.open("/mod/dir")), "ENOENT");
  });

  it("keeps at most maxOpenFiles handles: small integers, the lowest free one reused, EMFILE beyond", () => {
    const { vfs, File } = setup({}, 3);
    A.equal(vfs.maxOpen, 3);
    const hs = [vfs.open("/mod/a.bin"), vfs.open("/mod/a.bin"), vfs.open("/mod/empty")];
    A.deepEqual(hs, [1, 2, 3]);
    A.equal(code(() => vfs.open("/mod/a.bin")), "EMFILE");
    try {
      vfs.open("/mod/a.bin");
    } catch (e) {
      A.ok(/3 files open already \(maxOpenFiles\)/.test((e as Error).message), (e as Error).message);
    }
    A.equal(File.openCount, 3, "the refused open did not reach the SDK");
    A.deepEqual(vfs.stat("/mod/a.bin"), { size: 1000, mtimeMs: 0, isDirectory: false }, "stat still works at the limit");
    vfs.close(2);
    A.equal(vfs.open("/mod/a.bin"), 2, "the freed handle comes back");
    for (const h of hs) vfs.close(h);
    A.equal(vfs.openCount, 0);
    A.equal(File.openCount, 0);
  });

  it("the SDK's own limit (max_files: 5 on SPIFFS, refused as 'file not found') is EACCES for a file that exists", () => {
    const { vfs } = setup({ flavor: "esp32", maxOpen: 2 }, 4);
    vfs.open("/mod/a.bin");
    vfs.open("/mod/a.bin");
    A.equal(code(() => vfs.open("/mod/a.bin")), "EACCES");
    A.equal(code(() => vfs.open("/mod/nope")), "ENOENT");
    A.equal(vfs.stat("/mod/a.bin"), null, "and stat cannot open it either");
  });

  it("the platform: builds its vfs from sdk.File; an explicit vfs wins; none without either", () => {
    const sim = createSimPlatform({ seed: 49 });
    A.ok(createModdablePlatform(createStandinSdk(sim, { file: true })).vfs instanceof ModdableVfs);
    A.equal(createModdablePlatform(createStandinSdk(sim, { file: true }), { vfs: sim.vfs }).vfs, sim.vfs);
    A.equal(createModdablePlatform(createStandinSdk(sim)).vfs, undefined);
    A.equal((createModdablePlatform(createStandinSdk(sim, { file: true }), { maxOpenFiles: 2 }).vfs as ModdableVfs).maxOpen, 2);
  });
});

describe("stand-in SDK: File (modules/files/file)", () => {
  it("opens, reads by position and count, and fails as the SDK does", () => {
    const sim = createSimPlatform({ seed: 50 });
    sim.writeFile("/mod/t.txt", "hello world");
    const File = createStandinFile(sim);
    const msg = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    A.equal(msg(() => new File("/mod/none")), "file not found");
    A.ok(File.exists("/mod/t.txt") && !File.exists("/mod/none"));
    const f = new File("/mod/t.txt");
    A.equal(f.length, 11);
    A.equal(f.position, 0);
    A.equal(f.read(String, 5), "hello");
    A.equal(f.position, 5);
    A.equal(new Uint8Array(f.read(ArrayBuffer) as ArrayBuffer).length, 6, "to the end by default");
    A.equal(msg(() => f.read(ArrayBuffer, 1)), "read past end of file");
    f.position = 6;
    const buf = new Uint8Array(3);
    A.equal(f.read(buf, 10), buf, "ESP32: read into the buffer, as much as fits, and returned");
    A.equal(new TextDecoder().decode(buf), "wor");
    f.close();
    A.equal(msg(() => f.length), "closed");
    A.equal(msg(() => f.close()), "closed");
    const w = new File("/mod/new.txt", true);
    w.write("ab", 67, Uint8Array.of(68));
    w.close();
    A.equal(new TextDecoder().decode(sim.fileSystem.get("/mod/new.txt")!), "abCD", "write mode creates the file");
    A.equal(File.openCount, 0);
    const lin = createStandinFile(sim, { flavor: "lin" });
    const g = new lin("/mod/t.txt");
    const r = g.read(new Uint8Array(4), 4);
    A.ok(r instanceof ArrayBuffer && r.byteLength === 4, "lin: a new ArrayBuffer whatever is passed");
    g.close();
    A.equal(msg(() => new (createStandinFile(sim, { flavor: "littlefs" }))("/mod/none")), "No directory entry");
  });
});
