// The demo's client self-test (what `npm start` runs): HTTP GET /status, then a
// WebSocket echo, with lwsx's own client roles, over the sim (Node and XS).
import * as A from "../lib/assert.js";
import { simEnv } from "../lib/env.js";
import { startApp } from "../../examples/app/app.js";
import { runClientSelfTest } from "../../examples/app/selftest-clients.js";
import { SELFTEST_FAIL, SELFTEST_PASS } from "../../examples/app/selftest.js";
import { createContext, write, LWS_SERVER_OPTION_ONLY_RAW, LWS_CALLBACK_RAW_RX, LWS_WRITE_RAW } from "../../src/index.js";

describe("the demo's client self-test (examples/app/selftest-clients.ts) on sim", () => {
  for (const [label, opts] of [["whole segments", { seed: 91 }], ["byte at a time", { seed: 92, maxSegment: 1 }]] as const) {
    it(`passes against the demo app (${label}): GET /status is a 200 with the status JSON, the WebSocket echoes`, async () => {
      const env = simEnv(opts);
      const app = startApp(env.platform, { host: "127.0.0.1", port: 0 });
      const lines: string[] = [];
      runClientSelfTest(app.context, { port: app.port, log: (l) => void lines.push(l) });
      await env.waitFor(() => lines.includes(SELFTEST_PASS) || lines.some((l) => l.startsWith(SELFTEST_FAIL)), "a verdict");
      A.deepEqual(lines.slice(-1), [SELFTEST_PASS], lines.join(" | "));
      A.ok(/GET \/status -> 200, \d+ bytes of JSON; WebSocket echo ok in \d+ ms/.test(lines[0]!), lines[0]);
      app.context.destroy();
      env.done();
    });
  }

  it("fails with the status when /status is not a 200, and with lws' string when nothing listens", async () => {
    const env = simEnv({ seed: 93 });
    const answer = "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n";
    const cx = createContext({
      platform: env.platform, iface: "127.0.0.1", port: 0, options: LWS_SERVER_OPTION_ONLY_RAW,
      protocols: [{ name: "nf", callback: (wsi, reason, _u, _in, _len) => (reason === LWS_CALLBACK_RAW_RX ? (write(wsi, answer, answer.length, LWS_WRITE_RAW) < 0 ? -1 : 0) : 0) }],
    });
    const lines: string[] = [];
    runClientSelfTest(cx, { port: cx.vhosts[0]!.port, log: (l) => void lines.push(l) });
    await env.waitFor(() => lines.length > 0, "a verdict");
    A.deepEqual(lines, [`${SELFTEST_FAIL} GET /status answered 404`]);
    const lines2: string[] = [];
    runClientSelfTest(cx, { port: 39999, log: (l) => void lines2.push(l) });
    await env.waitFor(() => lines2.length > 0, "a verdict");
    A.deepEqual(lines2, [`${SELFTEST_FAIL} GET /status: cannot connect to 127.0.0.1:39999: Unable to connect`]);
    cx.destroy();
    env.done();
  });
});
