// permessage-deflate (RFC 7692) scenarios, on every environment whose
// platform has a zlib: the sim's (the portable codec, sync or asynchronous),
// the Moddable adapter's over the stand-in SDK classes (as on the device:
// deflate that only finishes a stream, no inflate dictionary), and Node's.
// What the server answers depends on what the platform's zlib says it can
// do; the peer here inflates with the portable codec.

import * as A from "../lib/assert.js";
import { bytes, sameBytes, type ScenarioEnv } from "../lib/env.js";
import { WsTestClient } from "../lib/ws-peer.js";
import { startApp } from "../../examples/app/app.js";
import { deflateRaw, inflateRaw, RawDeflater } from "../../platform/sim/deflate.js";
import { createContext, write, callbackHttpDummy, LWS_CALLBACK_RECEIVE, LWS_WRITE_TEXT, LWS_WRITE_CONTINUATION, LWS_WRITE_NO_FIN, type Context, type Protocol } from "../../src/index.js";
import { OPCODE_BINARY, OPCODE_CLOSE, OPCODE_PING, OPCODE_TEXT } from "../../src/roles/ws/frame.js";
import type { PlatformZlib } from "../../src/core/platform.js";

const enc = new TextEncoder();

function inflateForTest(payload: Uint8Array): Uint8Array {
  const r = inflateRaw(payload, { maxOut: 1 << 26 });
  if (typeof r === "string") throw new Error(`the server's compressed message does not inflate: ${r}`);
  return r;
}

/** a message as the client compresses it on its own (sync flush, 00 00 ff ff taken off) */
function compress(data: Uint8Array | string): Uint8Array {
  const z = deflateRaw(typeof data === "string" ? enc.encode(data) : data, { level: 1, flush: "sync" });
  return z.subarray(0, z.length - 4);
}

/** compressible text of `n` bytes */
function jsonish(n: number, seed: number): string {
  let s = "";
  for (let i = 0; s.length < n; i++) s += `{"id":${seed * 1000 + i},"name":"item-${(i * 7919 + seed) % 1000}","ok":${i % 3 === 0}},`;
  return s.slice(0, n);
}

const OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";

export function defineWsPmdScenarios(label: string, makeEnv: () => ScenarioEnv): void {
  describe(`permessage-deflate on ${label}`, function () {
    let env: ScenarioEnv;
    let cx: Context | null = null;
    let z: PlatformZlib;
    beforeEach(() => {
      env = makeEnv();
      z = env.platform.zlib!;
      A.ok(z, "this environment has a zlib");
    });
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

    async function open(port: number, offer = OFFER, protocols?: string): Promise<WsTestClient> {
      const c = new WsTestClient(env.peer(port), "/", protocols, offer, { inflate: inflateForTest });
      await env.waitFor(() => c.poll().status !== 0, "101");
      A.equal(c.status, 101);
      return c;
    }

    function extensionsOf(c: WsTestClient): string {
      return /sec-websocket-extensions: ([^\r\n]*)/i.exec(c.responseHead)?.[1] ?? "";
    }

    it("is negotiated as the platform's zlib allows, and echoes compressed messages whole, compressed", async () => {
      const c = await open(demo());
      const expect = `permessage-deflate; server_no_context_takeover${z.inflateNoDictionary ? "; client_no_context_takeover" : ""}`;
      A.equal(extensionsOf(c), expect);
      const big = jsonish(Math.round(60000 * env.scale), 1);
      const msgs = ["compress me, compress me, compress me", big, jsonish(3000, 2)];
      for (const m of msgs) c.sendCompressed(OPCODE_TEXT, compress(m));
      const bin = bytes(20000, 5);
      c.sendCompressed(OPCODE_BINARY, compress(bin));
      c.send(OPCODE_TEXT, "plain, not compressed at all");
      await env.waitFor(() => c.poll().messages.length === 5, "five echoes", 30000);
      for (let i = 0; i < 3; i++) {
        A.equal(c.messages[i]!.text, msgs[i], `echo ${i}`);
        A.equal(c.messages[i]!.compressed, true, `echo ${i} came compressed`);
      }
      A.ok(c.messages[1]!.wire!.length < big.length / 2, `the big text went as ${c.messages[1]!.wire!.length} bytes`);
      A.ok(c.messages[3]!.binary && sameBytes(c.messages[3]!.data, bin), "the binary echo");
      A.equal(c.messages[4]!.text, "plain, not compressed at all");
      A.equal(c.messages[4]!.compressed, true, "compressed on the way back although it came plain");
      if (z.deflateEndsStream) A.equal(c.messages[0]!.wire![c.messages[0]!.wire!.length - 1], 0, "a finished stream, then the empty stored block's 0x00");
    });

    it("inflates a client's messages with its context kept across them, unless it cannot take a dictionary (then it said so)", async () => {
      const c = await open(demo());
      const d = new RawDeflater({ level: 6 });
      const parts = ["the same words again and again: ", "the same words again and again: and more", "again and again: the same words"];
      for (const p of parts) {
        // with context takeover, later messages refer back into earlier ones
        const out = d.push(enc.encode(p), "sync");
        if (z.inflateNoDictionary) d.reset();
        c.sendCompressed(OPCODE_TEXT, out.subarray(0, out.length - 4));
      }
      await env.waitFor(() => c.poll().messages.length === 3, "three echoes");
      A.deepEqual(c.messages.map((m) => m.text), parts);
    });

    it("closes with 1009 when a small compressed frame would inflate past the limit, and 1007 for corrupt data", async () => {
      const port = demo();
      const c = await open(port);
      const zeros = compress(new Uint8Array(2 << 20));
      A.ok(zeros.length < 16384, `2 MiB of zeros compress to ${zeros.length} bytes`);
      c.sendCompressed(OPCODE_BINARY, zeros);
      await env.waitFor(() => c.poll().closeFrame !== null, "the close");
      A.equal(c.closeCode, 1009);
      const c2 = await open(port);
      c2.sendCompressed(OPCODE_TEXT, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x00]));
      await env.waitFor(() => c2.poll().closeFrame !== null, "the close");
      A.equal(c2.closeCode, 1007);
      const c3 = await open(port);
      c3.sendCompressed(OPCODE_TEXT, compress(new Uint8Array([0xc3, 0x28, 0x41, 0x42])));
      await env.waitFor(() => c3.poll().closeFrame !== null, "the close");
      A.equal(c3.closeCode, 1007, "inflated text that is not UTF-8");
    });

    it("sends a message written in fragments (NO_FIN) compressed as one stream where the zlib can sync-flush, plain where it only finishes streams", async () => {
      const frag: Protocol = {
        name: "frag",
        callback(wsi, reason, _user, inp, len) {
          if (reason !== LWS_CALLBACK_RECEIVE) return 0;
          // a small first piece: the message is compressed all the same
          const pieces = ["[", jsonish(2000, 3) + jsonish(1500, 4), "end of it"];
          for (let i = 0; i < 3; i++) {
            const b = enc.encode(pieces[i]!);
            write(wsi, b, b.length, (i ? LWS_WRITE_CONTINUATION : LWS_WRITE_TEXT) | (i < 2 ? LWS_WRITE_NO_FIN : 0));
          }
          void inp, len;
          return 0;
        },
      };
      cx = createContext({ platform: env.platform, iface: env.host, port: 0, protocols: [{ name: "http", callback: callbackHttpDummy }, frag] });
      const c = await open(cx.vhosts[0]!.port, OFFER, "frag");
      c.send(OPCODE_TEXT, "go");
      await env.waitFor(() => c.poll().messages.length === 1, "the fragmented message");
      const m = c.messages[0]!;
      A.equal(m.text, "[" + jsonish(2000, 3) + jsonish(1500, 4) + "end of it");
      A.equal(m.frames, 3, "three frames");
      A.equal(m.compressed, !z.deflateEndsStream, z.deflateEndsStream ? "plain: a finished stream cannot go on" : "compressed, piece by piece");
    });

    // Autobahn sections 12 and 13 in spirit: messages of many sizes, text and
    // binary, compressible and not, compressed by the client as each offer
    // lets it (its context kept unless the answer says otherwise, its window
    // as agreed), echoed intact
    const offers: [string, string][] = [
      ["client context kept", "permessage-deflate"],
      ["client_no_context_takeover", "permessage-deflate; client_no_context_takeover"],
      ["client_max_window_bits=9", "permessage-deflate; client_max_window_bits=9"],
      ["server_max_window_bits=10", "permessage-deflate; server_max_window_bits=10"],
    ];
    for (const [what, offer] of offers) {
      it(`conformance (Autobahn 12/13-style): echoes compressed messages of 0 B to 64 KiB with ${what}`, async () => {
        const c = await open(demo(), `Sec-WebSocket-Extensions: ${offer}\r\n`);
        const answer = extensionsOf(c);
        A.ok(answer.startsWith("permessage-deflate; server_no_context_takeover"), answer);
        if (/server_max_window_bits=10/.test(offer)) A.ok(/server_max_window_bits=10/.test(answer), answer);
        const bits = /client_max_window_bits=(\d+)/.exec(answer) ? Number(/client_max_window_bits=(\d+)/.exec(answer)![1]) : 15;
        const keep = !/client_no_context_takeover/.test(answer);
        const d = new RawDeflater({ level: 1, windowBits: Math.max(9, bits) });
        const sizes = [0, 16, 64, 256, 1024, 4096, 16384, 65536].filter((n) => n <= 65536 * env.scale || n <= 4096);
        const sent: [Uint8Array, boolean][] = [];
        let seed = 1;
        const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
        for (const n of sizes) {
          const words = enc.encode("lorem ipsum dolor sit amet ".repeat(Math.ceil(n / 27) + 1).slice(0, n));
          const noise = new Uint8Array(n);
          for (let i = 0; i < n; i++) noise[i] = rnd();
          const b64 = enc.encode(Array.from(noise, (x) => String.fromCharCode(65 + (x % 26))).join(""));
          for (const [b, binary] of [[words, false], [words, true], [noise, true], [b64, false]] as [Uint8Array, boolean][]) {
            sent.push([b, binary]);
            const z = d.push(b, "sync");
            if (!keep) d.reset();
            c.sendCompressed(binary ? OPCODE_BINARY : OPCODE_TEXT, z.subarray(0, z.length - 4));
          }
        }
        await env.waitFor(() => c.poll().messages.length === sent.length || c.closeFrame !== null, `${sent.length} echoes`, 60000);
        A.equal(c.closeFrame, null, "no close");
        for (let i = 0; i < sent.length; i++) {
          A.equal(c.messages[i]!.binary, sent[i]![1], `message ${i}: type`);
          A.ok(sameBytes(c.messages[i]!.data, sent[i]![0]), `message ${i} (${sent[i]![0].length} bytes) echoed intact`);
        }
      });
    }

    if (env0(makeEnv, (e) => !!e.platform.zlib && !e.platform.zlib.deflateEndsStream && e.deterministic)) {
      it("a deflate that gives nothing (null): a message not begun goes plain; one begun compressed closes with 1011", async () => {
        const zl = env.platform.zlib!;
        const real = zl.deflateRaw.bind(zl);
        let failAt = -1, calls = 0;
        (zl as { deflateRaw: typeof zl.deflateRaw }).deflateRaw = (d, b, l) => (calls++ === failAt ? null : real(d, b, l));
        try {
          const frag: Protocol = {
            name: "frag",
            callback(wsi, reason, _user, _in, _len) {
              if (reason !== LWS_CALLBACK_RECEIVE) return 0;
              const pieces = [jsonish(500, 5), jsonish(600, 6), "the end"];
              for (let i = 0; i < 3; i++) {
                const b = enc.encode(pieces[i]!);
                if (write(wsi, b, b.length, (i ? LWS_WRITE_CONTINUATION : LWS_WRITE_TEXT) | (i < 2 ? LWS_WRITE_NO_FIN : 0)) < 0) return -1;
              }
              return 0;
            },
          };
          cx = createContext({ platform: env.platform, iface: env.host, port: 0, protocols: [{ name: "http", callback: callbackHttpDummy }, frag] });
          const port = cx.vhosts[0]!.port;
          // the first piece's deflate fails: the whole message goes plain
          calls = 0;
          failAt = 0;
          const a = await open(port, OFFER, "frag");
          a.send(OPCODE_TEXT, "go");
          await env.waitFor(() => a.poll().messages.length === 1, "the message");
          A.equal(a.messages[0]!.compressed, false);
          A.equal(a.messages[0]!.text, jsonish(500, 5) + jsonish(600, 6) + "the end");
          // the second piece's: the message cannot go on, the connection closes with 1011
          calls = 0;
          failAt = 1;
          const b = await open(port, OFFER, "frag");
          b.send(OPCODE_TEXT, "go");
          await env.waitFor(() => b.poll().closeFrame !== null, "the close");
          A.equal(b.closeCode, 1011);
          A.equal(b.messages.length, 0, "no message completed");
        } finally {
          (zl as { deflateRaw: typeof zl.deflateRaw }).deflateRaw = real;
        }
      });
    }

    if (env0(makeEnv, (e) => !!e.platform.zlib?.deflateRawAsync && e.deterministic)) {
      // large deflates go off the loop when more than one connection
      // compresses at once: another connection's large message first
      async function busy(port: number): Promise<void> {
        const other = await open(port);
        other.sendCompressed(OPCODE_TEXT, compress(jsonish(20000, 99)));
        await env.waitFor(() => other.poll().messages.length === 1, "the other connection's echo");
      }
      const asyncCalls = (): number => (env.platform.zlib as unknown as { asyncCalls: number }).asyncCalls;

      it("async deflate: a large message's frame keeps its place; a small message and a pong written after it wait behind it", async () => {
        const port = demo();
        await busy(port);
        const c = await open(port);
        const big = jsonish(40000, 7);
        const before = asyncCalls();
        // compressed, so it arrives whole and is echoed whole (a plain one
        // arriving in pieces is echoed in fragments, deflated on the loop)
        c.sendCompressed(OPCODE_TEXT, compress(big));
        c.send(OPCODE_TEXT, "small one after");
        c.send(OPCODE_PING, "are you there");
        await env.waitFor(() => c.poll().messages.length === 2 && c.pongs.length === 1, "two echoes and a pong");
        A.equal(c.messages[0]!.text, big, "the big echo first");
        A.equal(c.messages[0]!.compressed, true);
        A.equal(asyncCalls() - before, 1, "the big echo was deflated off the loop");
        A.equal(c.messages[1]!.text, "small one after");
        // everything after the big frame on the wire
        const all = c.peer.received;
        const pongAt = indexOfFrame(all, 0x8a);
        A.ok(pongAt > all.length - 40, `the pong came after the big frame (at ${pongAt} of ${all.length})`);
      });

      it("async deflate: at most 4 at once; past that the loop compresses, and every echo comes back whole and in order", async () => {
        const port = demo();
        const cs: WsTestClient[] = [];
        for (let i = 0; i < 7; i++) cs.push(await open(port));
        const z = env.platform.zlib as unknown as { asyncCalls: number; maxInFlight: number };
        const before = z.asyncCalls;
        for (let r = 0; r < 2; r++) for (let i = 0; i < cs.length; i++) cs[i]!.sendCompressed(OPCODE_TEXT, compress(jsonish(12000 + i * 100 + r, i * 10 + r)));
        await env.waitFor(() => cs.every((c) => c.poll().messages.length === 2), "two echoes on each of 7 connections", 60000);
        for (let i = 0; i < cs.length; i++) for (let r = 0; r < 2; r++) A.equal(cs[i]!.messages[r]!.text, jsonish(12000 + i * 100 + r, i * 10 + r), `connection ${i}, echo ${r}`);
        A.ok(z.asyncCalls - before >= 4, `${z.asyncCalls - before} deflates went off the loop`);
        A.equal(z.maxInFlight, 4, "the bound was reached, not passed");
        A.ok(z.asyncCalls - before < 14, `the rest (${14 - (z.asyncCalls - before)}) compressed on the loop`);
      });

      it("async deflate: the close frame of a close the client starts goes after the echo being compressed", async () => {
        const port = demo();
        await busy(port);
        const c = await open(port);
        const big = jsonish(30000, 8);
        const before = asyncCalls();
        // compressed, so it arrives whole and is echoed whole (a plain one
        // arriving in pieces is echoed in fragments, deflated on the loop)
        c.sendCompressed(OPCODE_TEXT, compress(big));
        c.send(OPCODE_CLOSE, new Uint8Array([0x03, 0xe8]));
        await env.waitFor(() => c.poll().closeFrame !== null, "the close echo");
        A.equal(asyncCalls() - before, 1, "deflated off the loop");
        A.equal(c.messages.length, 1, "the echo came before the close");
        A.equal(c.messages[0]!.text, big);
        A.equal(c.closeCode, 1000);
      });

      it("async deflate: a peer gone while its echo is being compressed leaves nothing behind", async () => {
        const port = demo();
        await busy(port);
        const c = await open(port);
        const before = asyncCalls();
        c.sendCompressed(OPCODE_TEXT, compress(jsonish(50000, 9)));
        await env.waitFor(() => asyncCalls() > before, "the deflate off the loop to begin");
        // a reset (the sim's peers): the echo's deflate completes after the connection is gone
        const p = c.peer as unknown as { sim: { reset(fd: number): void }; fd: number };
        p.sim.reset(p.fd);
        await env.settle(200);
        // the deflate came back to a dead connection: counted off, its hole cancelled with the buflist
        A.equal((env.platform.zlib as unknown as { inFlight: number }).inFlight, 0, "no deflate pending on the platform");
        A.equal((cx!.roleData as { wsDeflate?: { inFlight: number } }).wsDeflate!.inFlight, 0, "none counted pending by the role");
        const c2 = await open(port);
        c2.sendCompressed(OPCODE_TEXT, compress(jsonish(20000, 10)));
        await env.waitFor(() => c2.poll().messages.length === 1, "a new connection's echo");
        A.equal(c2.messages[0]!.text, jsonish(20000, 10));
      });
    }
  });
}

/** whether a fresh environment of this kind has `what` */
function env0(makeEnv: () => ScenarioEnv, what: (e: ScenarioEnv) => boolean): boolean {
  const e = makeEnv();
  const r = what(e);
  e.done();
  return r;
}

/** offset of the first server frame with first byte `b0` after the HTTP head, or -1 */
function indexOfFrame(all: Uint8Array, b0: number): number {
  let i = 0;
  while (i + 3 < all.length && !(all[i] === 13 && all[i + 1] === 10 && all[i + 2] === 13 && all[i + 3] === 10)) i++;
  i += 4;
  while (i + 1 < all.length) {
    if (all[i] === b0) return i;
    let len = all[i + 1]! & 0x7f;
    let h = 2;
    if (len === 126) (len = (all[i + 2]! << 8) | all[i + 3]!), (h = 4);
    else if (len === 127) (len = all[i + 6]! * 2 ** 24 + ((all[i + 7]! << 16) | (all[i + 8]! << 8) | all[i + 9]!)), (h = 10);
    i += h + len;
  }
  return -1;
}
