import * as A from "../lib/assert.js";
import { REFERENCE_REASONS } from "../lib/reference-reasons.js";
import * as lwsx from "../../src/index.js";
import { LwsCallbackReasons, LWS_V43_EXTRA_REASONS, reasonName } from "../../src/core/reasons.js";

describe("callback reasons", () => {
  it("exports every reason of the reference under its lws name with its exact value (87 of them)", () => {
    A.equal(REFERENCE_REASONS.length, 87);
    for (const [name, value] of REFERENCE_REASONS) A.equal((lwsx as Record<string, unknown>)[name], value, name);
  });

  it("has no reason the reference does not list but lws v4.3's CLIENT_HTTP_REDIRECT (104), and no value twice", () => {
    const names = Object.keys(LwsCallbackReasons);
    A.equal(names.length, 88);
    const ref = new Set<string>(REFERENCE_REASONS.map(([n]) => n));
    for (const n of names) A.ok(ref.has(n) || (LWS_V43_EXTRA_REASONS as readonly string[]).includes(n), `${n} is in the reference`);
    A.deepEqual([...LWS_V43_EXTRA_REASONS], ["LWS_CALLBACK_CLIENT_HTTP_REDIRECT"]);
    A.equal(lwsx.LWS_CALLBACK_CLIENT_HTTP_REDIRECT, 104);
    A.equal(new Set(Object.values(LwsCallbackReasons)).size, 88);
  });

  it("names reasons for logs, user reasons included", () => {
    A.equal(reasonName(59), "LWS_CALLBACK_RAW_RX");
    A.equal(reasonName(1000), "LWS_CALLBACK_USER");
    A.equal(reasonName(1003), "LWS_CALLBACK_USER+3");
    A.equal(reasonName(68), "LWS_CALLBACK_68");
  });

  it("exports the AUX flags, cert update states, TLS request enums, LWS_PRE, write protocols and poll flags with lws' values", () => {
    const expect: Record<string, number> = {
      LWS_CB_REASON_AUX_BF__CGI: 1, LWS_CB_REASON_AUX_BF__PROXY: 2, LWS_CB_REASON_AUX_BF__CGI_CHUNK_END: 4,
      LWS_CB_REASON_AUX_BF__CGI_HEADERS: 8, LWS_CB_REASON_AUX_BF__PROXY_TRANS_END: 16, LWS_CB_REASON_AUX_BF__PROXY_HEADERS: 32,
      LWS_CUS_IDLE: 0, LWS_CUS_STARTING: 1, LWS_CUS_SUCCESS: 2, LWS_CUS_FAILED: 3, LWS_CUS_CREATE_KEYS: 4, LWS_CUS_REG: 5,
      LWS_CUS_AUTH: 6, LWS_CUS_CHALLENGE: 7, LWS_CUS_CREATE_REQ: 8, LWS_CUS_REQ: 9, LWS_CUS_CONFIRM: 10, LWS_CUS_ISSUE: 11,
      LWS_TLS_REQ_ELEMENT_COUNTRY: 0, LWS_TLS_REQ_ELEMENT_STATE: 1, LWS_TLS_REQ_ELEMENT_LOCALITY: 2, LWS_TLS_REQ_ELEMENT_ORGANIZATION: 3,
      LWS_TLS_REQ_ELEMENT_COMMON_NAME: 4, LWS_TLS_REQ_ELEMENT_EMAIL: 5, LWS_TLS_REQ_ELEMENT_COUNT: 6, LWS_TLS_SET_DIR_URL: 6,
      LWS_TLS_SET_AUTH_PATH: 7, LWS_TLS_SET_CERT_PATH: 8, LWS_TLS_SET_KEY_PATH: 9, LWS_TLS_TOTAL_COUNT: 10,
      LWS_PRE: 16,
      LWS_WRITE_TEXT: 0, LWS_WRITE_BINARY: 1, LWS_WRITE_CONTINUATION: 2, LWS_WRITE_HTTP: 3, LWS_WRITE_RAW: 3, LWS_WRITE_PING: 5,
      LWS_WRITE_PONG: 6, LWS_WRITE_HTTP_FINAL: 7, LWS_WRITE_HTTP_HEADERS: 8, LWS_WRITE_HTTP_HEADERS_CONTINUATION: 9,
      LWS_WRITE_BUFLIST: 0x20, LWS_WRITE_NO_FIN: 0x40, LWS_WRITE_H2_STREAM_END: 0x80, LWS_WRITE_CLIENT_IGNORE_XOR_MASK: 0x80,
      LWS_POLLIN: 1, LWS_POLLOUT: 4, LWS_POLLHUP: 0x18, POLLIN: 1, POLLOUT: 4, POLLERR: 8, POLLHUP: 16,
      LWS_TO_KILL_ASYNC: -1, LWS_TO_KILL_SYNC: -2, PENDING_TIMEOUT_USER_OK: 32, PENDING_FLUSH_STORED_SEND_BEFORE_CLOSE: 12,
    };
    for (const [k, v] of Object.entries(expect)) A.equal((lwsx as Record<string, unknown>)[k], v, k);
  });
});
