// The subject of the ws benchmark: the lwsx demo app (startApp) on the Node
// platform, in a process of its own, from the built dist/. Its WebSocket
// "echo" protocol answers upgrades on any path with no subprotocol asked,
// echoes every message (piece by piece as it arrives) and negotiates
// permessage-deflate when offered. Set up as `npm start` does: 16 MiB
// messages, the server HTTP limits, a high connection cap. Listens on
// 127.0.0.1 (HOST) and port 0 (PORT), prints {"ready":"lwsx","port":N}.

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const appUrl = new URL("../../dist/examples/app/app.js", import.meta.url);
if (!existsSync(fileURLToPath(appUrl))) {
  console.error("lwsx ws: dist/ is missing; run `npm run build` (or `npm run bench`, which builds)");
  process.exit(1);
}
const { startApp } = await import(appUrl.href);
const { SERVER_HTTP_LIMITS } = await import(new URL("../../dist/src/index.js", import.meta.url).href);
const { createNodePlatform } = await import(new URL("../../dist/platform/node/index.js", import.meta.url).href);
const { wsServeControl } = await import("../lib/ws-serve.mjs");

const host = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 0);

const app = startApp(createNodePlatform(), {
  host,
  port,
  wwwRoot: fileURLToPath(new URL("../../examples/app/www", import.meta.url)),
  httpLimits: SERVER_HTTP_LIMITS,
  maxConnections: 100000,
  wsMaxMessageSize: 16 * 1024 * 1024,
});
wsServeControl({ name: "lwsx", port: app.port, stop: () => app.context.destroy(), connections: () => app.stats.wsConnections });
