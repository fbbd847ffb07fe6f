// The scenario environment over platform/node: real sockets on loopback.
import * as net from "node:net";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { createNodePlatform, type NodePlatform } from "../../platform/node/index.js";
import type { ScenarioEnv, TestPeer } from "./env.js";

class NodePeer implements TestPeer {
  private chunks: Buffer[] = [];
  private size = 0;
  closed = false;
  eof = false;
  error: string | null = null;
  private readonly sock: net.Socket;
  constructor(host: string, port: number) {
    this.sock = net.connect({ host, port });
    this.sock.on("data", (b: Buffer) => {
      this.chunks.push(b);
      this.size += b.length;
    });
    this.sock.on("end", () => (this.eof = true));
    this.sock.on("error", (e) => (this.error = e.message));
    this.sock.on("close", () => (this.closed = true));
  }
  write(data: Uint8Array | string): void {
    this.sock.write(typeof data === "string" ? data : Buffer.from(data));
  }
  end(): void {
    this.sock.end();
  }
  get received(): Uint8Array {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks)];
    const b = this.chunks[0] ?? Buffer.alloc(0);
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString();
  }
  get receivedLength(): number {
    return this.size;
  }
  destroy(): void {
    this.sock.destroy();
  }
}

export function nodeEnv(): ScenarioEnv & { node: NodePlatform } {
  const platform = createNodePlatform();
  const peers: NodePeer[] = [];
  const cleanups: (() => void)[] = [];
  return {
    name: "node",
    node: platform,
    platform,
    host: "127.0.0.1",
    deterministic: false,
    faulty: true,
    scale: 1,
    async waitFor(pred, what, limitMs = 10000) {
      const end = Date.now() + limitMs;
      while (!pred()) {
        if (Date.now() > end) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 1));
      }
    },
    async settle(ms = 50) {
      await new Promise((r) => setTimeout(r, Math.min(ms, 200)));
    },
    peer(port) {
      const p = new NodePeer("127.0.0.1", port);
      peers.push(p);
      return p;
    },
    async closedPort() {
      const s = net.createServer();
      await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
      const port = (s.address() as net.AddressInfo).port;
      await new Promise((r) => s.close(r));
      return port;
    },
    async makeFiles(files, mtimeMs = 1700000000000) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lwsx-www-"));
      for (const [name, data] of Object.entries(files)) {
        const f = path.join(dir, name);
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(f, data);
        fs.utimesSync(f, mtimeMs / 1000, mtimeMs / 1000);
      }
      cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
    async pipe() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lwsx-fifo-"));
      const fifo = path.join(dir, "fifo");
      execFileSync("mkfifo", [fifo]);
      const readFd = platform.files.open(fifo, "r");
      const w = fs.openSync(fifo, "w");
      let open = true;
      const close = () => {
        if (open) fs.closeSync(w);
        open = false;
      };
      cleanups.push(() => {
        close();
        fs.rmSync(dir, { recursive: true, force: true });
      });
      return { readFd, write: (s: string) => void fs.writeSync(w, s), close };
    },
    done() {
      for (const p of peers) p.destroy();
      for (const c of cleanups) c();
    },
  };
}
