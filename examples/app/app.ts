// The demo app: the product's face. The same source runs under `npm start`
// (platform/node), in the XS test lane (platform/sim) and on the device
// (platform/moddable, built by manifest.json).
//
// One port (lws' 7681) serves:
//  - HTTP: the status page from `www/` at "/", and JSON at "/status";
//  - WebSocket on any path: "echo" (also when no subprotocol is asked),
//    lws' "dumb-increment-protocol" and "lws-mirror-protocol", and
//    "lws-status" (the status page's live figures);
//  - raw echo: a connection whose first bytes are not HTTP (try `nc`) falls
//    back to the "raw-echo" protocol (LWS_SERVER_OPTION_FALLBACK_TO_RAW).

import {
  createContext,
  callbackOnWritable,
  callbackHttpDummy,
  rxFlowControl,
  sendPipeChoked,
  write,
  headerCursor,
  addHttpHeaderStatus,
  addHttpHeaderByName,
  addHttpHeaderContentLength,
  finalizeWriteHttpHeader,
  httpTransactionCompleted,
  LWS_CALLBACK_FILTER_HTTP_CONNECTION,
  LWS_CALLBACK_HTTP,
  LWS_CALLBACK_RAW_ADOPT,
  LWS_CALLBACK_RAW_CLOSE,
  LWS_CALLBACK_RAW_RX,
  LWS_CALLBACK_RAW_WRITEABLE,
  LWS_CALLBACK_WSI_CREATE,
  LWS_CALLBACK_WSI_DESTROY,
  LWS_SERVER_OPTION_FALLBACK_TO_RAW,
  LWS_WRITE_HTTP_FINAL,
  LWS_WRITE_RAW,
  LWSMPRO_CALLBACK,
  LWSMPRO_FILE,
  HTTP_STATUS_OK,
  LWS_CALLBACK_CLOSED,
  LWS_CALLBACK_ESTABLISHED,
  type Context,
  type HttpLimits,
  type Platform,
  type Protocol,
} from "../../src/index.js";
import { makeDumbIncrementProtocol, makeEchoProtocol, makeMirrorProtocol, makeStatusProtocol } from "./ws-protocols.js";

export interface AppStats {
  /** platform µs at start */
  started: number;
  /** every connection (HTTP and raw) */
  connections: number;
  rawConnections: number;
  wsConnections: number;
  totalConnections: number;
  httpRequests: number;
  bytesEchoed: number;
}

export interface AppOptions {
  host?: string;
  port?: number;
  /** the platform path of the www/ files */
  wwwRoot?: string;
  /** heap use where the platform knows it */
  heap?: () => { used: number; total: number } | null;
  /** request limits (default: the small device limits) */
  httpLimits?: Partial<HttpLimits>;
  /** most connections at once (beyond: 503) */
  maxConnections?: number;
  /** most bytes of one WebSocket message (default 64 KiB: the device's) */
  wsMaxMessageSize?: number;
}

/** what /status and lws-status report */
export function statusSnapshot(stats: AppStats, platform: Platform, opts: AppOptions): object {
  return {
    uptime: Math.floor((platform.now() - stats.started) / 1e6),
    connections: {
      http: stats.connections - stats.rawConnections - stats.wsConnections,
      ws: stats.wsConnections,
      raw: stats.rawConnections,
      total: stats.totalConnections,
    },
    httpRequests: stats.httpRequests,
    bytesEchoed: stats.bytesEchoed,
    heap: opts.heap?.() ?? null,
    platform: platform.name,
  };
}

/** count a WebSocket protocol's connections in the stats */
function counted<U>(stats: AppStats, p: Protocol<U>): Protocol<U> {
  const inner = p.callback as (w: unknown, r: number, u: unknown, i: unknown, l: number) => number;
  return {
    ...p,
    callback: ((wsi: unknown, reason: number, user: unknown, in_: unknown, len: number) => {
      if (reason === LWS_CALLBACK_ESTABLISHED) stats.wsConnections++;
      else if (reason === LWS_CALLBACK_CLOSED) stats.wsConnections--;
      return inner(wsi, reason, user, in_, len);
    }) as Protocol<U>["callback"],
  };
}

/** per raw connection: a byte count */
interface EchoSession {
  bytes: number;
}

export function makeRawEchoProtocol(stats: AppStats): Protocol<EchoSession> {
  return {
    name: "raw-echo",
    perSessionData: () => ({ bytes: 0 }),
    rxBufferSize: 16384,
    callback(wsi, reason, user, in_, len) {
      switch (reason) {
        case LWS_CALLBACK_RAW_ADOPT:
          stats.rawConnections++;
          break;
        case LWS_CALLBACK_RAW_RX:
          user.bytes += len;
          stats.bytesEchoed += len;
          if (write(wsi, in_, len, LWS_WRITE_RAW) < 0) return -1;
          // what the network did not take waits in the buflist: stop reading
          // until it drains, so a fast sender cannot grow it without bound
          if (sendPipeChoked(wsi)) {
            rxFlowControl(wsi, 0);
            callbackOnWritable(wsi);
          }
          break;
        case LWS_CALLBACK_RAW_WRITEABLE:
          rxFlowControl(wsi, 1);
          break;
        case LWS_CALLBACK_RAW_CLOSE:
          stats.rawConnections--;
          break;
      }
      return 0;
    },
  };
}

const enc = new TextEncoder();

export function makeHttpProtocol(stats: AppStats, platform: Platform, opts: AppOptions): Protocol {
  return {
    name: "lwsx-demo",
    callback(wsi, reason, user, in_, len) {
      switch (reason) {
        case LWS_CALLBACK_WSI_CREATE:
          stats.connections++;
          stats.totalConnections++;
          return 0;
        case LWS_CALLBACK_WSI_DESTROY:
          stats.connections--;
          return 0;
        case LWS_CALLBACK_FILTER_HTTP_CONNECTION:
          stats.httpRequests++;
          return 0;
        case LWS_CALLBACK_HTTP: {
          // the "/status" callback mount
          const body = enc.encode(JSON.stringify(statusSnapshot(stats, platform, opts)));
          const c = headerCursor(512, wsi);
          if (
            addHttpHeaderStatus(wsi, HTTP_STATUS_OK, c) ||
            addHttpHeaderByName(wsi, "content-type:", "application/json", c) ||
            addHttpHeaderByName(wsi, "cache-control:", "no-store", c) ||
            addHttpHeaderContentLength(wsi, body.length, c) ||
            finalizeWriteHttpHeader(wsi, c)
          )
            return -1;
          if (write(wsi, body, body.length, LWS_WRITE_HTTP_FINAL) < 0) return -1;
          return httpTransactionCompleted(wsi) ? -1 : 0;
        }
      }
      return callbackHttpDummy(wsi, reason, user, in_, len);
    },
  };
}

export interface App {
  context: Context;
  stats: AppStats;
  port: number;
}

/** lws' own default port */
export const DEFAULT_PORT = 7681;

export function startApp(platform: Platform, opts: AppOptions = {}): App {
  const stats: AppStats = { started: platform.now(), connections: 0, rawConnections: 0, wsConnections: 0, totalConnections: 0, httpRequests: 0, bytesEchoed: 0 };
  const context = createContext({
    platform,
    iface: opts.host ?? "127.0.0.1",
    port: opts.port ?? DEFAULT_PORT,
    options: LWS_SERVER_OPTION_FALLBACK_TO_RAW,
    listenAcceptProtocol: "raw-echo",
    protocols: [
      makeHttpProtocol(stats, platform, opts),
      makeRawEchoProtocol(stats),
      counted(stats, makeEchoProtocol()),
      counted(stats, makeDumbIncrementProtocol()),
      counted(stats, makeMirrorProtocol()),
      counted(stats, makeStatusProtocol(() => statusSnapshot(stats, platform, opts))),
    ],
    wsDefaultProtocol: "echo",
    wsMaxMessageSize: opts.wsMaxMessageSize,
    mounts: [
      { mountpoint: "/status", origin: "lwsx-demo", originProtocol: LWSMPRO_CALLBACK, exactMatch: true },
      { mountpoint: "/", origin: opts.wwwRoot ?? "/www", originProtocol: LWSMPRO_FILE, def: "index.html" },
    ],
    httpLimits: opts.httpLimits,
    maxConnections: opts.maxConnections,
    headers: { "x-content-type-options": "nosniff" },
  });
  return { context, stats, port: context.vhosts[0]!.port };
}
