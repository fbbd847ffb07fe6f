// Interop with libwebsockets itself: Debian's libwebsockets-test-client
// (lws 4.1.6, package libwebsockets-test-server) against the demo app on
// loopback. The client opens two WebSocket connections, one with
// "dumb-increment-protocol" (it logs every number it receives: "rx <len>
// '<n>'" at log level INFO) and one with "lws-mirror-protocol" (it sends
// "c #RRGGBB x y r;" circles as fast as it can write, and logs nothing per
// message). It offers permessage-deflate on both.
//
// The client runs once, in `before`, for a bounded time: until enough has
// flowed (or 5 s), then SIGINT (its handler destroys its context and exits),
// SIGKILL if it lingers. What it logged, what the demo's protocol callbacks
// were called with (counted by wrapping them), and what a second mirror
// client (npm `ws`) saw of the lws client's circles are then checked, one
// aspect per test.

import { spawn, type ChildProcess } from "node:child_process";
import WebSocket from "ws";
import * as A from "../lib/assert.js";
import { requireBinary, type PeerSpec } from "../lib/peers.js";
import type { App } from "../../examples/app/app.js";
import {
  LWS_CALLBACK_CLOSED,
  LWS_CALLBACK_ESTABLISHED,
  LWS_CALLBACK_RECEIVE,
  LWS_CALLBACK_SERVER_WRITEABLE,
} from "../../src/index.js";
import { countReasons, startDemo, stopDemo, waitUntil, within } from "./fixtures/ws-interop-util.js";
import { deviceLikeZlib } from "./fixtures/node-sdk-zlib.js";
import type { PlatformZlib } from "../../src/core/platform.js";

const LWS_TEST_CLIENT: PeerSpec = {
  name: "libwebsockets-test-client (lws 4.1)",
  paths: ["/usr/bin/libwebsockets-test-client"],
  commands: ["libwebsockets-test-client"],
  install: "apt-get install -y libwebsockets-test-server (.ci/run does this as root)",
};

const DUMB = "dumb-increment-protocol";
const MIRROR = "lws-mirror-protocol";
/** lws log levels ERR | WARN | NOTICE | INFO: INFO has the dumb client's "rx" lines */
const LOG_LEVEL = "15";
const MAX_RUN_MS = 5000;
const WANT_NUMBERS = 20;
const WANT_MIRROR_RX = 100;
const WANT_MIRRORED = 5;
const CIRCLE = /^c #[0-9A-F]{6} \d+ \d+ \d+;$/;

defineLwsInterop("the demo app", true);
// the device's permessage-deflate (a finished deflate stream per message, no context takeover):
// the lws client inflates the circles the demo mirrors back to it
defineLwsInterop("the demo app with the device's zlib (miniz-like)", deviceLikeZlib());

function defineLwsInterop(label: string, zlib0: true | PlatformZlib): void {
  describe(`WebSocket interop: libwebsockets-test-client (lws 4.1) against ${label} (loopback)`, function () {
    // a zlib of our own is counted: the messages it deflated and inflated
    const used = { deflated: 0, inflated: 0 };
    const zlib: true | PlatformZlib =
      zlib0 === true
        ? true
        : {
            ...zlib0,
            deflateRaw: (d, bits, level) => (used.deflated++, zlib0.deflateRaw(d, bits, level)),
            inflateRaw: (d, bits, dict, max) => (used.inflated++, zlib0.inflateRaw(d, bits, dict, max)),
          };
    this.timeout(20000);
    let app: App | null = null;
    let child: ChildProcess | null = null;
    let observer: WebSocket | null = null;
    let counts: Record<string, Record<number, number>> = {};
    let log = "";
    let exit: { code: number | null; signal: string | null } | null = null;
    let runMs = 0;
    /** what the observing mirror client received, as text */
    const mirrored: string[] = [];
    /** counts at the moment the client was stopped (the run's own figures) */
    let atStop: Record<string, Record<number, number>> = {};

    const n = (proto: string, reason: number, from = counts): number => from[proto]?.[reason] ?? 0;
    const lines = (): string[] => log.split("\n");
    /** the numbers the dumb-increment connection logged, in order */
    const numbers = (): number[] =>
      lines()
        .map((l) => / I: rx \d+ '(\d+)'/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => Number(m[1]));
    /** the last lines of the client's log, without its per-write noise */
    const tail = (k = 25): string =>
      lines()
        .filter((l) => !/lws_issue_raw|I: rx \d/.test(l))
        .slice(-k)
        .join("\n");

    before(async function () {
      this.timeout(30000);
      const bin = requireBinary(this, LWS_TEST_CLIENT);
      app = startDemo({}, zlib);
      counts = countReasons(app, [DUMB, MIRROR]);
      const port = app.port;

      // a second mirror client, to see what the demo mirrors of the lws client's drawing
      observer = new WebSocket(`ws://127.0.0.1:${port}/`, MIRROR, { perMessageDeflate: false, handshakeTimeout: 5000 });
      const obs = observer;
      obs.on("message", (d: WebSocket.RawData) => mirrored.push(d.toString()));
      await within(
        new Promise<void>((resolve, reject) => {
          obs.once("open", () => resolve());
          obs.once("error", (e) => reject(new Error(`the observing mirror client could not connect: ${e.message}`)));
        }),
        5000,
        "the observing mirror client's handshake",
      );

      const t0 = Date.now();
      const c = spawn(bin, ["127.0.0.1", "--port", String(port), "-d", LOG_LEVEL], { stdio: ["ignore", "pipe", "pipe"] });
      child = c;
      c.stdout!.on("data", (b: Buffer) => (log += b.toString()));
      c.stderr!.on("data", (b: Buffer) => (log += b.toString()));
      const exited = new Promise<void>((resolve) =>
        c.on("exit", (code, signal) => {
          exit = { code, signal };
          resolve();
        }),
      );
      c.on("error", (e) => (log += `\n(spawn error: ${e.message})\n`));

      // run until enough has flowed both ways, or the time is up
      const enough = (): boolean =>
        exit !== null ||
        (numbers().length >= WANT_NUMBERS && n(MIRROR, LWS_CALLBACK_RECEIVE) >= WANT_MIRROR_RX && mirrored.filter((m) => CIRCLE.test(m)).length >= WANT_MIRRORED);
      await waitUntil(enough, MAX_RUN_MS, "enough traffic").catch(() => undefined);
      runMs = Date.now() - t0;
      atStop = JSON.parse(JSON.stringify(counts)) as typeof counts;
      if (exit === null) {
        c.kill("SIGINT");
        await within(exited, 3000, "the client to exit after SIGINT").catch(() => {
          c.kill("SIGKILL");
          return within(exited, 2000, "the client to die after SIGKILL");
        });
      }
    });

    after(() => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      observer?.terminate();
      stopDemo(app);
      app = null;
    });

    it("runs and exits cleanly (no connection error, no error logged)", () => {
      A.ok(exit !== null, "the client exited");
      const errors = lines().filter((l) => / E: /.test(l) && !/ E: Exiting/.test(l));
      A.equal(errors.length, 0, `errors logged by the client after ${runMs} ms:\n${errors.join("\n")}\n--- last lines:\n${tail()}`);
      A.ok(!/CLIENT_CONNECTION_ERROR/.test(log), `a connection error:\n${tail()}`);
      A.equal(exit!.signal === "SIGKILL", false, "the client needed SIGKILL to exit");
    });

    it("establishes both protocols: 101, ESTABLISHED on both sides", () => {
      // (only the dumb-increment callback logs the HTTP status of its upgrade)
      A.ok(/lws_http_client_http_response 101/.test(log), `a "101" answer in the client's log:\n${tail()}`);
      A.ok(/dumb: LWS_CALLBACK_CLIENT_ESTABLISHED/.test(log), `dumb-increment established (client side):\n${tail()}`);
      A.ok(/mirror: LWS_CALLBACK_CLIENT_ESTABLISHED/.test(log), `lws-mirror established (client side):\n${tail()}`);
      A.equal(n(DUMB, LWS_CALLBACK_ESTABLISHED, atStop), 1, "ESTABLISHED on the demo's dumb-increment-protocol");
      // the observer plus the lws client (which reconnects when its mirror lifetime runs out)
      A.ok(n(MIRROR, LWS_CALLBACK_ESTABLISHED, atStop) >= 2, `ESTABLISHED on the demo's lws-mirror-protocol: ${n(MIRROR, LWS_CALLBACK_ESTABLISHED, atStop)}`);
    });

    it("dumb-increment-protocol: the client receives consecutive numbers from 0", () => {
      const nums = numbers();
      A.ok(nums.length >= WANT_NUMBERS, `at least ${WANT_NUMBERS} numbers in ${runMs} ms, got ${nums.length}:\n${tail()}`);
      A.deepEqual(
        nums,
        nums.map((_, i) => i),
        "the numbers, in order, without a gap or a repeat",
      );
      A.ok(n(DUMB, LWS_CALLBACK_SERVER_WRITEABLE, atStop) >= nums.length, "one SERVER_WRITEABLE per number sent");
    });

    it("lws-mirror-protocol: the demo receives the client's circles", () => {
      const rx = n(MIRROR, LWS_CALLBACK_RECEIVE, atStop);
      A.ok(rx >= WANT_MIRROR_RX, `at least ${WANT_MIRROR_RX} RECEIVE callbacks on lws-mirror-protocol in ${runMs} ms, got ${rx}`);
    });

    it("lws-mirror-protocol: the client's circles are mirrored to another client of the protocol", () => {
      const circles = mirrored.filter((m) => CIRCLE.test(m));
      const other = mirrored.filter((m) => !CIRCLE.test(m));
      A.equal(other.length, 0, `only the lws client's circles are mirrored; others: ${JSON.stringify(other.slice(0, 3))}`);
      A.ok(
        circles.length >= WANT_MIRRORED,
        `at least ${WANT_MIRRORED} mirrored circles at the observer, got ${circles.length}, while the demo had ${n(MIRROR, LWS_CALLBACK_RECEIVE, atStop)} ` +
          `RECEIVE and ${n(MIRROR, LWS_CALLBACK_SERVER_WRITEABLE, atStop)} SERVER_WRITEABLE callbacks on lws-mirror-protocol`,
      );
    });

    if (zlib0 !== true)
      it("permessage-deflate was in use both ways: the client's circles came compressed, and it inflated the mirrored ones", () => {
        A.ok(used.inflated >= WANT_MIRROR_RX, `the demo inflated ${used.inflated} messages of the client`);
        A.ok(used.deflated >= WANT_MIRRORED, `the demo compressed ${used.deflated} messages to the client`);
      });

    it("the demo sees the client's connections close when it exits", async () => {
      // the observer is still open: one mirror connection stays
      await waitUntil(
        () => n(DUMB, LWS_CALLBACK_CLOSED) === n(DUMB, LWS_CALLBACK_ESTABLISHED) && n(MIRROR, LWS_CALLBACK_CLOSED) === n(MIRROR, LWS_CALLBACK_ESTABLISHED) - 1,
        3000,
        `CLOSED for every connection of the client (counts ${JSON.stringify(counts)})`,
      );
    });
  });
}
