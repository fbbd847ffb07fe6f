// The child side of a benchmark server: announce the port as one JSON line on
// stdout, answer "cpu" lines on stdin with a CPU snapshot, and stop when stdin
// closes (the bench is done, or gone) or on SIGTERM/SIGINT.

import { createInterface } from "node:readline";
import { cpuSnapshot } from "./cpu.mjs";

/** one JSON line to the bench */
export function out(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

/**
 * @param {{name: string, port: number, stop: () => void, info?: object, commands?: Record<string, () => void>}} s
 *   info: extra fields for the ready line; commands: more stdin commands than "cpu", by name
 */
export function serveControl({ name, port, stop, info = {}, commands = {} }) {
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    try {
      stop();
    } catch {
      /* exiting anyway */
    }
    process.exit(0);
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  createInterface({ input: process.stdin })
    .on("line", (line) => {
      const cmd = line.trim();
      if (cmd === "cpu") out({ cpu: cpuSnapshot() });
      else if (Object.hasOwn(commands, cmd)) commands[cmd]();
    })
    .on("close", shutdown);
  out({ ready: name, port, pid: process.pid, ...info });
}
