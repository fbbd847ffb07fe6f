// lwsx: the libwebsockets programming model in TypeScript.
// Everything a callback needs is exported here under lws-like names.

import { Context } from "./core/context.js";
import { LWS_SERVER_OPTION_EXPLICIT_VHOSTS } from "./core/constants.js";
import type { ContextCreationInfo } from "./core/types.js";
import { rawSktRole, rawFileRole } from "./roles/raw/index.js";
import { h1Role } from "./roles/http/server.js";
import { wsRole } from "./roles/ws/server.js";

export * from "./core/reasons.js";
export * from "./core/constants.js";
export * from "./core/api.js";
export type * from "./core/types.js";
export type { Platform, PlatformNet, PlatformFiles, PlatformHooks, ReadyCallback, SocketAddress } from "./core/platform.js";
export { PlatformError } from "./core/platform.js";
export { Context, Vhost, type Logger, type LogLevel } from "./core/context.js";
export { Wsi, WsiState } from "./core/wsi.js";
export type { RoleOps } from "./core/role.js";
export { adoptFile, adoptSocketRaw, rawFileRead, rawSktRole, rawFileRole } from "./roles/raw/index.js";
export { clientConnect, retryGetDelayMs, retrySulSchedule, type ClientConnectInfo, type RetryBo } from "./client.js";
export { httpClientRead, httpClientHttpResponse, clientHttpBodyPending, h1ClientRole } from "./roles/http/client.js";
export * from "./roles/http/status.js";
export * from "./roles/http/tokens.js";
export * from "./roles/http/mounts.js";
export { h1Role, serveHttpFile, callbackHttpDummy, type HttpVhostInfo } from "./roles/http/server.js";
export {
  headerCursor,
  addHttpHeaderStatus,
  addHttpHeaderByName,
  addHttpHeaderByToken,
  addHttpHeaderContentLength,
  addHttpCommonHeaders,
  finalizeHttpHeader,
  finalizeWriteHttpHeader,
  returnHttpStatus,
  httpRedirect,
  httpTransactionCompleted,
} from "./roles/http/response.js";
export { hdrTotalLength, hdrCopy, hdrCopyFragment, hdrCustomLength, hdrCustomCopy, getUrlargByName, httpMethod } from "./roles/http/headers.js";
export { DEVICE_HTTP_LIMITS, SERVER_HTTP_LIMITS, type HttpLimits } from "./roles/http/parser.js";
export { urlDecode, normalisePath, parseTarget } from "./roles/http/url.js";
export {
  wsRole,
  isFirstFragment,
  isFinalFragment,
  frameIsBinary,
  remainingPacketPayload,
  closeReason,
  peerCloseFrame,
  wsClose,
  type WsVhostInfo,
} from "./roles/ws/server.js";

/**
 * lws_create_context. Unless LWS_SERVER_OPTION_EXPLICIT_VHOSTS is set (or no
 * protocols are given), a default vhost is made from the same info, as lws does.
 */
export function createContext(info: ContextCreationInfo): Context {
  const cx = new Context({ ...info, roles: [rawSktRole, rawFileRole, h1Role, wsRole, ...(info.roles ?? [])] });
  if (!((info.options ?? 0) & LWS_SERVER_OPTION_EXPLICIT_VHOSTS) && info.protocols && info.protocols.length) {
    cx.createVhost({ ...info, protocols: info.protocols });
  }
  return cx;
}
