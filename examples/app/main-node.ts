// `npm start`: the demo app on the Node platform. HOST and PORT come from the
// environment (default 127.0.0.1:7681, lws' own default).

import { fileURLToPath } from "node:url";
import { createNodePlatform } from "../../platform/node/index.js";
import { SERVER_HTTP_LIMITS } from "../../src/index.js";
import { startApp, DEFAULT_PORT } from "./app.js";
import { runClientSelfTest } from "./selftest-clients.js";

const host = process.env.HOST || "127.0.0.1";
const portText = process.env.PORT || String(DEFAULT_PORT);
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535) {
  console.error(`lwsx demo: PORT must be a TCP port number, not '${portText}'`);
  process.exit(2);
}
// the www/ folder beside this app's source (dist/examples/app -> examples/app/www)
const wwwRoot = fileURLToPath(new URL("../../../examples/app/www", import.meta.url));

let app;
try {
  app = startApp(createNodePlatform(), {
    host,
    port,
    wwwRoot,
    httpLimits: SERVER_HTTP_LIMITS,
    maxConnections: 10000,
    wsMaxMessageSize: 16 * 1024 * 1024,
    heap: () => {
      const m = process.memoryUsage();
      return { used: m.heapUsed, total: m.heapTotal };
    },
  });
} catch (e) {
  console.error(`lwsx demo: ${(e as Error).message}`);
  process.exit(1);
}
console.log(`lwsx demo listening on http://${host}:${app.port}/ (status page; WebSocket echo at ws://${host}:${app.port}/; raw echo for non-HTTP clients: nc ${host} ${app.port})`);

// a self-test on the client roles (GET /status, then a WebSocket echo, against
// this server), unless LWSX_SELFTEST=0
if (process.env.LWSX_SELFTEST !== "0") {
  const address = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
  runClientSelfTest(app.context, { port: app.port, address, log: (line) => console.log(line) });
}

const stop = () => {
  app.context.destroy();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
