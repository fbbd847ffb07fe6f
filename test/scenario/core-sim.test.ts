// Core behaviour on the sim platform: lifecycle reasons of other roles, limits,
// threads, errors from user code, and clear errors for bad input.
import * as A from "../lib/assert.js";
import { simEnv } from "../lib/env.js";
import { recorder } from "../lib/recorder.js";
import {
  createContext,
  clientConnect,
  write,
  setWsiTimeout,
  LWS_CALLBACK_RAW_ADOPT,
  LWS_CALLBACK_RAW_RX,
  LWS_CALLBACK_GET_THREAD_ID,
  LWS_CALLBACK_EVENT_WAIT_CANCELLED,
  LWS_SERVER_OPTION_ONLY_RAW,
  LWS_SERVER_OPTION_EXPLICIT_VHOSTS,
  LWS_TO_KILL_SYNC,
  PENDING_TIMEOUT_USER_OK,
  callbackOnWritable,
  callbackOnWritableAllProtocol,
  adoptFile,
  rawFileRead,
  rxFlowControl,
  LWS_RXFLOW_REASON_APPLIES_DISABLE,
  LWS_RXFLOW_REASON_APPLIES_ENABLE,
  LWS_RXFLOW_REASON_HTTP_RXBUFFER,
  type RoleOps,
  type Wsi,
} from "../../src/index.js";
import { HANDLED, type ServiceResult } from "../../src/core/role.js";

/** a minimal role with no adoption callback of its own, like lws' h1 before the HTTP role */
const lineRole: RoleOps = {
  name: "test-line",
  writeableCb: [16, 16],
  closeCb: [5, 5],
  bindCb: [49, 49],
  unbindCb: [50, 50],
  handlePollin(wsi: Wsi): ServiceResult {
    const b = wsi.context.read(wsi);
    if (b && !b.length) {
      wsi.context.closeWsi(wsi, 0, "eof");
      return 2;
    }
    return HANDLED;
  },
};

describe("core on sim", () => {
  it("sends SERVER_NEW_CLIENT_INSTANTIATED to protocols[0] for a role without an adoption callback", async () => {
    const env = simEnv();
    const r0 = recorder("zero"), r1 = recorder("one");
    const cx = createContext({ platform: env.platform, roles: [lineRole], iface: "127.0.0.1", port: 0, listenAcceptRole: "test-line", listenAcceptProtocol: "one", protocols: [r0.protocol, r1.protocol] });
    env.peer(cx.vhosts[0]!.port);
    await env.waitFor(() => r0.plain().includes("SERVER_NEW_CLIENT_INSTANTIATED"), "instantiated");
    A.deepEqual(r0.plain(), ["PROTOCOL_INIT", "FILTER_NETWORK_CONNECTION", "WSI_CREATE", "SERVER_NEW_CLIENT_INSTANTIATED"]);
    A.deepEqual(r1.plain(), ["PROTOCOL_INIT", "HTTP_BIND_PROTOCOL"]);
    cx.destroy();
  });

  it("refuses to listen as a role the build does not have, saying which roles it has", () => {
    const env = simEnv();
    A.throws(() => createContext({ platform: env.platform, port: 0, listenAcceptRole: "h2", protocols: [recorder("x").protocol] }), /role 'h2'.*have: raw-skt, raw-file, h1/);
  });

  it("gives clear errors for bad creation info", () => {
    const env = simEnv();
    A.throws(() => createContext({} as never), /needs a platform/);
    const cx = createContext({ platform: env.platform, options: LWS_SERVER_OPTION_EXPLICIT_VHOSTS });
    A.throws(() => cx.createVhost({ protocols: [] }), /at least one protocol/);
    A.throws(() => cx.createVhost({ protocols: [recorder("a").protocol, recorder("a").protocol] }), /'a' given twice/);
    A.throws(() => cx.createVhost({ protocols: [{ name: "n" } as never] }), /name and a callback/);
    A.throws(() => cx.createVhost({ port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, listenAcceptProtocol: "nope", protocols: [recorder("a").protocol] }), /listenAcceptProtocol 'nope'/);
    const v = cx.createVhost({ name: "first", port: 5000, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [recorder("a").protocol] });
    A.throws(() => cx.createVhost({ name: "second", port: v.port, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [recorder("b").protocol] }), /'second' cannot listen on 0.0.0.0:5000: EADDRINUSE/);
    A.throws(() => clientConnect({ context: cx, address: "127.0.0.1", port: 70000, method: "RAW" }), /not a TCP port/);
    A.throws(() => clientConnect({ context: cx, address: "127.0.0.1", port: 80, method: "get" }), /not an HTTP method/);
    A.throws(() => clientConnect({ context: cx, address: "127.0.0.1", port: 80, method: "RAW", localProtocolName: "zz" }), /no protocol 'zz'/);
    cx.destroy();
  });

  it("closes what is over a vhost's connection limit at once", async () => {
    const env = simEnv();
    const rec = recorder("raw");
    const cx = createContext({ platform: env.platform, iface: "127.0.0.1", port: 0, maxConnections: 2, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [rec.protocol] });
    const peers = [1, 2, 3].map(() => env.peer(cx.vhosts[0]!.port));
    await env.waitFor(() => peers[2]!.closed || peers[2]!.eof, "third refused");
    A.equal(rec.plain().filter((e) => e === "RAW_ADOPT").length, 2);
    A.ok(!peers[0]!.closed && !peers[1]!.closed);
    cx.destroy();
  });

  it("takes an exception thrown by a callback as -1: the connection closes, the context lives on", async () => {
    const env = simEnv();
    const logs: string[] = [];
    const cx = createContext({
      platform: env.platform, iface: "127.0.0.1", port: 0, options: LWS_SERVER_OPTION_ONLY_RAW,
      protocols: [{ name: "raw", callback: (wsi, reason, _u, in_, len) => {
        if (reason === LWS_CALLBACK_RAW_RX) {
          if (new TextDecoder().decode(in_) === "boom") throw new Error("user bug");
          write(wsi, in_, len);
        }
        return 0;
      } }],
    });
    cx.log = (level, msg) => void logs.push(`${level}: ${msg}`);
    const bad = env.peer(cx.vhosts[0]!.port);
    bad.write("boom");
    await env.waitFor(() => bad.eof || bad.closed, "bad connection closed");
    A.ok(logs.some((l) => /^err: .*RAW_RX threw: Error: user bug/.test(l)), logs.join("\n"));
    const good = env.peer(cx.vhosts[0]!.port);
    good.write("fine");
    await env.waitFor(() => good.text === "fine", "still serving");
    cx.destroy();
  });

  it("closes at once with LWS_TO_KILL_SYNC and refuses writes and writeable requests after close", async () => {
    const env = simEnv();
    let w: Wsi | null = null;
    const rec = recorder("raw", (wsi, reason) => (reason === LWS_CALLBACK_RAW_ADOPT && (w = wsi), 0));
    const cx = createContext({ platform: env.platform, iface: "127.0.0.1", port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [rec.protocol] });
    env.peer(cx.vhosts[0]!.port);
    await env.waitFor(() => !!w, "adopt");
    setWsiTimeout(w!, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
    A.ok(w!.dead, "closed synchronously");
    A.deepEqual(rec.plain().slice(-3), ['RAW_SKT_DROP_PROTOCOL"to sync kill"', "RAW_CLOSE", "WSI_DESTROY"]);
    A.equal(write(w!, "late"), -1);
    A.equal(callbackOnWritable(w!), 0);
    cx.destroy();
  });

  it("asks GET_THREAD_ID once, and cancels the service wait when a change comes from another thread id", async () => {
    const env = simEnv();
    let tid = 1;
    let w: Wsi | null = null;
    const rec = recorder("raw", (wsi, reason) => {
      if (reason === LWS_CALLBACK_GET_THREAD_ID) return tid;
      if (reason === LWS_CALLBACK_RAW_ADOPT) w = wsi;
      return 0;
    });
    const cx = createContext({ platform: env.platform, iface: "127.0.0.1", port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [rec.protocol] });
    env.peer(cx.vhosts[0]!.port);
    await env.waitFor(() => !!w, "adopt");
    A.equal(rec.log.filter((e) => e === "GET_THREAD_ID").length, 1);
    tid = 2;
    callbackOnWritable(w!);
    await env.settle(10);
    A.ok(rec.log.includes("EVENT_WAIT_CANCELLED"), "a change from 'another thread' wakes the loop");
    A.equal(rec.log.filter((e) => e === "EVENT_WAIT_CANCELLED").length, 1);
    void LWS_CALLBACK_EVENT_WAIT_CANCELLED;
    cx.destroy();
  });

  it("times out a raw client whose connect never completes, with CLIENT_CONNECTION_ERROR 'Unable to connect' (lws 4.3)", async () => {
    const env = simEnv({ latencyUs: 30_000_000 });
    const rec = recorder("cli");
    const cx = createContext({ platform: env.platform, timeoutSecs: 5, protocols: [rec.protocol] });
    clientConnect({ context: cx, address: "127.0.0.1", port: 9, method: "RAW" });
    await env.waitFor(() => rec.plain().includes("WSI_DESTROY"), "timeout", 10000);
    A.ok(rec.plain().includes('CLIENT_CONNECTION_ERROR"Unable to connect"'), rec.plain().join(","));
    A.equal(env.sim.now(), 5_000_000);
    cx.destroy();
  });

  it("passes each protocol its per-vhost options at PROTOCOL_INIT", () => {
    const env = simEnv();
    const got: unknown[] = [];
    const cb = (_w: Wsi, reason: number, _u: unknown, in_: unknown, _l: number) => (reason === 27 && got.push(in_), 0);
    const cx = createContext({ platform: env.platform, pvo: { a: { greeting: "hi" } }, protocols: [{ name: "a", callback: cb }, { name: "b", callback: cb }] });
    A.deepEqual(got, [{ greeting: "hi" }, null]);
    cx.destroy();
  });

  it("asks WRITEABLE of every connection of a protocol with callbackOnWritableAllProtocol()", async () => {
    const env = simEnv();
    let writeables = 0;
    const proto = { name: "raw", callback: (w: Wsi, reason: number, _u: unknown, _i: unknown, _l: number) => (reason === 61 && (writeables++, write(w, "b")), 0) };
    const cx = createContext({ platform: env.platform, iface: "127.0.0.1", port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [proto] });
    const peers = [1, 2, 3].map(() => env.peer(cx.vhosts[0]!.port));
    await env.waitFor(() => cx.vhosts[0]!.connections === 3, "connected");
    callbackOnWritableAllProtocol(cx, proto);
    await env.waitFor(() => peers.every((p) => p.text === "b"), "broadcast");
    A.equal(writeables, 3);
    cx.destroy();
  });

  it("adopts an in-memory sim file and reads it to the end", async () => {
    const env = simEnv();
    env.sim.fileSystem.set("/data.txt", new TextEncoder().encode("x".repeat(10000)));
    let n = 0;
    const rec = recorder("file", (wsi, reason) => {
      if (reason === 64) {
        const b = rawFileRead(wsi, 1000);
        if (b) n += b.length;
      }
    });
    const cx = createContext({ platform: env.platform, protocols: [rec.protocol] });
    adoptFile(cx.vhosts[0]!, "/data.txt");
    await env.waitFor(() => rec.plain().includes("WSI_DESTROY"), "end of file");
    A.equal(n, 10000);
    A.equal(rec.plain().filter((e) => e === "RAW_RX_FILE").length, 11, "ten reads of 1000 bytes, then the end");
    A.throws(() => adoptFile(cx.vhosts[0]!, "/missing"), /no such file/);
    cx.destroy();
  });

  it("keeps reception off while any rxFlowControl reason holds it, as lws' reason bits do", async () => {
    const env = simEnv();
    let w: Wsi | null = null;
    const cx = createContext({ platform: env.platform, iface: "127.0.0.1", port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [recorder("raw", (wsi, r) => (r === LWS_CALLBACK_RAW_ADOPT && (w = wsi), 0)).protocol] });
    env.peer(cx.vhosts[0]!.port);
    await env.waitFor(() => !!w, "adopt");
    const POLLIN = 1;
    rxFlowControl(w!, LWS_RXFLOW_REASON_APPLIES_DISABLE | LWS_RXFLOW_REASON_HTTP_RXBUFFER);
    A.equal(w!.events & POLLIN, 0);
    rxFlowControl(w!, 0);
    rxFlowControl(w!, 1);
    A.equal(w!.events & POLLIN, 0, "the user's enable does not lift another reason");
    rxFlowControl(w!, LWS_RXFLOW_REASON_APPLIES_ENABLE | LWS_RXFLOW_REASON_HTTP_RXBUFFER);
    A.equal(w!.events & POLLIN, POLLIN);
    rxFlowControl(w!, false);
    A.equal(w!.events & POLLIN, 0);
    rxFlowControl(w!, true);
    A.equal(w!.events & POLLIN, POLLIN);
    cx.destroy();
  });

  it("finds a protocol given as a copy (same name and callback), as lws matches them", async () => {
    const env = simEnv();
    let writeables = 0;
    const proto = { name: "raw", callback: (w: Wsi, reason: number, _u: unknown, _i: unknown, _l: number) => (reason === 61 && (writeables++, write(w, "b")), 0) };
    const cx = createContext({ platform: env.platform, iface: "127.0.0.1", port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [{ ...proto }] });
    const p = env.peer(cx.vhosts[0]!.port);
    await env.waitFor(() => cx.vhosts[0]!.connections === 1, "connected");
    callbackOnWritableAllProtocol(cx, proto);
    await env.waitFor(() => p.text === "b", "writeable through the copy");
    A.equal(writeables, 1);
    cx.destroy();
  });
});
