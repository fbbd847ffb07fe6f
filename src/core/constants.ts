// Constants of the lws API other than the callback reasons, with lws' values.

/** Bit flags some CGI / proxy callbacks carry in the upper bits of the reason (lws-callbacks.h). */
export const LWS_CB_REASON_AUX_BF__CGI = 1;
export const LWS_CB_REASON_AUX_BF__PROXY = 2;
export const LWS_CB_REASON_AUX_BF__CGI_CHUNK_END = 4;
export const LWS_CB_REASON_AUX_BF__CGI_HEADERS = 8;
export const LWS_CB_REASON_AUX_BF__PROXY_TRANS_END = 16;
export const LWS_CB_REASON_AUX_BF__PROXY_HEADERS = 32;

/** enum lws_cert_update_state */
export const LWS_CUS_IDLE = 0;
export const LWS_CUS_STARTING = 1;
export const LWS_CUS_SUCCESS = 2;
export const LWS_CUS_FAILED = 3;
export const LWS_CUS_CREATE_KEYS = 4;
export const LWS_CUS_REG = 5;
export const LWS_CUS_AUTH = 6;
export const LWS_CUS_CHALLENGE = 7;
export const LWS_CUS_CREATE_REQ = 8;
export const LWS_CUS_REQ = 9;
export const LWS_CUS_CONFIRM = 10;
export const LWS_CUS_ISSUE = 11;

/** TLS certificate request elements (the anonymous enum next to lws_cert_update_state). */
export const LWS_TLS_REQ_ELEMENT_COUNTRY = 0;
export const LWS_TLS_REQ_ELEMENT_STATE = 1;
export const LWS_TLS_REQ_ELEMENT_LOCALITY = 2;
export const LWS_TLS_REQ_ELEMENT_ORGANIZATION = 3;
export const LWS_TLS_REQ_ELEMENT_COMMON_NAME = 4;
export const LWS_TLS_REQ_ELEMENT_EMAIL = 5;
export const LWS_TLS_REQ_ELEMENT_COUNT = 6;
export const LWS_TLS_SET_DIR_URL = 6;
export const LWS_TLS_SET_AUTH_PATH = 7;
export const LWS_TLS_SET_CERT_PATH = 8;
export const LWS_TLS_SET_KEY_PATH = 9;
export const LWS_TLS_TOTAL_COUNT = 10;

/**
 * Headroom lws asks for before a buffer given to write(): a WebSocket frame
 * header fits there without a copy. Here it is advisory: a Uint8Array whose
 * byteOffset is at least LWS_PRE lets the framer write the header in place.
 */
export const LWS_PRE = 16;

/** enum lws_write_protocol */
export const LWS_WRITE_TEXT = 0;
export const LWS_WRITE_BINARY = 1;
export const LWS_WRITE_CONTINUATION = 2;
export const LWS_WRITE_HTTP = 3;
/** lws spells a raw write LWS_WRITE_RAW, an alias of LWS_WRITE_HTTP */
export const LWS_WRITE_RAW = LWS_WRITE_HTTP;
export const LWS_WRITE_PING = 5;
export const LWS_WRITE_PONG = 6;
export const LWS_WRITE_HTTP_FINAL = 7;
export const LWS_WRITE_HTTP_HEADERS = 8;
export const LWS_WRITE_HTTP_HEADERS_CONTINUATION = 9;
export const LWS_WRITE_BUFLIST = 0x20;
export const LWS_WRITE_NO_FIN = 0x40;
export const LWS_WRITE_H2_STREAM_END = 0x80;
export const LWS_WRITE_CLIENT_IGNORE_XOR_MASK = 0x80;

/** poll(2) event bits as Linux defines them; lws passes these in lws_pollargs. */
export const POLLIN = 0x001;
export const POLLPRI = 0x002;
export const POLLOUT = 0x004;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;
export const LWS_POLLIN = POLLIN;
export const LWS_POLLOUT = POLLOUT;
export const LWS_POLLHUP = POLLHUP | POLLERR;

/** enum pending_timeout (lws-timeout-timer.h) */
export const NO_PENDING_TIMEOUT = 0;
export const PENDING_TIMEOUT_AWAITING_PROXY_RESPONSE = 1;
export const PENDING_TIMEOUT_AWAITING_CONNECT_RESPONSE = 2;
export const PENDING_TIMEOUT_ESTABLISH_WITH_SERVER = 3;
export const PENDING_TIMEOUT_AWAITING_SERVER_RESPONSE = 4;
export const PENDING_TIMEOUT_AWAITING_PING = 5;
export const PENDING_TIMEOUT_CLOSE_ACK = 6;
export const PENDING_TIMEOUT_SENT_CLIENT_HANDSHAKE = 8;
export const PENDING_TIMEOUT_SSL_ACCEPT = 9;
export const PENDING_TIMEOUT_HTTP_CONTENT = 10;
export const PENDING_TIMEOUT_AWAITING_CLIENT_HS_SEND = 11;
export const PENDING_FLUSH_STORED_SEND_BEFORE_CLOSE = 12;
export const PENDING_TIMEOUT_SHUTDOWN_FLUSH = 13;
export const PENDING_TIMEOUT_CGI = 14;
export const PENDING_TIMEOUT_HTTP_KEEPALIVE_IDLE = 15;
export const PENDING_TIMEOUT_WS_PONG_CHECK_SEND_PING = 16;
export const PENDING_TIMEOUT_WS_PONG_CHECK_GET_PONG = 17;
export const PENDING_TIMEOUT_CLIENT_ISSUE_PAYLOAD = 18;
export const PENDING_TIMEOUT_KILLED_BY_PARENT = 23;
export const PENDING_TIMEOUT_CLOSE_SEND = 24;
export const PENDING_TIMEOUT_HOLDING_AH = 25;
export const PENDING_TIMEOUT_UDP_IDLE = 26;
export const PENDING_TIMEOUT_CLIENT_CONN_IDLE = 27;
export const PENDING_TIMEOUT_LAGGING = 28;
export const PENDING_TIMEOUT_USER_OK = 32;
export const PENDING_TIMEOUT_HTTP_RESPONSE = 33;
export const PENDING_TIMEOUT_USER_REASON_BASE = 1000;
/** setWsiTimeout() (lws_set_timeout) secs: close at the next service / close now */
export const LWS_TO_KILL_ASYNC = -1;
export const LWS_TO_KILL_SYNC = -2;
/** setTimerUsecs() usecs that cancels the timer */
export const LWS_SET_TIMER_USEC_CANCEL = -1;
export const LWS_USEC_PER_SEC = 1000000;

/** enum lws_close_status (the ones the core uses; the WebSocket role adds its own) */
export const LWS_CLOSE_STATUS_NOSTATUS = 0;
export const LWS_CLOSE_STATUS_NORMAL = 1000;
export const LWS_CLOSE_STATUS_GOINGAWAY = 1001;
export const LWS_CLOSE_STATUS_PROTOCOL_ERR = 1002;
export const LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE = 1003;
export const LWS_CLOSE_STATUS_NO_STATUS = 1005;
export const LWS_CLOSE_STATUS_ABNORMAL_CLOSE = 1006;
export const LWS_CLOSE_STATUS_INVALID_PAYLOAD = 1007;
export const LWS_CLOSE_STATUS_POLICY_VIOLATION = 1008;
export const LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE = 1009;
export const LWS_CLOSE_STATUS_EXTENSION_REQUIRED = 1010;
export const LWS_CLOSE_STATUS_UNEXPECTED_CONDITION = 1011;
export const LWS_CLOSE_STATUS_NOSTATUS_CONTEXT_DESTROY = 9999;

/** rxFlowControl() reasons (enum lws_rxflow_reason) */
export const LWS_RXFLOW_REASON_USER_BOOL = 1 << 0;
export const LWS_RXFLOW_REASON_HTTP_RXBUFFER = 1 << 6;
export const LWS_RXFLOW_REASON_FLAG_PROCESS_NOW = 1 << 12;
export const LWS_RXFLOW_REASON_APPLIES_ENABLE_BIT = 1 << 13;
export const LWS_RXFLOW_REASON_APPLIES = 1 << 14;
export const LWS_RXFLOW_REASON_APPLIES_ENABLE = LWS_RXFLOW_REASON_APPLIES | LWS_RXFLOW_REASON_APPLIES_ENABLE_BIT;
export const LWS_RXFLOW_REASON_APPLIES_DISABLE = LWS_RXFLOW_REASON_APPLIES;

/** Server options used by lwsx (lws_context_creation_info.options, LWS_SERVER_OPTION_*). */
/** client names are looked up for IPv4 only */
export const LWS_SERVER_OPTION_DISABLE_IPV6 = 1 << 5;
export const LWS_SERVER_OPTION_EXPLICIT_VHOSTS = 1 << 13;
/** an HTTP vhost hands a connection whose first bytes are not HTTP to listenAcceptProtocol as raw */
export const LWS_SERVER_OPTION_FALLBACK_TO_RAW = 1 << 20;
export const LWS_SERVER_OPTION_ADOPT_APPLY_LISTEN_ACCEPT_CONFIG = 1 << 22;
/** lws' name for a vhost whose listen socket adopts every connection as raw */
export const LWS_SERVER_OPTION_ONLY_RAW = LWS_SERVER_OPTION_ADOPT_APPLY_LISTEN_ACCEPT_CONFIG;
export const LWS_SERVER_OPTION_SKIP_PROTOCOL_INIT = 1 << 25;

/** Port value that asks for no listen socket (lws CONTEXT_PORT_NO_LISTEN). */
export const CONTEXT_PORT_NO_LISTEN = -1;
/** Port value that asks the platform for any free port. */
export const CONTEXT_PORT_ANY = 0;

/** Client connection flags (lws_client_connect_info.ssl_connection, LCCSCF_*), lws v4.3 values. */
export const LCCSCF_USE_SSL = 1 << 0;
export const LCCSCF_ALLOW_SELFSIGNED = 1 << 1;
export const LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK = 1 << 2;
export const LCCSCF_ALLOW_EXPIRED = 1 << 3;
export const LCCSCF_ALLOW_INSECURE = 1 << 4;
export const LCCSCF_HTTP_MULTIPART_MIME = 1 << 10;
export const LCCSCF_HTTP_X_WWW_FORM_URLENCODED = 1 << 11;
export const LCCSCF_HTTP_NO_FOLLOW_REDIRECT = 1 << 12;
/** HTTP/1.1 client: reuse a kept-alive connection to the same host and port, or queue behind one in use */
export const LCCSCF_PIPELINE = 1 << 16;
export const LCCSCF_ACCEPT_TLS_DOWNGRADE_REDIRECTS = 1 << 29;
