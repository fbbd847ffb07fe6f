// What `lwsx get` and `lwsx ws` share: exit codes, the lws context they run
// their one client in, and writing to a stream with back-pressure.

import { createContext, LWS_SERVER_OPTION_EXPLICIT_VHOSTS, type Context, type Protocol } from "../src/index.js";
import { createNodePlatform } from "../platform/node/index.js";
import { parseUrl, UrlError, type ParsedUrl, type Scheme } from "./url.js";

/** exit codes of `lwsx get` and `lwsx ws` (README, "Command line") */
export const EXIT_OK = 0;
/** the connection failed (lws' CLIENT_CONNECTION_ERROR string is printed) or broke before the end */
export const EXIT_CONNECTION = 1;
/** bad arguments, a bad URL, or what this build cannot do (https://, wss://: no TLS yet) */
export const EXIT_USAGE = 2;
/** the server said no: an HTTP status >= 400 (get), a close code other than 1000/1001 (ws) */
export const EXIT_REFUSED = 3;
/** the output could not be written (-o FILE, stdout) */
export const EXIT_OUTPUT = 4;
/** interrupted (SIGINT) */
export const EXIT_INTERRUPTED = 130;

export interface Cli {
  readonly name: string;
  verbose: boolean;
  err(message: string): void;
  info(message: string): void;
}

export function cli(name: string, verbose = false): Cli {
  return {
    name,
    verbose,
    err(message) {
      process.stderr.write(`lwsx ${name}: ${message}\n`);
    },
    info(message) {
      if (this.verbose) process.stderr.write(`lwsx ${name}: ${message}\n`);
    },
  };
}

/**
 * With --help, the usage on stdout and exit code 0; else the one URL
 * argument, or the usage exit code after saying what is missing or extra.
 */
export function commandUrl(c: Cli, help: boolean | undefined, positionals: string[], usage: string): string | number {
  if (help) {
    process.stdout.write(usage + "\n");
    return EXIT_OK;
  }
  if (positionals.length === 1) return positionals[0]!;
  c.err(positionals.length ? `one URL, not ${positionals.length}: ${positionals.join(" ")}` : "which URL?");
  process.stderr.write(usage + "\n");
  return EXIT_USAGE;
}

/** what a command's argument parsing threw: said (with the usage, unless the URL was the trouble); the usage exit code */
export function badUsage(c: Cli, e: unknown, usage: string): number {
  c.err(e instanceof UrlError ? `bad URL: ${e.message}` : (e as Error).message);
  if (!(e instanceof UrlError)) process.stderr.write(usage + "\n");
  return EXIT_USAGE;
}

/**
 * A URL of `schemes` ([plain, with TLS]), parsed (a bad one throws UrlError);
 * the usage exit code, said why, for the TLS scheme this build cannot do yet.
 */
export function clientUrl(c: Cli, text: string, schemes: readonly [Scheme, Scheme]): ParsedUrl | number {
  const url = parseUrl(text, schemes);
  if (!url.tls) return url;
  c.err(`${url.scheme}:// needs TLS, which is not in this build of lwsx yet (use ${schemes[0]}://)`);
  return EXIT_USAGE;
}

/**
 * A context with one vhost that listens nowhere and has the one protocol of
 * the client. lwsx's own log goes to stderr: errors always, the rest with -v.
 */
export function clientContext(c: Cli, protocol: Protocol<any>, vhostExtra: Record<string, unknown> = {}): Context {
  const cx = createContext({ platform: createNodePlatform(), options: LWS_SERVER_OPTION_EXPLICIT_VHOSTS, timeoutSecs: 20 });
  cx.log = (level, message) => {
    if (level === "err" || level === "warn" || c.verbose) process.stderr.write(`lwsx ${c.name}: [${level}] ${message}\n`);
  };
  cx.createVhost({ name: `lwsx-${c.name}`, port: -1, protocols: [protocol], ...vhostExtra });
  return cx;
}

/** resolves once everything written to `s` before has been handed to the OS (or `s` failed) */
export function flushed(s: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    try {
      if ((s as { destroyed?: boolean }).destroyed || (s as { writableEnded?: boolean }).writableEnded) return resolve();
      s.write("", () => resolve());
    } catch {
      resolve();
    }
  });
}

/** "1.5 MiB" */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[i]}`;
}
