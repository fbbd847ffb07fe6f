// permessage-deflate scenarios (test/scenario/ws-pmd.scenarios.ts) on the
// Node platform: node:zlib, large messages deflated on libuv's thread pool.
import { nodeEnv } from "../lib/node-env.js";
import { defineWsPmdScenarios } from "../scenario/ws-pmd.scenarios.js";
import * as zlib from "node:zlib";
import * as A from "../lib/assert.js";
import { createNodePlatform } from "../../platform/node/index.js";
import WebSocket from "ws";
import { startApp } from "../../examples/app/app.js";

defineWsPmdScenarios("node (loopback)", () => nodeEnv());

describe("platform/node's deflateRawAsync (libuv's thread pool)", () => {
  it("calls back later, never synchronously, with a sync-flushed raw deflate", async () => {
    const z = createNodePlatform().zlib;
    const input = new TextEncoder().encode("abc abc abc ".repeat(5000));
    let sync = true;
    const out = await new Promise<Uint8Array | null>((resolve) => {
      z.deflateRawAsync!(input, 15, 1, resolve);
      sync = false;
    });
    A.equal(sync, false);
    A.ok(out && out.length < input.length / 10, `compressed to ${out?.length}`);
    A.deepEqual(Array.from(out!.subarray(out!.length - 4)), [0, 0, 0xff, 0xff]);
    A.equal(Buffer.from(zlib.inflateRawSync(out!, { finishFlush: zlib.constants.Z_SYNC_FLUSH })).toString(), "abc abc abc ".repeat(5000));
  });
});

describe("permessage-deflate on node: large messages of several connections deflated on the thread pool", function () {
  this.timeout(30000);
  it("echoes them whole and in order on every connection, with pings between, some deflated off the loop", async () => {
    const env = nodeEnv();
    const z = env.platform.zlib!;
    const real = z.deflateRawAsync!.bind(z);
    let offLoop = 0;
    (z as { deflateRawAsync: typeof real }).deflateRawAsync = (d, b, l, done) => {
      offLoop++;
      real(d, b, l, done);
    };
    const app = startApp(env.platform, { host: "127.0.0.1", port: 0, wsMaxMessageSize: 1 << 20 });
    const clients: WebSocket[] = [];
    try {
      const text = (i: number, k: number): string => `{"conn":${i},"msg":${k},"pad":"${"lorem ipsum dolor ".repeat(500 + 300 * k)}"}`;
      const runs = await Promise.all(
        [0, 1, 2, 3, 4, 5].map(
          (i) =>
            new Promise<string[]>((resolve, reject) => {
              const ws = new WebSocket(`ws://127.0.0.1:${app.port}/`, { perMessageDeflate: { threshold: 0 } });
              clients.push(ws);
              const got: string[] = [];
              ws.on("open", () => {
                for (let k = 0; k < 6; k++) {
                  ws.send(text(i, k));
                  ws.ping();
                }
              });
              ws.on("message", (d: Buffer) => {
                got.push(d.toString());
                if (got.length === 6) resolve(got);
              });
              ws.on("error", reject);
              ws.on("close", (code) => reject(new Error(`closed with ${code}`)));
            }),
        ),
      );
      runs.forEach((got, i) => got.forEach((m, k) => A.ok(m === text(i, k), `connection ${i}, message ${k}: whole and in order`)));
      A.ok(offLoop > 0, `some deflated off the loop (${offLoop})`);
    } finally {
      for (const c of clients) c.removeAllListeners("close"), c.terminate();
      app.context.destroy();
      env.done();
    }
  });
});
