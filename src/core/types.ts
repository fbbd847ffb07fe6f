// Types of the user-facing API: protocols, the callback and what `in` is for
// each reason, and the creation info of contexts and vhosts.

import type * as R from "./reasons.js";
import type { Platform } from "./platform.js";
import type { Wsi } from "./wsi.js";
import type { RoleOps } from "./role.js";

/** struct lws_pollargs: passed as `in` to the *_POLL_FD callbacks; valid during the callback only. */
export interface PollArgs {
  fd: number;
  events: number;
  prev_events: number;
}

/** struct lws_pollfd: what an integrator hands back to serviceFd(). */
export interface PollFd {
  fd: number;
  events: number;
  revents: number;
}

/** Per-vhost options (lws "pvo"): name/value pairs for each protocol, passed to PROTOCOL_INIT. */
export type PerVhostOptions = Record<string, string>;

/** struct lws_process_html_args */
export interface ProcessHtmlArgs {
  p: Uint8Array;
  len: number;
  max_len: number;
  final: number;
  chunked: number;
}

/**
 * lws' `unsigned char *p, *end` over a header buffer: ADD_HEADERS gives one
 * to append response headers into with addHttpHeaderByName() and friends.
 */
export interface HeaderCursor {
  buf: Uint8Array;
  /** where the headers start */
  start: number;
  p: number;
  end: number;
}

/** CHECK_ACCESS_RIGHTS' `in` (lws passes a struct lws_process_html_args this way) */
export interface AccessRightsArgs {
  /** the URI */
  p: string;
  len: number;
  /** the mount's auth mask */
  max_len: number;
  /** set to 1 when the callback dealt with the request itself */
  final: number;
  chunked: number;
}

/** Bytes a client handshake may grow by: CLIENT_APPEND_HANDSHAKE_HEADER's `in`. */
export interface HeaderAppender {
  /** append one "name: value\r\n" line; false when it does not fit in the space left */
  add(name: string, value: string): boolean;
  readonly remaining: number;
}

/** WS_EXT_DEFAULTS' `in`: the buffer lws gives, as a string to set (at most `len` characters) */
export interface ExtDefaults {
  value: string;
}

/**
 * What `in` is for each reason. Byte payloads are read-only views into
 * lwsx's (or the platform's) buffers, valid only during the callback: copy
 * what you keep, and do not write into them (write() may send them without
 * a copy).
 */
export interface ReasonIn {
  [R.LWS_CALLBACK_ESTABLISHED]: null;
  [R.LWS_CALLBACK_CLIENT_CONNECTION_ERROR]: string | null;
  [R.LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH]: null;
  [R.LWS_CALLBACK_CLIENT_ESTABLISHED]: null;
  [R.LWS_CALLBACK_CLOSED]: null;
  [R.LWS_CALLBACK_CLOSED_HTTP]: null;
  [R.LWS_CALLBACK_RECEIVE]: Uint8Array;
  [R.LWS_CALLBACK_RECEIVE_PONG]: Uint8Array;
  [R.LWS_CALLBACK_CLIENT_RECEIVE]: Uint8Array;
  [R.LWS_CALLBACK_CLIENT_RECEIVE_PONG]: Uint8Array;
  [R.LWS_CALLBACK_CLIENT_WRITEABLE]: null;
  [R.LWS_CALLBACK_SERVER_WRITEABLE]: null;
  /** the URI path */
  [R.LWS_CALLBACK_HTTP]: string;
  [R.LWS_CALLBACK_HTTP_BODY]: Uint8Array;
  [R.LWS_CALLBACK_HTTP_BODY_COMPLETION]: null;
  [R.LWS_CALLBACK_HTTP_FILE_COMPLETION]: null;
  [R.LWS_CALLBACK_HTTP_WRITEABLE]: null;
  /** the accepted connection's descriptor (wsi is the listening wsi) */
  [R.LWS_CALLBACK_FILTER_NETWORK_CONNECTION]: number;
  /** the URI path */
  [R.LWS_CALLBACK_FILTER_HTTP_CONNECTION]: string;
  [R.LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED]: null;
  /** the requested protocol name */
  [R.LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION]: string | null;
  [R.LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS]: unknown;
  [R.LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS]: unknown;
  [R.LWS_CALLBACK_OPENSSL_PERFORM_CLIENT_CERT_VERIFICATION]: unknown;
  [R.LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER]: HeaderAppender;
  /** the extension name */
  [R.LWS_CALLBACK_CONFIRM_EXTENSION_OKAY]: string;
  /** the extension name */
  [R.LWS_CALLBACK_CLIENT_CONFIRM_EXTENSION_SUPPORTED]: string;
  /** the per-vhost options given for this protocol, or null */
  [R.LWS_CALLBACK_PROTOCOL_INIT]: PerVhostOptions | null;
  [R.LWS_CALLBACK_PROTOCOL_DESTROY]: null;
  [R.LWS_CALLBACK_WSI_CREATE]: null;
  [R.LWS_CALLBACK_WSI_DESTROY]: null;
  [R.LWS_CALLBACK_GET_THREAD_ID]: null;
  [R.LWS_CALLBACK_ADD_POLL_FD]: PollArgs;
  [R.LWS_CALLBACK_DEL_POLL_FD]: PollArgs;
  [R.LWS_CALLBACK_CHANGE_MODE_POLL_FD]: PollArgs;
  /** len is 1 around adding or deleting a descriptor, 0 around a change of mode */
  [R.LWS_CALLBACK_LOCK_POLL]: PollArgs;
  [R.LWS_CALLBACK_UNLOCK_POLL]: PollArgs;
  [R.LWS_CALLBACK_OPENSSL_CONTEXT_REQUIRES_PRIVATE_KEY]: unknown;
  /** the close payload: 2-byte code (network order) then the reason */
  [R.LWS_CALLBACK_WS_PEER_INITIATED_CLOSE]: Uint8Array;
  /** `user` is the extension's name here (as in lws); set `value` to options the extension should parse (e.g. "client_no_context_takeover") */
  [R.LWS_CALLBACK_WS_EXT_DEFAULTS]: ExtDefaults;
  [R.LWS_CALLBACK_CGI]: unknown;
  [R.LWS_CALLBACK_CGI_TERMINATED]: null;
  [R.LWS_CALLBACK_CGI_STDIN_DATA]: unknown;
  [R.LWS_CALLBACK_CGI_STDIN_COMPLETED]: unknown;
  [R.LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP]: null;
  [R.LWS_CALLBACK_CLOSED_CLIENT_HTTP]: null;
  [R.LWS_CALLBACK_RECEIVE_CLIENT_HTTP]: null;
  [R.LWS_CALLBACK_COMPLETED_CLIENT_HTTP]: null;
  [R.LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ]: Uint8Array;
  [R.LWS_CALLBACK_HTTP_BIND_PROTOCOL]: null;
  [R.LWS_CALLBACK_HTTP_DROP_PROTOCOL]: string | null;
  /** p holds the URI, max_len the mount's auth mask; set final = 1 when the callback answered itself */
  [R.LWS_CALLBACK_CHECK_ACCESS_RIGHTS]: AccessRightsArgs;
  [R.LWS_CALLBACK_PROCESS_HTML]: ProcessHtmlArgs;
  /** append headers with addHttpHeaderByName(wsi, name, value, in) */
  [R.LWS_CALLBACK_ADD_HEADERS]: HeaderCursor;
  [R.LWS_CALLBACK_SESSION_INFO]: unknown;
  [R.LWS_CALLBACK_GS_EVENT]: unknown;
  /** the mount's per-mount options */
  [R.LWS_CALLBACK_HTTP_PMO]: Record<string, string>;
  [R.LWS_CALLBACK_CLIENT_HTTP_WRITEABLE]: null;
  [R.LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION]: unknown;
  [R.LWS_CALLBACK_RAW_RX]: Uint8Array;
  [R.LWS_CALLBACK_RAW_CLOSE]: null;
  [R.LWS_CALLBACK_RAW_WRITEABLE]: null;
  [R.LWS_CALLBACK_RAW_ADOPT]: null;
  [R.LWS_CALLBACK_RAW_ADOPT_FILE]: null;
  /** nothing is read for you: call rawFileRead(wsi) (len is 0) */
  [R.LWS_CALLBACK_RAW_RX_FILE]: null;
  [R.LWS_CALLBACK_RAW_WRITEABLE_FILE]: null;
  [R.LWS_CALLBACK_RAW_CLOSE_FILE]: null;
  [R.LWS_CALLBACK_SSL_INFO]: unknown;
  /** the child wsi that is closing (wsi is the child too, user the parent's) */
  [R.LWS_CALLBACK_CHILD_CLOSING]: Wsi;
  [R.LWS_CALLBACK_CGI_PROCESS_ATTACH]: null;
  [R.LWS_CALLBACK_EVENT_WAIT_CANCELLED]: null;
  [R.LWS_CALLBACK_VHOST_CERT_AGING]: unknown;
  [R.LWS_CALLBACK_TIMER]: null;
  [R.LWS_CALLBACK_VHOST_CERT_UPDATE]: unknown;
  [R.LWS_CALLBACK_CLIENT_CLOSED]: null;
  [R.LWS_CALLBACK_CLIENT_HTTP_DROP_PROTOCOL]: string | null;
  [R.LWS_CALLBACK_WS_SERVER_BIND_PROTOCOL]: null;
  [R.LWS_CALLBACK_WS_SERVER_DROP_PROTOCOL]: string | null;
  [R.LWS_CALLBACK_WS_CLIENT_BIND_PROTOCOL]: null;
  [R.LWS_CALLBACK_WS_CLIENT_DROP_PROTOCOL]: string | null;
  [R.LWS_CALLBACK_RAW_SKT_BIND_PROTOCOL]: null;
  /** why the protocol is dropped (lws passes the caller's name) */
  [R.LWS_CALLBACK_RAW_SKT_DROP_PROTOCOL]: string | null;
  [R.LWS_CALLBACK_RAW_FILE_BIND_PROTOCOL]: null;
  [R.LWS_CALLBACK_RAW_FILE_DROP_PROTOCOL]: string | null;
  [R.LWS_CALLBACK_CLIENT_HTTP_BIND_PROTOCOL]: null;
  /** the name of the protocol being upgraded to */
  [R.LWS_CALLBACK_HTTP_CONFIRM_UPGRADE]: string;
  /** the Location of a redirect about to be followed; len is the status */
  [R.LWS_CALLBACK_CLIENT_HTTP_REDIRECT]: string;
  /** whatever callbackAllProtocol() and friends were given */
  [R.LWS_CALLBACK_USER]: unknown;
}

export type Reason = keyof ReasonIn;

/**
 * The arguments of a callback, one tuple per reason: switching on `reason`
 * narrows `in` to what that reason carries.
 */
export type CallbackArgs<U> = {
  [K in Reason]: [wsi: Wsi, reason: K, user: U, in_: ReasonIn[K], len: number];
}[Reason];

/**
 * lws_callback_function: `(wsi, reason, user, in, len) => number`. Returning
 * 0 means "OK"; nonzero usually closes the connection (see each reason).
 * Reasons above LWS_CALLBACK_USER arrive typed as LWS_CALLBACK_USER's tuple:
 * compare `reason as number`.
 *
 * Declare all five parameters, as the C prototype does (name unused ones
 * `_in`, `_len`): TypeScript cannot match a shorter parameter list against
 * the per-reason tuples that make `in` follow `reason`.
 */
export type LwsCallback<U = any> = (...args: CallbackArgs<U>) => number;

/** struct lws_protocols */
export interface Protocol<U = any> {
  name: string;
  callback: LwsCallback<U>;
  /**
   * Per-session data, made for each connection bound to this protocol: a
   * factory returning the object `user` points to (the JS form of lws'
   * per_session_data_size)...
   */
  perSessionData?: () => U;
  /** ...or, lws style, the size of a zeroed Uint8Array to allocate */
  perSessionDataSize?: number;
  /** most bytes read per RX callback (lws rx_buffer_size; 0: the context default) */
  rxBufferSize?: number;
  /** free for the user (lws protocols[].id) */
  id?: number;
  /** free for the user (lws protocols[].user) */
  user?: unknown;
}

export interface VhostCreationInfo {
  /** vhost name (lws vhost_name); "default" when omitted */
  name?: string;
  /** listen port: 0 any free port, CONTEXT_PORT_NO_LISTEN (-1) none */
  port?: number;
  /** listen address (lws iface); default 0.0.0.0 */
  iface?: string;
  protocols: Protocol[];
  /** LWS_SERVER_OPTION_* bits */
  options?: number;
  /** per-vhost options, by protocol name */
  pvo?: Record<string, PerVhostOptions>;
  /** role given to accepted connections (lws listen_accept_role), e.g. "raw-skt" */
  listenAcceptRole?: string;
  /** protocol bound to accepted connections (lws listen_accept_protocol) */
  listenAcceptProtocol?: string;
  /** most connections this vhost accepts at once (further accepts are closed at once) */
  maxConnections?: number;
  /** free for the user (lws vhost user) */
  user?: unknown;
}

export interface ContextCreationInfo extends Partial<VhostCreationInfo> {
  platform: Platform;
  /**
   * The integrator's loop watches descriptors from the *_POLL_FD callbacks and
   * calls serviceFd() itself; lwsx does not ask the platform to watch.
   */
  externalPoll?: boolean;
  /** default most bytes per read (lws pt_serv_buf_size); 4096 */
  ptServBufSize?: number;
  /** seconds for the handshake-style timeouts lwsx sets itself (lws timeout_secs) */
  timeoutSecs?: number;
  /** extra roles to make available by name */
  roles?: RoleOps[];
  /** free for the user (lws context user) */
  user?: unknown;
}
