// A stand-in for the Moddable SDK's `file` module's File class (SDK 8.2,
// modules/files/file/file.js and its per-platform modFile.c), over the sim's
// in-memory files (SimNetwork.writeFile / fileSystem), so the adapter's vfs
// runs without the SDK. Paths are the sim's keys as they are: on the device
// they start with the file system's root (config.file.root, "/mod/" on the
// ESP32).
//
// Three flavours, as the SDK's implementations differ:
//  - "esp32" (the default; SPIFFS, esp32/modFile.c): a flat file system, so a
//    "directory" (a prefix of stored names) neither opens nor exists; a
//    missing file throws "file not found", and so does an open beyond
//    max_files (MODDEF_FILE_MAXOPEN, 5: fopen fails alike); read(buffer, n)
//    reads into the buffer and returns it.
//  - "lin" (the desktop simulator, lin/modFile.c): a directory opens (glibc's
//    fopen "rb" does), its length is 4096, reading it throws "file read
//    failed"; exists() is true for it; read(anything but String) gives a new
//    ArrayBuffer.
//  - "littlefs" (manifest_littlefs.json, modLittlefs.c): a missing file throws
//    "No directory entry", a directory "Entry is a dir"; exists() is true for
//    a directory; read gives a new ArrayBuffer.
// Common to all: position and length, "read past end of file" when the
// position is at or past the end, a count beyond the end read up to it,
// "closed" after close(), and write mode (`new File(path, true)`) creating
// the file.

import type { SimNetwork } from "../../sim/index.js";

export type StandinFileFlavor = "esp32" | "lin" | "littlefs";

export interface StandinFileOptions {
  flavor?: StandinFileFlavor;
  /** files open at once before an open fails (MODDEF_FILE_MAXOPEN: 5) */
  maxOpen?: number;
}

export interface StandinFileClass {
  new (path: string, write?: boolean): StandinFile;
  exists(path: string): boolean;
  delete(path: string): boolean;
  /** files open now (for leak checks) */
  readonly openCount: number;
  /** reads made so far (File.read calls) */
  readonly reads: number;
}

export interface StandinFile {
  readonly length: number;
  position: number;
  read(type: unknown, count?: number): ArrayBuffer | Uint8Array | string;
  write(...items: (string | number | ArrayBuffer | ArrayBufferView)[]): void;
  close(): void;
}

const DIRECTORY_LENGTH = 4096;

export function createStandinFile(sim: SimNetwork, o: StandinFileOptions = {}): StandinFileClass {
  const flavor = o.flavor ?? "esp32";
  const maxOpen = o.maxOpen ?? 5;
  const fs = sim.fileSystem;
  let open = 0;
  let reads = 0;

  const isDirectory = (path: string): boolean => {
    if (flavor === "esp32") return false; // SPIFFS has no directories
    const dir = path.endsWith("/") ? path : path + "/";
    for (const k of fs.keys()) if (k.startsWith(dir)) return true;
    return false;
  };
  const notFound = () => new Error(flavor === "littlefs" ? "No directory entry" : "file not found");

  class File implements StandinFile {
    #path: string | null;
    #dir = false;
    #position = 0;

    constructor(path: string, write?: boolean) {
      path = String(path);
      if (open >= maxOpen) throw flavor === "littlefs" ? new Error("No more memory available") : notFound();
      if (!fs.has(path)) {
        if (isDirectory(path)) {
          if (flavor === "littlefs") throw new Error("Entry is a dir");
          if (write) throw notFound(); // fopen(dir, "rb+") fails with EISDIR
          this.#dir = true; // lin: fopen(dir, "rb") succeeds
        } else if (write) sim.writeFile(path, new Uint8Array(0));
        else throw notFound();
      }
      this.#path = path;
      open++;
    }

    #file(): string {
      if (this.#path === null) throw new Error("closed");
      return this.#path;
    }

    get length(): number {
      const p = this.#file();
      return this.#dir ? DIRECTORY_LENGTH : fs.get(p)!.length;
    }

    get position(): number {
      this.#file();
      return this.#position;
    }

    set position(v: number) {
      this.#file();
      this.#position = Math.max(0, Number(v) | 0);
    }

    read(type: unknown, count?: number): ArrayBuffer | Uint8Array | string {
      const p = this.#file();
      reads++;
      const size = this.length;
      const position = this.#position;
      let n = count === undefined ? -1 : Number(count) | 0;
      if (n === -1 || size < position + n) {
        if (position >= size) throw new Error("read past end of file");
        n = size - position;
      }
      if (this.#dir) throw new Error("file read failed"); // EISDIR
      const src = fs.get(p)!.subarray(position, position + n);
      if (type === String) {
        this.#position += n;
        return new TextDecoder().decode(src);
      }
      if (flavor === "esp32" && type !== ArrayBuffer) {
        if (!ArrayBuffer.isView(type) && !(type instanceof ArrayBuffer)) throw new TypeError("invalid buffer");
        const dst = type instanceof ArrayBuffer ? new Uint8Array(type) : new Uint8Array(type.buffer, type.byteOffset, type.byteLength);
        if (n > dst.length) n = dst.length;
        dst.set(src.subarray(0, n));
        this.#position += n;
        return type as Uint8Array;
      }
      const out = new Uint8Array(n);
      out.set(src);
      this.#position += n;
      return out.buffer;
    }

    write(...items: (string | number | ArrayBuffer | ArrayBufferView)[]): void {
      const p = this.#file();
      if (this.#dir) throw new Error("file write failed");
      for (const item of items) {
        const bytes =
          typeof item === "string"
            ? new TextEncoder().encode(item)
            : typeof item === "number"
              ? Uint8Array.of(item & 0xff)
              : item instanceof ArrayBuffer
                ? new Uint8Array(item)
                : new Uint8Array(item.buffer, item.byteOffset, item.byteLength);
        const old = fs.get(p)!;
        const end = this.#position + bytes.length;
        const next = new Uint8Array(Math.max(old.length, end));
        next.set(old);
        next.set(bytes, this.#position);
        fs.set(p, next);
        this.#position = end;
      }
    }

    close(): void {
      this.#file();
      this.#path = null;
      open--;
    }

    static exists(path: string): boolean {
      path = String(path);
      return fs.has(path) || isDirectory(path);
    }

    static delete(path: string): boolean {
      return fs.delete(String(path));
    }

    static get openCount(): number {
      return open;
    }

    static get reads(): number {
      return reads;
    }
  }
  return File;
}
