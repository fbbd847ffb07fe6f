// Static checks of every board folder under boards/: the partition table and
// the sdkconfig fragment, as ESP-IDF and mcconfig read them. No Moddable SDK,
// ESP-IDF or QEMU runs here, so these are the checks that can be made without.
//
//  - partitions.csv: ESP-IDF's gen_esp32part.py format. Rows are
//    "name, type, subtype, offset, size, flags"; '#' starts a comment line;
//    numbers are hex (0x), decimal, or with a K / M suffix; an empty offset
//    follows the previous partition, aligned. The table itself sits at 0x8000
//    (one 4 KB sector), so partitions start at 0x9000 or later. App partitions
//    must be on 64 KB (0x10000) boundaries (the cache maps flash in 64 KB
//    pages), data partitions on 4 KB sectors.
//  - sdkconfig.defaults: mcconfig (tools/mcmanifest.js,
//    generateConfigurationRules) merges it line by line, splitting on '=':
//    only "CONFIG_NAME=value" lines and comments.
//  - README.md: declares the flash size on a line "Flash: <n> MB" (boards/esp32,
//    written before that convention, by "4 MB of flash" in its prose).

import * as fs from "node:fs";
import * as path from "node:path";
import * as A from "../lib/assert.js";

const BOARDS = "boards";
const MB = 1024 * 1024;
const TABLE_END = 0x9000; // partition table at 0x8000, one sector
const APP_ALIGN = 0x10000;
const DATA_ALIGN = 0x1000;

export interface Partition {
  name: string;
  type: string;
  subtype: string;
  offset: number;
  size: number;
  flags: string;
  line: number;
}

/** a gen_esp32part number: 0x hex, decimal, optional K / M suffix */
export function parseSize(s: string): number {
  const m = /^(0x[0-9a-f]+|\d+)\s*([km])?$/i.exec(s.trim());
  if (!m) throw new Error(`'${s}' is not a number`);
  const n = m[1]!.toLowerCase().startsWith("0x") ? parseInt(m[1]!, 16) : parseInt(m[1]!, 10);
  const unit = m[2]?.toLowerCase();
  return n * (unit === "k" ? 1024 : unit === "m" ? MB : 1);
}

/** parse a partitions.csv; throws with the line number on a malformed row */
export function parsePartitions(text: string): Partition[] {
  const rows: Partition[] = [];
  let next = TABLE_END;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const l = raw.trim();
    if (!l || l.startsWith("#")) return;
    const f = l.split(",").map((s) => s.trim());
    if (f.length < 5 || f.length > 6) throw new Error(`line ${line}: ${f.length} fields, expected 5 or 6: '${l}'`);
    const [name, type, subtype, off, size, flags = ""] = f as [string, string, string, string, string, string?];
    if (!name || !type || !subtype || !size) throw new Error(`line ${line}: empty name, type, subtype or size: '${l}'`);
    const align = type === "app" ? APP_ALIGN : DATA_ALIGN;
    let offset: number;
    try {
      offset = off ? parseSize(off) : Math.ceil(next / align) * align;
      const n = parseSize(size);
      rows.push({ name, type, subtype, offset, size: n, flags, line });
      next = offset + n;
    } catch (e) {
      throw new Error(`line ${line}: ${(e as Error).message}`);
    }
  });
  return rows;
}

/** what is wrong with a table for a flash of `flash` bytes (empty: nothing) */
export function checkPartitions(rows: Partition[], flash: number): string[] {
  const errors: string[] = [];
  const names = new Set<string>();
  for (const p of rows) {
    const where = `${p.name} (line ${p.line})`;
    if (names.has(p.name)) errors.push(`${where}: name used twice`);
    names.add(p.name);
    if (p.name.length > 16) errors.push(`${where}: name longer than 16 characters`);
    if (p.type !== "app" && p.type !== "data") errors.push(`${where}: type '${p.type}' is neither app nor data`);
    if (p.size <= 0) errors.push(`${where}: empty`);
    if (p.type === "app" && p.offset % APP_ALIGN) errors.push(`${where}: app at 0x${p.offset.toString(16)}, not a multiple of 0x10000`);
    if (p.offset % DATA_ALIGN) errors.push(`${where}: at 0x${p.offset.toString(16)}, not on a 4 KB sector`);
    if (p.size % DATA_ALIGN) errors.push(`${where}: size 0x${p.size.toString(16)} is not whole 4 KB sectors`);
    if (p.offset < TABLE_END) errors.push(`${where}: at 0x${p.offset.toString(16)}, before the end of the partition table (0x9000)`);
    if (p.offset + p.size > flash) errors.push(`${where}: ends at 0x${(p.offset + p.size).toString(16)}, past the flash (0x${flash.toString(16)})`);
  }
  const sorted = [...rows].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!, b = sorted[i]!;
    if (a.offset + a.size > b.offset) errors.push(`${a.name} (0x${a.offset.toString(16)}+0x${a.size.toString(16)}) overlaps ${b.name} (0x${b.offset.toString(16)})`);
  }
  const ota = rows.filter((p) => p.type === "app" && /^ota_\d+$/.test(p.subtype));
  if (ota.length !== 2) errors.push(`${ota.length} OTA app slots, expected exactly 2`);
  else if (ota[0]!.subtype === ota[1]!.subtype) errors.push(`both OTA slots are ${ota[0]!.subtype}`);
  const otadata = rows.filter((p) => p.type === "data" && p.subtype === "ota");
  if (otadata.length !== 1) errors.push(`${otadata.length} otadata partitions, expected 1`);
  else if (otadata[0]!.size !== 0x2000) errors.push(`otadata is 0x${otadata[0]!.size.toString(16)}, ESP-IDF wants 0x2000 (two sectors)`);
  const nvs = rows.filter((p) => p.type === "data" && p.subtype === "nvs");
  if (nvs.length !== 1) errors.push(`${nvs.length} nvs partitions, expected 1`);
  else if (nvs[0]!.size < 0x3000) errors.push("nvs smaller than 0x3000 (three sectors, NVS's minimum)");
  if (!rows.some((p) => p.type === "data" && p.subtype === "phy")) errors.push("no phy_init partition");
  return errors;
}

/** the flash size a board README declares: a line "Flash: <n> MB" */
export function declaredFlash(readme: string): number | null {
  const sizes = [...readme.matchAll(/^Flash:\s*(\d+)\s*MB\s*$/gm)].map((m) => Number(m[1]));
  if (sizes.length !== 1) return null;
  return sizes[0]! * MB;
}

/**
 * the flash size of a board: its "Flash: <n> MB" line, else (boards/esp32's
 * README predates that line) the one "<n> MB of flash" of its prose
 */
export function boardFlash(readme: string): number | null {
  const line = declaredFlash(readme);
  if (line) return line;
  const prose = [...new Set([...readme.matchAll(/\b(\d+) MB of flash\b/g)].map((m) => Number(m[1])))];
  return prose.length === 1 ? prose[0]! * MB : null;
}

/** an sdkconfig.defaults as mcconfig reads it; throws on a line it would misread */
export function parseSdkconfig(text: string): Map<string, string> {
  const cfg = new Map<string, string>();
  text.split(/\r?\n/).forEach((l, i) => {
    if (!l.trim() || /^\s*#/.test(l)) return;
    // mcmanifest splits on '=': no spaces, no inline comment
    if (!/^CONFIG_[A-Z0-9_]+=[^\s#]+$/.test(l)) throw new Error(`line ${i + 1}: '${l}' is neither CONFIG_NAME=value nor a comment`);
    const eq = l.indexOf("=");
    const k = l.slice(0, eq);
    if (cfg.has(k)) throw new Error(`line ${i + 1}: ${k} set twice`);
    cfg.set(k, l.slice(eq + 1));
  });
  return cfg;
}

describe("board checks (the checker itself)", () => {
  const good = "# c\nnvs,data,nvs,0x9000,24K,\notadata,data,ota,,0x2000,\nphy_init,data,phy,,4K,\nota_0,app,ota_0,,1M,\nota_1,app,ota_1,,1M,\n";

  it("parses sizes and places rows without an offset as gen_esp32part does", () => {
    A.equal(parseSize("0x1E0000"), 0x1e0000);
    A.equal(parseSize("24K"), 0x6000);
    A.equal(parseSize("1M"), MB);
    A.equal(parseSize("4096"), 4096);
    A.throws(() => parseSize("4 MB"));
    const rows = parsePartitions(good);
    A.deepEqual(rows.map((r) => [r.name, r.offset, r.size]), [
      ["nvs", 0x9000, 0x6000],
      ["otadata", 0xf000, 0x2000],
      ["phy_init", 0x11000, 0x1000],
      ["ota_0", 0x20000, MB],
      ["ota_1", 0x120000, MB],
    ]);
    A.deepEqual(checkPartitions(rows, 4 * MB), []);
  });

  it("finds overlap, misalignment, overflow and the wrong number of slots", () => {
    const bad = (csv: string, flash: number, re: RegExp) => {
      const errors = checkPartitions(parsePartitions(csv), flash);
      A.ok(errors.some((e) => re.test(e)), `expected ${re} in ${JSON.stringify(errors)}`);
    };
    bad(good, 2 * MB, /past the flash/);
    bad(good.replace("ota_1,app,ota_1,,", "ota_1,app,ota_1,0x110000,"), 4 * MB, /overlaps/);
    bad(good.replace("ota_1,app,ota_1,,", "ota_1,app,ota_1,0x128000,"), 4 * MB, /not a multiple of 0x10000/);
    bad(good.replace("phy_init,data,phy,,", "phy_init,data,phy,0x11800,"), 4 * MB, /not on a 4 KB sector/);
    bad(good.replace(/ota_1,app,ota_1,,1M,\n/, ""), 4 * MB, /1 OTA app slots/);
    bad(good.replace(/otadata.*\n/, ""), 4 * MB, /0 otadata/);
    bad(good.replace("0x9000", "0x8000"), 4 * MB, /partition table/);
    A.throws(() => parsePartitions("nvs,data,nvs,0x9000\n"), /line 1/);
    A.equal(declaredFlash("# x\n\nFlash: 8 MB\n"), 8 * MB);
    A.equal(declaredFlash("with 4 MB of flash"), null);
    A.equal(boardFlash("with 4 MB of flash"), 4 * MB);
    A.equal(boardFlash("4 MB of flash, or 8 MB of flash"), null);
    A.equal(boardFlash("Flash: 8 MB\n(not 4 MB of flash)"), 8 * MB);
    A.throws(() => parseSdkconfig("CONFIG_A=y # why\n"), /line 1/);
    A.throws(() => parseSdkconfig("CONFIG_A=y\nCONFIG_A=n\n"), /twice/);
    A.throws(() => parseSdkconfig("FOO=1\n"), /neither/);
    A.equal(parseSdkconfig("# c\n\nCONFIG_A=\"x\"\n").get("CONFIG_A"), "\"x\"");
  });
});

describe("boards/", () => {
  const boards = fs.readdirSync(BOARDS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

  it("has the ESP32, ESP32-S3, ESP32-C3 and QEMU boards", () => {
    for (const b of ["esp32", "esp32s3", "esp32c3", "esp32-qemu"]) A.ok(boards.includes(b), `boards/${b}`);
  });

  for (const board of boards) {
    describe(board, () => {
      const dir = path.join(BOARDS, board);
      const read = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");

      it("has partitions.csv, sdkconfig.defaults and a README declaring the flash size", () => {
        for (const f of ["partitions.csv", "sdkconfig.defaults", "README.md"]) A.ok(fs.existsSync(path.join(dir, f)), `${dir}/${f}`);
        A.ok(boardFlash(read("README.md")), `${dir}/README.md: one line "Flash: <n> MB"`);
        if (board !== "esp32") A.ok(declaredFlash(read("README.md")), `${dir}/README.md: one line "Flash: <n> MB"`);
      });

      it("has a partition table that parses, is aligned, does not overlap, fits the flash, with two OTA slots and otadata", () => {
        const flash = boardFlash(read("README.md"));
        A.ok(flash, `${dir}/README.md: one line "Flash: <n> MB"`);
        const rows = parsePartitions(read("partitions.csv"));
        A.ok(rows.length >= 5, `${rows.length} partitions`);
        A.deepEqual(checkPartitions(rows, flash), [], `${dir}/partitions.csv`);
      });

      it("has an sdkconfig.defaults mcconfig can merge, with rollback on", () => {
        const cfg = parseSdkconfig(read("sdkconfig.defaults"));
        A.equal(cfg.get("CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE"), "y");
        A.ok(Number(cfg.get("CONFIG_LWIP_MAX_ACTIVE_TCP")) > 8, "more active TCP pcbs than the Moddable base's 8");
        A.ok([...cfg.keys()].some((k) => k.startsWith("CONFIG_MBEDTLS_")), "mbedTLS options");
        A.ok(![...cfg.keys()].some((k) => k.startsWith("CONFIG_EXAMPLE_")), "no ESP-IDF example-only options (a Moddable build has no example component)");
        // a flash-size choice, when set here, must agree with the README
        const chosen = [...cfg].filter(([k, v]) => /^CONFIG_ESPTOOLPY_FLASHSIZE_\d+MB$/.test(k) && v === "y").map(([k]) => Number(/(\d+)MB$/.exec(k)![1]) * MB);
        A.ok(chosen.length <= 1, "at most one flash size chosen");
        if (chosen.length) A.equal(chosen[0], boardFlash(read("README.md")), "CONFIG_ESPTOOLPY_FLASHSIZE_* agrees with the README");
      });

      it("is known to the device scripts (scripts/device/boards.mjs) with the README's flash size, and keeps lwIP's loopback for the boot self-test", () => {
        const table = fs.readFileSync("scripts/device/boards.mjs", "utf8");
        const row = new RegExp(`^\\s*"?${board}"?: \\{[^\\n]*flashMB: (\\d+)`, "m").exec(table);
        A.ok(row, `scripts/device/boards.mjs has a row for ${board}`);
        A.equal(Number(row[1]) * MB, boardFlash(read("README.md")), "flashMB agrees with the README");
        A.equal(parseSdkconfig(read("sdkconfig.defaults")).get("CONFIG_LWIP_NETIF_LOOPBACK"), "y", "examples/app/selftest.ts connects to 127.0.0.1");
      });
    });
  }

  describe("esp32-qemu", () => {
    const dir = path.join(BOARDS, "esp32-qemu");

    it("enables ESP-IDF's OpenCores Ethernet driver", () => {
      const cfg = parseSdkconfig(fs.readFileSync(path.join(dir, "sdkconfig.defaults"), "utf8"));
      A.equal(cfg.get("CONFIG_ETH_USE_OPENETH"), "y");
      for (const k of ["CONFIG_ETH_OPENETH_DMA_RX_BUFFER_NUM", "CONFIG_ETH_OPENETH_DMA_TX_BUFFER_NUM"]) {
        const n = Number(cfg.get(k));
        A.ok(n >= 1 && n <= 64, `${k} in esp_eth's Kconfig range 1..64`);
      }
    });

    it("has an openeth module whose JS host functions are defined in its C, and says it is unverified", () => {
      const c = fs.readFileSync(path.join(dir, "openeth/openeth.c"), "utf8");
      const js = fs.readFileSync(path.join(dir, "openeth/openeth.js"), "utf8");
      const hosts = [...js.matchAll(/@\s*"(\w+)"/g)].map((m) => m[1]!);
      A.ok(hosts.length >= 2, "start and address at least");
      for (const h of hosts) A.ok(new RegExp(`^void ${h}\\(xsMachine \\*the\\)`, "m").test(c), `openeth.c defines ${h}`);
      for (const api of ["esp_eth_mac_new_openeth", "esp_eth_phy_new_dp83848", "esp_eth_driver_install", "esp_eth_new_netif_glue", "esp_netif_attach", "esp_eth_start"]) A.ok(c.includes(`${api}(`), `openeth.c calls ${api}`);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, "openeth/manifest.json"), "utf8")) as { platforms: Record<string, { modules?: Record<string, string> }> };
      A.equal(manifest.platforms.esp32?.modules?.["*"], "./openeth");
      A.ok(/UNVERIFIED/.test(fs.readFileSync(path.join(dir, "README.md"), "utf8")), "the README says the native code is unverified");
    });
  });
});
