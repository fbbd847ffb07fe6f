// Compile-time checks of the callback typing (the typecheck lane fails if a
// line marked @ts-expect-error stops being an error), plus a run-time call.
import * as A from "../lib/assert.js";
import {
  LWS_CALLBACK_RAW_RX,
  LWS_CALLBACK_ADD_POLL_FD,
  LWS_CALLBACK_HTTP,
  LWS_CALLBACK_CHILD_CLOSING,
  LWS_CALLBACK_FILTER_NETWORK_CONNECTION,
  type LwsCallback,
  type Protocol,
} from "../../src/index.js";

interface Pss {
  count: number;
}

const seen: string[] = [];

const typed: LwsCallback<Pss> = (wsi, reason, user, in_, len) => {
  switch (reason) {
    case LWS_CALLBACK_RAW_RX: {
      const n: number = in_.byteLength; // a Uint8Array here
      user.count += n + len;
      seen.push(`rx ${n}`);
      break;
    }
    case LWS_CALLBACK_ADD_POLL_FD:
      seen.push(`add fd ${in_.fd} events ${in_.events} prev ${in_.prev_events}`);
      break;
    case LWS_CALLBACK_HTTP:
      seen.push(`uri ${in_.toUpperCase()}`); // a string here
      break;
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION: {
      const fd: number = in_;
      seen.push(`fd ${fd}`);
      break;
    }
    case LWS_CALLBACK_CHILD_CLOSING:
      seen.push(`child ${in_.id}`); // the child Wsi
      break;
  }
  void wsi;
  return 0;
};

// @ts-expect-error -- RAW_RX carries bytes, not a string
export const wrong: LwsCallback = (_w, reason, _u, in_, _l) => (reason === LWS_CALLBACK_RAW_RX ? in_.toUpperCase().length : 0);

/** a plain C-style function with loose parameter types is accepted as it is */
function loose(_wsi: unknown, reason: number, _user: unknown, _in: unknown, len: number): number {
  return reason + len > 0 ? 0 : 0;
}
export const looseProtocol: Protocol = { name: "loose", callback: loose };

describe("callback typing", () => {
  it("narrows `in` by reason and calls through the union type at run time", () => {
    const cb = typed as (w: unknown, r: number, u: Pss, i: unknown, l: number) => number;
    const u = { count: 0 };
    cb(null, LWS_CALLBACK_RAW_RX, u, new Uint8Array(3), 3);
    cb(null, LWS_CALLBACK_ADD_POLL_FD, u, { fd: 5, events: 1, prev_events: 0 }, 0);
    cb(null, LWS_CALLBACK_HTTP, u, "/index.html", 11);
    A.deepEqual(seen, ["rx 3", "add fd 5 events 1 prev 0", "uri /INDEX.HTML"]);
    A.equal(u.count, 6);
  });
});
