// Scenario environments: the same scenario suite runs over platform/sim
// (virtual time, deterministic, also inside XS) and platform/node (real
// loopback sockets, Node only). An environment gives the platform, a raw test
// peer that is not lws, and a way to wait for a condition with a bound.

import type { Platform } from "../../src/core/platform.js";
import { createSimPlatform, SimPeer, type SimNetwork, type SimOptions } from "../../platform/sim/index.js";

export interface TestPeer {
  write(data: Uint8Array | string): void;
  /** close once everything written is sent */
  end(): void;
  readonly received: Uint8Array;
  readonly text: string;
  readonly receivedLength: number;
  readonly closed: boolean;
  readonly eof: boolean;
  readonly error: string | null;
}

export interface ScenarioEnv {
  readonly name: string;
  readonly platform: Platform;
  readonly host: string;
  /** true where time is virtual and every run is exact */
  readonly deterministic: boolean;
  /** the network splits and delays bytes: RX chunking and POLLOUT changes vary */
  readonly faulty: boolean;
  /** bulk-transfer tests scale their sizes by this (byte-at-a-time sims are slow) */
  readonly scale: number;
  waitFor(pred: () => boolean, what: string, limitMs?: number): Promise<void>;
  /** let pending activity run for a while (sim: virtual ms) */
  settle(ms?: number): Promise<void>;
  peer(port: number): TestPeer;
  /** a port nothing listens on */
  closedPort(): Promise<number>;
  /** store files (relative names) for the platform's vfs; returns their root directory */
  makeFiles?(files: Record<string, string | Uint8Array>, mtimeMs?: number): Promise<string>;
  /** a pipe whose read end can be adopted as a raw file */
  pipe?(): Promise<{ readFd: number; write(data: string): void; close(): void }>;
  done(): void;
}

let fileRoots = 0;

export function simEnv(opts: SimOptions = {}): ScenarioEnv & { sim: SimNetwork } {
  const sim = createSimPlatform(opts);
  return {
    name: `sim(seed ${sim.seed})`,
    sim,
    platform: sim,
    host: "127.0.0.1",
    deterministic: true,
    faulty: !!(opts.partialWrites || opts.randomSplit || (opts.maxSegment ?? 65536) < 65536),
    scale: (opts.maxSegment ?? 65536) < 16 ? 0.1 : 1,
    async waitFor(pred, what, limitMs = 60000) {
      sim.run({ until: pred, untilUs: sim.now() + limitMs * 1000 });
      if (!pred()) throw new Error(`timed out waiting for ${what} (sim seed ${sim.seed}, t=${sim.now()}us)`);
    },
    async settle(ms = 1000) {
      sim.run({ untilUs: sim.now() + ms * 1000 });
    },
    peer(port) {
      return new SimPeer(sim, "127.0.0.1", port);
    },
    async closedPort() {
      return 39999;
    },
    async makeFiles(files, mtimeMs = 1700000000000) {
      const root = `/files${++fileRoots}`;
      for (const [name, data] of Object.entries(files)) sim.writeFile(`${root}/${name}`, data, mtimeMs);
      return root;
    },
    async pipe() {
      const p = sim.pipe();
      return {
        readFd: p.readFd,
        write: (s: string) => void sim.files.write(p.writeFd, new TextEncoder().encode(s)),
        close: () => sim.files.close(p.writeFd),
      };
    },
    done() {},
  };
}

/** run `fn` for each seed; a failure names the seed so it can be replayed */
export async function forSeeds(seeds: number[], fn: (seed: number) => Promise<void> | void): Promise<void> {
  for (const seed of seeds) {
    try {
      await fn(seed);
    } catch (e) {
      const err = e as Error;
      err.message = `[replay with seed ${seed}] ${err.message}`;
      throw err;
    }
  }
}

export function bytes(n: number, seed = 7): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** the parts one after the other, in one array */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) out.set(p, o), (o += p.length);
  return out;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Cuts `b` at the given fractions (0..1) into pieces (views of `b`): the property tests' splits. */
export function cut(b: Uint8Array, fractions: number[]): Uint8Array[] {
  const points = fractions.map((f) => Math.floor(f * (b.length + 1))).sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    const q = Math.min(Math.max(p, at), b.length);
    out.push(b.subarray(at, q));
    at = q;
  }
  out.push(b.subarray(at));
  return out;
}
