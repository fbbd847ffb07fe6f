// A WebSocket conformance suite of our own, in the style of the Autobahn
// testsuite's sections (1 framing, 2 pings/pongs, 3 reserved bits,
// 4 opcodes, 5 fragmentation, 6 UTF-8, 7 close handling, 9 limits), run end
// to end against the demo's echo protocol on every platform environment.

import * as A from "../lib/assert.js";
import { bytes, sameBytes, type ScenarioEnv } from "../lib/env.js";
import { WsTestClient } from "../lib/ws-peer.js";
import { startApp } from "../../examples/app/app.js";
import { encodeFrame, OPCODE_BINARY, OPCODE_CLOSE, OPCODE_CONTINUATION, OPCODE_PING, OPCODE_PONG, OPCODE_TEXT } from "../../src/roles/ws/frame.js";
import type { Context } from "../../src/index.js";

const MASK = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);
const te = new TextEncoder();

/** one frame, any bits, masked as a client must (unless `unmasked`) */
function frame(opcode: number, payload: Uint8Array | string, o: { fin?: boolean; rsv?: number; unmasked?: boolean } = {}): Uint8Array {
  const p = typeof payload === "string" ? te.encode(payload) : payload;
  const f = encodeFrame(opcode, p, { fin: o.fin ?? true, mask: o.unmasked ? null : MASK });
  if (o.rsv) f[0] = f[0]! | (o.rsv << 4);
  return f;
}

function closeFrame(code: number | null, reason: Uint8Array | string = ""): Uint8Array {
  if (code === null) return frame(OPCODE_CLOSE, new Uint8Array(0));
  const r = typeof reason === "string" ? te.encode(reason) : reason;
  const p = new Uint8Array(2 + r.length);
  p[0] = code >> 8;
  p[1] = code & 0xff;
  p.set(r, 2);
  return frame(OPCODE_CLOSE, p);
}

type Expect =
  /** the server echoes these messages (text or bytes), and stays open */
  | { echo: (string | Uint8Array)[]; pongs?: string[] }
  /** the server closes with this code (after echoing `echo` first, if given) */
  | { close: number; echo?: (string | Uint8Array)[]; pongs?: string[] };

interface Case {
  id: string;
  what: string;
  send: Uint8Array[];
  expect: Expect;
}

const utf8 = (...b: number[]) => new Uint8Array(b);

const CASES: Case[] = [
  // 1 framing
  ...[0, 125, 126, 127, 128, 65535, 65536].map((n, i): Case => ({ id: `1.1.${i + 1}`, what: `text message of ${n} bytes`, send: [frame(OPCODE_TEXT, "*".repeat(n))], expect: { echo: ["*".repeat(n)] } })),
  ...[0, 125, 126, 127, 128, 65535, 65536].map((n, i): Case => ({ id: `1.2.${i + 1}`, what: `binary message of ${n} bytes`, send: [frame(OPCODE_BINARY, bytes(n, n + 1))], expect: { echo: [bytes(n, n + 1)] } })),
  // 2 pings and pongs
  { id: "2.1", what: "ping without payload", send: [frame(OPCODE_PING, "")], expect: { echo: [], pongs: [""] } },
  { id: "2.2", what: "ping with text payload", send: [frame(OPCODE_PING, "Hello, world!")], expect: { echo: [], pongs: ["Hello, world!"] } },
  { id: "2.4", what: "ping with 125 bytes", send: [frame(OPCODE_PING, "x".repeat(125))], expect: { echo: [], pongs: ["x".repeat(125)] } },
  { id: "2.5", what: "ping with 126 bytes", send: [frame(OPCODE_PING, "x".repeat(126))], expect: { close: 1002 } },
  { id: "2.6", what: "unsolicited pong is ignored", send: [frame(OPCODE_PONG, "unasked"), frame(OPCODE_TEXT, "after")], expect: { echo: ["after"] } },
  { id: "2.8", what: "unsolicited pong, then ping", send: [frame(OPCODE_PONG, "x"), frame(OPCODE_PING, "y")], expect: { echo: [], pongs: ["y"] } },
  { id: "2.10", what: "ten pings", send: Array.from({ length: 10 }, (_, i) => frame(OPCODE_PING, `p${i}`)), expect: { echo: [], pongs: Array.from({ length: 10 }, (_, i) => `p${i}`) } },
  // 3 reserved bits (no extension negotiated)
  { id: "3.1", what: "RSV1 on a text frame", send: [frame(OPCODE_TEXT, "x", { rsv: 4 })], expect: { close: 1002 } },
  { id: "3.2", what: "RSV2 after a good message", send: [frame(OPCODE_TEXT, "ok"), frame(OPCODE_TEXT, "x", { rsv: 2 })], expect: { close: 1002, echo: ["ok"] } },
  { id: "3.3", what: "RSV3 on a ping", send: [frame(OPCODE_PING, "x", { rsv: 1 })], expect: { close: 1002 } },
  { id: "3.7", what: "all reserved bits on a close", send: [frame(OPCODE_CLOSE, "", { rsv: 7 })], expect: { close: 1002 } },
  // 4 opcodes
  ...[3, 4, 5, 6, 7, 11, 12, 13, 14, 15].map((op, i): Case => ({ id: `4.${op < 8 ? 1 : 2}.${i + 1}`, what: `reserved opcode ${op}`, send: [frame(op, "x")], expect: { close: 1002 } })),
  // 5 fragmentation
  { id: "5.1", what: "fragmented ping", send: [frame(OPCODE_PING, "a", { fin: false }), frame(OPCODE_CONTINUATION, "b")], expect: { close: 1002 } },
  { id: "5.3", what: "text in two fragments", send: [frame(OPCODE_TEXT, "frag", { fin: false }), frame(OPCODE_CONTINUATION, "ment")], expect: { echo: ["fragment"] } },
  { id: "5.6", what: "ping between fragments", send: [frame(OPCODE_TEXT, "a", { fin: false }), frame(OPCODE_PING, "p"), frame(OPCODE_CONTINUATION, "b")], expect: { echo: ["ab"], pongs: ["p"] } },
  { id: "5.9", what: "continuation without a message", send: [frame(OPCODE_CONTINUATION, "x")], expect: { close: 1002 } },
  { id: "5.15", what: "a new text frame while a message is in progress", send: [frame(OPCODE_TEXT, "a", { fin: false }), frame(OPCODE_TEXT, "b")], expect: { close: 1002 } },
  { id: "5.19", what: "many one-byte fragments with pings", send: [frame(OPCODE_TEXT, "1", { fin: false }), ...["2", "3", "4", "5"].flatMap((c) => [frame(OPCODE_CONTINUATION, c, { fin: false }), frame(OPCODE_PING, c)]), frame(OPCODE_CONTINUATION, "6")], expect: { echo: ["123456"], pongs: ["2", "3", "4", "5"] } },
  { id: "5.20", what: "empty fragments", send: [frame(OPCODE_BINARY, "", { fin: false }), frame(OPCODE_CONTINUATION, "", { fin: false }), frame(OPCODE_CONTINUATION, "")], expect: { echo: [new Uint8Array(0)] } },
  // 6 UTF-8
  { id: "6.2.1", what: "valid UTF-8 with 2, 3 and 4 byte sequences", send: [frame(OPCODE_TEXT, "κόσμε ✓ 𝄞")], expect: { echo: ["κόσμε ✓ 𝄞"] } },
  { id: "6.2.3", what: "valid UTF-8 split inside a character across fragments", send: [frame(OPCODE_TEXT, utf8(0xf0, 0x9d), { fin: false }), frame(OPCODE_CONTINUATION, utf8(0x84, 0x9e))], expect: { echo: ["𝄞"] } },
  { id: "6.3.1", what: "invalid UTF-8 (stray continuation byte)", send: [frame(OPCODE_TEXT, utf8(0x61, 0x80, 0x62))], expect: { close: 1007 } },
  { id: "6.4.1", what: "invalid UTF-8 fails fast, before the message ends", send: [frame(OPCODE_TEXT, utf8(0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xf4, 0x90, 0x80, 0x80), { fin: false })], expect: { close: 1007 } },
  { id: "6.6.1", what: "truncated sequence at the end of a message", send: [frame(OPCODE_TEXT, utf8(0x61, 0xe2, 0x82))], expect: { close: 1007 } },
  { id: "6.8.1", what: "code point above U+10FFFF", send: [frame(OPCODE_TEXT, utf8(0xf4, 0x90, 0x80, 0x80))], expect: { close: 1007 } },
  { id: "6.10.1", what: "UTF-16 surrogate encoded", send: [frame(OPCODE_TEXT, utf8(0xed, 0xa0, 0x80))], expect: { close: 1007 } },
  { id: "6.12.1", what: "overlong encoding of '/'", send: [frame(OPCODE_TEXT, utf8(0xc0, 0xaf))], expect: { close: 1007 } },
  { id: "6.23.1", what: "binary messages are not checked as UTF-8", send: [frame(OPCODE_BINARY, utf8(0xff, 0xfe))], expect: { echo: [utf8(0xff, 0xfe)] } },
  // 7 close handling
  { id: "7.1.1", what: "close without a code", send: [frame(OPCODE_TEXT, "Hello"), closeFrame(null)], expect: { close: 1005, echo: ["Hello"] } },
  { id: "7.1.3", what: "data after the close is ignored", send: [closeFrame(1000), frame(OPCODE_TEXT, "late")], expect: { close: 1000, echo: [] } },
  { id: "7.3.2", what: "close payload of one byte", send: [frame(OPCODE_CLOSE, utf8(0x03))], expect: { close: 1002 } },
  { id: "7.3.4", what: "close with code and reason", send: [closeFrame(1000, "Hello World!")], expect: { close: 1000 } },
  { id: "7.3.5", what: "close reason of 123 bytes", send: [closeFrame(1000, "*".repeat(123))], expect: { close: 1000 } },
  { id: "7.3.6", what: "close payload over 125 bytes", send: [frame(OPCODE_CLOSE, utf8(0x03, 0xe8, ...te.encode("*".repeat(124))))], expect: { close: 1002 } },
  ...[1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999].map((code, i): Case => ({ id: `7.7.${i + 1}`, what: `valid close code ${code}`, send: [closeFrame(code)], expect: { close: code } })),
  ...[0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999, 5000, 65535].map((code, i): Case => ({ id: `7.9.${i + 1}`, what: `invalid close code ${code}`, send: [closeFrame(code)], expect: { close: 1002 } })),
  { id: "7.5.1", what: "close reason that is not UTF-8", send: [closeFrame(1000, utf8(0xce, 0xba, 0xe1, 0xbd))], expect: { close: 1007 } },
  // 9 limits (the demo here allows 1 MiB)
  { id: "9.1.6", what: "a message just under the limit", send: [frame(OPCODE_BINARY, bytes(1 << 20, 5))], expect: { echo: [bytes(1 << 20, 5)] } },
  { id: "9.x", what: "a message over the limit, decided from the header", send: [frame(OPCODE_BINARY, new Uint8Array((1 << 20) + 1))], expect: { close: 1009 } },
  { id: "9.y", what: "a fragmented message growing over the limit", send: [frame(OPCODE_BINARY, new Uint8Array(600000), { fin: false }), frame(OPCODE_CONTINUATION, new Uint8Array(600000))], expect: { close: 1009 } },
  { id: "1.x", what: "an unmasked client frame", send: [frame(OPCODE_TEXT, "hi", { unmasked: true })], expect: { close: 1002 } },
];

function asBytes(x: string | Uint8Array): Uint8Array {
  return typeof x === "string" ? te.encode(x) : x;
}

export function defineWsConformance(label: string, makeEnv: () => ScenarioEnv): void {
  describe(`WebSocket conformance (Autobahn-style) on ${label}`, function () {
    let env: ScenarioEnv;
    let cx: Context | null = null;
    let port = 0;
    before(() => {
      env = makeEnv();
      const app = startApp(env.platform, { host: env.host, port: 0, wsMaxMessageSize: 1 << 20 });
      cx = app.context;
      port = app.port;
    });
    after(() => {
      cx?.destroy();
      env.done();
    });

    for (const c of CASES) {
      it(`${c.id} ${c.what}`, async () => {
        const client = new WsTestClient(env.peer(port));
        await env.waitFor(() => client.poll().status !== 0, "101");
        A.equal(client.status, 101);
        for (const f of c.send) client.sendRaw(f);
        const e = c.expect;
        const want = e.echo ?? [];
        const pongs = e.pongs ?? [];
        if ("close" in e) {
          await env.waitFor(() => client.poll().closeFrame !== null, `close ${e.close}`, 60000);
          A.equal(client.closeCode, e.close, "close code");
        } else {
          await env.waitFor(() => client.poll().messages.length >= want.length && client.pongs.length >= pongs.length, "echoes", 60000);
          await env.settle(20);
          client.poll();
          A.equal(client.closeFrame, null, "the connection stays open");
        }
        A.equal(client.messages.length, want.length, "messages echoed");
        want.forEach((m, i) => {
          const got = client.messages[i]!;
          A.equal(got.binary, typeof m !== "string", `message ${i} keeps its type`);
          A.ok(sameBytes(got.data, asBytes(m)), `message ${i} echoed intact`);
        });
        A.deepEqual(client.pongs.map((p) => new TextDecoder().decode(p)), pongs);
      });
    }
  });
}

export const CONFORMANCE_CASES = CASES.length;
