// Figures and how they are printed. A figure is
//   {bench, figure, value, unit[, peer, peerValue, ratio]}
// --json prints one such object per line, keys in exactly that order (other
// tools parse it); otherwise a table per benchmark.

/** ratio value/peerValue, 3 decimals */
export function ratio(value, peerValue) {
  if (!(peerValue > 0) || !Number.isFinite(value)) return null;
  return Math.round((value / peerValue) * 1000) / 1000;
}

/**
 * Build a figure in the stable form.
 * @param {string} bench
 * @param {string} figure
 * @param {number} value
 * @param {string} unit
 * @param {{peer: string, value: number} | null} [peer]
 */
export function makeFigure(bench, figure, value, unit, peer = null) {
  const f = { bench, figure, value, unit };
  if (peer) {
    f.peer = peer.peer;
    f.peerValue = peer.value;
    f.ratio = ratio(value, peer.value);
  }
  return f;
}

const KEYS = ["bench", "figure", "value", "unit", "peer", "peerValue", "ratio"];

/** the stable one-line JSON form (known keys first, in order; anything else after) */
export function figureJson(f) {
  const o = {};
  for (const k of KEYS) if (f[k] !== undefined) o[k] = f[k];
  for (const k of Object.keys(f)) if (!KEYS.includes(k)) o[k] = f[k];
  return JSON.stringify(o);
}

function fmtNum(v) {
  if (typeof v !== "number") return v === undefined || v === null ? "" : String(v);
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  return v.toLocaleString("en-US", { maximumFractionDigits: 3 });
}

/** a plain-text table of figures, with an optional title and notes */
export function figureTable(figures, { title = "", notes = [] } = {}) {
  const head = ["figure", "value", "unit", "peer", "peer value", "ratio"];
  const rows = figures.map((f) => [f.figure, fmtNum(f.value), f.unit ?? "", f.peer ?? "", fmtNum(f.peerValue), f.ratio === undefined ? "" : fmtNum(f.ratio)]);
  const numeric = [false, true, false, false, true, true];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (numeric[i] ? String(c).padStart(w[i]) : String(c).padEnd(w[i]))).join("  ").trimEnd();
  const out = [];
  if (title) out.push(title);
  out.push(line(head), line(w.map((n) => "-".repeat(n))), ...rows.map(line));
  for (const n of notes) out.push(n);
  return out.join("\n");
}

/** a number for people: thousands separated, `d` decimals */
export const fmt = (n, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

/** the warning for rounds other processes disturbed (over 20% of a core), or null; `chosen` are the rounds reported */
export function othersWarning(chosen) {
  const others = chosen.map((r) => r.othersPct).filter((v) => v !== null);
  if (!others.length || Math.max(...others) <= 20) return null;
  return `warning: other processes used up to ${fmt(Math.max(...others), 0)}% of a core during the rounds reported: figures are noisy`;
}
