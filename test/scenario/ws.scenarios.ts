// WebSocket server scenarios, on every platform environment.
import * as A from "../lib/assert.js";
import { bytes, sameBytes, type ScenarioEnv } from "../lib/env.js";
import { recorder } from "../lib/recorder.js";
import { WsTestClient } from "../lib/ws-peer.js";
import { startApp } from "../../examples/app/app.js";
import {
  createContext,
  write,
  closeReason,
  callbackHttpDummy,
  isFirstFragment,
  isFinalFragment,
  frameIsBinary,
  remainingPacketPayload,
  LWS_CALLBACK_RECEIVE,
  LWS_CALLBACK_HTTP_CONFIRM_UPGRADE,
  LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION,
  LWS_CALLBACK_WS_PEER_INITIATED_CLOSE,
  LWS_WRITE_TEXT,
  type Context,
  type Protocol,
} from "../../src/index.js";
import { OPCODE_BINARY, OPCODE_CLOSE, OPCODE_CONTINUATION, OPCODE_PING, OPCODE_TEXT } from "../../src/roles/ws/frame.js";

export function defineWsScenarios(label: string, makeEnv: () => ScenarioEnv): void {
  describe(`WebSocket server on ${label}`, function () {
    let env: ScenarioEnv;
    let cx: Context | null = null;
    beforeEach(() => (env = makeEnv()));
    afterEach(() => {
      cx?.destroy();
      cx = null;
      env.done();
    });

    function demo(): number {
      const app = startApp(env.platform, { host: env.host, port: 0, wsMaxMessageSize: 1 << 20 });
      cx = app.context;
      return app.port;
    }

    it("upgrades with the RFC 6455 accept key and echoes text and binary messages whole", async () => {
      const port = demo();
      const c = new WsTestClient(env.peer(port), "/any/path");
      await env.waitFor(() => c.poll().status !== 0, "101");
      A.equal(c.status, 101);
      A.ok(/sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i.test(c.responseHead), c.responseHead);
      A.ok(!/sec-websocket-protocol/i.test(c.responseHead), "no subprotocol was asked, none is named");
      c.send(OPCODE_TEXT, "hello");
      const big = bytes(Math.round(200000 * env.scale), 3);
      c.send(OPCODE_BINARY, big);
      c.send(OPCODE_TEXT, "");
      await env.waitFor(() => c.poll().messages.length === 3, "three echoes", 30000);
      A.equal(c.messages[0]!.text, "hello");
      A.ok(!c.messages[0]!.binary);
      A.ok(c.messages[1]!.binary);
      A.ok(sameBytes(c.messages[1]!.data, big));
      A.equal(c.messages[2]!.text, "");
    });

    it("reassembles fragmented messages with pings interleaved, and answers pings with pongs", async () => {
      const port = demo();
      const c = new WsTestClient(env.peer(port), "/", "echo");
      await env.waitFor(() => c.poll().status !== 0, "101");
      A.ok(/sec-websocket-protocol: echo/i.test(c.responseHead));
      c.send(OPCODE_TEXT, "frag", false);
      c.send(OPCODE_PING, "p1");
      c.send(OPCODE_CONTINUATION, "men", false);
      c.send(OPCODE_CONTINUATION, "ted ✓", true);
      await env.waitFor(() => c.poll().messages.length === 1 && c.pongs.length === 1, "echo and pong");
      A.equal(c.messages[0]!.text, "fragmented ✓");
      A.equal(new TextDecoder().decode(c.pongs[0]!), "p1");
    });

    it("chooses the first requested subprotocol the vhost has, and refuses when it has none", async () => {
      const port = demo();
      const c = new WsTestClient(env.peer(port), "/", "nope, dumb-increment-protocol, echo");
      await env.waitFor(() => c.poll().messages.length >= 3, "numbers");
      A.ok(/sec-websocket-protocol: dumb-increment-protocol/i.test(c.responseHead));
      const n = c.messages.map((m) => Number(m.text));
      A.ok(n[1] === n[0]! + 1 && n[2] === n[1]! + 1, `counting: ${n.slice(0, 3)}`);
      const d = new WsTestClient(env.peer(port), "/", "nothing-here");
      await env.waitFor(() => d.poll().status !== 0, "answer");
      A.equal(d.status, 400);
    });

    it("answers 426 with Sec-WebSocket-Version for another version, 400 for a bad key", async () => {
      const port = demo();
      const p = env.peer(port);
      p.write("GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n");
      await env.waitFor(() => /\r\n\r\n/.test(p.text), "answer");
      A.ok(/^HTTP\/1\.1 426/.test(p.text));
      A.ok(/sec-websocket-version: 13/i.test(p.text));
      const q = env.peer(port);
      q.write("GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n");
      await env.waitFor(() => /\r\n\r\n/.test(q.text), "answer");
      A.ok(/^HTTP\/1\.1 400/.test(q.text));
    });

    it("closes with 1002 for an unmasked client frame, 1007 for bad UTF-8, 1009 beyond the size limit", async () => {
      const port = demo();
      const cases: [Uint8Array | ((c: WsTestClient) => void), number][] = [
        [new Uint8Array([0x81, 0x02, 0x68, 0x69]), 1002],
        [(c) => c.send(OPCODE_TEXT, new Uint8Array([0x68, 0xc3, 0x28])), 1007],
        [(c) => c.send(OPCODE_BINARY, new Uint8Array((1 << 20) + 1)), 1009],
      ];
      for (const [act, code] of cases) {
        const c = new WsTestClient(env.peer(port));
        await env.waitFor(() => c.poll().status === 101, "101");
        if (act instanceof Uint8Array) c.sendRaw(act);
        else act(c);
        await env.waitFor(() => c.poll().closeFrame !== null, `close ${code}`, 20000);
        A.equal(c.closeCode, code);
      }
    });

    it("gives the fragment API and WS_PEER_INITIATED_CLOSE, echoing the close unless the callback declines", async () => {
      const seen: string[] = [];
      const rec = recorder("frag", (wsi, reason, _u, in_, len) => {
        if (reason === LWS_CALLBACK_RECEIVE) seen.push(`${isFirstFragment(wsi) ? "F" : "-"}${isFinalFragment(wsi) ? "L" : "-"}${frameIsBinary(wsi) ? "b" : "t"}${len}r${remainingPacketPayload(wsi)}`);
        if (reason === LWS_CALLBACK_WS_PEER_INITIATED_CLOSE) seen.push(`close ${(in_[0] << 8) | in_[1]} ${new TextDecoder().decode(in_.subarray(2))}`);
        return 0;
      });
      cx = createContext({ platform: env.platform, iface: env.host, port: 0, protocols: [{ name: "http", callback: callbackHttpDummy }, rec.protocol], wsDefaultProtocol: "frag" });
      const c = new WsTestClient(env.peer(cx.vhosts[0]!.port));
      await env.waitFor(() => c.poll().status === 101, "101");
      c.send(OPCODE_BINARY, "ab", false);
      c.send(OPCODE_CONTINUATION, "cd", true);
      c.send(OPCODE_CLOSE, new Uint8Array([0x03, 0xe8, 0x62, 0x79, 0x65]));
      await env.waitFor(() => c.poll().closeFrame !== null, "close echoed");
      A.equal(c.closeCode, 1000);
      A.ok(seen[0]!.startsWith("F-b"), seen.join(" "));
      A.ok(seen.some((s) => s.startsWith("-Lb")), seen.join(" "));
      A.equal(seen[seen.length - 1], "close 1000 bye");
      await env.waitFor(() => rec.plain().includes("CLOSED"), "closed");
      const plain = rec.plain();
      A.deepEqual(plain.slice(0, 4), ["PROTOCOL_INIT", 'FILTER_PROTOCOL_CONNECTION', "WS_SERVER_BIND_PROTOCOL", "ESTABLISHED"]);
      A.deepEqual(plain.slice(-2), ['WS_SERVER_DROP_PROTOCOL"peer close"', "CLOSED"]);
    });

    it("sends the close reason set with closeReason when a callback returns nonzero", async () => {
      const p: Protocol = {
        name: "closer",
        callback(wsi, reason, _u, in_, _len) {
          if (reason === LWS_CALLBACK_RECEIVE) {
            write(wsi, "bye", undefined, LWS_WRITE_TEXT);
            closeReason(wsi, 4000, "custom reason");
            return -1;
          }
          return 0;
        },
      };
      cx = createContext({ platform: env.platform, iface: env.host, port: 0, protocols: [{ name: "http", callback: callbackHttpDummy }, p], wsDefaultProtocol: "closer" });
      const c = new WsTestClient(env.peer(cx.vhosts[0]!.port));
      await env.waitFor(() => c.poll().status === 101, "101");
      c.send(OPCODE_TEXT, "x");
      await env.waitFor(() => c.poll().closeFrame !== null, "close");
      A.equal(c.messages[0]?.text, "bye");
      A.equal(c.closeCode, 4000);
      A.equal(new TextDecoder().decode(c.closeFrame!.subarray(2)), "custom reason");
    });

    it("lets HTTP_CONFIRM_UPGRADE and FILTER_PROTOCOL_CONNECTION refuse an upgrade", async () => {
      let refuse = "confirm";
      const p0: Protocol = { name: "http", callback: (w, r, u, i, l) => (r === LWS_CALLBACK_HTTP_CONFIRM_UPGRADE && refuse === "confirm" ? -1 : callbackHttpDummy(w, r, u, i, l)) };
      const p1: Protocol = { name: "x", callback: (_w, r, _u, _i, _l) => (r === LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION && refuse === "filter" ? 1 : 0) };
      cx = createContext({ platform: env.platform, iface: env.host, port: 0, protocols: [p0, p1], wsDefaultProtocol: "x" });
      for (const what of ["confirm", "filter"]) {
        refuse = what;
        const peer = env.peer(cx.vhosts[0]!.port);
        const c = new WsTestClient(peer);
        await env.waitFor(() => peer.eof || peer.closed, `${what} refuses`);
        A.equal(c.poll().status, 0, "no 101");
      }
    });
  });
}
