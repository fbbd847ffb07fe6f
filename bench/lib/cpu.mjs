// Process CPU measurement. A process takes snapshots of its own CPU time and
// monotonic clock; the CPU share between two snapshots of the same process is
// (user + system time) / wall time, in percent of one core.

import { readFileSync } from "node:fs";

/** @returns {{userUs: number, systemUs: number, wallUs: number}} */
export function cpuSnapshot() {
  const u = process.cpuUsage();
  return { userUs: u.user, systemUs: u.system, wallUs: Number(process.hrtime.bigint() / 1000n) };
}

/** percent of one core used between two snapshots of the same process */
export function cpuPct(a, b) {
  const wall = b.wallUs - a.wallUs;
  if (!(wall > 0)) return 0;
  return ((b.userUs - a.userUs + (b.systemUs - a.systemUs)) / wall) * 100;
}

/**
 * The whole machine's CPU counters (Linux /proc/stat, in clock ticks), or
 * null where there is no such file: to tell how busy the machine was, other
 * processes included, while a figure was measured.
 * @returns {{busy: number, idle: number} | null}
 */
export function machineCpuSnapshot() {
  let text;
  try {
    text = readFileSync("/proc/stat", "utf8");
  } catch {
    return null;
  }
  const f = text.slice(0, text.indexOf("\n")).trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal [guest guest_nice: already in user]
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
  return { busy, idle };
}

/** percent of all cores busy between two machine snapshots (null if unknown) */
export function machineBusyPct(a, b) {
  if (!a || !b) return null;
  const busy = b.busy - a.busy;
  const total = busy + (b.idle - a.idle);
  return total > 0 ? (busy / total) * 100 : null;
}
