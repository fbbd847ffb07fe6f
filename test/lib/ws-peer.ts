// A WebSocket client for tests, over any TestPeer: writes the upgrade
// request, reads the 101, then frames (reassembled into messages).

import type { TestPeer } from "./env.js";
import { FrameParser, encodeFrame, OPCODE_CLOSE, OPCODE_PING, OPCODE_PONG } from "../../src/roles/ws/frame.js";

export interface WsMessage {
  binary: boolean;
  data: Uint8Array;
  text: string;
  /** it came compressed (RSV1 on its first frame); `wire` is the payload as it came */
  compressed?: boolean;
  wire?: Uint8Array;
  /** frames it came in */
  frames?: number;
}

export interface WsTestClientOptions {
  /** inflate a compressed message's payload (00 00 ff ff appended): permessage-deflate was offered */
  inflate?: (payload: Uint8Array) => Uint8Array;
}

const SYNC_TAIL = new Uint8Array([0, 0, 0xff, 0xff]);

const dec = new TextDecoder();

export class WsTestClient {
  status = 0;
  responseHead = "";
  messages: WsMessage[] = [];
  pongs: Uint8Array[] = [];
  pings: Uint8Array[] = [];
  closeFrame: Uint8Array | null = null;
  error: string | null = null;
  private off = 0;
  private parser: FrameParser;
  private parts: Uint8Array[] = [];
  private binary = false;
  private compressed = false;
  private frames = 0;
  private mask = new Uint8Array([1, 2, 3, 4]);

  constructor(readonly peer: TestPeer, path = "/", protocols?: string, extraHeaders = "", opts: WsTestClientOptions = {}) {
    const inflate = opts.inflate;
    this.parser = new FrameParser(
      { isServer: false, maxMessageSize: 64 * 1024 * 1024, rsv1Allowed: !!inflate },
      {
        onData: (d, info) => {
          if (info.first) {
            this.parts = [];
            this.binary = info.opcode === 2;
            this.compressed = info.compressed;
            this.frames = 0;
          }
          this.parts.push(d.slice());
          // a frame's last piece (the parser may hand a frame over in pieces)
          if (info.remaining === 0) this.frames++;
          if (info.final) {
            const n = this.parts.reduce((a, p) => a + p.length, 0);
            const all = new Uint8Array(n);
            let o = 0;
            for (const p of this.parts) all.set(p, o), (o += p.length);
            let data: Uint8Array = all;
            if (this.compressed) {
              const z = new Uint8Array(n + 4);
              z.set(all);
              z.set(SYNC_TAIL, n);
              data = inflate!(z);
            }
            this.messages.push({ binary: this.binary, data, text: this.binary ? "" : dec.decode(data), compressed: this.compressed, wire: all, frames: this.frames });
          }
        },
        onControl: (op, payload) => {
          if (op === OPCODE_PING) this.pings.push(payload.slice());
          else if (op === OPCODE_PONG) this.pongs.push(payload.slice());
          else if (op === OPCODE_CLOSE) this.closeFrame = payload.slice();
        },
        onError: (code, reason) => (this.error = `${code} ${reason}`),
      },
    );
    peer.write(
      `GET ${path} HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
        (protocols ? `Sec-WebSocket-Protocol: ${protocols}\r\n` : "") +
        extraHeaders +
        "\r\n",
    );
  }

  /** feed what the peer received so far; call before looking at the state */
  poll(): this {
    if (this.peer.receivedLength === this.off && this.status) return this;
    const all = this.peer.received;
    if (!this.status) {
      let he = -1;
      for (let i = 0; i + 3 < all.length; i++) if (all[i] === 13 && all[i + 1] === 10 && all[i + 2] === 13 && all[i + 3] === 10) { he = i; break; }
      if (he < 0) return this;
      this.responseHead = dec.decode(all.subarray(0, he));
      this.status = Number(/^HTTP\/1\.1 (\d+)/.exec(this.responseHead)?.[1] ?? -1);
      this.off = he + 4;
      if (this.status !== 101) return this;
    }
    if (this.status === 101 && this.off < all.length) {
      // the parser unmasks in place: give it a copy of the new bytes only
      const chunk = all.slice(this.off);
      this.off = all.length;
      this.parser.execute(chunk);
    }
    return this;
  }

  send(opcode: number, payload: Uint8Array | string, fin = true): void {
    const p = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
    this.peer.write(encodeFrame(opcode, p, { fin, mask: this.mask }));
  }

  /** a frame with RSV1 set: `payload` is already compressed (without its 00 00 ff ff) */
  sendCompressed(opcode: number, payload: Uint8Array, fin = true): void {
    this.peer.write(encodeFrame(opcode, payload, { fin, mask: this.mask, rsv1: true }));
  }

  /** raw bytes, for malformed frames */
  sendRaw(bytes: Uint8Array): void {
    this.peer.write(bytes);
  }

  get closeCode(): number | null {
    return this.closeFrame && this.closeFrame.length >= 2 ? (this.closeFrame[0]! << 8) | this.closeFrame[1]! : this.closeFrame ? 1005 : null;
  }
}
