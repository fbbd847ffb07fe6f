// lws' header token table: enum lws_token_indexes (include/libwebsockets/lws-http.h, lws v4.3)
// with every optional group compiled in (LWS_HTTP_HEADERS_ALL), so that the numbers are lws'
// own whatever the header set: WSI_TOKEN_GET_URI is 0, WSI_TOKEN_HOST 3, WSI_TOKEN_UPGRADE 5,
// WSI_TOKEN_HTTP_CONTENT_LENGTH 27, WSI_TOKEN_COUNT 96. TOKEN_NAMES holds each token's string
// as lws spells it in its lexer table (lib/roles/http/lextable-strings.h): header names with
// their colon ("host:"), methods with their space ("get "), and lws' oddities kept as they are
// ("\r\n" for WSI_TOKEN_CHALLENGE, "patch" / "put" / "delete" without a space).

export const WSI_TOKEN_GET_URI = 0;
export const WSI_TOKEN_POST_URI = 1;
export const WSI_TOKEN_OPTIONS_URI = 2;
export const WSI_TOKEN_HOST = 3;
export const WSI_TOKEN_CONNECTION = 4;
export const WSI_TOKEN_UPGRADE = 5;
export const WSI_TOKEN_ORIGIN = 6;
export const WSI_TOKEN_DRAFT = 7;
export const WSI_TOKEN_CHALLENGE = 8;
export const WSI_TOKEN_EXTENSIONS = 9;
export const WSI_TOKEN_KEY1 = 10;
export const WSI_TOKEN_KEY2 = 11;
export const WSI_TOKEN_PROTOCOL = 12;
export const WSI_TOKEN_ACCEPT = 13;
export const WSI_TOKEN_NONCE = 14;
export const WSI_TOKEN_HTTP = 15;
export const WSI_TOKEN_HTTP2_SETTINGS = 16;
export const WSI_TOKEN_HTTP_ACCEPT = 17;
export const WSI_TOKEN_HTTP_AC_REQUEST_HEADERS = 18;
export const WSI_TOKEN_HTTP_IF_MODIFIED_SINCE = 19;
export const WSI_TOKEN_HTTP_IF_NONE_MATCH = 20;
export const WSI_TOKEN_HTTP_ACCEPT_ENCODING = 21;
export const WSI_TOKEN_HTTP_ACCEPT_LANGUAGE = 22;
export const WSI_TOKEN_HTTP_PRAGMA = 23;
export const WSI_TOKEN_HTTP_CACHE_CONTROL = 24;
export const WSI_TOKEN_HTTP_AUTHORIZATION = 25;
export const WSI_TOKEN_HTTP_COOKIE = 26;
export const WSI_TOKEN_HTTP_CONTENT_LENGTH = 27;
export const WSI_TOKEN_HTTP_CONTENT_TYPE = 28;
export const WSI_TOKEN_HTTP_DATE = 29;
export const WSI_TOKEN_HTTP_RANGE = 30;
export const WSI_TOKEN_HTTP_REFERER = 31;
export const WSI_TOKEN_KEY = 32;
export const WSI_TOKEN_VERSION = 33;
export const WSI_TOKEN_SWORIGIN = 34;
export const WSI_TOKEN_HTTP_COLON_AUTHORITY = 35;
export const WSI_TOKEN_HTTP_COLON_METHOD = 36;
export const WSI_TOKEN_HTTP_COLON_PATH = 37;
export const WSI_TOKEN_HTTP_COLON_SCHEME = 38;
export const WSI_TOKEN_HTTP_COLON_STATUS = 39;
export const WSI_TOKEN_HTTP_ACCEPT_CHARSET = 40;
export const WSI_TOKEN_HTTP_ACCEPT_RANGES = 41;
export const WSI_TOKEN_HTTP_ACCESS_CONTROL_ALLOW_ORIGIN = 42;
export const WSI_TOKEN_HTTP_AGE = 43;
export const WSI_TOKEN_HTTP_ALLOW = 44;
export const WSI_TOKEN_HTTP_CONTENT_DISPOSITION = 45;
export const WSI_TOKEN_HTTP_CONTENT_ENCODING = 46;
export const WSI_TOKEN_HTTP_CONTENT_LANGUAGE = 47;
export const WSI_TOKEN_HTTP_CONTENT_LOCATION = 48;
export const WSI_TOKEN_HTTP_CONTENT_RANGE = 49;
export const WSI_TOKEN_HTTP_ETAG = 50;
export const WSI_TOKEN_HTTP_EXPECT = 51;
export const WSI_TOKEN_HTTP_EXPIRES = 52;
export const WSI_TOKEN_HTTP_FROM = 53;
export const WSI_TOKEN_HTTP_IF_MATCH = 54;
export const WSI_TOKEN_HTTP_IF_RANGE = 55;
export const WSI_TOKEN_HTTP_IF_UNMODIFIED_SINCE = 56;
export const WSI_TOKEN_HTTP_LAST_MODIFIED = 57;
export const WSI_TOKEN_HTTP_LINK = 58;
export const WSI_TOKEN_HTTP_LOCATION = 59;
export const WSI_TOKEN_HTTP_MAX_FORWARDS = 60;
export const WSI_TOKEN_HTTP_PROXY_AUTHENTICATE = 61;
export const WSI_TOKEN_HTTP_PROXY_AUTHORIZATION = 62;
export const WSI_TOKEN_HTTP_REFRESH = 63;
export const WSI_TOKEN_HTTP_RETRY_AFTER = 64;
export const WSI_TOKEN_HTTP_SERVER = 65;
export const WSI_TOKEN_HTTP_SET_COOKIE = 66;
export const WSI_TOKEN_HTTP_STRICT_TRANSPORT_SECURITY = 67;
export const WSI_TOKEN_HTTP_TRANSFER_ENCODING = 68;
export const WSI_TOKEN_HTTP_USER_AGENT = 69;
export const WSI_TOKEN_HTTP_VARY = 70;
export const WSI_TOKEN_HTTP_VIA = 71;
export const WSI_TOKEN_HTTP_WWW_AUTHENTICATE = 72;
export const WSI_TOKEN_PATCH_URI = 73;
export const WSI_TOKEN_PUT_URI = 74;
export const WSI_TOKEN_DELETE_URI = 75;
export const WSI_TOKEN_HTTP_URI_ARGS = 76;
export const WSI_TOKEN_PROXY = 77;
export const WSI_TOKEN_HTTP_X_REAL_IP = 78;
export const WSI_TOKEN_HTTP1_0 = 79;
export const WSI_TOKEN_X_FORWARDED_FOR = 80;
export const WSI_TOKEN_CONNECT = 81;
export const WSI_TOKEN_HEAD_URI = 82;
export const WSI_TOKEN_TE = 83;
export const WSI_TOKEN_REPLAY_NONCE = 84;
export const WSI_TOKEN_COLON_PROTOCOL = 85;
export const WSI_TOKEN_X_AUTH_TOKEN = 86;
export const WSI_TOKEN_DSS_SIGNATURE = 87;
export const _WSI_TOKEN_CLIENT_SENT_PROTOCOLS = 88;
export const _WSI_TOKEN_CLIENT_PEER_ADDRESS = 89;
export const _WSI_TOKEN_CLIENT_URI = 90;
export const _WSI_TOKEN_CLIENT_HOST = 91;
export const _WSI_TOKEN_CLIENT_ORIGIN = 92;
export const _WSI_TOKEN_CLIENT_METHOD = 93;
export const _WSI_TOKEN_CLIENT_IFACE = 94;
export const _WSI_TOKEN_CLIENT_ALPN = 95;
export const WSI_TOKEN_COUNT = 96;
export const WSI_TOKEN_NAME_PART = 97;
export const WSI_TOKEN_UNKNOWN_VALUE_PART = 98;
export const WSI_TOKEN_SKIPPING = 99;
export const WSI_TOKEN_SKIPPING_SAW_CR = 100;
export const WSI_PARSING_COMPLETE = 101;
export const WSI_INIT_TOKEN_MUXURL = 102;

/**
 * The string of each token, indexed by token (lws' `set[]`): index 88
 * (_WSI_TOKEN_CLIENT_SENT_PROTOCOLS) is "" as in lws, and there is none after it.
 */
export const TOKEN_NAMES: readonly string[] = Object.freeze([
  "get ", "post ", "options ", "host:", "connection:", "upgrade:", "origin:", "sec-websocket-draft:", "\r\n",
  "sec-websocket-extensions:", "sec-websocket-key1:", "sec-websocket-key2:", "sec-websocket-protocol:",
  "sec-websocket-accept:", "sec-websocket-nonce:", "http/1.1 ", "http2-settings:", "accept:",
  "access-control-request-headers:", "if-modified-since:", "if-none-match:", "accept-encoding:",
  "accept-language:", "pragma:", "cache-control:", "authorization:", "cookie:", "content-length:",
  "content-type:", "date:", "range:", "referer:", "sec-websocket-key:", "sec-websocket-version:",
  "sec-websocket-origin:", ":authority", ":method", ":path", ":scheme", ":status", "accept-charset:",
  "accept-ranges:", "access-control-allow-origin:", "age:", "allow:", "content-disposition:",
  "content-encoding:", "content-language:", "content-location:", "content-range:", "etag:", "expect:",
  "expires:", "from:", "if-match:", "if-range:", "if-unmodified-since:", "last-modified:", "link:",
  "location:", "max-forwards:", "proxy-authenticate:", "proxy-authorization:", "refresh:", "retry-after:",
  "server:", "set-cookie:", "strict-transport-security:", "transfer-encoding:", "user-agent:", "vary:",
  "via:", "www-authenticate:", "patch", "put", "delete", "uri-args", "proxy ", "x-real-ip:", "http/1.0 ",
  "x-forwarded-for:", "connect ", "head ", "te:", "replay-nonce:", ":protocol", "x-auth-token:",
  "x-amzn-dss-signature:", "",
]);

/** lws_token_to_string: the token's lws string, or null past the table (as lws returns NULL) */
export function tokenToString(token: number): string | null {
  return token >= 0 && token < TOKEN_NAMES.length ? TOKEN_NAMES[token]! : null;
}

// lower-case header name (without the colon) -> token. HTTP/2 pseudo-headers keep their leading
// colon (":authority"). Method tokens, "\r\n", "http/1.x ", "uri-args" and "proxy " are not
// header names and are left out (tokenOfMethod() maps methods).
const BY_NAME = new Map<string, number>();
for (let t = 0; t < TOKEN_NAMES.length; t++) {
  const s = TOKEN_NAMES[t]!;
  if (s.length > 1 && s.charCodeAt(s.length - 1) === 58 /* : */) BY_NAME.set(s.slice(0, -1), t);
  else if (s.charCodeAt(0) === 58) BY_NAME.set(s, t);
}

/** The lws token of a header, from its lower-case name without the colon ("content-length"); -1 when lws has none. */
export function tokenOfHeader(lowerCaseName: string): number {
  const t = BY_NAME.get(lowerCaseName);
  return t === undefined ? -1 : t;
}

const BY_METHOD = new Map<string, number>([
  ["GET", WSI_TOKEN_GET_URI],
  ["POST", WSI_TOKEN_POST_URI],
  ["OPTIONS", WSI_TOKEN_OPTIONS_URI],
  ["PUT", WSI_TOKEN_PUT_URI],
  ["PATCH", WSI_TOKEN_PATCH_URI],
  ["DELETE", WSI_TOKEN_DELETE_URI],
  ["CONNECT", WSI_TOKEN_CONNECT],
  ["HEAD", WSI_TOKEN_HEAD_URI],
]);

/**
 * The lws token that carries the request target for a method ("GET" -> WSI_TOKEN_GET_URI);
 * -1 for a method lws has no token for. Methods are case-sensitive (RFC 9110 9.1): "get" is -1.
 */
export function tokenOfMethod(method: string): number {
  const t = BY_METHOD.get(method);
  return t === undefined ? -1 : t;
}
