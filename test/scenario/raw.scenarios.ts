// Raw role and core scenarios, written once and run on every platform
// environment (sim in Node and XS, real loopback sockets in Node).

import * as A from "../lib/assert.js";
import { bytes, sameBytes, type ScenarioEnv } from "../lib/env.js";
import { recorder, coalesce } from "../lib/recorder.js";
import {
  createContext,
  clientConnect,
  write,
  callbackOnWritable,
  callbackAllProtocol,
  cancelService,
  rxFlowControl,
  setTimerUsecs,
  setWsiTimeout,
  adoptFile,
  rawFileRead,
  LWS_CALLBACK_RAW_RX,
  LWS_CALLBACK_RAW_ADOPT,
  LWS_CALLBACK_RAW_WRITEABLE,
  LWS_CALLBACK_RAW_RX_FILE,
  LWS_CALLBACK_FILTER_NETWORK_CONNECTION,
  LWS_CALLBACK_TIMER,
  LWS_CALLBACK_USER,
  LWS_SERVER_OPTION_ONLY_RAW,
  LWS_SERVER_OPTION_EXPLICIT_VHOSTS,
  LWS_TO_KILL_ASYNC,
  PENDING_TIMEOUT_USER_OK,
  type Context,
  type Wsi,
} from "../../src/index.js";

type MakeEnv = () => ScenarioEnv;

/** a raw echo handler: what arrives goes back */
const echo = (wsi: Wsi, reason: number, _u: unknown, inp: any, len: number) => {
  if (reason === LWS_CALLBACK_RAW_RX) return write(wsi, inp, len) < 0 ? -1 : 0;
  return 0;
};

function rawServer(env: ScenarioEnv, protocols: any[], extra: object = {}): Context {
  return createContext({ platform: env.platform, iface: env.host, port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols, ...extra });
}

export function defineRawScenarios(label: string, makeEnv: MakeEnv): void {
  describe(`raw scenarios on ${label}`, function () {
    let env: ScenarioEnv;
    let cx: Context | null = null;
    beforeEach(() => {
      env = makeEnv();
    });
    afterEach(() => {
      cx?.destroy();
      cx = null;
      env.done();
    });

    it("gives the exact callback sequence over a connection's life, poll callbacks included", async () => {
      const rec = recorder("raw", echo);
      cx = rawServer(env, [rec.protocol]);
      const port = cx.vhosts[0]!.port;
      A.deepEqual(rec.log, ["PROTOCOL_INIT", "LOCK_POLL(1)", "ADD_POLL_FD(1)", "UNLOCK_POLL(1)"]);
      rec.clear();
      const p = env.peer(port);
      await env.waitFor(() => rec.log.includes("RAW_ADOPT"), "adopt");
      A.deepEqual(rec.log, [
        "GET_THREAD_ID",
        "FILTER_NETWORK_CONNECTION",
        "WSI_CREATE",
        "RAW_SKT_BIND_PROTOCOL",
        "LOCK_POLL(1)",
        "ADD_POLL_FD(1)",
        "UNLOCK_POLL(1)",
        "RAW_ADOPT",
      ]);
      rec.clear();
      p.write("hello");
      await env.waitFor(() => p.text === "hello", "echo");
      A.deepEqual(env.faulty ? coalesce(rec.log) : rec.log, ["RAW_RX[5]"]);
      rec.clear();
      p.end();
      await env.waitFor(() => rec.log.includes("WSI_DESTROY"), "close");
      A.deepEqual(env.faulty ? coalesce(rec.log) : rec.log, ['RAW_SKT_DROP_PROTOCOL"peer closed"', "LOCK_POLL(1)", "DEL_POLL_FD(0)", "UNLOCK_POLL(1)", "RAW_CLOSE", "WSI_DESTROY"]);
      rec.clear();
      cx.destroy();
      cx = null;
      A.deepEqual(rec.log, ["LOCK_POLL(1)", "DEL_POLL_FD(0)", "UNLOCK_POLL(1)", "PROTOCOL_DESTROY"]);
    });

    it("turns POLLOUT on for callbackOnWritable and off before the one WRITEABLE", async () => {
      let server: Wsi | null = null;
      let writeables = 0;
      const rec = recorder("raw", (wsi, reason) => {
        if (reason === LWS_CALLBACK_RAW_ADOPT) server = wsi;
        if (reason === LWS_CALLBACK_RAW_WRITEABLE) {
          writeables++;
          write(wsi, "W");
        }
      });
      cx = rawServer(env, [rec.protocol]);
      const p = env.peer(cx.vhosts[0]!.port);
      await env.waitFor(() => !!server, "adopt");
      rec.clear();
      callbackOnWritable(server!);
      callbackOnWritable(server!);
      await env.waitFor(() => p.text === "W", "one WRITEABLE");
      await env.settle(50);
      A.equal(writeables, 1, "two requests before service give one WRITEABLE");
      A.deepEqual(rec.log, [
        "LOCK_POLL(0)", "CHANGE_MODE_POLL_FD(1->5)", "UNLOCK_POLL(0)",
        "LOCK_POLL(0)", "CHANGE_MODE_POLL_FD(5->5)", "UNLOCK_POLL(0)",
        "LOCK_POLL(0)", "CHANGE_MODE_POLL_FD(5->1)", "UNLOCK_POLL(0)",
        "RAW_WRITEABLE",
      ]);
    });

    it("echoes 200 KB on each of 4 connections without losing or reordering a byte", async () => {
      cx = rawServer(env, [{ name: "echo", callback: echo }]);
      const port = cx.vhosts[0]!.port;
      const data = [0, 1, 2, 3].map((i) => bytes(Math.round(200 * 1024 * env.scale), i + 1));
      const peers = data.map((d) => {
        const p = env.peer(port);
        p.write(d);
        return p;
      });
      await env.waitFor(() => peers.every((p, i) => p.receivedLength >= data[i]!.length), "all echoes", 30000);
      peers.forEach((p, i) => A.ok(sameBytes(p.received, data[i]!), `connection ${i} got its bytes back intact`));
    });

    it("connects a raw client to a raw server: RAW_ADOPT on both sides, bytes both ways, close seen by both", async () => {
      const srv = recorder("srv", echo);
      let got = "";
      const cli = recorder("cli", (wsi, reason, _u, inp) => {
        if (reason === LWS_CALLBACK_RAW_ADOPT) write(wsi, "ping");
        if (reason === LWS_CALLBACK_RAW_RX) {
          got += new TextDecoder().decode(inp);
          if (got === "ping") return -1;
        }
        return 0;
      });
      cx = createContext({ platform: env.platform, options: LWS_SERVER_OPTION_EXPLICIT_VHOSTS });
      const sv = cx.createVhost({ name: "server", iface: env.host, port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [srv.protocol] });
      const cv = cx.createVhost({ name: "client", protocols: [cli.protocol] });
      const pw = { wsi: null as Wsi | null };
      const w = clientConnect({ context: cx, address: env.host, port: sv.port, method: "RAW", vhost: cv, localProtocolName: "cli", pwsi: pw });
      A.ok(w && pw.wsi === w, "clientConnect returns the wsi and sets pwsi");
      await env.waitFor(() => srv.plain().includes("RAW_CLOSE") && cli.plain().includes("RAW_CLOSE"), "both closed");
      A.equal(got, "ping");
      A.deepEqual(coalesce(cli.plain()), ["PROTOCOL_INIT", "WSI_CREATE", "RAW_SKT_BIND_PROTOCOL", "RAW_ADOPT", "RAW_RX[4]", 'RAW_SKT_DROP_PROTOCOL"rx"', "RAW_CLOSE", "WSI_DESTROY"]);
      A.deepEqual(srv.plain().slice(-3), ['RAW_SKT_DROP_PROTOCOL"peer closed"', "RAW_CLOSE", "WSI_DESTROY"]);
    });

    it("reports a refused connect as CLIENT_CONNECTION_ERROR, never as RAW_CLOSE", async () => {
      const cli = recorder("cli");
      cx = createContext({ platform: env.platform, protocols: [cli.protocol] });
      const port = await env.closedPort();
      clientConnect({ context: cx, address: env.host, port, method: "RAW" });
      await env.waitFor(() => cli.plain().includes("WSI_DESTROY"), "connection error");
      const seq = cli.plain().map((e) => e.replace(/^(CLIENT_CONNECTION_ERROR).*/, "$1"));
      A.deepEqual(seq, ["PROTOCOL_INIT", "WSI_CREATE", "RAW_SKT_BIND_PROTOCOL", "CLIENT_CONNECTION_ERROR", 'RAW_SKT_DROP_PROTOCOL"client connection error"', "WSI_DESTROY"]);
      // lws 4.3's words for it; the platform's reason goes to the log
      A.equal(cli.plain()[3], 'CLIENT_CONNECTION_ERROR"Unable to connect"');
    });

    it("refuses a connection from FILTER_NETWORK_CONNECTION before any wsi exists", async () => {
      const rec = recorder("raw", (_w, reason) => (reason === LWS_CALLBACK_FILTER_NETWORK_CONNECTION ? 1 : 0));
      cx = rawServer(env, [rec.protocol]);
      const p = env.peer(cx.vhosts[0]!.port);
      await env.waitFor(() => p.closed || p.eof, "peer sees the close");
      A.deepEqual(rec.plain(), ["PROTOCOL_INIT", "FILTER_NETWORK_CONNECTION"]);
    });

    it("holds reception off with rxFlowControl and delivers everything after", async () => {
      let server: Wsi | null = null;
      let rx = 0;
      cx = rawServer(env, [
        recorder("raw", (wsi, reason, _u, _i, len) => {
          if (reason === LWS_CALLBACK_RAW_ADOPT) {
            server = wsi;
            rxFlowControl(wsi, 0);
          }
          if (reason === LWS_CALLBACK_RAW_RX) rx += len;
        }).protocol,
      ]);
      const p = env.peer(cx.vhosts[0]!.port);
      await env.waitFor(() => !!server, "adopt");
      A.equal(server!.events & 1, 0, "POLLIN is off");
      p.write(bytes(1000));
      await env.settle(100);
      A.equal(rx, 0, "nothing delivered while held off");
      rxFlowControl(server!, 1);
      await env.waitFor(() => rx === 1000, "all delivered after enabling");
    });

    it("gives each connection its own per-session data, from a factory or lws-style size", async () => {
      const users: unknown[] = [];
      cx = createContext({ platform: env.platform, options: LWS_SERVER_OPTION_EXPLICIT_VHOSTS });
      const a = cx.createVhost({ iface: env.host, port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [{ name: "a", perSessionData: () => ({ n: 0 }), callback: (_w, r, u, _in, _len) => (r === LWS_CALLBACK_RAW_ADOPT && users.push(u), 0) }] });
      const b = cx.createVhost({ name: "b", iface: env.host, port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [{ name: "b", perSessionDataSize: 24, callback: (_w, r, u, _in, _len) => (r === LWS_CALLBACK_RAW_ADOPT && users.push(u), 0) }] });
      env.peer(a.port);
      env.peer(a.port);
      env.peer(b.port);
      await env.waitFor(() => users.length === 3, "three adoptions");
      const objs = users.filter((u) => !(u instanceof Uint8Array));
      const arrs = users.filter((u) => u instanceof Uint8Array) as Uint8Array[];
      A.equal(objs.length, 2);
      A.ok(objs[0] !== objs[1], "one object per connection");
      A.deepEqual(objs[0], { n: 0 });
      A.equal(arrs.length, 1);
      A.equal(arrs[0]!.length, 24);
    });

    it("runs several vhosts, each with its own port and protocols, and inits/destroys each protocol per vhost", async () => {
      const r1 = recorder("one", echo);
      const r2 = recorder("two", (w, reason, _u, inp, len) => (reason === LWS_CALLBACK_RAW_RX ? (write(w, "2:"), write(w, inp, len), 0) : 0));
      cx = createContext({ platform: env.platform, options: LWS_SERVER_OPTION_EXPLICIT_VHOSTS });
      const v1 = cx.createVhost({ name: "v1", iface: env.host, port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [r1.protocol] });
      const v2 = cx.createVhost({ name: "v2", iface: env.host, port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [r2.protocol, r1.protocol] });
      A.notEqual(v1.port, v2.port);
      const p1 = env.peer(v1.port), p2 = env.peer(v2.port);
      p1.write("x");
      p2.write("y");
      await env.waitFor(() => p1.text === "x" && p2.text === "2:y", "both vhosts answer in their own way");
      A.equal(r1.log.filter((e) => e === "PROTOCOL_INIT").length, 2, "protocol 'one' inited once per vhost using it");
      cx.destroy();
      cx = null;
      A.equal(r1.log.filter((e) => e === "PROTOCOL_DESTROY").length, 2);
      A.equal(r2.log.filter((e) => e === "PROTOCOL_DESTROY").length, 1);
    });

    it("sends EVENT_WAIT_CANCELLED to every protocol of every vhost after cancelService()", async () => {
      const r1 = recorder("one"), r2 = recorder("two"), r3 = recorder("three");
      cx = createContext({ platform: env.platform, options: LWS_SERVER_OPTION_EXPLICIT_VHOSTS });
      cx.createVhost({ name: "a", protocols: [r1.protocol, r2.protocol] });
      cx.createVhost({ name: "b", protocols: [r3.protocol] });
      cancelService(cx);
      cancelService(cx);
      await env.waitFor(() => r3.log.includes("EVENT_WAIT_CANCELLED"), "cancel delivered");
      await env.settle(20);
      for (const r of [r1, r2, r3]) A.equal(r.log.filter((e) => e === "EVENT_WAIT_CANCELLED").length, 1, `${r.protocol.name}: once (coalesced)`);
    });

    it("passes LWS_CALLBACK_USER+n to every connection of a protocol with callbackAllProtocol()", async () => {
      const seen: number[] = [];
      const proto = { name: "raw", callback: (_w: Wsi, reason: number) => (reason >= LWS_CALLBACK_USER && seen.push(reason), 0) };
      cx = rawServer(env, [proto as any]);
      env.peer(cx.vhosts[0]!.port);
      env.peer(cx.vhosts[0]!.port);
      await env.waitFor(() => cx!.vhosts[0]!.connections === 2, "two connections");
      callbackAllProtocol(cx, cx.vhosts[0]!.protocols[0]!, LWS_CALLBACK_USER + 7);
      A.deepEqual(seen, [1007, 1007]);
    });

    it("fires TIMER after setTimerUsecs, extends it when set again, and never after cancel", async () => {
      let server: Wsi | null = null;
      const times: number[] = [];
      cx = rawServer(env, [
        recorder("raw", (wsi, reason) => {
          if (reason === LWS_CALLBACK_RAW_ADOPT) server = wsi;
          if (reason === LWS_CALLBACK_TIMER) times.push(env.platform.now());
        }).protocol,
      ]);
      env.peer(cx.vhosts[0]!.port);
      await env.waitFor(() => !!server, "adopt");
      const t0 = env.platform.now();
      setTimerUsecs(server!, 50_000);
      setTimerUsecs(server!, 80_000);
      await env.waitFor(() => times.length === 1, "timer");
      A.ok(times[0]! - t0 >= 80_000, `fired after the extended deadline (${times[0]! - t0}us)`);
      if (env.deterministic) A.equal(times[0]! - t0, 80_000, "exactly on time in virtual time");
      setTimerUsecs(server!, 10_000);
      setTimerUsecs(server!, -1);
      await env.settle(100);
      A.equal(times.length, 1, "cancelled timer never fires");
    });

    it("closes a connection when its pending timeout expires, and at once with LWS_TO_KILL_ASYNC", async () => {
      const adopted: Wsi[] = [];
      const rec = recorder("raw", (wsi, reason) => (reason === LWS_CALLBACK_RAW_ADOPT && adopted.push(wsi), 0));
      cx = rawServer(env, [rec.protocol]);
      const p1 = env.peer(cx.vhosts[0]!.port);
      await env.waitFor(() => adopted.length === 1, "adopt 1");
      const t0 = env.platform.now();
      setWsiTimeout(adopted[0]!, PENDING_TIMEOUT_USER_OK, 1);
      await env.waitFor(() => p1.eof || p1.closed, "timeout close", 5000);
      const dt = env.platform.now() - t0;
      A.ok(dt >= 1_000_000, `closed after the timeout (${dt}us)`);
      if (env.deterministic) A.ok(dt <= 1_000_000 + 1000, `closed on time (${dt}us)`);
      const p2 = env.peer(cx.vhosts[0]!.port);
      await env.waitFor(() => adopted.length === 2, "adopt 2");
      setWsiTimeout(adopted[1]!, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
      A.ok(!adopted[1]!.dead, "async kill waits for the loop");
      await env.waitFor(() => p2.eof || p2.closed, "async kill");
    });

    it("adopts a pipe as a raw file: RAW_ADOPT_FILE, RAW_RX_FILE to read, close at end of stream", async function () {
      if (!env.pipe) return;
      const pipe = await env.pipe();
      let text = "";
      const rec = recorder("file", (wsi, reason) => {
        if (reason === LWS_CALLBACK_RAW_RX_FILE) {
          const b = rawFileRead(wsi);
          if (b && b.length) text += new TextDecoder().decode(b);
        }
      });
      cx = createContext({ platform: env.platform, protocols: [rec.protocol] });
      const w = adoptFile(cx.vhosts[0]!, pipe.readFd);
      A.ok(w, "adopted");
      pipe.write("line one\n");
      await env.waitFor(() => text === "line one\n", "first line");
      pipe.write("line two\n");
      pipe.close();
      await env.waitFor(() => rec.plain().includes("WSI_DESTROY"), "closed at end of stream");
      A.equal(text, "line one\nline two\n");
      const plain = rec.plain();
      A.deepEqual(plain.slice(0, 4), ["PROTOCOL_INIT", "WSI_CREATE", "RAW_FILE_BIND_PROTOCOL", "RAW_ADOPT_FILE"]);
      A.deepEqual(plain.slice(-3), ['RAW_FILE_DROP_PROTOCOL"end of file"', "RAW_CLOSE_FILE", "WSI_DESTROY"]);
    });

    it("closes children first and tells the parent CHILD_CLOSING with the child as `in`", async function () {
      if (!env.pipe) return;
      const pipe = await env.pipe();
      let parent: Wsi | null = null;
      let childClosing: { wsi: Wsi; user: unknown; inp: unknown } | null = null;
      const order: string[] = [];
      const proto = {
        name: "raw",
        perSessionData: () => ({ tag: "parent-pss" }),
        callback: (wsi: Wsi, reason: number, user: any, inp: any) => {
          if (reason === LWS_CALLBACK_RAW_ADOPT) parent = wsi;
          if (reason === 69) {
            childClosing = { wsi, user, inp };
            order.push("CHILD_CLOSING");
          }
          if (reason === 66) order.push("RAW_CLOSE_FILE");
          if (reason === 60) order.push("RAW_CLOSE");
          return 0;
        },
      };
      cx = rawServer(env, [proto as any]);
      const p = env.peer(cx.vhosts[0]!.port);
      await env.waitFor(() => !!parent, "adopt");
      const child = adoptFile(cx.vhosts[0]!, pipe.readFd, { parent })!;
      A.equal(child.parent, parent);
      p.end();
      await env.waitFor(() => order.includes("RAW_CLOSE"), "parent closed");
      A.deepEqual(order, ["RAW_CLOSE_FILE", "CHILD_CLOSING", "RAW_CLOSE"]);
      A.equal(childClosing!.inp, child);
      A.equal(childClosing!.wsi, child);
      A.deepEqual(childClosing!.user, { tag: "parent-pss" });
      A.ok(child.dead);
    });
  });
}
