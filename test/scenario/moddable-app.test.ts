// The device entry's boot self-test (examples/app/selftest.ts), run as
// examples/app/main-moddable.ts runs it on the device: the demo app on
// platform/moddable over the stand-in SDK (sim network), listening on
// 0.0.0.0, then a raw client of the app's own context asking 127.0.0.1 for
// /status. Runs in Node and in the XS lane; on the device the same lines go
// to the serial console, where `lwsx qemu` (scripts/device/qemu.mjs) waits
// for them.

import * as A from "../lib/assert.js";
import { createSimPlatform, type SimOptions } from "../../platform/sim/index.js";
import { createModdablePlatform } from "../../platform/moddable/index.js";
import { createStandinSdk, type StandinOptions } from "../../platform/moddable/standin/index.js";
import { startApp, DEFAULT_PORT } from "../../examples/app/app.js";
import { runSelfTest, SELFTEST_FAIL, SELFTEST_PASS } from "../../examples/app/selftest.js";
import { createContext, write, LWS_CALLBACK_RAW_RX, LWS_SERVER_OPTION_ONLY_RAW, LWS_WRITE_RAW } from "../../src/index.js";

function deviceEnv(sim: SimOptions = {}, standin: StandinOptions = {}) {
  const net = createSimPlatform(sim);
  const sdk = createStandinSdk(net, standin);
  const errors: unknown[] = [];
  const platform = createModdablePlatform(sdk, { report: (e) => void errors.push(e), vfs: net.vfs });
  const lines: string[] = [];
  const log = (line: string) => void lines.push(line);
  const verdicts = () => lines.filter((l) => l === SELFTEST_PASS || l.startsWith(`${SELFTEST_FAIL} `));
  const runUntilVerdict = (limitUs = 60_000_000) => {
    net.run({ until: () => verdicts().length > 0, untilUs: net.now() + limitUs });
    net.run({ untilUs: net.now() + 100_000 }); // let the closes go through
    if (errors.length) throw errors[0];
  };
  return { net, sdk, platform, lines, log, verdicts, runUntilVerdict };
}

describe("the device self-test (examples/app/selftest.ts) on platform/moddable over the stand-in", () => {
  it("passes against the demo app as main-moddable starts it: GET /status over loopback answers 200 with the status JSON", () => {
    const env = deviceEnv({ seed: 81 });
    // as examples/app/main-moddable.ts does
    const app = startApp(env.platform, { host: "0.0.0.0", port: DEFAULT_PORT, maxConnections: 8 });
    let done: [boolean, string] | null = null;
    runSelfTest(app.context, { port: app.port, log: env.log, onDone: (ok, detail) => (done = [ok, detail]) });
    env.runUntilVerdict();
    A.deepEqual(env.verdicts(), [SELFTEST_PASS], `one verdict, PASS: ${env.lines.join(" | ")}`);
    A.equal(env.lines[env.lines.length - 1], SELFTEST_PASS, "the PASS line comes last");
    A.ok(/^lwsx-selftest: GET \/status -> 200, \d+ bytes of JSON in \d+ ms$/.test(env.lines[0]!), `a detail line first: ${env.lines[0]}`);
    A.deepEqual(done, [true, env.lines[0]!.replace(/^lwsx-selftest: /, "").replace(/ in \d+ ms$/, "")]);
    A.equal(app.stats.httpRequests, 1, "the app served one request");
    A.equal(app.stats.connections, 0, "and the connection is gone");
    app.context.destroy();
    env.net.run({ untilUs: env.net.now() + 100_000 });
    A.equal(env.sdk.stack.stats().active, 0, "no lwip pcb left");
    A.equal(env.platform.openCount, 0, "no platform descriptor left");
  });

  it("passes through byte-sized segments, partial writes and small lwip buffers (the answer is judged as it arrives)", () => {
    const env = deviceEnv({ seed: 82, maxSegment: 1, randomSplit: true, partialWrites: true, sendBuffer: 64 }, { sendBuffer: 256, receiveWindow: 128 });
    const app = startApp(env.platform, { host: "0.0.0.0", port: DEFAULT_PORT });
    runSelfTest(app.context, { port: app.port, log: env.log });
    env.runUntilVerdict();
    A.deepEqual(env.verdicts(), [SELFTEST_PASS], env.lines.join(" | "));
    app.context.destroy();
  });

  it("fails with the reason when nothing listens on the port", () => {
    const env = deviceEnv({ seed: 83 });
    const app = startApp(env.platform, { host: "0.0.0.0", port: DEFAULT_PORT });
    runSelfTest(app.context, { port: 39999, log: env.log });
    env.runUntilVerdict();
    A.equal(env.verdicts().length, 1);
    A.ok(env.verdicts()[0]!.startsWith(`${SELFTEST_FAIL} cannot connect to 127.0.0.1:39999`), env.verdicts()[0]);
    app.context.destroy();
  });

  it("fails when the server answers something other than 200", () => {
    const env = deviceEnv({ seed: 84 });
    const answer = "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n";
    const cx = createContext({
      platform: env.platform, iface: "0.0.0.0", port: 7682, options: LWS_SERVER_OPTION_ONLY_RAW,
      protocols: [{ name: "not-found", callback: (wsi, reason, _u, _in, _len) => (reason === LWS_CALLBACK_RAW_RX ? (write(wsi, answer, answer.length, LWS_WRITE_RAW) < 0 ? -1 : 0) : 0) }],
    });
    runSelfTest(cx, { port: 7682, log: env.log });
    env.runUntilVerdict();
    A.deepEqual(env.verdicts(), [`${SELFTEST_FAIL} GET /status answered HTTP/1.1 404 Not Found`]);
    cx.destroy();
  });

  it("fails after its time limit when the server never answers", () => {
    const env = deviceEnv({ seed: 85 });
    const cx = createContext({ platform: env.platform, iface: "0.0.0.0", port: 7683, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [{ name: "mute", callback: () => 0 }] });
    const t0 = env.net.now();
    runSelfTest(cx, { port: 7683, log: env.log, timeoutSecs: 3 });
    env.runUntilVerdict();
    A.deepEqual(env.verdicts(), [`${SELFTEST_FAIL} no complete answer to GET /status from 127.0.0.1:7683 in 3 s`]);
    const waited = env.net.now() - t0;
    A.ok(waited >= 3_000_000 && waited < 4_000_000, `gave up after ~3 s of virtual time (${waited} us)`);
    cx.destroy();
  });
});
