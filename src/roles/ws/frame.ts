// WebSocket frames (RFC 6455 section 5): a push parser that never buffers a data payload, and the
// header writer. Pure: no I/O, no timers.
//
// The parser reads the header a byte at a time, checking each byte as it arrives (so an invalid
// stream fails at the same byte whatever the split of the input), then hands data payloads out as
// they come: each piece is a view of the caller's input, unmasked in place. Of its own it keeps
// only the decoded header (the mask key included: 4 bytes) and, for a control frame whose payload
// arrives in several pieces, a 125-byte buffer allocated the first time one does.

import { xorMask } from "./mask.js";
import { Utf8Validator } from "./utf8.js";

export const OPCODE_CONTINUATION = 0;
export const OPCODE_TEXT = 1;
export const OPCODE_BINARY = 2;
export const OPCODE_CLOSE = 8;
export const OPCODE_PING = 9;
export const OPCODE_PONG = 10;

/** The longest payload of a control frame. */
export const MAX_CONTROL_PAYLOAD = 125;
/** The longest frame header: 2 bytes, a 64-bit length, a mask key. */
export const MAX_FRAME_HEADER = 14;

export function isControlOpcode(opcode: number): boolean {
  return opcode >= 8;
}

export interface FrameParserOptions {
  /** a server requires masked frames (unmasked -> 1002); a client requires unmasked ones */
  isServer: boolean;
  /** the most payload bytes of one data message across its fragments; more -> 1009, decided from the frame header */
  maxMessageSize: number;
  /** true when permessage-deflate was negotiated: RSV1 allowed on the first frame of a data message */
  rsv1Allowed: boolean;
  /** the unmasking transform (platform hook); xorMask by default */
  unmask?: (data: Uint8Array, mask: Uint8Array, phase: number) => number;
  /** a native whole-buffer UTF-8 check (platform hook), the fast path of text validation */
  isUtf8?: (data: Uint8Array) => boolean;
}

export interface DataInfo {
  opcode: 1 | 2;
  /** the first piece of the message */
  first: boolean;
  /** the last piece of the message: a FIN frame with no bytes remaining */
  final: boolean;
  /** payload bytes of the current frame still to come (lws' remaining packet payload) */
  remaining: number;
  /** the message's first frame had RSV1 (permessage-deflate): the payload is compressed */
  compressed: boolean;
}

export interface FrameEvents {
  /**
   * Payload pieces of a TEXT or BINARY message, in order, unmasked; a frame with no payload gives
   * one empty piece. The piece is a view of execute()'s input and `info` is the parser itself: both
   * are valid during the call only.
   */
  onData(data: Uint8Array, info: DataInfo): void;
  /** A whole control frame, unmasked (a view valid during the call only). */
  onControl(opcode: 8 | 9 | 10, payload: Uint8Array): void;
  /** The stream is invalid; the parser stays failed. */
  onError(code: 1002 | 1007 | 1009, reason: string): void;
}

const S_B0 = 0; // first header byte
const S_B1 = 1; // second header byte
const S_LEN = 2; // extended payload length
const S_MASK = 3; // mask key
const S_DATA = 4; // data payload
const S_CONTROL = 5; // control payload
const S_FAILED = 6;

// flags (one number: on the device every field of a connection's parser is a 16-byte slot)
const F_SERVER = 1; // frames must be masked
const F_RSV1_OK = 2; // permessage-deflate negotiated
const F_PAUSED = 4;
const F_FIN = 8; // the current frame
const F_RSV1 = 16; // the current frame
const F_LONG = 32; // the current frame has the 64-bit length form
const F_MSG_FIRST = 64; // the next piece is the first of its message
const F_VALIDATING = 128; // the current message is text being checked

/**
 * The parser is its own DataInfo: onData() gets the parser itself as `info` (its `opcode`,
 * `first`, `final`, `remaining` and `compressed` fields), so a connection needs no second object.
 */
export class FrameParser implements DataInfo {
  // DataInfo, as given to onData
  opcode: 1 | 2 = 1;
  first = false;
  final = false;
  remaining = 0;
  compressed = false;

  private readonly maxMessageSize: number;
  private readonly unmask: (data: Uint8Array, mask: Uint8Array, phase: number) => number;
  private readonly isUtf8: ((data: Uint8Array) => boolean) | null;
  private readonly events: FrameEvents;
  private f: number;
  private state = S_B0;
  // the current frame
  private op = 0;
  private lenBytes = 0; // extended length bytes still due
  private length = 0; // the frame's payload length
  private maskPos = 0; // mask key bytes read; 0 after the header of an unmasked frame
  private phase = 0;
  /** the mask key, allocated with the first masked frame (an idle connection never needs one) */
  private mask: Uint8Array | null = null;
  private ctrl: Uint8Array | null = null;
  private ctrlLen = 0;
  // the current data message (msgOpcode 0: none in progress)
  private msgOpcode = 0;
  private msgSize = 0; // declared payload bytes so far
  private utf8: Utf8Validator | null = null;
  private textPos = 0; // bytes of the message given to the validator

  /** `events`: where the frames go; the parser itself when absent (a subclass that implements them) */
  constructor(opts: FrameParserOptions, events?: FrameEvents) {
    this.f = (opts.isServer ? F_SERVER : 0) | (opts.rsv1Allowed ? F_RSV1_OK : 0);
    this.maxMessageSize = opts.maxMessageSize;
    this.unmask = opts.unmask ?? xorMask;
    this.isUtf8 = opts.isUtf8 ?? null;
    this.events = events ?? (this as unknown as FrameEvents);
  }

  /** True once an error was reported: execute() does nothing more. */
  get failed(): boolean {
    return this.state === S_FAILED;
  }

  /**
   * Called from an event: execute() returns after that event, with the number of bytes consumed;
   * the caller passes the rest again later.
   */
  pause(): void {
    this.f |= F_PAUSED;
  }

  /**
   * Parses `data`, unmasking payload bytes in place. Returns data.length, or the bytes consumed
   * when an event called pause(), or -1 on an error (reported by onError first).
   */
  execute(data: Uint8Array): number {
    if (this.state === S_FAILED) return -1;
    this.f &= ~F_PAUSED;
    const n = data.length;
    let i = 0;
    while (i < n) {
      const state = this.state;
      if (state === S_DATA) {
        const end = i + Math.min(this.remaining, n - i);
        const piece = data.subarray(i, end);
        this.remaining -= end - i;
        i = end;
        if (this.maskPos) this.phase = this.unmask(piece, this.mask!, this.phase);
        if (!this.data(piece)) return -1;
        if (this.f & F_PAUSED) return i;
      } else if (state === S_CONTROL) {
        const len = this.length;
        let payload: Uint8Array;
        if (this.ctrlLen === 0 && n - i >= len) {
          payload = data.subarray(i, i + len);
          i += len;
        } else {
          const ctrl = (this.ctrl ??= new Uint8Array(MAX_CONTROL_PAYLOAD));
          const take = Math.min(len - this.ctrlLen, n - i);
          ctrl.set(data.subarray(i, i + take), this.ctrlLen);
          this.ctrlLen += take;
          i += take;
          if (this.ctrlLen < len) continue;
          payload = ctrl.subarray(0, len);
          this.ctrlLen = 0;
        }
        if (this.maskPos) this.unmask(payload, this.mask!, 0);
        this.state = S_B0;
        this.events.onControl(this.op as 8 | 9 | 10, payload);
        if (this.f & F_PAUSED) return i;
      } else if (state === S_MASK && this.maskPos === 4 && n - i >= 4) {
        // the whole mask key at once (the usual case)
        const mask = this.mask!;
        mask[0] = data[i]!;
        mask[1] = data[i + 1]!;
        mask[2] = data[i + 2]!;
        mask[3] = data[i + 3]!;
        i += 4;
        if (!this.frameStart()) return -1;
        if (this.f & F_PAUSED) return i;
      } else {
        const b = data[i++]!;
        if (!this.header(state, b)) return -1;
        if (this.f & F_PAUSED) return i;
      }
    }
    return n;
  }

  /** One header byte. False after an error. */
  private header(state: number, b: number): boolean {
    if (state === S_B0) {
      const opcode = b & 15;
      const rsv1 = (b & 0x40) !== 0;
      if (b & 0x30) return this.fail(1002, "RSV2 or RSV3 set");
      if (opcode >= 8) {
        if (opcode > 10) return this.fail(1002, `reserved opcode ${opcode}`);
        if (!(b & 0x80)) return this.fail(1002, "fragmented control frame");
        if (rsv1) return this.fail(1002, "RSV1 on a control frame");
      } else if (opcode === OPCODE_CONTINUATION) {
        if (this.msgOpcode === 0) return this.fail(1002, "continuation frame without a message in progress");
        if (rsv1) return this.fail(1002, "RSV1 on a continuation frame");
      } else if (opcode <= 2) {
        if (this.msgOpcode !== 0) return this.fail(1002, "new data frame while a fragmented message is in progress");
        if (rsv1 && !(this.f & F_RSV1_OK)) return this.fail(1002, "RSV1 set without a negotiated extension");
      } else {
        return this.fail(1002, `reserved opcode ${opcode}`);
      }
      this.f = (this.f & ~(F_FIN | F_RSV1)) | (b & 0x80 ? F_FIN : 0) | (rsv1 ? F_RSV1 : 0);
      this.op = opcode;
      this.state = S_B1;
      return true;
    }
    if (state === S_B1) {
      const masked = (b & 0x80) !== 0;
      if (masked !== ((this.f & F_SERVER) !== 0)) return this.fail(1002, masked ? "masked frame from a server" : "unmasked frame from a client");
      const len = b & 0x7f;
      this.maskPos = masked ? 4 : 0;
      if (masked && !this.mask) this.mask = new Uint8Array(4);
      if (len < 126) {
        this.length = len;
        if (this.op < 8 && !this.sizeCheck()) return false;
        return this.lengthDone();
      }
      if (this.op >= 8) return this.fail(1002, "control frame longer than 125 bytes");
      this.lenBytes = len === 126 ? 2 : 8;
      this.f = len === 127 ? this.f | F_LONG : this.f & ~F_LONG;
      this.length = 0;
      this.state = S_LEN;
      return true;
    }
    if (state === S_LEN) {
      if (this.lenBytes === 8 && b & 0x80) return this.fail(1002, "64-bit payload length with the most significant bit set");
      this.length = this.length * 256 + b;
      if (--this.lenBytes) return true;
      const len = this.length;
      if (len < (this.f & F_LONG ? 65536 : 126)) return this.fail(1002, "payload length not in its minimal form");
      return this.sizeCheck() && this.lengthDone();
    }
    // S_MASK: maskPos counts the key bytes still due, 4 to 1
    const mask = this.mask!;
    mask[4 - this.maskPos] = b;
    if (--this.maskPos) return true;
    this.maskPos = 4;
    return this.frameStart();
  }

  private sizeCheck(): boolean {
    const total = (this.op === OPCODE_CONTINUATION ? this.msgSize : 0) + this.length;
    if (total > this.maxMessageSize || total > Number.MAX_SAFE_INTEGER)
      return this.fail(1009, `message of more than ${this.maxMessageSize} bytes`);
    return true;
  }

  private lengthDone(): boolean {
    if (this.maskPos) {
      this.state = S_MASK;
      return true;
    }
    return this.frameStart();
  }

  /** The header is complete. */
  private frameStart(): boolean {
    const len = this.length;
    const opcode = this.op;
    this.phase = 0;
    if (opcode >= 8) {
      if (len) {
        this.state = S_CONTROL;
        this.ctrlLen = 0;
        return true;
      }
      this.state = S_B0;
      this.events.onControl(opcode as 8 | 9 | 10, new Uint8Array(0));
      return true;
    }
    if (opcode !== OPCODE_CONTINUATION) {
      const rsv1 = (this.f & F_RSV1) !== 0;
      const validating = opcode === OPCODE_TEXT && !rsv1;
      this.msgOpcode = opcode;
      this.msgSize = 0;
      this.f = (this.f & ~F_VALIDATING) | F_MSG_FIRST | (validating ? F_VALIDATING : 0);
      this.compressed = rsv1;
      this.textPos = 0;
      if (validating) (this.utf8 ??= new Utf8Validator(this.isUtf8)).reset();
    }
    this.msgSize += len;
    this.remaining = len;
    if (len) {
      this.state = S_DATA;
      return true;
    }
    return this.data(new Uint8Array(0));
  }

  /** Delivers a payload piece (the frame's `remaining` already updated). False after an error. */
  private data(piece: Uint8Array): boolean {
    const remaining = this.remaining;
    const final = (this.f & F_FIN) !== 0 && remaining === 0;
    if (remaining === 0) this.state = S_B0;
    this.opcode = this.msgOpcode as 1 | 2;
    if (this.f & F_VALIDATING) {
      const utf8 = this.utf8!;
      if (!utf8.push(piece, final)) {
        // hand out the bytes before the bad one, so that what is delivered does not depend on
        // how the input was split, then fail
        const good = Math.min(utf8.failedAt - this.textPos, piece.length);
        if (good > 0) {
          this.remaining = remaining + piece.length - good;
          this.first = (this.f & F_MSG_FIRST) !== 0;
          this.final = false;
          this.f &= ~F_MSG_FIRST;
          this.state = S_FAILED;
          this.events.onData(piece.subarray(0, good), this);
        }
        return this.fail(1007, "invalid UTF-8 in a text message");
      }
      this.textPos += piece.length;
    }
    this.first = (this.f & F_MSG_FIRST) !== 0;
    this.final = final;
    this.f &= ~F_MSG_FIRST;
    if (final) this.msgOpcode = 0;
    this.events.onData(piece, this);
    return true;
  }

  private fail(code: 1002 | 1007 | 1009, reason: string): false {
    this.state = S_FAILED;
    this.events.onError(code, reason);
    return false;
  }
}

// ------------------------------------------------------------------ writing

/** The size of the header of a frame with `length` payload bytes. */
export function frameHeaderSize(length: number, masked: boolean): number {
  return (length < 126 ? 2 : length < 65536 ? 4 : 10) + (masked ? 4 : 0);
}

/**
 * Writes a frame header at `into[offset]`, the length in its minimal form, and returns its size.
 * It does not enforce the protocol's rules (a control frame's size and FIN, a mask by the right
 * side): that is the caller's business. Throws a RangeError for an opcode outside 0..15, a length
 * that is not a safe non-negative integer, a mask that is not 4 bytes, or too little room.
 */
export function writeFrameHeader(
  into: Uint8Array, offset: number, opcode: number, fin: boolean, rsv1: boolean, length: number, mask: Uint8Array | null,
): number {
  if (!(opcode >= 0 && opcode <= 15) || opcode % 1) throw new RangeError(`invalid opcode ${opcode}`);
  if (!(length >= 0 && length <= Number.MAX_SAFE_INTEGER) || length % 1) throw new RangeError(`invalid payload length ${length}`);
  if (mask && mask.length !== 4) throw new RangeError("a mask key is 4 bytes");
  const size = frameHeaderSize(length, mask !== null);
  if (!(offset >= 0 && offset + size <= into.length)) throw new RangeError("no room for the frame header");
  let o = offset;
  into[o++] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  const m = mask ? 0x80 : 0;
  if (length < 126) {
    into[o++] = m | length;
  } else if (length < 65536) {
    into[o++] = m | 126;
    into[o++] = length >>> 8;
    into[o++] = length & 0xff;
  } else {
    into[o++] = m | 127;
    const hi = Math.floor(length / 0x100000000);
    const lo = length >>> 0;
    into[o++] = hi >>> 24;
    into[o++] = (hi >>> 16) & 0xff;
    into[o++] = (hi >>> 8) & 0xff;
    into[o++] = hi & 0xff;
    into[o++] = lo >>> 24;
    into[o++] = (lo >>> 16) & 0xff;
    into[o++] = (lo >>> 8) & 0xff;
    into[o++] = lo & 0xff;
  }
  if (mask) {
    into[o++] = mask[0]!;
    into[o++] = mask[1]!;
    into[o++] = mask[2]!;
    into[o++] = mask[3]!;
  }
  return size;
}

export interface EncodeFrameOptions {
  /** default true */
  fin?: boolean;
  /** default false */
  rsv1?: boolean;
  /** the mask key (a client's frames), or null/absent */
  mask?: Uint8Array | null;
}

/** A whole frame: header and payload (masked in the copy when a mask is given; `payload` is left as is). */
export function encodeFrame(opcode: number, payload: Uint8Array, opts: EncodeFrameOptions = {}): Uint8Array {
  const mask = opts.mask ?? null;
  const size = frameHeaderSize(payload.length, mask !== null);
  const out = new Uint8Array(size + payload.length);
  writeFrameHeader(out, 0, opcode, opts.fin ?? true, opts.rsv1 ?? false, payload.length, mask);
  out.set(payload, size);
  if (mask) xorMask(out.subarray(size), mask, 0);
  return out;
}
