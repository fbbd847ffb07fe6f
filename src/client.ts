// lws_client_connect_via_info. The foundation carries raw clients (method
// "RAW"); HTTP and WebSocket clients arrive with their roles.

import type { Context, Vhost } from "./core/context.js";
import type { Wsi } from "./core/wsi.js";
import { rawSktRole } from "./roles/raw/raw-skt.js";

export interface ClientConnectInfo {
  context: Context;
  address: string;
  port: number;
  path?: string;
  host?: string;
  origin?: string;
  /** WebSocket subprotocol(s) asked of the server; for RAW, the local protocol when localProtocolName is absent */
  protocol?: string;
  /** "RAW" for a raw socket; an HTTP method for an HTTP client; absent for WebSocket */
  method?: string;
  /** vhost whose protocols the connection binds to (default: the context's first) */
  vhost?: Vhost;
  /** name of the local protocol to bind */
  localProtocolName?: string;
  /** lws opaque_user_data */
  opaqueUserData?: unknown;
  parentWsi?: Wsi | null;
  /** set to the new wsi before any callback for it runs (lws pwsi) */
  pwsi?: { wsi: Wsi | null };
}

/**
 * Start a client connection. Returns the wsi, or null when it failed at once
 * (the protocol has then heard CLIENT_CONNECTION_ERROR already, when it had
 * been bound).
 */
export function clientConnect(info: ClientConnectInfo): Wsi | null {
  const cx = info.context;
  if (!cx) throw new Error("lwsx clientConnect: info.context is required");
  if (typeof info.address !== "string" || !info.address) throw new Error("lwsx clientConnect: info.address is required");
  if (!Number.isInteger(info.port) || info.port <= 0 || info.port > 65535) throw new Error(`lwsx clientConnect: port ${info.port} is not a TCP port`);
  const method = info.method;
  if (method !== "RAW")
    throw new Error(`lwsx clientConnect: method ${method === undefined ? "(WebSocket)" : JSON.stringify(method)} needs the HTTP/WebSocket client roles, not in this build yet; use method "RAW"`);
  const vh = info.vhost ?? cx.vhosts[0];
  if (!vh) throw new Error("lwsx clientConnect: the context has no vhost (create one with protocols first)");
  const pname = info.localProtocolName ?? info.protocol;
  const p = pname ? vh.protocolByName(pname) : vh.protocols[0]!;
  if (!p) throw new Error(`lwsx clientConnect: vhost '${vh.name}' has no protocol '${pname}'`);
  const wsi = cx.newClientWsi(vh, rawSktRole, p, info.parentWsi ?? null, info.opaqueUserData ?? null);
  if (!wsi) return null;
  if (info.pwsi) info.pwsi.wsi = wsi;
  if (!cx.startClientConnect(wsi, info.address, info.port)) {
    if (info.pwsi) info.pwsi.wsi = null;
    return null;
  }
  return wsi;
}
