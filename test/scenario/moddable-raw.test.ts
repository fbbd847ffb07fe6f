// platform/moddable without hardware: the adapter over the stand-in SDK
// (platform/moddable/standin: ECMA-419 TCP socket and listener, timer, time,
// Logical) over the sim network. The shared raw, external-poll, HTTP and
// WebSocket scenario suites run on it as on every platform; then what is particular to the
// Moddable SDK: lwip's buffers and flow control, onError for a clean close,
// the SDK's millisecond clock and its wrap, the stack's connection limit,
// Logical.xor, DNS. Peers are plain SimPeers on the same sim network.

import * as A from "../lib/assert.js";
import { bytes, sameBytes, type ScenarioEnv, type TestPeer } from "../lib/env.js";
import { recorder } from "../lib/recorder.js";
import { defineRawScenarios } from "./raw.scenarios.js";
import { defineExternalPollScenarios } from "./external-poll.scenarios.js";
import { defineHttpScenarios } from "./http.scenarios.js";
import { defineWsScenarios } from "./ws.scenarios.js";
import { defineClientScenarios } from "./client.scenarios.js";
import { moddableEnv, type ModdableEnv } from "../lib/moddable-env.js";
import { xorMask } from "../../src/roles/ws/mask.js";
import { startApp } from "../../examples/app/app.js";
import {
  createContext,
  clientConnect,
  write,
  rxFlowControl,
  setTimerUsecs,
  LWS_CALLBACK_RAW_ADOPT,
  LWS_CALLBACK_RAW_RX,
  LWS_CALLBACK_TIMER,
  LWS_SERVER_OPTION_ONLY_RAW,
  LWS_SERVER_OPTION_EXPLICIT_VHOSTS,
  type Context,
  type Wsi,
} from "../../src/index.js";

defineRawScenarios("moddable (stand-in SDK over sim)", () => moddableEnv({ seed: 41 }));
defineRawScenarios("moddable, faulty: small segments, partial writes, small lwip buffers", () =>
  moddableEnv({ seed: 42, maxSegment: 15, randomSplit: true, partialWrites: true, sendBuffer: 900, jitterUs: 200, standin: { sendBuffer: 512, receiveWindow: 300 } }),
);
defineExternalPollScenarios("moddable (stand-in SDK over sim)", () => moddableEnv({ seed: 43 }));
defineExternalPollScenarios("moddable, faulty", () => moddableEnv({ seed: 44, maxSegment: 9, randomSplit: true, partialWrites: true, sendBuffer: 1000, standin: { sendBuffer: 700, receiveWindow: 500 } }));
// the HTTP and WebSocket roles over the same adapter (files from the sim's vfs, given to the
// platform), once each, with lwip buffers of 1-2 MSS and split segments (the raw suites above
// cover the plain case and the byte-sized one; these suites' waitFor predicates parse
// everything received after every sim event, so tinier pieces make them slow in XS)
defineHttpScenarios("moddable, faulty", () => moddableEnv({ seed: 62, maxSegment: 536, randomSplit: true, partialWrites: true, sendBuffer: 6000, standin: { sendBuffer: 2872, receiveWindow: 1436 } }));
defineClientScenarios("moddable (stand-in SDK over sim, its inflate/deflate)", () => moddableEnv({ seed: 65, standin: { zlib: true } }));
defineClientScenarios("moddable, faulty", () => moddableEnv({ seed: 66, maxSegment: 536, randomSplit: true, partialWrites: true, sendBuffer: 6000, standin: { sendBuffer: 2872, receiveWindow: 1436 } }));
defineWsScenarios("moddable, faulty", () => moddableEnv({ seed: 64, maxSegment: 536, randomSplit: true, partialWrites: true, sendBuffer: 6000, standin: { sendBuffer: 2872, receiveWindow: 1436 } }));

const echo = (wsi: Wsi, reason: number, _u: unknown, inp: any, len: number) => (reason === LWS_CALLBACK_RAW_RX ? (write(wsi, inp, len) < 0 ? -1 : 0) : 0);

function rawEcho(env: ModdableEnv, extra: object = {}): Context {
  return createContext({ platform: env.platform, iface: env.host, port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [{ name: "e", callback: echo }], ...extra });
}

/** a raw server that does nothing but keep the wsi it adopted */
function quietServer(env: ModdableEnv): { cx: Context; server: () => Wsi | null } {
  let server: Wsi | null = null;
  const cx = createContext({
    platform: env.platform, iface: env.host, port: 0, options: LWS_SERVER_OPTION_ONLY_RAW,
    protocols: [{ name: "quiet", callback: (wsi: Wsi, reason: number, _u: unknown, _in: unknown, _len: number) => ((reason === LWS_CALLBACK_RAW_ADOPT && (server = wsi)), 0) }],
  });
  return { cx, server: () => server };
}

describe("platform/moddable over the stand-in SDK", () => {
  it("runs the demo app (startApp) end to end: raw echo of 50 KB through small lwip buffers", async () => {
    const env = moddableEnv({ seed: 45, maxSegment: 3, randomSplit: true, partialWrites: true, sendBuffer: 200, standin: { sendBuffer: 256, receiveWindow: 128 } });
    const app = startApp(env.platform, { host: "127.0.0.1", port: 7681 });
    A.equal(app.port, 7681);
    const p = env.peer(7681);
    const data = bytes(50000, 45);
    p.write(data);
    await env.waitFor(() => p.receivedLength === data.length, "echo", 600000);
    A.ok(sameBytes(p.received, data), "the echo is intact");
    A.equal(app.stats.bytesEchoed, data.length);
    p.end();
    await env.waitFor(() => app.stats.connections === 0, "close");
    app.context.destroy();
    await env.settle(100);
    A.equal(env.sim.openCount, 0, "no sim descriptor left");
    A.equal(env.sdk.stack.stats().active, 0, "no lwip pcb left");
    A.equal(env.platform.openCount, 0, "no platform descriptor left");
    env.done();
  });

  it("does not read from the stack while POLLIN is off: the lwip window fills and holds the sender back", async () => {
    const env = moddableEnv({ seed: 46, sendBuffer: 4000, standin: { receiveWindow: 1000 } });
    let server: Wsi | null = null;
    let rx = 0;
    const cx = createContext({
      platform: env.platform, iface: env.host, port: 0, options: LWS_SERVER_OPTION_ONLY_RAW,
      protocols: [{ name: "held", callback: (wsi: Wsi, reason: number, _u: unknown, _in: unknown, len: number) => {
        if (reason === LWS_CALLBACK_RAW_ADOPT) (server = wsi), rxFlowControl(wsi, 0);
        if (reason === LWS_CALLBACK_RAW_RX) rx += len;
        return 0;
      } }],
    });
    const p = env.peer(cx.vhosts[0]!.port);
    await env.waitFor(() => !!server, "adopt");
    p.write(bytes(20000, 46));
    await env.settle(200);
    A.equal(rx, 0, "nothing delivered while held off");
    const held = env.sdk.stack.stats().sockets.map((s) => s.rxBytes);
    A.deepEqual(held, [1000], "the stack holds one receive window, no more: the adapter read nothing");
    rxFlowControl(server!, 1);
    await env.waitFor(() => rx === 20000, "everything once reading again");
    cx.destroy();
    env.done();
  });

  it("never throws out of write(): a write bigger than the send buffer takes what fits", async () => {
    const env = moddableEnv({ seed: 47, standin: { sendBuffer: 1000 } });
    const { cx, server: srv } = quietServer(env);
    const p = env.peer(cx.vhosts[0]!.port);
    await env.waitFor(() => !!srv(), "adopt");
    const server = srv();
    await env.settle(5);
    const net = env.platform.net;
    const big = bytes(5000, 47);
    const n1 = net.write(server!.fd, big);
    A.equal(n1, 1000, "the first write takes the whole send buffer");
    A.equal(net.write(server!.fd, big.subarray(n1)), 0, "then nothing until onWritable: would block, no exception");
    // the core's own write path keeps the rest and drains it on POLLOUT
    A.equal(write(server!, big.subarray(n1), big.length - n1), big.length - n1);
    await env.waitFor(() => p.receivedLength === big.length, "everything arrives");
    A.ok(sameBytes(p.received, big));
    cx.destroy();
    env.done();
  });

  it("accepts at the platform level: writable only once the SDK's onWritable came, readable counts from onReadable", async () => {
    const env = moddableEnv({ seed: 48, standin: { sendBuffer: 3000 } });
    const net = env.platform.net;
    const lfd = net.listen({ host: "0.0.0.0", port: 0 });
    const port = net.localAddress(lfd)!.port;
    A.deepEqual(net.localAddress(lfd), { address: "0.0.0.0", port });
    const seen: number[] = [];
    env.platform.watch(lfd, 1, (_fd, rev) => void seen.push(rev));
    const p = env.peer(port);
    await env.waitFor(() => seen.length > 0, "the listener readable");
    env.platform.unwatch(lfd);
    const fd = net.accept(lfd);
    A.ok(fd >= 0);
    A.equal(net.accept(lfd), -1, "one pending connection");
    A.equal(net.peerAddress(fd)!.address, "127.0.0.1");
    A.equal(net.write(fd, new Uint8Array(10)), 0, "not writable before onWritable (it is posted by the adopting constructor)");
    A.equal(net.read(fd, 100), null, "nothing to read: null, not end of stream");
    await env.settle(1);
    A.equal(net.write(fd, new Uint8Array(5000)), 3000, "then up to the send buffer");
    p.write("0123456789");
    await env.settle(5);
    A.equal(new TextDecoder().decode(net.read(fd, 4)!), "0123");
    A.equal(new TextDecoder().decode(net.read(fd, 100)!), "456789");
    A.equal(net.read(fd, 100), null);
    net.close(fd);
    net.close(lfd);
    await env.settle(10);
    A.equal(env.platform.openCount, 0);
    A.equal(env.sdk.stack.stats().active, 0);
    env.done();
  });

  it("reports a refused connect as POLLERR|POLLHUP with the reason the SDK cannot give", async () => {
    const env = moddableEnv({ seed: 48 });
    const cli = recorder("cli");
    const cx = createContext({ platform: env.platform, protocols: [cli.protocol] });
    const logged: string[] = [];
    cx.log = (_level, msg) => void logged.push(msg);
    clientConnect({ context: cx, address: "127.0.0.1", port: 39999, method: "RAW" });
    await env.waitFor(() => cli.plain().includes("WSI_DESTROY"), "connection error");
    const err = cli.plain().find((e) => e.startsWith("CLIENT_CONNECTION_ERROR"))!;
    A.equal(err, 'CLIENT_CONNECTION_ERROR"Unable to connect"');
    A.ok(logged.some((m) => /refused/.test(m) && /ECMA-419/.test(m)), logged.join("\n"));
    A.equal(env.sdk.stack.stats().active, 0);
    cx.destroy();
    env.done();
  });

  it("sees a clean close from the peer as onError: the echo of what came before it is sent, then the connection closes", async () => {
    const env = moddableEnv({ seed: 49, maxSegment: 100 });
    const rec = recorder("e", echo);
    const cx = createContext({ platform: env.platform, iface: env.host, port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [rec.protocol] });
    const p = env.peer(cx.vhosts[0]!.port);
    p.write("ping");
    await env.waitFor(() => p.text === "ping", "echo");
    p.end();
    await env.waitFor(() => rec.plain().includes("WSI_DESTROY"), "server closes");
    A.deepEqual(rec.plain().slice(-3), ['RAW_SKT_DROP_PROTOCOL"peer closed"', "RAW_CLOSE", "WSI_DESTROY"]);
    await env.waitFor(() => p.closed || p.eof, "peer sees the close");
    cx.destroy();
    A.equal(env.sim.openCount, 0);
    env.done();
  });

  it("cannot write after the peer half-closed (lwip: onError, then not ready): what was echoed is a clean prefix, nothing leaks", async () => {
    const env = moddableEnv({ seed: 50, sendBuffer: 300, maxSegment: 64, standin: { sendBuffer: 512 } });
    const cx = rawEcho(env);
    const p = env.peer(cx.vhosts[0]!.port);
    const data = bytes(20000, 50);
    p.write(data);
    p.end();
    await env.waitFor(() => p.eof || p.closed, "the server lets go", 600000);
    await env.settle(100);
    A.ok(p.receivedLength < data.length, `on lwip the tail after the peer's FIN is not sent (${p.receivedLength} of ${data.length})`);
    A.ok(sameBytes(p.received, data.subarray(0, p.receivedLength)), "what came back is an intact prefix");
    A.equal(cx.vhosts[0]!.connections, 0);
    cx.destroy();
    await env.settle(100);
    A.equal(env.sdk.stack.stats().active, 0, "no pcb left");
    A.equal(env.sim.openCount, 0, "no sim descriptor left");
    env.done();
  });

  it("closes on a reset mid-stream and leaves no descriptor behind", async () => {
    const env = moddableEnv({ seed: 51, maxSegment: 100 });
    const rec = recorder("e", echo);
    const cx = createContext({ platform: env.platform, iface: env.host, port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [rec.protocol] });
    const p = env.peer(cx.vhosts[0]!.port);
    p.write(bytes(5000));
    await env.waitFor(() => p.receivedLength > 0, "some echo");
    env.sim.reset((p as unknown as { fd: number }).fd);
    await env.waitFor(() => rec.plain().includes("WSI_DESTROY"), "server closes");
    A.equal(rec.plain().at(-2), "RAW_CLOSE");
    cx.destroy();
    await env.settle(100);
    A.equal(env.sim.openCount, 0, "every descriptor closed");
    A.equal(env.platform.openCount, 0);
    env.done();
  });

  it("survives random resets on many connections without leaking descriptors or pcbs", async () => {
    for (const seed of [52, 53]) {
      const env = moddableEnv({ seed, maxSegment: 50, randomSplit: true, partialWrites: true, resetChance: 0.02, standin: { sendBuffer: 600, receiveWindow: 400 } });
      const cx = rawEcho(env);
      const peers = Array.from({ length: 6 }, (_, i) => {
        const p = env.peer(cx.vhosts[0]!.port);
        p.write(bytes(2000, i));
        return p;
      });
      await env.waitFor(() => peers.every((p) => p.closed || p.receivedLength === 2000), `every connection done or reset (seed ${seed})`, 600000);
      peers.forEach((p) => p.end());
      await env.settle(1000);
      A.equal(cx.vhosts[0]!.connections, 0, `all connections gone (seed ${seed})`);
      cx.destroy();
      await env.settle(100);
      A.equal(env.sim.openCount, 0, `no sim descriptor leaked (seed ${seed})`);
      A.equal(env.sdk.stack.stats().active, 0, `no pcb leaked (seed ${seed})`);
      env.done();
    }
  });

  it("serves as many connections as the stack has pcbs (ESP32: 8); the stack refuses the rest before lwsx hears of them", async () => {
    const env = moddableEnv({ seed: 54, standin: { maxActive: 8 } });
    const rec = recorder("e", echo);
    const cx = createContext({ platform: env.platform, iface: env.host, port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [rec.protocol] });
    const peers = Array.from({ length: 10 }, () => env.peer(cx.vhosts[0]!.port));
    await env.settle(50);
    peers.forEach((p, i) => p.write(`#${i}`));
    await env.waitFor(() => peers.filter((p) => p.receivedLength > 0).length === 8 && peers.filter((p) => p.closed).length === 2, "8 served, 2 refused");
    A.equal(rec.plain().filter((e) => e === "RAW_ADOPT").length, 8, "lwsx adopted only what the stack accepted");
    A.equal(cx.vhosts[0]!.connections, 8);
    cx.destroy();
    env.done();
  });

  it("fires timers on the SDK's millisecond clock across the int32 wrap of Time.ticks", async () => {
    const env = moddableEnv({ seed: 55, standin: { ticksStart: 2 ** 31 - 250 } });
    let server: Wsi | null = null;
    const times: number[] = [];
    const cx = createContext({
      platform: env.platform, iface: env.host, port: 0, options: LWS_SERVER_OPTION_ONLY_RAW,
      protocols: [{ name: "t", callback: (wsi: Wsi, reason: number, _u: unknown, _in: unknown, _len: number) => {
        if (reason === LWS_CALLBACK_RAW_ADOPT) server = wsi;
        if (reason === LWS_CALLBACK_TIMER) times.push(env.platform.now());
        return 0;
      } }],
    });
    env.peer(cx.vhosts[0]!.port);
    await env.waitFor(() => !!server, "adopt");
    const t0 = env.platform.now();
    A.equal(t0 % 1000, 0, "µs in whole milliseconds");
    const ticks0 = env.sdk.modules.Time.ticks;
    setTimerUsecs(server!, 400_000);
    await env.waitFor(() => times.length === 1, "timer");
    A.ok(ticks0 > 0 && env.sdk.modules.Time.ticks < 0, `Time.ticks wrapped (${ticks0} -> ${env.sdk.modules.Time.ticks})`);
    A.equal(times[0]! - t0, 400_000, "on time, and monotonic across the wrap");
    setTimerUsecs(server!, 1500);
    await env.waitFor(() => times.length === 2, "sub-ms timer");
    A.ok(times[1]! - times[0]! >= 1500 && times[1]! - times[0]! <= 3000, `rounded up to the ms clock (${times[1]! - times[0]!}us)`);
    cx.destroy();
    await env.settle(10);
    A.equal(env.sdk.timersPending(), 0, "no timer left armed after destroy");
    env.done();
  });

  it("never calls back from inside a call: watch() on a ready descriptor reports it from a later turn", async () => {
    const env = moddableEnv({ seed: 56 });
    const { cx, server: srv } = quietServer(env);
    env.peer(cx.vhosts[0]!.port);
    await env.waitFor(() => !!srv(), "adopt");
    const server = srv();
    await env.settle(5);
    let calls = 0;
    // level-triggered: a writable socket is reported every turn until unwatched
    env.platform.watch(server!.fd, 4, (fd) => (calls++, env.platform.unwatch(fd)));
    A.equal(calls, 0, "not from inside watch()");
    let posted = false;
    env.platform.post(() => (posted = true));
    A.equal(posted, false, "not from inside post()");
    await env.settle(1);
    A.ok(calls === 1 && posted, "both from the loop");
    cx.destroy();
    env.done();
  });

  it("masks with Logical.xor through hooks.xorMask exactly as the JS transform does, and hashes through hooks.sha1", () => {
    const env = moddableEnv({ seed: 57 });
    const xor = env.platform.hooks?.xorMask;
    A.ok(xor, "the hook is there when the SDK gives xor");
    const mask = new Uint8Array([0x12, 0x34, 0x56, 0x78]);
    for (const len of [0, 1, 3, 4, 5, 17, 64, 1001])
      for (let phase = 0; phase < 4; phase++) {
        const backing = bytes(len + 3, len + phase);
        const a = backing.subarray(3), b = a.slice();
        const pa = xor(a, mask, phase);
        const pb = xorMask(b, mask, phase);
        A.ok(sameBytes(a, b), `len ${len} phase ${phase}`);
        A.equal(pa, pb, `the next phase after len ${len} phase ${phase}`);
      }
    const digest = env.platform.hooks!.sha1!(new TextEncoder().encode("abc"));
    A.equal(Array.from(digest, (x) => x.toString(16).padStart(2, "0")).join(""), "a9993e364706816aba3e25717850c26c9cd0d89d");
    const bare = moddableEnv({ seed: 57, standin: { xor: false, sha1: false, textDecoder: false } }).platform.hooks;
    A.deepEqual(Object.keys(bare), ["wallClockMs"], "only the clock without xor, sha1 and TextDecoder");
  });

  it("sends no Date header until the clock is set (an ESP32 boots at 1970), then the time of day", async () => {
    const env = moddableEnv({ seed: 59 });
    const app = startApp(env.platform, { host: env.host, port: 0 });
    const get = async (): Promise<string> => {
      const p = env.peer(app.port);
      p.write("GET /status HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n");
      await env.waitFor(() => p.eof || p.closed, "the answer");
      return p.text.slice(0, p.text.indexOf("\r\n\r\n"));
    };
    A.ok(Number.isNaN(env.platform.hooks.wallClockMs!()), "not set: NaN");
    const before = await get();
    A.ok(/^HTTP\/1\.1 200/.test(before), before);
    A.ok(!/^date:/im.test(before), `no Date header: ${before}`);
    env.sdk.setWallClock(Date.UTC(2026, 10, 26, 12, 0, 0));
    const after = await get();
    A.ok(/^date: Thu, 26 Nov 2026 12:00:0\d GMT$/im.test(after), `a Date header once SNTP set the clock: ${after}`);
    app.context.destroy();
    env.done();
  });

  it("checks WebSocket text through the SDK's TextDecoder({fatal: true}) as hooks.isUtf8, for pieces up to 4 KB", () => {
    const env = moddableEnv({ seed: 57 });
    const isUtf8 = env.platform.hooks?.isUtf8;
    A.ok(isUtf8, "the hook is there when the SDK gives TextDecoder");
    const enc = new TextEncoder();
    A.equal(isUtf8(enc.encode("plain ASCII and héllo wörld ✓ 😀".repeat(20))), true);
    for (const bad of [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xff]])
      A.equal(isUtf8(new Uint8Array([0x41, ...bad, 0x42])), false, `rejects ${bad.map((b) => b.toString(16)).join(" ")}`);
    A.equal(isUtf8(new Uint8Array(4097).fill(0x41)), false, "a larger piece is left to the portable check");
    A.equal(isUtf8(new Uint8Array(4096).fill(0x41)), true);
    A.equal(moddableEnv({ seed: 57, standin: { textDecoder: false } }).platform.hooks?.isUtf8, undefined);
  });

  it("resolves names through the SDK's resolver when given one, and reports an unknown name as a connection error", async () => {
    const env = moddableEnv({ seed: 58, standin: { hosts: { "echo.test": "127.0.0.1" } } });
    const srv = createContext({ platform: env.platform, iface: env.host, port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [{ name: "e", callback: echo }] });
    let got = "";
    const cli = recorder("cli", (wsi, reason, _u, inp) => {
      if (reason === LWS_CALLBACK_RAW_ADOPT) write(wsi, "over dns");
      if (reason === LWS_CALLBACK_RAW_RX) got += new TextDecoder().decode(inp);
      return 0;
    });
    const cx = createContext({ platform: env.platform, options: LWS_SERVER_OPTION_EXPLICIT_VHOSTS });
    const cv = cx.createVhost({ name: "c", protocols: [cli.protocol] });
    clientConnect({ context: cx, address: "echo.test", port: srv.vhosts[0]!.port, method: "RAW", vhost: cv });
    await env.waitFor(() => got === "over dns", "echo over a resolved name");
    const bad = recorder("bad");
    const cx2 = createContext({ platform: env.platform, protocols: [bad.protocol] });
    clientConnect({ context: cx2, address: "nowhere.test", port: 7, method: "RAW" });
    await env.waitFor(() => bad.plain().includes("WSI_DESTROY"), "resolution failure");
    A.ok(bad.plain().includes(`CLIENT_CONNECTION_ERROR"getaddrinfo (ipv4) failed"`), bad.plain().join(","));
    const env2 = moddableEnv({ seed: 59 });
    A.throws(() => env2.platform.net.connect({ host: "echo.test", port: 80 }), /numeric IPv4/);
    cx.destroy();
    cx2.destroy();
    srv.destroy();
    env.done();
  });

  it("gives random bytes from the SDK or Math.random, and reports listen failures as PlatformError", () => {
    const env = moddableEnv({ seed: 60 });
    const b = new Uint8Array(64);
    env.platform.random(b);
    A.ok(b.some((x) => x !== 0), "filled");
    const fd = env.platform.net.listen({ host: "0.0.0.0", port: 0 });
    const port = env.platform.net.localAddress(fd)!.port;
    A.throws(() => env.platform.net.listen({ host: "0.0.0.0", port }), /EADDRINUSE|cannot listen/);
    A.throws(() => env.platform.net.listen({ host: "my.host", port: 0 }), /numeric IPv4/);
    env.platform.net.close(fd);
    A.equal(env.platform.openCount, 0);
  });
});
