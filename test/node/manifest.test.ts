// Static checks of manifest.json: the device build cannot run here (no
// Moddable SDK or ESP-IDF), so what can be checked without them is.
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import * as A from "../lib/assert.js";

describe("manifest.json", () => {
  const m = JSON.parse(fs.readFileSync("manifest.json", "utf8"));
  before(() => execFileSync(process.execPath, ["scripts/build.mjs"]));

  it("names only modules the build emits", () => {
    for (const [name, p] of Object.entries(m.modules as Record<string, string>)) {
      if (p.startsWith("$(")) continue;
      if (p.endsWith("/*")) {
        const dir = p.slice(0, -2);
        A.ok(fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.endsWith(".js")), `${name} -> ${dir} has modules`);
      } else A.ok(fs.existsSync(`${p}.js`), `${name} -> ${p}.js exists`);
    }
  });

  it("covers every module the app imports, transitively", () => {
    const covered = (file: string) =>
      Object.values(m.modules as Record<string, string>).some((p) => (p.endsWith("/*") ? path.dirname(file) === path.normalize(p.slice(0, -2)) : path.normalize(`${p}.js`) === file));
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      A.ok(covered(file), `${file} is in the manifest`);
      const src = fs.readFileSync(file, "utf8");
      for (const mm of src.matchAll(/(?:import|export)[^"']*?from\s*["']([^"']+)["']/g)) {
        const spec = mm[1]!;
        A.ok(spec.startsWith("."), `${file} imports only project modules, not '${spec}'`);
        visit(path.normalize(path.join(path.dirname(file), spec)));
      }
    };
    visit(path.normalize("dist/examples/app/app.js"));
    A.ok(seen.size > 5);
  });

  it("points esp32 builds at the board's partition table and refuses other platforms", () => {
    A.equal(m.platforms.esp32.build.PARTITIONS_FILE, "./boards/esp32/partitions.csv");
    A.ok(fs.existsSync("boards/esp32/partitions.csv"));
    A.ok(/esp32/.test(m.platforms["..."].error));
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
  });
});
