// The demo app's self-test on lwsx's own client roles (what `npm start` runs;
// the device runs the leaner selftest.ts, which keeps the client roles out of
// its bundle): once the server
// listens, an HTTP client (clientConnect, method "GET") fetches /status and
// checks it is a 200 with the app's JSON, then a WebSocket client opens the
// "echo" protocol, sends a message and checks it comes back. It prints one
// verdict line:
//
//   lwsx-selftest: PASS
//   lwsx-selftest: FAIL <why>
//
// The XS lane runs it over the sim (test/scenario/selftest-clients.test.ts).
// Nothing here depends on a platform: the clients are wsi of the app's own
// context, on a vhost of their own that does not listen.

import {
  clientConnect,
  httpClientHttpResponse,
  httpClientRead,
  write,
  CONTEXT_PORT_NO_LISTEN,
  LWS_CALLBACK_CLIENT_CONNECTION_ERROR,
  LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP,
  LWS_CALLBACK_RECEIVE_CLIENT_HTTP,
  LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ,
  LWS_CALLBACK_COMPLETED_CLIENT_HTTP,
  LWS_CALLBACK_CLOSED_CLIENT_HTTP,
  LWS_CALLBACK_CLIENT_ESTABLISHED,
  LWS_CALLBACK_CLIENT_RECEIVE,
  LWS_CALLBACK_CLIENT_CLOSED,
  LWS_WRITE_TEXT,
  isFinalFragment,
  type Context,
  type Protocol,
} from "../../src/index.js";

import { judgeStatusJson, selfTestVerdict, type SelfTestOptions } from "./selftest.js";

/** what a client connection of the self-test holds */
interface SelfTestSession {
  text: string;
}

const PING = "lwsx-selftest ping";

/** start the self-test on `context` (the app's); the verdict line comes from the context's loop */
export function runClientSelfTest(context: Context, opts: SelfTestOptions): void {
  const address = opts.address ?? "127.0.0.1";
  const timeoutSecs = opts.timeoutSecs ?? 10;
  let step: "http" | "ws" = "http";
  let httpDetail = "";
  const verdict = selfTestVerdict(context, opts, () => context.cancel(deadline));
  const finish = verdict.finish;

  const decoder = new TextDecoder();
  const protocol: Protocol<SelfTestSession> = {
    name: "lwsx-selftest-clients",
    perSessionData: () => ({ text: "" }),
    callback(wsi, reason, user, in_, len) {
      if (verdict.finished) return reason === LWS_CALLBACK_CLIENT_CONNECTION_ERROR ? 0 : -1;
      switch (reason) {
        // step 1: GET /status over the HTTP client
        case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP: {
          if (step !== "http") return 0; // lws shows a ws client's 101 as HTTP too
          const status = httpClientHttpResponse(wsi);
          if (status !== 200) {
            finish(false, `GET /status answered ${status}`);
            return -1;
          }
          return 0;
        }
        case LWS_CALLBACK_RECEIVE_CLIENT_HTTP:
          return httpClientRead(wsi);
        case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
          user.text += decoder.decode(in_.subarray(0, len), { stream: true });
          if (user.text.length > 16384) {
            finish(false, "GET /status: more than 16 KiB of body");
            return -1;
          }
          return 0;
        case LWS_CALLBACK_COMPLETED_CLIENT_HTTP: {
          const judged = judgeStatusJson(user.text);
          if (judged !== true) {
            finish(false, judged);
            return -1;
          }
          httpDetail = `GET /status -> 200, ${user.text.length} bytes of JSON`;
          step = "ws";
          startWs();
          return 0;
        }
        case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
          if (step === "http") finish(false, `the server closed the connection before a complete answer to GET /status (${user.text.length} bytes of body)`);
          return 0;
        // step 2: a WebSocket echo
        case LWS_CALLBACK_CLIENT_ESTABLISHED:
          return write(wsi, PING, undefined, LWS_WRITE_TEXT) < 0 ? -1 : 0;
        case LWS_CALLBACK_CLIENT_RECEIVE:
          user.text += decoder.decode(in_.subarray(0, len), { stream: true });
          if (!isFinalFragment(wsi)) return 0;
          if (user.text === PING) finish(true, `${httpDetail}; WebSocket echo ok`);
          else finish(false, `the WebSocket echo sent back ${JSON.stringify(user.text.slice(0, 40))}`);
          return -1;
        case LWS_CALLBACK_CLIENT_CLOSED:
          finish(false, "the WebSocket closed before the echo came back");
          return 0;
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
          finish(false, `${step === "http" ? "GET /status" : "WebSocket"}: cannot connect to ${address}:${opts.port}: ${typeof in_ === "string" && in_ ? in_ : "connection error"}`);
          return 0;
      }
      return 0;
    },
  };

  const deadline = context.scheduleUs(timeoutSecs * 1_000_000, () =>
    finish(false, step === "http" ? `no complete answer to GET /status from ${address}:${opts.port} in ${timeoutSecs} s` : `no WebSocket echo from ${address}:${opts.port} in ${timeoutSecs} s`),
  );
  const vhost = context.createVhost({ name: "lwsx-selftest-clients", port: CONTEXT_PORT_NO_LISTEN, protocols: [protocol] });
  const startWs = (): void => {
    // "echo" is the app's default protocol: no subprotocol asked
    if (!clientConnect({ context, address, port: opts.port, path: "/", vhost, localProtocolName: protocol.name })) finish(false, `WebSocket: cannot connect to ${address}:${opts.port}`);
  };
  // a connect that failed at once has already told CLIENT_CONNECTION_ERROR (and so finished)
  if (!clientConnect({ context, address, port: opts.port, method: "GET", path: "/status", vhost, localProtocolName: protocol.name }))
    finish(false, `GET /status: cannot connect to ${address}:${opts.port}`);
}
