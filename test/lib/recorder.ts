// A protocol that records every callback it gets, in a compact text form, so
// tests can assert exact callback sequences.

import { reasonName, LWS_CALLBACK_LOCK_POLL, LWS_CALLBACK_UNLOCK_POLL, LWS_CALLBACK_ADD_POLL_FD, LWS_CALLBACK_DEL_POLL_FD, LWS_CALLBACK_CHANGE_MODE_POLL_FD } from "../../src/index.js";
import type { LwsCallback, PollArgs, Protocol } from "../../src/index.js";
import type { Wsi } from "../../src/core/wsi.js";

export type Handler = (wsi: Wsi, reason: number, user: any, inp: any, len: number) => number | void;

export interface Recorder {
  log: string[];
  /** the protocol, which calls `handler` after recording */
  protocol: Protocol;
  /** entries without the poll callbacks */
  plain(): string[];
  /** this exact entry was recorded (cheap: for waitFor predicates, which run after every event) */
  saw(entry: string): boolean;
  clear(): void;
}

const short = (r: number) => reasonName(r).replace(/^LWS_CALLBACK_/, "");

export function describeCall(reason: number, inp: unknown, len: number): string {
  const name = short(reason);
  switch (reason) {
    case LWS_CALLBACK_LOCK_POLL:
    case LWS_CALLBACK_UNLOCK_POLL:
      return `${name}(${len})`;
    case LWS_CALLBACK_ADD_POLL_FD:
    case LWS_CALLBACK_DEL_POLL_FD:
      return `${name}(${(inp as PollArgs).events})`;
    case LWS_CALLBACK_CHANGE_MODE_POLL_FD: {
      const pa = inp as PollArgs;
      return `${name}(${pa.prev_events}->${pa.events})`;
    }
  }
  if (inp instanceof Uint8Array) return `${name}[${len}]`;
  if (typeof inp === "string") return `${name}"${inp}"`;
  return name;
}

const POLLISH = new Set(["LOCK_POLL", "UNLOCK_POLL", "ADD_POLL_FD", "DEL_POLL_FD", "CHANGE_MODE_POLL_FD", "GET_THREAD_ID"]);

export function recorder(name: string, handler?: Handler, extra: Partial<Protocol> = {}): Recorder {
  const log: string[] = [];
  const seen = new Set<string>();
  const callback = ((wsi: Wsi, reason: number, user: any, inp: any, len: number) => {
    const e = describeCall(reason, inp, len);
    log.push(e);
    seen.add(e);
    return (handler ? handler(wsi, reason, user, inp, len) : 0) ?? 0;
  }) as LwsCallback;
  return {
    log,
    protocol: { name, callback, ...extra },
    plain: () => log.filter((e) => !POLLISH.has(e.replace(/[([\"].*$/, ""))),
    saw: (e: string) => seen.has(e),
    clear: () => {
      log.length = 0;
      seen.clear();
    },
  };
}

/**
 * A log as a fault-free network would give it: consecutive RX callbacks
 * merged, POLLOUT changes (LOCK_POLL(0) / CHANGE_MODE / UNLOCK_POLL(0)) dropped.
 */
export function coalesce(log: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < log.length; i++) {
    const e = log[i]!;
    if (e === "LOCK_POLL(0)" && log[i + 1]?.startsWith("CHANGE_MODE_POLL_FD") && log[i + 2] === "UNLOCK_POLL(0)") {
      i += 2;
      continue;
    }
    const m = /^(\w*RX\w*)\[(\d+)\]$/.exec(e);
    const prev = out[out.length - 1];
    const pm = prev ? /^(\w*RX\w*)\[(\d+)\]$/.exec(prev) : null;
    if (m && pm && pm[1] === m[1]) out[out.length - 1] = `${m[1]}[${Number(pm[2]) + Number(m[2])}]`;
    else out.push(e);
  }
  return out;
}
