// The flash image Espressif's QEMU boots (-drive file=IMG,if=mtd,format=raw),
// written from an ESP-IDF build's `flash_args` file, as
// `esptool.py merge_bin --fill-flash-size` would: the whole flash, erased
// (0xFF), with every file at its offset.
//
// flash_args (build/flash_args of an ESP-IDF project) is esptool's
// `write_flash` arguments, one group a line, paths relative to the build folder:
//
//   --flash_mode dio --flash_freq 40m --flash_size 4MB
//   0x1000 bootloader/bootloader.bin
//   0x8000 partition_table/partition-table.bin
//   0x10000 xs_esp32.bin
//
// QEMU's ESP32 flash model takes images of 2, 4, 8 or 16 MB only; anything
// else, two files that overlap, a file past the end, a missing file or a line
// that is not an option or an offset/file pair is an error (FlashImageError).

import fs from "node:fs";
import path from "node:path";

export const MB = 1024 * 1024;
/** the image sizes QEMU's esp32 machine accepts */
export const QEMU_FLASH_SIZES = [2 * MB, 4 * MB, 8 * MB, 16 * MB];

export class FlashImageError extends Error {}

/** esptool options that take a value (the others are flags) */
const VALUED = new Set(["--flash_mode", "--flash_freq", "--flash_size", "--chip", "--baud", "-fm", "-ff", "-fs"]);

const isOffset = (t) => /^(0x[0-9a-f]+|\d+)$/i.test(t);

/**
 * Parse a flash_args text: { options: {name: value|true}, flashSize: bytes|null,
 * entries: [{offset, file, line}] } in file order. `flashSize` is null when
 * the file gives none, or "detect" / "keep".
 */
export function parseFlashArgs(text, source = "flash_args") {
  const options = {};
  const entries = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const tokens = raw.trim().split(/\s+/).filter(Boolean);
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k];
      if (t.startsWith("-")) {
        const next = tokens[k + 1];
        if (VALUED.has(t)) {
          if (next === undefined || next.startsWith("-")) throw new FlashImageError(`${source}:${line}: ${t} without a value`);
          options[t.replace(/^-+/, "")] = next;
          k++;
        } else options[t.replace(/^-+/, "")] = true;
      } else if (isOffset(t)) {
        const file = tokens[k + 1];
        if (file === undefined || file.startsWith("-") || isOffset(file)) throw new FlashImageError(`${source}:${line}: offset ${t} without a file`);
        entries.push({ offset: Number(t), file, line });
        k++;
      } else throw new FlashImageError(`${source}:${line}: '${t}' is neither an option nor an offset/file pair`);
    }
  });
  if (!entries.length) throw new FlashImageError(`${source}: no offset/file pairs: not an ESP-IDF flash_args file?`);
  const fs_ = options.flash_size ?? options.fs;
  return { options, flashSize: fs_ === undefined || fs_ === "detect" || fs_ === "keep" ? null : parseFlashSize(fs_, source), entries };
}

/** "4MB" -> bytes (esptool's spelling: 1MB ... 128MB, also 256KB / 512KB) */
export function parseFlashSize(text, source = "flash size") {
  const m = /^(\d+)\s*(MB|KB|M|K)$/i.exec(String(text).trim());
  if (!m) throw new FlashImageError(`${source}: '${text}' is not a flash size (like 4MB)`);
  return Number(m[1]) * (m[2].toUpperCase().startsWith("M") ? MB : 1024);
}

const hex = (n) => `0x${n.toString(16)}`;
const sizeText = (n) => (n % MB === 0 ? `${n / MB} MB` : `${n} bytes`);

/**
 * The image: `size` bytes of 0xFF with each part's bytes at its offset.
 * @param {{offset: number, data: Uint8Array, name: string}[]} parts
 * @param {number} size  2, 4, 8 or 16 MB
 * @returns {Buffer}
 */
export function composeImage(parts, size) {
  if (!QEMU_FLASH_SIZES.includes(size))
    throw new FlashImageError(`a flash image of ${sizeText(size)}: QEMU's esp32 machine takes 2, 4, 8 or 16 MB images only`);
  const sorted = [...parts].sort((a, b) => a.offset - b.offset);
  for (const p of sorted) {
    if (!Number.isInteger(p.offset) || p.offset < 0) throw new FlashImageError(`${p.name}: bad offset ${p.offset}`);
    if (p.offset + p.data.length > size)
      throw new FlashImageError(`${p.name} (${p.data.length} bytes at ${hex(p.offset)}) ends at ${hex(p.offset + p.data.length)}, past the end of the ${sizeText(size)} image`);
  }
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1], b = sorted[i];
    if (a.offset + a.data.length > b.offset || a.offset === b.offset)
      throw new FlashImageError(`${a.name} (${hex(a.offset)}..${hex(a.offset + a.data.length)}) overlaps ${b.name} (at ${hex(b.offset)})`);
  }
  const image = Buffer.alloc(size, 0xff);
  for (const p of sorted) image.set(p.data, p.offset);
  return image;
}

/**
 * Write the QEMU flash image for the build whose flash_args is `flashArgsPath`.
 * @param {{ flashArgsPath: string, out: string, size?: number }} o
 *   size: the image size in bytes (default: flash_args' --flash_size, else 4 MB)
 * @returns {{ out: string, size: number, entries: {offset: number, file: string, bytes: number}[] }}
 */
export function writeFlashImage({ flashArgsPath, out, size }) {
  let text;
  try {
    text = fs.readFileSync(flashArgsPath, "utf8");
  } catch (e) {
    throw new FlashImageError(`cannot read ${flashArgsPath}: ${e.code ?? e.message}`);
  }
  const parsed = parseFlashArgs(text, flashArgsPath);
  const base = path.dirname(flashArgsPath);
  const imageSize = size ?? parsed.flashSize ?? 4 * MB;
  const parts = parsed.entries.map((e) => {
    const file = path.resolve(base, e.file);
    let data;
    try {
      data = fs.readFileSync(file);
    } catch (err) {
      throw new FlashImageError(`${flashArgsPath}:${e.line}: cannot read ${e.file} (${file}): ${err.code ?? err.message}`);
    }
    return { offset: e.offset, data, name: e.file };
  });
  const image = composeImage(parts, imageSize);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, image);
  return { out, size: imageSize, entries: parts.map((p) => ({ offset: p.offset, file: p.name, bytes: p.data.length })) };
}
