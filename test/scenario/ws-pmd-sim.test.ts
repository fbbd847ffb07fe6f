// permessage-deflate scenarios (ws-pmd.scenarios.ts) where there is no zlib
// of the system's: the sim platform with the portable codec (synchronous, and
// asynchronous with completions out of order in virtual time), and the
// Moddable adapter's glue over the stand-in SDK classes, as on the device.
// Also in the XS lane.
import { simEnv } from "../lib/env.js";
import { moddableEnv } from "../lib/moddable-env.js";
import { defineWsPmdScenarios } from "./ws-pmd.scenarios.js";

defineWsPmdScenarios("sim (portable codec)", () => simEnv({ seed: 91, zlib: true }));
defineWsPmdScenarios("sim, async deflate (larger messages finish later), random splits and partial writes", () =>
  simEnv({ seed: 92, zlib: { asyncUs: (n) => 200 + n / 10 }, maxSegment: 1400, randomSplit: true, partialWrites: true, sendBuffer: 8000 }),
);
defineWsPmdScenarios("moddable (stand-in SDK inflate/deflate over sim)", () => moddableEnv({ seed: 93, standin: { zlib: true } }));

// what is particular to the device's glue (platform/moddable/zlib.ts)
import * as A from "../lib/assert.js";
import { WsTestClient } from "../lib/ws-peer.js";
import { startApp } from "../../examples/app/app.js";
import { deflateRaw, inflateRaw } from "../../platform/sim/deflate.js";
import { OPCODE_TEXT } from "../../src/roles/ws/frame.js";
import { DEFLATE_RETRY_AFTER } from "../../platform/moddable/zlib.js";

describe("permessage-deflate on the device's glue: memory and builds without deflate", () => {
  const text = "a message long enough to be worth compressing, compressing, compressing";
  const zmsg = (): Uint8Array => {
    const z = deflateRaw(new TextEncoder().encode(text), { flush: "sync" });
    return z.subarray(0, z.length - 4);
  };
  const inflate = (p: Uint8Array): Uint8Array => {
    const r = inflateRaw(p);
    if (typeof r === "string") throw new Error(r);
    return r;
  };

  async function session(zlib: true | "inflate") {
    const env = moddableEnv({ seed: 94, standin: { zlib } });
    const app = startApp(env.platform, { host: env.host, port: 0 });
    const c = new WsTestClient(env.peer(app.port), "/", undefined, "Sec-WebSocket-Extensions: permessage-deflate\r\n", { inflate });
    await env.waitFor(() => c.poll().status !== 0, "101");
    A.ok(/permessage-deflate; server_no_context_takeover; client_no_context_takeover/i.test(c.responseHead), c.responseHead);
    return { env, app, c };
  }

  it("after a Deflate that could not be made, sends the next messages plain before trying again", async () => {
    const { env, app, c } = await session(true);
    const ctl = env.sdk.zlibControl!;
    ctl.failDeflate = 1;
    const n = DEFLATE_RETRY_AFTER + 3;
    for (let i = 0; i < n; i++) c.sendCompressed(OPCODE_TEXT, zmsg());
    await env.waitFor(() => c.poll().messages.length === n, `${n} echoes`);
    const compressed = c.messages.map((m) => m.compressed);
    A.deepEqual(compressed.slice(0, DEFLATE_RETRY_AFTER + 1), new Array(DEFLATE_RETRY_AFTER + 1).fill(false), "the failed one and the next 32 go plain");
    A.deepEqual(compressed.slice(DEFLATE_RETRY_AFTER + 1), [true, true], "then it tries, and compresses, again");
    A.ok(c.messages.every((m) => m.text === text));
    A.equal(ctl.deflaters, 2, "two deflaters made: no attempt while skipping");
    A.equal(ctl.open, 0, "every inflater and deflater closed");
    app.context.destroy();
    env.done();
  });

  it("closes with 1011 when the SDK's Inflate cannot be made", async () => {
    const { env, app, c } = await session(true);
    env.sdk.zlibControl!.failInflate = 1;
    c.sendCompressed(OPCODE_TEXT, zmsg());
    await env.waitFor(() => c.poll().closeFrame !== null, "the close");
    A.equal(c.closeCode, 1011);
    app.context.destroy();
    env.done();
  });

  it("a build with inflate only inflates what the client compresses and answers uncompressed", async () => {
    const { env, app, c } = await session("inflate");
    c.sendCompressed(OPCODE_TEXT, zmsg());
    await env.waitFor(() => c.poll().messages.length === 1, "the echo");
    A.deepEqual([c.messages[0]!.text, c.messages[0]!.compressed], [text, false]);
    app.context.destroy();
    env.done();
  });
});
