// The demo app's boot self-test: once the server listens, connect to it over
// loopback with a raw client (clientConnect, method "RAW"), send
// `GET /status HTTP/1.1`, check the answer is a 200 with its whole JSON body,
// and print one verdict line:
//
//   lwsx-selftest: PASS
//   lwsx-selftest: FAIL <why>
//
// The device entry (main-moddable.ts) runs it at every boot; the QEMU runner
// (`lwsx qemu`, scripts/device/qemu.mjs) watches the serial console for those
// two lines, and the XS lane (test/scenario/moddable-app.test.ts) runs it over
// the Moddable stand-in. Nothing here depends on a platform: the client is a
// wsi of the app's own context, on a vhost of its own that does not listen.

import {
  clientConnect,
  setTimerUsecs,
  write,
  CONTEXT_PORT_NO_LISTEN,
  LWS_CALLBACK_CLIENT_CONNECTION_ERROR,
  LWS_CALLBACK_RAW_ADOPT,
  LWS_CALLBACK_RAW_CLOSE,
  LWS_CALLBACK_RAW_RX,
  LWS_CALLBACK_TIMER,
  LWS_WRITE_RAW,
  type Context,
  type Protocol,
} from "../../src/index.js";

/** the line printed when the self-test passed (exactly this) */
export const SELFTEST_PASS = "lwsx-selftest: PASS";
/** the start of the line printed when it failed: `lwsx-selftest: FAIL <why>` */
export const SELFTEST_FAIL = "lwsx-selftest: FAIL";

export interface SelfTestOptions {
  /** the port the app listens on */
  port: number;
  /** where to connect (default 127.0.0.1: lwIP's loopback on the device) */
  address?: string;
  /** give up after this long (default 10 s) */
  timeoutSecs?: number;
  /** prints one line (the device: trace; Node: console.log) */
  log: (line: string) => void;
  /** told the verdict once, after the line was printed */
  onDone?: (ok: boolean, detail: string) => void;
}

/**
 * The verdict, printed once: a detail line with the time taken and the PASS
 * line, or the FAIL line; then `onDone`. Shared with selftest-clients.ts.
 */
export function selfTestVerdict(context: Context, opts: SelfTestOptions, onFinish?: () => void): { readonly finished: boolean; finish(ok: boolean, detail: string): void } {
  const started = context.platform.now();
  let finished = false;
  return {
    get finished() {
      return finished;
    },
    finish(ok: boolean, detail: string): void {
      if (finished) return;
      finished = true;
      onFinish?.();
      if (ok) {
        const ms = Math.round((context.platform.now() - started) / 1000);
        opts.log(`lwsx-selftest: ${detail} in ${ms} ms`);
        opts.log(SELFTEST_PASS);
      } else opts.log(`${SELFTEST_FAIL} ${detail}`);
      opts.onDone?.(ok, detail);
    },
  };
}

/** the body of GET /status: true when it is the app's status JSON, else what is wrong */
export function judgeStatusJson(text: string): true | string {
  let status: unknown;
  try {
    status = JSON.parse(text);
  } catch {
    return "GET /status: 200, but the body is not JSON";
  }
  if (!status || typeof status !== "object" || !("uptime" in status) || !("connections" in status)) return "GET /status: 200, but the JSON is not the app's status";
  return true;
}

/** what the raw client holds while it reads the answer */
interface SelfTestSession {
  head: string;
  body: number;
  expected: number;
}

const CRLF2 = "\r\n\r\n";

/**
 * Start the self-test on `context` (the app's). Returns at once; the verdict
 * line comes from the context's loop. Throws only for a context that cannot
 * take a vhost (destroyed).
 */
export function runSelfTest(context: Context, opts: SelfTestOptions): void {
  const address = opts.address ?? "127.0.0.1";
  const timeoutSecs = opts.timeoutSecs ?? 10;
  const { finish } = selfTestVerdict(context, opts);

  /** the verdict on what has arrived so far: true (pass), a reason (fail), or null (need more) */
  const judge = (s: SelfTestSession): true | string | null => {
    const end = s.head.indexOf(CRLF2);
    if (end < 0) return s.head.length > 4096 ? "no end of the response head in 4096 bytes" : null;
    if (s.expected < 0) {
      const lines = s.head.slice(0, end).split("\r\n");
      const status = /^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? "");
      if (!status) return `not an HTTP/1.1 status line: ${JSON.stringify((lines[0] ?? "").slice(0, 80))}`;
      if (status[1] !== "200") return `GET /status answered ${lines[0]}`;
      const cl = lines.map((l) => /^content-length:\s*(\d+)\s*$/i.exec(l)).find((m) => m);
      if (!cl) return "GET /status: 200 without a Content-Length";
      s.expected = Number(cl[1]);
    }
    const body = s.head.slice(end + CRLF2.length);
    if (body.length < s.expected) return null;
    const verdict = judgeStatusJson(body.slice(0, s.expected));
    if (verdict === true) s.body = s.expected;
    return verdict;
  };

  const decoder = new TextDecoder();
  const protocol: Protocol<SelfTestSession> = {
    name: "lwsx-selftest",
    perSessionData: () => ({ head: "", body: 0, expected: -1 }),
    callback(wsi, reason, user, in_, len) {
      switch (reason) {
        case LWS_CALLBACK_RAW_ADOPT: {
          // connected: one request; the answer is judged as it arrives
          const request = `GET /status HTTP/1.1\r\nHost: ${address}:${opts.port}\r\nUser-Agent: lwsx-selftest\r\nConnection: close\r\n\r\n`;
          if (write(wsi, request, request.length, LWS_WRITE_RAW) < 0) {
            finish(false, "could not write the request");
            return -1;
          }
          return 0;
        }
        case LWS_CALLBACK_RAW_RX: {
          // the answer is ASCII headers and JSON: a byte-wise decode keeps it
          // right across any split of the stream
          user.head += decoder.decode(in_.subarray(0, len), { stream: true });
          const verdict = judge(user);
          if (verdict === null) return 0;
          if (verdict === true) finish(true, `GET /status -> 200, ${user.body} bytes of JSON`);
          else finish(false, verdict);
          return -1; // done with the connection either way
        }
        case LWS_CALLBACK_TIMER:
          finish(false, `no complete answer to GET /status from ${address}:${opts.port} in ${timeoutSecs} s`);
          return -1;
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
          finish(false, `cannot connect to ${address}:${opts.port}: ${typeof in_ === "string" && in_ ? in_ : "connection error"}`);
          return 0;
        case LWS_CALLBACK_RAW_CLOSE:
          finish(false, `the server closed the connection before a complete answer (${user.head.length} bytes received)`);
          return 0;
      }
      return 0;
    },
  };

  const vhost = context.createVhost({ name: "lwsx-selftest", port: CONTEXT_PORT_NO_LISTEN, protocols: [protocol] });
  const wsi = clientConnect({ context, address, port: opts.port, method: "RAW", vhost, localProtocolName: protocol.name });
  // a connect that failed at once has already told CLIENT_CONNECTION_ERROR (and so finished)
  if (wsi) setTimerUsecs(wsi, timeoutSecs * 1_000_000);
  else finish(false, `cannot connect to ${address}:${opts.port}`);
}
