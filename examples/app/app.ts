// The demo app: the product's face. The same source runs under `npm start`
// (platform/node), in the XS test lane (platform/sim) and on the device
// (platform/moddable, built by manifest.json). For now it is a raw echo on
// one port; the HTTP and WebSocket roles grow it.

import {
  createContext,
  callbackOnWritable,
  rxFlowControl,
  sendPipeChoked,
  write,
  LWS_CALLBACK_PROTOCOL_INIT,
  LWS_CALLBACK_RAW_ADOPT,
  LWS_CALLBACK_RAW_CLOSE,
  LWS_CALLBACK_RAW_RX,
  LWS_CALLBACK_RAW_WRITEABLE,
  LWS_SERVER_OPTION_ONLY_RAW,
  LWS_WRITE_RAW,
  type Context,
  type Platform,
  type Protocol,
} from "../../src/index.js";

export interface AppStats {
  started: number;
  connections: number;
  totalConnections: number;
  bytesEchoed: number;
}

export interface AppOptions {
  host?: string;
  port?: number;
}

/** per connection: nothing yet but a byte count */
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
        case LWS_CALLBACK_PROTOCOL_INIT:
          break;
        case LWS_CALLBACK_RAW_ADOPT:
          stats.connections++;
          stats.totalConnections++;
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
          stats.connections--;
          break;
      }
      return 0;
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
  const stats: AppStats = { started: platform.now(), connections: 0, totalConnections: 0, bytesEchoed: 0 };
  const context = createContext({
    platform,
    iface: opts.host ?? "127.0.0.1",
    port: opts.port ?? DEFAULT_PORT,
    options: LWS_SERVER_OPTION_ONLY_RAW,
    protocols: [makeRawEchoProtocol(stats)],
  });
  return { context, stats, port: context.vhosts[0]!.port };
}
