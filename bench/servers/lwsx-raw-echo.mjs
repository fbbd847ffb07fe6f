// The subject: the lwsx demo app (raw echo) on the Node platform, in a process
// of its own, from the built dist/. Listens on 127.0.0.1 (HOST) and port 0
// (PORT), prints {"ready":"lwsx","port":N} on stdout.

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const appUrl = new URL("../../dist/examples/app/app.js", import.meta.url);
if (!existsSync(fileURLToPath(appUrl))) {
  console.error("lwsx raw echo: dist/ is missing; run `npm run build` (or `npm run bench`, which builds)");
  process.exit(1);
}
const { startApp } = await import(appUrl.href);
const { createNodePlatform } = await import(new URL("../../dist/platform/node/index.js", import.meta.url).href);
const { serveControl } = await import("../lib/serve.mjs");

const host = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 0);

const app = startApp(createNodePlatform(), { host, port });
serveControl({ name: "lwsx", port: app.port, stop: () => app.context.destroy() });
