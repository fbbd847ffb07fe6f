// permessage-deflate scenarios (test/scenario/ws-pmd.scenarios.ts) on the
// Node platform: node:zlib, large messages deflated on libuv's thread pool.
import { nodeEnv } from "../lib/node-env.js";
import { defineWsPmdScenarios } from "../scenario/ws-pmd.scenarios.js";

defineWsPmdScenarios("node (loopback)", () => nodeEnv());

import * as zlib from "node:zlib";
import * as A from "../lib/assert.js";
import { createNodePlatform } from "../../platform/node/index.js";

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
