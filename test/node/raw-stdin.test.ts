// Raw file adoption of stdin on the Node platform, in a child process.
import { spawn, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as A from "../lib/assert.js";

describe("raw file: stdin on node", function () {
  this.timeout(20000);
  before(() => execFileSync(process.execPath, ["scripts/build.mjs"]));

  for (const kind of ["pipe", "file"] as const) {
    it(`reads stdin as a ${kind} through RAW_RX_FILE until it ends, then RAW_CLOSE_FILE`, async () => {
      const out = await new Promise<string>((resolve, reject) => {
        const file = path.join(os.tmpdir(), `lwsx-stdin-${process.pid}.txt`);
        fs.writeFileSync(file, "hello stdin\nsecond line\n");
        const fd = fs.openSync(file, "r");
        const c = spawn(process.execPath, ["test/node/fixtures/stdin-upper.mjs"], { stdio: [kind === "pipe" ? "pipe" : fd, "pipe", "inherit"] });
        fs.closeSync(fd);
        fs.rmSync(file);
        let s = "";
        c.stdout!.on("data", (d) => (s += d));
        c.on("exit", () => resolve(s));
        c.on("error", reject);
        if (kind === "pipe") {
          c.stdin!.write("hello stdin\n");
          setTimeout(() => c.stdin!.end("second line\n"), 100);
        }
        setTimeout(() => (c.kill(), reject(new Error(`stuck: ${s}`))), 10000);
      });
      A.equal(out, "HELLO STDIN\nSECOND LINE\n[closed]\n");
    });
  }
});
