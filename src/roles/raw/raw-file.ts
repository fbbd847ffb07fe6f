// Raw file role (lws role_ops_raw_file): a descriptor that is not a network
// socket (pipe, fifo, stdin, a device) adopted into the event loop. As in lws,
// RAW_RX_FILE only says "readable": the callback reads with rawFileRead().
// Unlike lws, a file whose read showed end of stream is closed after that
// callback returns, so a finished pipe cannot spin the loop.

import * as R from "../../core/reasons.js";
import { CLOSE, DIED, HANDLED, type RoleOps, type ServiceResult } from "../../core/role.js";
import type { Wsi } from "../../core/wsi.js";

interface RawFileState {
  eof: boolean;
}

export const rawFileRole: RoleOps = {
  name: "raw-file",
  isFile: true,
  adoptionCb: [R.LWS_CALLBACK_RAW_ADOPT_FILE, R.LWS_CALLBACK_RAW_ADOPT_FILE],
  writeableCb: [R.LWS_CALLBACK_RAW_WRITEABLE_FILE, R.LWS_CALLBACK_RAW_WRITEABLE_FILE],
  closeCb: [R.LWS_CALLBACK_RAW_CLOSE_FILE, R.LWS_CALLBACK_RAW_CLOSE_FILE],
  bindCb: [R.LWS_CALLBACK_RAW_FILE_BIND_PROTOCOL, R.LWS_CALLBACK_RAW_FILE_BIND_PROTOCOL],
  unbindCb: [R.LWS_CALLBACK_RAW_FILE_DROP_PROTOCOL, R.LWS_CALLBACK_RAW_FILE_DROP_PROTOCOL],

  handlePollin(wsi: Wsi): ServiceResult {
    const cx = wsi.context;
    if (cx.callWsi(wsi, R.LWS_CALLBACK_RAW_RX_FILE, null, 0)) return CLOSE;
    if (wsi.dead) return DIED;
    if ((wsi.rs as RawFileState | null)?.eof) {
      cx.closeWsi(wsi, 0, "end of file");
      return DIED;
    }
    return HANDLED;
  },
};

/**
 * Read from an adopted raw file, from its RAW_RX_FILE callback: at most `max`
 * bytes (the protocol's rx buffer size by default); null when nothing is
 * there now; an empty array at end of stream.
 */
export function rawFileRead(wsi: Wsi, max?: number): Uint8Array | null {
  if (wsi.dead || wsi.role !== rawFileRole) return null;
  const b = wsi.context.read(wsi, max);
  if (b && !b.length) {
    if (!wsi.rs) wsi.rs = { eof: false } satisfies RawFileState;
    (wsi.rs as RawFileState).eof = true;
  }
  return b;
}
