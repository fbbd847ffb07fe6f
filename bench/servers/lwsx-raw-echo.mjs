// The subject: the lwsx demo app's raw echo protocol on a raw vhost, on the
// Node platform, in a process of its own, from the built dist/. (The demo's
// own port speaks HTTP first and falls back to raw; the raw benchmark measures
// the raw role itself.) Listens on 127.0.0.1 (HOST) and port 0 (PORT), prints
// {"ready":"lwsx","port":N} on stdout.

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const appUrl = new URL("../../dist/examples/app/app.js", import.meta.url);
if (!existsSync(fileURLToPath(appUrl))) {
  console.error("lwsx raw echo: dist/ is missing; run `npm run build` (or `npm run bench`, which builds)");
  process.exit(1);
}
const { makeRawEchoProtocol } = await import(appUrl.href);
const { createContext, LWS_SERVER_OPTION_ONLY_RAW } = await import(new URL("../../dist/src/index.js", import.meta.url).href);
const { createNodePlatform } = await import(new URL("../../dist/platform/node/index.js", import.meta.url).href);
const { serveControl } = await import("../lib/serve.mjs");

const host = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 0);

const stats = { started: 0, connections: 0, rawConnections: 0, wsConnections: 0, totalConnections: 0, httpRequests: 0, bytesEchoed: 0 };
const context = createContext({ platform: createNodePlatform(), iface: host, port, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [makeRawEchoProtocol(stats)] });
serveControl({ name: "lwsx", port: context.vhosts[0].port, stop: () => context.destroy() });
