import { simEnv } from "../lib/env.js";
import * as A from "../lib/assert.js";
import { recorder } from "../lib/recorder.js";
import { createContext, callbackHttpDummy, LWS_CALLBACK_HTTP, LWS_CALLBACK_HTTP_BODY } from "../../src/index.js";
import { defineHttpScenarios } from "./http.scenarios.js";

defineHttpScenarios("sim", () => simEnv({ seed: 41 }));
defineHttpScenarios("sim, byte splits and partial writes", () => simEnv({ seed: 42, maxSegment: 7, randomSplit: true, partialWrites: true, sendBuffer: 3000 }));


describe("HTTP server on sim: resets", () => {
  it("closes cleanly when the client resets in the middle of a request body", async () => {
    const env = simEnv({ seed: 43, maxSegment: 100 });
    let bodyBytes = 0;
    const rec = recorder("http", (w, r, u, i, l) => {
      if (r === LWS_CALLBACK_HTTP) return 0;
      if (r === LWS_CALLBACK_HTTP_BODY) return (bodyBytes += l), 0;
      return callbackHttpDummy(w, r, u, i, l);
    });
    const cx = createContext({ platform: env.platform, iface: "127.0.0.1", port: 0, protocols: [rec.protocol] });
    const p = env.peer(cx.vhosts[0]!.port);
    p.write("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 10000\r\n\r\n" + "x".repeat(4000));
    await env.waitFor(() => bodyBytes === 4000, "half the body");
    env.sim.reset((p as unknown as { fd: number }).fd);
    await env.waitFor(() => rec.plain().includes("WSI_DESTROY"), "server closes");
    A.ok(!rec.plain().includes("HTTP_BODY_COMPLETION"), "no completion for a cut body");
    A.deepEqual(rec.plain().slice(-3), ['HTTP_DROP_PROTOCOL"hangup"', "CLOSED_HTTP", "WSI_DESTROY"]);
    cx.destroy();
    A.equal(env.sim.openCount, 0);
  });

  it("closes a connection whose body stops arriving, after the body timeout", async () => {
    const env = simEnv({ seed: 44 });
    const cx = createContext({ platform: env.platform, iface: "127.0.0.1", port: 0, bodyTimeout: 3, protocols: [{ name: "http", callback: (w, r, u, i, l) => (r === LWS_CALLBACK_HTTP ? 0 : callbackHttpDummy(w, r, u, i, l)) }] });
    const p = env.peer(cx.vhosts[0]!.port);
    p.write("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc");
    const t0 = env.sim.now();
    await env.waitFor(() => p.eof || p.closed, "closed", 10000);
    A.ok(env.sim.now() - t0 >= 3_000_000 && env.sim.now() - t0 < 3_100_000, `closed at the body timeout (${env.sim.now() - t0}us)`);
    cx.destroy();
  });
});
