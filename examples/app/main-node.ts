// `npm start`: the demo app on the Node platform. HOST and PORT come from the
// environment (default 127.0.0.1:7681, lws' own default).

import { createNodePlatform } from "../../platform/node/index.js";
import { startApp, DEFAULT_PORT } from "./app.js";

const host = process.env.HOST || "127.0.0.1";
const portText = process.env.PORT || String(DEFAULT_PORT);
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`lwsx demo: PORT must be a TCP port number, not '${portText}'`);
  process.exit(2);
}

let app;
try {
  app = startApp(createNodePlatform(), { host, port });
} catch (e) {
  console.error(`lwsx demo: ${(e as Error).message}`);
  process.exit(1);
}
console.log(`lwsx demo listening on ${host}:${app.port} (raw echo; try: nc ${host} ${app.port})`);

const stop = () => {
  app.context.destroy();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
