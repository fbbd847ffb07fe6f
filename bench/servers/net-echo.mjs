// The peer: a plain node:net echo server, in a process of its own. Listens on
// 127.0.0.1 (HOST) and port 0 (PORT), prints {"ready":"node-net","port":N} on stdout.

import net from "node:net";
import { serveControl } from "../lib/serve.mjs";

const host = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 0);

const server = net.createServer({ noDelay: true }, (s) => {
  s.on("data", (d) => s.write(d));
  s.on("error", () => s.destroy());
});
server.on("error", (e) => {
  console.error(`node-net echo: ${e.message}`);
  process.exit(1);
});
server.listen({ host, port, backlog: 511 }, () => {
  serveControl({ name: "node-net", port: server.address().port, stop: () => server.close() });
});
