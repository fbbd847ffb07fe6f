// Real peers for the interop tests (test/node/http-interop-*.test.ts): where
// their binaries are, and what a suite does when one is missing.
//
// In CI (process.env.CI set) a missing peer is a failure with a message that
// says how to install it: .ci/run installs them, so a missing one means the
// CI set-up is broken, and a skipped interop test would hide that. Outside CI
// (a developer's machine without curl or Chromium) the suite is skipped.

import * as fs from "node:fs";
import * as path from "node:path";
import { execFile } from "node:child_process";

export interface PeerSpec {
  /** what the message calls it */
  name: string;
  /** absolute paths tried first, in order */
  paths: string[];
  /** names looked up on PATH after those */
  commands: string[];
  /** how to install it (for the message) */
  install: string;
}

export const CURL: PeerSpec = {
  name: "curl",
  paths: ["/usr/bin/curl"],
  commands: ["curl"],
  install: "apt-get install -y curl (.ci/run does this as root)",
};

export const CHROMIUM: PeerSpec = {
  name: "Chromium",
  paths: ["/usr/bin/chromium", "/usr/bin/chromium-browser"],
  commands: ["chromium", "chromium-browser"],
  install: "apt-get install -y chromium (.ci/run does this as root)",
};

function executable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** the peer's binary: an explicit path, else the first match on PATH; null when absent */
/** Debian's python3, the one interpreter that sees python3-websockets */
export const PYTHON_WEBSOCKETS: PeerSpec = {
  name: "Debian's /usr/bin/python3",
  // only Debian's interpreter sees python3-websockets: no PATH lookup
  paths: ["/usr/bin/python3"],
  commands: [],
  install: "apt-get install -y python3-websockets (.ci/run does this as root)",
};

/** peers.md: what headless Chromium needs on this kind of machine */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function findBinary(spec: PeerSpec): string | null {
  for (const p of spec.paths) if (executable(p)) return p;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    for (const c of spec.commands) {
      const p = path.join(dir, c);
      if (executable(p)) return p;
    }
  }
  return null;
}

export const inCI = (): boolean => !!process.env.CI && process.env.CI !== "false" && process.env.CI !== "0";

/**
 * Call from a `before` hook (with mocha's `this`): fails the suite in CI,
 * skips it elsewhere. Never returns when the peer is unusable.
 */
export function missingPeer(ctx: Mocha.Context, what: string, install: string): never {
  const msg = `${what} is not available: ${install}`;
  if (inCI()) throw new Error(`interop peer missing in CI: ${msg}`);
  console.warn(`      (skipped: ${msg})`);
  ctx.skip();
  throw new Error("unreachable: mocha's skip() throws");
}

/** the peer's binary, or (in a `before` hook) fail in CI / skip elsewhere */
export function requireBinary(ctx: Mocha.Context, spec: PeerSpec): string {
  return findBinary(spec) ?? missingPeer(ctx, `${spec.name} (looked for ${[...spec.paths, ...spec.commands].join(", ")})`, spec.install);
}

/** an optional npm module (e.g. playwright-core), or fail in CI / skip elsewhere */
export async function requireModule<T>(ctx: Mocha.Context, name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (e) {
    return missingPeer(ctx, `the npm module ${name} (${(e as Error).message.split("\n")[0]})`, "npm ci installs it from devDependencies");
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
  ms: number;
}

/**
 * Runs a peer program without blocking the event loop (the server under test
 * runs in this process), killed after `timeoutMs`. A non-zero exit is returned,
 * not thrown, so a test can report the peer's stderr; a timeout or a failure
 * to start is thrown.
 */
export function run(file: string, args: string[], timeoutMs = 15000, input?: string | Buffer): Promise<RunResult> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: timeoutMs, killSignal: "SIGKILL", encoding: "buffer", maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const ms = Date.now() - t0;
      const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
      if (e && (e.killed || typeof e.code === "string")) {
        reject(new Error(`${path.basename(file)} ${args.join(" ")}: ${e.killed ? `killed after ${timeoutMs} ms` : e.message}\n${stderr.toString()}`));
        return;
      }
      resolve({ code: e ? Number(e.code ?? 1) : 0, stdout: stdout.toString(), stderr: stderr.toString(), stdoutBytes: stdout, ms });
    });
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin?.end();
  });
}

/** Debian's python3 with python3-websockets importable: its path, or the test is skipped/failed as missingPeer says */
export async function requirePythonWebsockets(ctx: Mocha.Context): Promise<string> {
  const python = requireBinary(ctx, PYTHON_WEBSOCKETS);
  const probe = await run(python, ["-c", "import websockets, sys; sys.stdout.write(websockets.__version__)"], 15000);
  if (probe.code !== 0) missingPeer(ctx, `the Python module websockets for ${python} (${probe.stderr.trim().split("\n").pop()})`, PYTHON_WEBSOCKETS.install);
  return python;
}
