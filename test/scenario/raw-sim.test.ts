// The raw scenarios over the deterministic sim network, plus what only a
// simulated network can show: byte-at-a-time delivery, partial writes,
// resets, exact virtual time, and replayable seeds.

import * as A from "../lib/assert.js";
import { simEnv, forSeeds, bytes, sameBytes } from "../lib/env.js";
import { recorder } from "../lib/recorder.js";
import { defineRawScenarios } from "./raw.scenarios.js";
import { createContext, clientConnect, write, LWS_CALLBACK_RAW_RX, LWS_SERVER_OPTION_ONLY_RAW, LWS_SERVER_OPTION_EXPLICIT_VHOSTS, type Wsi } from "../../src/index.js";
import { startApp } from "../../examples/app/app.js";

defineRawScenarios("sim", () => simEnv({ seed: 1 }));
defineRawScenarios("sim, one byte at a time with partial writes", () => simEnv({ seed: 2, maxSegment: 1, partialWrites: true, sendBuffer: 512 }));
defineRawScenarios("sim, random splits and jitter", () => simEnv({ seed: 3, maxSegment: 700, randomSplit: true, partialWrites: true, jitterUs: 300 }));

const echo = (wsi: Wsi, reason: number, _u: unknown, inp: any, len: number) => (reason === LWS_CALLBACK_RAW_RX ? (write(wsi, inp, len) < 0 ? -1 : 0) : 0);

describe("raw role under sim faults", () => {
  it("loses no byte when the platform takes one byte per write, for many seeds", async () => {
    await forSeeds([11, 12, 13, 14, 15, 16], async (seed) => {
      const env = simEnv({ seed, maxSegment: 1 + (seed % 5), randomSplit: true, partialWrites: true, sendBuffer: 64 + seed });
      const cx = createContext({ platform: env.platform, iface: "127.0.0.1", port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [{ name: "e", callback: echo }] });
      const data = bytes(6000, seed);
      const p = env.peer(cx.vhosts[0]!.port);
      p.write(data);
      await env.waitFor(() => p.receivedLength >= data.length, "echo", 600000);
      A.ok(sameBytes(p.received, data), "intact");
      cx.destroy();
    });
  });

  it("loses no byte when every write takes exactly one byte, on both sides", async () => {
    const env = simEnv({ seed: 17, maxWrite: 1, maxSegment: 1 });
    const cx = createContext({ platform: env.platform, iface: "127.0.0.1", port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [{ name: "e", callback: echo }] });
    const data = bytes(3000, 17);
    const p = env.peer(cx.vhosts[0]!.port);
    p.write(data);
    await env.waitFor(() => p.receivedLength >= data.length, "echo", 600000);
    A.ok(sameBytes(p.received, data), "intact");
    cx.destroy();
  });

  it("reports every connect as refused when the network refuses them", async () => {
    const env = simEnv({ seed: 18, refuseConnect: true });
    const cli = recorder("cli");
    const cx = createContext({ platform: env.platform, options: LWS_SERVER_OPTION_EXPLICIT_VHOSTS });
    const sv = cx.createVhost({ name: "s", iface: "127.0.0.1", port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [{ name: "e", callback: echo }] });
    cx.createVhost({ name: "c", protocols: [cli.protocol] });
    clientConnect({ context: cx, address: "127.0.0.1", port: sv.port, method: "RAW", vhost: cx.vhostByName("c")! });
    await env.waitFor(() => cli.plain().includes("WSI_DESTROY"), "refused");
    A.ok(cli.plain().includes('CLIENT_CONNECTION_ERROR"Unable to connect"'), cli.plain().join(","));
    A.equal(sv.connections, 0);
    cx.destroy();
  });

  it("is deterministic: the same seed gives the same callback log and the same virtual time", async () => {
    const runOnce = async () => {
      const env = simEnv({ seed: 99, maxSegment: 13, randomSplit: true, partialWrites: true, jitterUs: 500 });
      const rec = recorder("e", echo);
      const cx = createContext({ platform: env.platform, iface: "127.0.0.1", port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [rec.protocol] });
      const peers = [1, 2, 3].map(() => env.peer(cx.vhosts[0]!.port));
      peers.forEach((p, i) => p.write(bytes(3000, i)));
      await env.waitFor(() => peers.every((p) => p.receivedLength === 3000), "echo");
      peers.forEach((p) => p.end());
      await env.settle(100);
      cx.destroy();
      return { log: rec.log.join(","), t: env.sim.now(), events: env.sim.events };
    };
    const a = await runOnce();
    const b = await runOnce();
    A.equal(a.log, b.log);
    A.equal(a.t, b.t);
    A.equal(a.events, b.events);
  });

  it("closes on a reset mid-stream with RAW_CLOSE and leaves no descriptor behind", async () => {
    const env = simEnv({ seed: 5, maxSegment: 100 });
    const rec = recorder("e", echo);
    const cx = createContext({ platform: env.platform, iface: "127.0.0.1", port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [rec.protocol] });
    const p = env.peer(cx.vhosts[0]!.port);
    p.write(bytes(5000));
    await env.waitFor(() => p.receivedLength > 0, "some echo");
    env.sim.reset((p as unknown as { fd: number }).fd);
    await env.waitFor(() => rec.plain().includes("WSI_DESTROY"), "server closes");
    A.deepEqual(rec.plain().slice(-3), ['RAW_SKT_DROP_PROTOCOL"hangup"', "RAW_CLOSE", "WSI_DESTROY"]);
    A.equal(cx.vhosts[0]!.connections, 0);
    cx.destroy();
    A.equal(env.sim.openCount, 0, "every descriptor closed");
  });

  it("survives random resets on many connections without leaking descriptors", async () => {
    await forSeeds([21, 22, 23], async (seed) => {
      const env = simEnv({ seed, maxSegment: 50, randomSplit: true, partialWrites: true, resetChance: 0.02 });
      const cx = createContext({ platform: env.platform, iface: "127.0.0.1", port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [{ name: "e", callback: echo }] });
      const peers = Array.from({ length: 8 }, (_, i) => {
        const p = env.peer(cx.vhosts[0]!.port);
        p.write(bytes(2000, i));
        return p;
      });
      await env.waitFor(() => peers.every((p) => p.closed || p.receivedLength === 2000), "every connection done or reset", 600000);
      peers.forEach((p) => p.end());
      await env.settle(1000);
      A.equal(cx.vhosts[0]!.connections, 0, "all connections gone");
      cx.destroy();
      A.equal(env.sim.openCount, 0, "no descriptor leaked");
    });
  });

  it("flushes what is buffered before closing when the peer ends first", async () => {
    const env = simEnv({ seed: 8, sendBuffer: 300, maxSegment: 64 });
    const cx = createContext({ platform: env.platform, iface: "127.0.0.1", port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [{ name: "e", callback: echo }] });
    const p = env.peer(cx.vhosts[0]!.port);
    const data = bytes(20000);
    p.write(data);
    p.end();
    await env.waitFor(() => p.eof, "server closed after flushing", 600000);
    A.equal(p.receivedLength, data.length);
    A.ok(sameBytes(p.received, data));
    cx.destroy();
  });

  it("runs the demo app's raw echo on the sim platform (HTTP port, raw fallback)", async () => {
    const env = simEnv({ seed: 4, maxSegment: 3, randomSplit: true, partialWrites: true, sendBuffer: 200 });
    const app = startApp(env.platform, { host: "127.0.0.1", port: 7681 });
    A.equal(app.port, 7681);
    const p = env.peer(7681);
    const data = bytes(50000);
    data[0] = 0; // not an HTTP method: the connection falls back to raw
    p.write(data);
    await env.waitFor(() => p.receivedLength === data.length, "echo", 600000);
    A.ok(sameBytes(p.received, data));
    A.equal(app.stats.rawConnections, 1);
    p.end();
    await env.waitFor(() => app.stats.connections === 0, "close");
    A.equal(app.stats.rawConnections, 0);
    A.equal(app.stats.bytesEchoed, data.length);
    app.context.destroy();
  });
});
