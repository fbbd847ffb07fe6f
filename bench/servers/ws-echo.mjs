// The peer of the ws benchmark: the `ws` package's WebSocketServer, in a
// process of its own, echoing every message back as it came ((data, isBinary)
// -> send(data, {binary: isBinary})). permessage-deflate is enabled with ws'
// defaults (threshold 1024) but at compression level 1, the level lwsx uses
// by default as lws does, so both servers do the same compression work; it
// is negotiated when a client offers it; maxPayload 16 MiB like the lwsx demo's wsMaxMessageSize. ws uses
// bufferutil (native masking) by itself when that package is installed: the
// ready line says which masking it uses. Listens on 127.0.0.1 (HOST) and port
// 0 (PORT), prints {"ready":"ws","port":N,"masking":"bufferutil"|"node"|"js","wsVersion":"..."}.

import { createRequire } from "node:module";
import { wsServeControl } from "../lib/ws-serve.mjs";

const require = createRequire(import.meta.url);
let WebSocketServer;
let wsVersion;
try {
  ({ WebSocketServer } = require("ws"));
  wsVersion = require("ws/package.json").version;
} catch (e) {
  console.error(`ws echo: the 'ws' package is missing (npm install): ${e.message}`);
  process.exit(1);
}
// which masking ws uses, the way its lib/buffer-util.js chooses: Node's own
// (http.websocketMask, newer Node), else bufferutil if installed, else JS
let masking = "js";
if (typeof require("node:http").websocketMask === "function") masking = "node";
else if (!process.env.WS_NO_BUFFER_UTIL) {
  try {
    require("bufferutil");
    masking = "bufferutil";
  } catch {
    /* ws falls back to its JavaScript masking */
  }
}

const host = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 0);

const wss = new WebSocketServer({ host, port, backlog: 511, perMessageDeflate: { zlibDeflateOptions: { level: 1 } }, maxPayload: 16 * 1024 * 1024 });
wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on("error", () => ws.terminate());
});
wss.on("error", (e) => {
  console.error(`ws echo: ${e.message}`);
  process.exit(1);
});
wss.on("listening", () => {
  wsServeControl({
    name: "ws",
    port: wss.address().port,
    stop: () => wss.close(),
    connections: () => wss.clients.size,
    info: { masking, wsVersion },
  });
});
