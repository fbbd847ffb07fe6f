// The progress line of `lwsx get` on a terminal (stderr):
//   [#########...........]  45%  4.50 MiB / 10.0 MiB  2.10 MiB/s
// or, without a Content-Length:
//   12.3 MiB  2.10 MiB/s

import { formatBytes } from "./common.js";

const BAR = 24;

/** the text of the progress line (no \r); `total` null when the length is unknown; rate in bytes per second */
export function progressLine(received: number, total: number | null, rate: number): string {
  const r = `${formatBytes(Math.round(rate))}/s`;
  if (total === null || total <= 0) return `${formatBytes(received)}  ${r}`;
  const frac = Math.min(1, received / total);
  const fill = Math.floor(frac * BAR);
  const pct = `${Math.floor(frac * 100)}%`.padStart(4);
  return `[${"#".repeat(fill)}${".".repeat(BAR - fill)}] ${pct}  ${formatBytes(received)} / ${formatBytes(total)}  ${r}`;
}

/** redraws the progress line at most every `intervalMs`; finish() leaves the final one on its line */
export class Progress {
  private readonly start = Date.now();
  private last = 0;
  private drawn = 0;
  total: number | null = null;
  received = 0;

  constructor(private readonly out: NodeJS.WriteStream | { write(s: string): unknown }, private readonly intervalMs = 100) {}

  update(received: number, force = false): void {
    this.received = received;
    const now = Date.now();
    if (!force && now - this.last < this.intervalMs) return;
    this.last = now;
    const secs = Math.max(0.001, (now - this.start) / 1000);
    const line = progressLine(received, this.total, received / secs);
    // pad over a longer previous line
    this.out.write(`\r${line}${" ".repeat(Math.max(0, this.drawn - line.length))}`);
    this.drawn = line.length;
  }

  /** the last figures, and a newline so what follows starts on its own line */
  finish(): void {
    if (!this.drawn && !this.received) return;
    this.update(this.received, true);
    this.out.write("\n");
  }
}
