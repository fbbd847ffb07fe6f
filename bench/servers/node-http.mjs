// The peer of the http benchmark: Node's own `http` server, in a process of
// its own, answering every request with the same 13-byte text response as
// servers/lwsx-http.mjs ("hello, world\n", content-type text/plain,
// content-length 13), keep-alive. Node adds its usual Date, Connection and
// Keep-Alive headers; nothing is tuned away. Listens on 127.0.0.1 (HOST) and
// port 0 (PORT), prints {"ready":"node-http","port":N} on stdout.

import http from "node:http";
import { serveControl } from "../lib/serve.mjs";

const host = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 0);

const BODY = Buffer.from("hello, world\n");
const HEADERS = { "content-type": "text/plain", "content-length": BODY.length };

const server = http.createServer({ noDelay: true }, (req, res) => {
  res.writeHead(200, HEADERS);
  res.end(BODY);
});
server.on("clientError", (_e, sock) => sock.destroy());
server.on("error", (e) => {
  console.error(`node-http: ${e.message}`);
  process.exit(1);
});
server.listen({ host, port, backlog: 511 }, () => {
  serveControl({ name: "node-http", port: server.address().port, stop: () => server.close() });
});
