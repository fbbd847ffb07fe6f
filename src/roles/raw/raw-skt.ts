// Raw socket role (lws role_ops_raw_skt): bytes in, bytes out, no framing.
// Accepted on a vhost that listens in raw mode, or connected as a client with
// method "RAW". lws 4.3 tells a connected raw client RAW_CONNECTED; the
// reference API predates it, so a raw client hears RAW_ADOPT, as in lws 4.1.

import * as R from "../../core/reasons.js";
import { CLOSE, DIED, HANDLED, type RoleOps, type ServiceResult } from "../../core/role.js";
import type { Wsi } from "../../core/wsi.js";

export const rawSktRole: RoleOps = {
  name: "raw-skt",
  adoptionCb: [R.LWS_CALLBACK_RAW_ADOPT, R.LWS_CALLBACK_RAW_ADOPT],
  writeableCb: [R.LWS_CALLBACK_RAW_WRITEABLE, R.LWS_CALLBACK_RAW_WRITEABLE],
  closeCb: [R.LWS_CALLBACK_RAW_CLOSE, R.LWS_CALLBACK_RAW_CLOSE],
  bindCb: [R.LWS_CALLBACK_RAW_SKT_BIND_PROTOCOL, R.LWS_CALLBACK_RAW_SKT_BIND_PROTOCOL],
  unbindCb: [R.LWS_CALLBACK_RAW_SKT_DROP_PROTOCOL, R.LWS_CALLBACK_RAW_SKT_DROP_PROTOCOL],

  handlePollin(wsi: Wsi): ServiceResult {
    const cx = wsi.context;
    const buf = cx.read(wsi);
    if (buf === null) return HANDLED;
    if (!buf.length) {
      // the peer finished sending: what we still owe it is flushed, then close
      cx.closeWsi(wsi, 0, "peer closed");
      return DIED;
    }
    // lws closes a raw connection only on a negative return here
    return cx.callWsi(wsi, R.LWS_CALLBACK_RAW_RX, buf, buf.length) < 0 ? CLOSE : HANDLED;
  },
};
