// Shared by the HTTP parser's tests (test/unit/http-parser.test.ts, run in Node
// and XS; test/node/http-parser-props.test.ts, fast-check in Node): latin-1
// conversions and the event sink that records what a parser reports.

import type { HttpHeader, RequestHead, ResponseHead } from "../../src/roles/http/parser.js";

/** latin1: one byte per character */
export function bytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

export function text(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** what a parser reported: heads, body (consecutive pieces joined), completions */
export type Ev =
  | { t: "head"; head: RequestHead | ResponseHead }
  | { t: "body"; data: string }
  | { t: "complete"; trailers: HttpHeader[] };

/** parser events that record into `evs`; `check` sees each head and body piece first */
export function recordEvents(evs: Ev[], check: { head?(head: RequestHead | ResponseHead): void; body?(b: Uint8Array): void } = {}) {
  return {
    onHead(head: RequestHead | ResponseHead) {
      check.head?.(head);
      evs.push({ t: "head", head });
    },
    onBody(b: Uint8Array) {
      check.body?.(b);
      const last = evs[evs.length - 1];
      if (last && last.t === "body") last.data += text(b);
      else evs.push({ t: "body", data: text(b) });
    },
    onComplete(trailers: HttpHeader[]) {
      evs.push({ t: "complete", trailers: trailers.slice() });
    },
  };
}
