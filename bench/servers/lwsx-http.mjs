// The subject of the http benchmark: an lwsx HTTP/1.1 server on the Node
// platform, from the built dist/, in a process of its own. protocols[0]
// answers LWS_CALLBACK_HTTP with the same 13-byte text response as
// servers/node-http.mjs ("hello, world\n", content-type text/plain,
// content-length 13), the way an lws callback does it: a header cursor, the
// status and headers, finalize-and-write, the body with LWS_WRITE_HTTP_FINAL,
// then lws_http_transaction_completed (keep-alive). SERVER_HTTP_LIMITS.
// Listens on 127.0.0.1 (HOST) and port 0 (PORT), prints
// {"ready":"lwsx","port":N} on stdout.

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const libUrl = new URL("../../dist/src/index.js", import.meta.url);
if (!existsSync(fileURLToPath(libUrl))) {
  console.error("lwsx http: dist/ is missing; run `npm run build` (or `npm run bench`, which builds)");
  process.exit(1);
}
const {
  createContext,
  callbackHttpDummy,
  headerCursor,
  addHttpHeaderStatus,
  addHttpHeaderByName,
  addHttpHeaderContentLength,
  finalizeWriteHttpHeader,
  httpTransactionCompleted,
  write,
  HTTP_STATUS_OK,
  LWS_CALLBACK_HTTP,
  LWS_WRITE_HTTP_FINAL,
  SERVER_HTTP_LIMITS,
} = await import(libUrl.href);
const { createNodePlatform } = await import(new URL("../../dist/platform/node/index.js", import.meta.url).href);
const { serveControl } = await import("../lib/serve.mjs");

const host = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 0);

const BODY = new TextEncoder().encode("hello, world\n");

const hello = {
  name: "hello",
  callback(wsi, reason, user, in_, len) {
    switch (reason) {
      case LWS_CALLBACK_HTTP: {
        const c = headerCursor(256, wsi);
        if (
          addHttpHeaderStatus(wsi, HTTP_STATUS_OK, c) ||
          addHttpHeaderByName(wsi, "content-type:", "text/plain", c) ||
          addHttpHeaderContentLength(wsi, BODY.length, c) ||
          finalizeWriteHttpHeader(wsi, c)
        )
          return -1;
        if (write(wsi, BODY, BODY.length, LWS_WRITE_HTTP_FINAL) < 0) return -1;
        return httpTransactionCompleted(wsi) ? -1 : 0;
      }
    }
    return callbackHttpDummy(wsi, reason, user, in_, len);
  },
};

const context = createContext({
  platform: createNodePlatform(),
  iface: host,
  port,
  protocols: [hello],
  httpLimits: SERVER_HTTP_LIMITS,
  maxConnections: 10000,
});
serveControl({ name: "lwsx", port: context.vhosts[0].port, stop: () => context.destroy() });
