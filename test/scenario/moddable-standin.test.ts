// The stand-in Moddable SDK (platform/moddable/standin) against the semantics
// it was written from: documentation/io/io.md ("TCP Socket", "TCP Listener")
// and the ESP32 implementation (modules/io/socket/lwip/tcp.c, listener.js),
// modules/base/timer (modTimer.c, mc/timer.c), modules/base/time,
// modules/data/logical. If the stand-in drifts from the SDK, the adapter's
// tests prove less: these pin it down.

import * as A from "../lib/assert.js";
import { bytes, sameBytes } from "../lib/env.js";
import { createSimPlatform, SimPeer, type SimNetwork } from "../../platform/sim/index.js";
import { createStandinSdk, type StandinOptions, type StandinTcp } from "../../platform/moddable/standin/index.js";

function setup(o: StandinOptions = {}, seed = 70) {
  const sim = createSimPlatform({ seed });
  const sdk = createStandinSdk(sim, o);
  return { sim, sdk, ...sdk.modules };
}

/** a stand-in listener that adopts each connection with `new TCP({from})` and records its callbacks */
function server(s: ReturnType<typeof setup>, port = 0) {
  const log: string[] = [];
  const socks: StandinTcp[] = [];
  const l = new s.Listener({
    port,
    onReadable(count: number) {
      log.push(`listener ${count}`);
      for (let i = 0; i < count; i++) {
        const from = this.read();
        socks.push(
          new s.TCP({
            from,
            onReadable(n) {
              log.push(`readable ${n}`);
            },
            onWritable(n) {
              log.push(`writable ${n}`);
            },
            onError() {
              log.push("error");
            },
          }),
        );
      }
    },
  });
  return { l, log, socks };
}

const run = (sim: SimNetwork, ms = 10) => sim.run({ untilUs: sim.now() + ms * 1000 });
const text = (b: unknown) => new TextDecoder().decode(new Uint8Array(b as ArrayBuffer));

describe("stand-in SDK: TCP socket and listener", () => {
  it("adopts a pending connection with {from}: onReadable(count) on the listener, onWritable(send buffer) on the socket", () => {
    const s = setup({ sendBuffer: 4096 });
    const { l, log, socks } = server(s);
    const p = new SimPeer(s.sim, "127.0.0.1", l.port);
    run(s.sim);
    A.deepEqual(log, ["listener 1", "writable 4096"]);
    A.equal(socks[0]!.remoteAddress, "127.0.0.1");
    A.equal(typeof socks[0]!.remotePort, "number");
    p.write("hi");
    run(s.sim);
    A.deepEqual(log.slice(2), ["readable 2"]);
    A.equal(text(socks[0]!.read()), "hi");
    A.equal(socks[0]!.read(), undefined, "nothing left: undefined, no exception");
  });

  it("holds a connection's bytes until it is adopted, then reports them; the listener's own socket has no callbacks", () => {
    const s = setup();
    const pend: StandinTcp[] = [];
    const l = new s.Listener({ port: 0, onReadable(n: number) { pend.push(...Array.from({ length: n }, () => this.read()!)); } });
    const p = new SimPeer(s.sim, "127.0.0.1", l.port);
    p.write("early");
    run(s.sim);
    A.equal(pend.length, 1);
    const log: string[] = [];
    const t = new s.TCP({ from: pend[0], onReadable: (n: number) => void log.push(`readable ${n}`), onWritable: (n: number) => void log.push(`writable ${n}`) });
    A.throws(() => pend[0]!.read(), /closed/, "the `from` instance is closed by the adoption");
    A.deepEqual(log, [], "callbacks are posted, never from inside the constructor");
    run(s.sim);
    A.deepEqual(log, ["readable 5", "writable 8192"]);
    A.equal(text(t.read()), "early");
  });

  it("reads like the SDK: everything, n bytes (more than readable throws), into a buffer, or a byte in number format", () => {
    const s = setup();
    const { l, socks } = server(s);
    const p = new SimPeer(s.sim, "127.0.0.1", l.port);
    run(s.sim);
    p.write("abcdefgh");
    run(s.sim);
    const t = socks[0]!;
    A.throws(() => t.read(9), /invalid/);
    A.throws(() => t.read(0), /invalid/);
    A.equal(text(t.read(3)), "abc");
    const into = new Uint8Array(2);
    A.equal(t.read(into), 2);
    A.equal(text(into.buffer), "de");
    t.format = "number";
    A.equal(t.read(), "f".charCodeAt(0));
    t.format = "buffer";
    A.equal(text(t.read()), "gh");
  });

  it("throws 'not ready' before connect, 'would block' when the data does not fit (taking nothing), and returns the space left", () => {
    const s = setup({ sendBuffer: 100 });
    const { l } = server(s);
    const log: string[] = [];
    const t = new s.TCP({ address: "127.0.0.1", port: l.port, onWritable: (n: number) => void log.push(`writable ${n}`) });
    A.throws(() => t.write(new Uint8Array(1)), /not ready/);
    run(s.sim);
    A.deepEqual(log, ["writable 100"], "onWritable once connected");
    A.equal(t.write(new Uint8Array(60)), 40);
    A.throws(() => t.write(new Uint8Array(41)), /would block/);
    A.equal(t.write(new Uint8Array(40).subarray(0, 40)), 0);
    run(s.sim);
    A.deepEqual(log.slice(1), ["writable 100"], "space again once the network took the bytes (lwip: tcpSent)");
    A.throws(() => new s.TCP({ address: "localhost", port: 1 }), /invalid address/);
    A.throws(() => new s.TCP({ address: "127.0.0.1", port: 70000 }), /invalid port/);
  });

  it("reports a refused connect and the peer's clean close with onError, the latter only after every byte was read", () => {
    const s = setup();
    const log: string[] = [];
    new s.TCP({ address: "127.0.0.1", port: 39999, onWritable: () => void log.push("writable"), onError: () => void log.push("refused") });
    run(s.sim);
    A.deepEqual(log, ["refused"]);
    const { l, log: slog, socks } = server(s);
    const p = new SimPeer(s.sim, "127.0.0.1", l.port);
    run(s.sim);
    p.write("last words");
    p.end();
    run(s.sim);
    A.deepEqual(slog.slice(2), ["readable 10"], "onError waits for the bytes to be read");
    A.throws(() => socks[0]!.write(new Uint8Array(1)), /not ready/, "no more writing after the FIN");
    A.equal(text(socks[0]!.read()), "last words");
    run(s.sim);
    A.deepEqual(slog.slice(3), ["error"]);
  });

  it("calls nothing after close(), sends what it took before the FIN, and resets when bytes were left unread", () => {
    const s = setup();
    const { l, log, socks } = server(s);
    const p = new SimPeer(s.sim, "127.0.0.1", l.port);
    run(s.sim);
    const big = bytes(30000);
    socks[0]!.write(big.subarray(0, 8192));
    p.write("x");
    socks[0]!.close();
    const before = log.length;
    run(s.sim, 100);
    A.equal(log.length, before, "no callback after close");
    A.ok(sameBytes(p.received, big.subarray(0, 8192)), "what the stack took arrives");
    A.ok(p.eof || p.closed, "then the close");
    A.throws(() => socks[0]!.read(), /closed/);

    const q = new SimPeer(s.sim, "127.0.0.1", l.port);
    run(s.sim);
    q.write("unread");
    run(s.sim);
    socks[1]!.close();
    run(s.sim);
    A.ok(q.error && /reset/.test(q.error), `unread bytes: the peer sees a reset (${q.error})`);
    A.equal(s.sdk.stack.stats().active, 0, "no pcb left");
  });

  it("models the ESP32's pcb limit: connect throws 'no socket', an incoming connection is reset", () => {
    const s = setup({ maxActive: 2 });
    const { l, socks } = server(s);
    const peers = [1, 2, 3].map(() => new SimPeer(s.sim, "127.0.0.1", l.port));
    run(s.sim);
    A.equal(socks.length, 2);
    A.ok(peers[2]!.closed && /reset/.test(peers[2]!.error ?? ""), "the third is reset by the stack");
    A.throws(() => new s.TCP({ address: "127.0.0.1", port: l.port }), /no socket/);
    A.throws(() => new s.Listener({ port: l.port }), /socket bind/);
  });

  it("calls back with `this` = the instance, whose `target` is the one given", () => {
    const s = setup();
    const target = { name: "mine" };
    const seen: unknown[] = [];
    const l = new s.Listener({ port: 0, target, onReadable() { seen.push(this.target); const t = this.read()!; new s.TCP({ from: t, target, onWritable() { seen.push(this.target); } }); } });
    new SimPeer(s.sim, "127.0.0.1", l.port);
    run(s.sim);
    A.deepEqual(seen, [target, target]);
    A.ok(seen[0] === target);
  });
});

describe("stand-in SDK: timer, time, logical", () => {
  it("fires Timer.set(cb, 0) from the loop, ms delays on the ms counter, repeats without drift; callback gets the timer", () => {
    const s = setup();
    const log: string[] = [];
    s.sim.advance(300); // mid-millisecond
    const t0 = s.Time.ticks;
    const t = s.Timer.set((timer) => void log.push(`once ${s.Time.ticks - t0} ${timer === t}`), 5);
    s.Timer.set(() => void log.push(`zero ${s.Time.ticks - t0}`));
    A.deepEqual(log, [], "never synchronously");
    let n = 0;
    const r = s.Timer.repeat(() => {
      log.push(`repeat ${s.Time.ticks - t0}`);
      if (++n === 3) s.Timer.clear(r);
    }, 4);
    run(s.sim, 20);
    A.deepEqual(log, ["zero 0", "repeat 4", "once 5 true", "repeat 8", "repeat 12"]);
  });

  it("spends a one-shot once fired (clear is a no-op, schedule throws); timers made while firing wait for the next pass", () => {
    const s = setup();
    const order: string[] = [];
    const t = s.Timer.set(() => {
      order.push("a");
      s.Timer.set(() => void order.push("c"), 0);
    }, 1);
    s.Timer.set(() => void order.push("b"), 1);
    run(s.sim, 5);
    A.deepEqual(order, ["a", "b", "c"]);
    s.Timer.clear(t);
    A.throws(() => s.Timer.schedule(t, 1), /invalid timer/);
    const u = s.Timer.repeat(() => void order.push("u"), 1);
    s.Timer.schedule(u);
    run(s.sim, 5);
    A.deepEqual(order, ["a", "b", "c"], "unscheduled");
    s.Timer.schedule(u, 2, 0);
    run(s.sim, 5);
    A.deepEqual(order, ["a", "b", "c", "u"], "rescheduled as a one-shot");
    A.equal(s.sdk.timersPending(), 0);
  });

  it("gives Time.ticks as an int32 that wraps, and Time.delta across the wrap", () => {
    const s = setup({ ticksStart: 2 ** 31 - 2 });
    const a = s.Time.ticks;
    A.equal(a, 2 ** 31 - 2);
    s.sim.advance(5000);
    const b = s.Time.ticks;
    A.equal(b, -(2 ** 31) + 3);
    A.equal(s.Time.delta(a, b), 5);
  });

  it("XORs with Logical.xor like modLogical.c: src repeats, a number is one byte, count limits dst", () => {
    const { Logical } = setup();
    const d = new Uint8Array([1, 2, 3, 4, 5]);
    Logical.xor(d, new Uint8Array([0xff, 0]));
    A.deepEqual(Array.from(d), [0xfe, 2, 0xfc, 4, 0xfa]);
    Logical.xor(d.subarray(1), 1, 2);
    A.deepEqual(Array.from(d), [0xfe, 3, 0xfd, 4, 0xfa]);
    A.throws(() => Logical.xor(d, 1, 6), /invalid count/);
  });
});
