// The WebSocket role (lws role ws), server side: the upgrade from HTTP/1.1,
// frames in and out, the lws fragment API, pings and pongs, the close
// handshake, and ping/pong validity (lws' retry policy).
//
// Upgrade: HTTP_CONFIRM_UPGRADE (protocols[0], in = "websocket") ->
// subprotocol matched against the vhost's protocols -> FILTER_PROTOCOL_CONNECTION
// -> 101 -> HTTP_DROP_PROTOCOL, WS_SERVER_BIND_PROTOCOL -> ESTABLISHED.
// Then RECEIVE / RECEIVE_PONG / SERVER_WRITEABLE / WS_PEER_INITIATED_CLOSE /
// CLOSED, WS_SERVER_DROP_PROTOCOL.

import * as R from "../../core/reasons.js";
import {
  LWS_CLOSE_STATUS_GOINGAWAY,
  LWS_CLOSE_STATUS_NOSTATUS,
  LWS_CLOSE_STATUS_NORMAL,
  LWS_CLOSE_STATUS_UNEXPECTED_CONDITION,
  LWS_WRITE_BINARY,
  LWS_WRITE_CONTINUATION,
  LWS_WRITE_NO_FIN,
  LWS_WRITE_PING,
  LWS_WRITE_PONG,
  LWS_WRITE_TEXT,
  PENDING_TIMEOUT_CLOSE_ACK,
} from "../../core/constants.js";
import { registerWriter } from "../../core/api.js";
import { CLOSE, DIED, HANDLED, type RoleOps, type ServiceResult } from "../../core/role.js";
import { Sul } from "../../core/sul.js";
import type { Protocol } from "../../core/types.js";
import { WsiState, type Wsi } from "../../core/wsi.js";
import { sha1 } from "../../core/sha1.js";
import { codeAt } from "../../core/base64.js";
import { FrameParser, OPCODE_BINARY, OPCODE_CLOSE, OPCODE_CONTINUATION, OPCODE_PING, OPCODE_PONG, OPCODE_TEXT, frameHeaderSize, writeFrameHeader, type DataInfo, type FrameEvents, type FrameParserOptions } from "./frame.js";

declare module "../../core/types.js" {
  // the WebSocket settings a vhost takes (see WsVhostInfo)
  interface VhostCreationInfo extends WsVhostInfo {}
}
import { buildClosePayload, isValidCloseCode, parseClosePayload } from "./close.js";
import { ACCEPT_KEY_LENGTH, acceptKeyInto, isValidClientKey, joinedHeader, parseExtensions, parseProtocolList, PMD_NAME, validatePmdOffer } from "./handshake.js";
import { Utf8Validator } from "./utf8.js";
import { xorMask as xorMaskFallback } from "./mask.js";

/** WebSocket settings of a vhost (VhostCreationInfo fields the ws role reads) */
export interface WsVhostInfo {
  /** the protocol used when the client asks for none (lws' default protocol); protocols[0] otherwise */
  wsDefaultProtocol?: string;
  /** most bytes of one message (1009 beyond); 64 KiB unless raised (a server may take far more) */
  wsMaxMessageSize?: number;
  /** lws_retry_bo_t's validity part: ping after this many seconds without receiving anything */
  secsSinceValidPing?: number;
  /** ...and hang up after this many */
  secsSinceValidHangup?: number;
  /** do not negotiate permessage-deflate even where the platform can */
  wsNoCompression?: boolean;
  /** permessage-deflate compression level, 1 (fastest) to 9; 1 as lws' default ("compression_level") */
  wsCompressionLevel?: number;
}

export const DEVICE_WS_MAX_MESSAGE = 64 * 1024;

interface PendingClose {
  code: number;
  reason: Uint8Array;
}

/** negotiated permessage-deflate (RFC 7692) */
export interface PmdState {
  /** the client keeps its compression context across messages: inflate with the last window as dictionary */
  clientContext: boolean;
  window: Uint8Array | null;
  /** the client's LZ77 window, bits */
  clientBits: number;
  /** ours (we compress each message on its own: server_no_context_takeover) */
  serverBits: number;
  /** a message being sent in fragments started compressed */
  txCompressed: boolean;
  /** never compress what we send (the platform's deflate cannot keep to the window agreed) */
  txOff?: boolean;
  /** compressed pieces of the message being received, and their size */
  zParts?: Uint8Array[] | null;
  zBytes?: number;
  zBinary?: boolean;
}

// WsConn flags
const C_CLOSE_SENT = 1; // we sent a close frame
const C_TX_FRAGMENTING = 2; // a message is being sent in fragments (NO_FIN)
const C_PING_SENT = 4;

/**
 * Per-connection WebSocket state (wsi.rs). It is its own frame parser (and so the parser's
 * DataInfo: `opcode`, `first`, `final`, `remaining` of the piece being received are what
 * isFirstFragment() and friends report) and the parser's event sink: one object per connection,
 * no closures. On the device every field is a 16-byte slot, so the rare ones share what they can.
 */
export class WsConn extends FrameParser implements FrameEvents {
  readonly wsi: Wsi;
  private c = 0;
  /** lws_close_reason: what to send in the close frame when the callback asks to close */
  closeReason: PendingClose | null = null;
  /** the peer's close payload (for closeReason echo) */
  peerClose: Uint8Array | null = null;
  /** permessage-deflate in use */
  pmd: PmdState | null = null;
  /** µs of the last byte received (ping/pong validity) */
  lastRx = 0;
  validity: Sul | null = null;
  constructor(wsi: Wsi, opts: FrameParserOptions) {
    super(opts);
    this.wsi = wsi;
  }
  get closeSent(): boolean {
    return (this.c & C_CLOSE_SENT) !== 0;
  }
  set closeSent(v: boolean) {
    this.c = v ? this.c | C_CLOSE_SENT : this.c & ~C_CLOSE_SENT;
  }
  get txFragmenting(): boolean {
    return (this.c & C_TX_FRAGMENTING) !== 0;
  }
  set txFragmenting(v: boolean) {
    this.c = v ? this.c | C_TX_FRAGMENTING : this.c & ~C_TX_FRAGMENTING;
  }
  get pingSent(): boolean {
    return (this.c & C_PING_SENT) !== 0;
  }
  set pingSent(v: boolean) {
    this.c = v ? this.c | C_PING_SENT : this.c & ~C_PING_SENT;
  }
  /** the message being received is binary */
  get binary(): boolean {
    return this.opcode === OPCODE_BINARY;
  }
  /** the parser itself (kept for callers that held the two apart) */
  get parser(): FrameParser {
    return this;
  }
  onData(data: Uint8Array, info: DataInfo): void {
    onData(this.wsi, this, data, info);
  }
  onControl(op: 8 | 9 | 10, payload: Uint8Array): void {
    onControl(this.wsi, this, op, payload);
  }
  onError(code: 1002 | 1007 | 1009, reason: string): void {
    onProtocolError(this.wsi, this, code, reason);
  }
}

function wsConn(wsi: Wsi): WsConn | null {
  const c = wsi.rs;
  return c instanceof WsConn ? c : null;
}

function winfo(wsi: Wsi): WsVhostInfo {
  return wsi.vhost.info as WsVhostInfo;
}


// --------------------------------------------------------------- handshake

export interface UpgradeRequest {
  method: string;
  versionMinor: number;
  headers: { lower: string; value: string }[];
}

export type UpgradeResult =
  /** upgraded: the connection is a WebSocket now */
  | { kind: "ok" }
  /** answer this HTTP status (and close): the handshake is refused */
  | { kind: "refuse"; status: number; reason: string; headers?: Record<string, string> }
  /** the user callback answered it (hangup false) or wants the connection gone */
  | { kind: "user"; hangup: boolean };

function header(req: UpgradeRequest, lower: string): string | null {
  return joinedHeader(req.headers, lower);
}

/**
 * Upgrade an HTTP/1.1 connection whose request asked for "websocket". Writes
 * the 101 and switches the wsi to the ws role; or says what to answer.
 */
export function upgradeToWs(wsi: Wsi, req: UpgradeRequest): UpgradeResult {
  const cx = wsi.context;
  const vh = wsi.vhost;
  if (req.method !== "GET" || req.versionMinor !== 1) return { kind: "refuse", status: 400, reason: "a WebSocket upgrade is a GET over HTTP/1.1" };
  // (header values come OWS-trimmed from the HTTP parser)
  const version = header(req, "sec-websocket-version");
  if (version !== "13")
    return { kind: "refuse", status: 426, reason: "this server speaks WebSocket version 13", headers: { "sec-websocket-version": "13" } };
  const key = header(req, "sec-websocket-key");
  if (key === null || !isValidClientKey(key)) return { kind: "refuse", status: 400, reason: "missing or malformed Sec-WebSocket-Key" };
  // which protocol: the first the client lists that the vhost has (lws' order), else the default
  const asked = header(req, "sec-websocket-protocol");
  let p: Protocol | null = null;
  let chosen: string | null = null;
  if (asked !== null) {
    const list = parseProtocolList(asked);
    if (!list) return { kind: "refuse", status: 400, reason: "malformed Sec-WebSocket-Protocol" };
    for (const name of list) {
      const q = vh.protocolByName(name);
      if (q) {
        p = q;
        chosen = name;
        break;
      }
    }
    if (!p) return { kind: "refuse", status: 400, reason: "none of the requested subprotocols is served here" };
  } else {
    const dflt = winfo(wsi).wsDefaultProtocol;
    p = dflt ? vh.protocolByName(dflt) : vh.protocols[0]!;
    if (!p) return { kind: "refuse", status: 500, reason: `default protocol '${dflt}' not found` };
  }
  const confirm = cx.callWsi(wsi, R.LWS_CALLBACK_HTTP_CONFIRM_UPGRADE, "websocket", 9);
  if (confirm < 0) return HANGUP;
  if (confirm > 0) return ANSWERED;
  if (wsi.dead) return HANGUP;
  // FILTER_PROTOCOL_CONNECTION goes to the protocol the connection will use
  if (cx.call(wsi, p, R.LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION, wsi.user, chosen, chosen ? chosen.length : 0)) return HANGUP;
  const pmd = negotiatePmd(wsi, p, header(req, "sec-websocket-extensions"));
  if (cx.writeRaw(wsi, switchingProtocols(key, chosen, pmd?.response ?? null, cx.platform.hooks?.sha1 ?? sha1)) < 0) return HANGUP;
  // from HTTP to WebSocket: the HTTP binding ends, the ws one starts
  cx.setWsiTimeout(wsi, 0, 0);
  cx.unbindProtocol(wsi, "upgrade to ws");
  wsi.role = wsRole;
  wsi.rs = newWsConn(wsi, pmd?.state ?? null);
  if (cx.bindProtocol(wsi, p)) return HANGUP;
  if (cx.callWsi(wsi, R.LWS_CALLBACK_ESTABLISHED, null, 0)) return HANGUP;
  armValidity(wsi);
  return UPGRADED;
}

const UPGRADED: UpgradeResult = Object.freeze({ kind: "ok" });
const HANGUP: UpgradeResult = Object.freeze({ kind: "user", hangup: true });
const ANSWERED: UpgradeResult = Object.freeze({ kind: "user", hangup: false });

/** the 101, as bytes: written straight from the key, the strings of the answer are never made */
function switchingProtocols(key: string, protocol: string | null, extensions: string | null, sha: (data: Uint8Array) => Uint8Array): Uint8Array {
  let n = RESP_101.length + ACCEPT_KEY_LENGTH + 2 + 2;
  if (protocol) n += RESP_PROTOCOL.length + protocol.length + 2;
  if (extensions) n += RESP_EXTENSIONS.length + extensions.length + 2;
  const out = new Uint8Array(n);
  out.set(RESP_101);
  let o = acceptKeyInto(key, out, RESP_101.length, sha);
  o = crlf(out, o);
  if (protocol) o = crlf(out, putLatin1(out, putBytes(out, o, RESP_PROTOCOL), protocol));
  if (extensions) o = crlf(out, putLatin1(out, putBytes(out, o, RESP_EXTENSIONS), extensions));
  crlf(out, o);
  return out;
}

function putBytes(out: Uint8Array, o: number, b: Uint8Array): number {
  out.set(b, o);
  return o + b.length;
}

function putLatin1(out: Uint8Array, o: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) out[o++] = codeAt(s, i);
  return o;
}

function crlf(out: Uint8Array, o: number): number {
  out[o] = 13;
  out[o + 1] = 10;
  return o + 2;
}

/** ASCII text as bytes, for the constants below (module init: no TextEncoder, which a preloading linker does not have) */
function ascii(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

const RESP_101 = ascii("HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ");
const RESP_PROTOCOL = ascii("sec-websocket-protocol: ");
const RESP_EXTENSIONS = ascii("sec-websocket-extensions: ");

/**
 * permessage-deflate: take the first offer we can honour (and the protocol
 * confirms with CONFIRM_EXTENSION_OKAY). We compress each message on its own
 * (server_no_context_takeover, always stated), and inflate the client's with
 * the window of its earlier messages unless it gave up its context too.
 */
function negotiatePmd(wsi: Wsi, p: Protocol, value: string | null): { response: string; state: PmdState } | null {
  const cx = wsi.context;
  if (!value || !cx.platform.zlib || winfo(wsi).wsNoCompression) return null;
  const exts = parseExtensions(value);
  if (!exts) return null;
  for (const e of exts) {
    if (e.name !== PMD_NAME) continue;
    const r = validatePmdOffer(e.params);
    if (!r.ok) continue;
    const o = r.params;
    // zlib cannot compress with an 8-bit window
    if (o.serverMaxWindowBits !== undefined && o.serverMaxWindowBits < 9) continue;
    if (cx.call(wsi, p, R.LWS_CALLBACK_CONFIRM_EXTENSION_OKAY, wsi.user, PMD_NAME, 0)) return null;
    const z = cx.platform.zlib;
    const serverBits = o.serverMaxWindowBits ?? 15;
    // without an inflate dictionary, every client message must stand alone
    const clientContext = !o.clientNoContextTakeover && !z.inflateNoDictionary;
    let response = `${PMD_NAME}; server_no_context_takeover`;
    if (!clientContext) response += "; client_no_context_takeover";
    if (o.serverMaxWindowBits !== undefined) response += `; server_max_window_bits=${serverBits}`;
    const clientBits = typeof o.clientMaxWindowBits === "number" ? o.clientMaxWindowBits : 15;
    if (typeof o.clientMaxWindowBits === "number") response += `; client_max_window_bits=${clientBits}`;
    // a deflate that cannot keep to the window asked for: accept (we still
    // inflate what the client compresses) and send uncompressed
    const txOff = z.deflateWindowBits !== undefined && serverBits < z.deflateWindowBits;
    return { response, state: { clientContext, window: null, clientBits, serverBits, txCompressed: false, txOff } };
  }
  return null;
}

const INFLATE_TAIL = new Uint8Array([0, 0, 0xff, 0xff]);

/** the whole compressed message is in: inflate, check, deliver as one RECEIVE */
function deliverCompressed(wsi: Wsi, conn: WsConn): void {
  const cx = wsi.context;
  const pmd = conn.pmd!;
  const parts = pmd.zParts!;
  pmd.zParts = null;
  const input = new Uint8Array(pmd.zBytes! + 4);
  let o = 0;
  for (const p of parts) input.set(p, o), (o += p.length);
  input.set(INFLATE_TAIL, o);
  pmd.zBytes = 0;
  const max = winfo(wsi).wsMaxMessageSize ?? DEVICE_WS_MAX_MESSAGE;
  const out = cx.platform.zlib!.inflateRaw(input, pmd.clientBits, pmd.clientContext ? pmd.window : null, max);
  if (out === "invalid") return onProtocolError(wsi, conn, 1007, "invalid compressed data");
  if (out === "too big") return onProtocolError(wsi, conn, 1009, "message too big once inflated");
  if (out === "failed") return onProtocolError(wsi, conn, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION, "could not inflate (no memory)");
  if (pmd.clientContext) {
    // keep the last window of what the client sent: its next message may refer to it
    const w = 1 << pmd.clientBits;
    const prev = pmd.window;
    if (out.length >= w) pmd.window = out.slice(out.length - w);
    else if (prev) {
      const keep = Math.min(prev.length, w - out.length);
      const nw = new Uint8Array(keep + out.length);
      nw.set(prev.subarray(prev.length - keep));
      nw.set(out, keep);
      pmd.window = nw;
    } else pmd.window = out.slice();
  }
  if (!pmd.zBinary && !new Utf8Validator(cx.platform.hooks?.isUtf8 ?? null).push(out, true)) return onProtocolError(wsi, conn, 1007, "text message is not UTF-8");
  // what isFirstFragment() and friends report: the inflated message comes whole
  conn.opcode = pmd.zBinary ? OPCODE_BINARY : OPCODE_TEXT;
  conn.first = true;
  conn.final = true;
  conn.remaining = 0;
  const reason = wsi.isServer ? R.LWS_CALLBACK_RECEIVE : R.LWS_CALLBACK_CLIENT_RECEIVE;
  if (cx.callWsi(wsi, reason, out, out.length)) {
    conn.pause();
    userClose(wsi, conn);
  }
}

function newWsConn(wsi: Wsi, pmd: PmdState | null): WsConn {
  const max = winfo(wsi).wsMaxMessageSize ?? DEVICE_WS_MAX_MESSAGE;
  const hooks = wsi.context.platform.hooks;
  const unmask = hooks?.xorMask;
  const isUtf8 = hooks?.isUtf8;
  const conn = new WsConn(wsi, { isServer: wsi.isServer, maxMessageSize: max, rsv1Allowed: !!pmd, unmask, isUtf8 });
  conn.lastRx = wsi.context.platform.now();
  conn.pmd = pmd;
  return conn;
}

// -------------------------------------------------------------------- input

function handlePollin(wsi: Wsi): ServiceResult {
  const cx = wsi.context;
  const buf = cx.read(wsi);
  if (buf === null) return HANDLED;
  if (!buf.length) {
    // the peer went away without a close frame
    cx.closeWsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "peer closed", false);
    return DIED;
  }
  return handleData(wsi, buf);
}

function handleData(wsi: Wsi, buf: Uint8Array): ServiceResult {
  const conn = wsConn(wsi);
  if (!conn) return CLOSE;
  conn.lastRx = wsi.context.platform.now();
  conn.pingSent = false;
  const n = conn.execute(buf);
  if (wsi.dead) return DIED;
  if (n < 0) return HANDLED; // the error path has begun the close
  return HANDLED;
}

function onData(wsi: Wsi, conn: WsConn, data: Uint8Array, info: DataInfo): void {
  if (conn.closeSent || wsi.dead || wsi.state !== WsiState.ESTABLISHED) return;
  if (info.compressed) {
    // compressed: the message is inflated whole (the frame parser already
    // bounds its compressed size by the message limit)
    const pmd = conn.pmd!;
    if (info.first) {
      pmd.zParts = [];
      pmd.zBytes = 0;
      pmd.zBinary = info.opcode === OPCODE_BINARY;
    }
    if (data.length) {
      pmd.zParts!.push(data.slice());
      pmd.zBytes! += data.length;
    }
    if (info.final) deliverCompressed(wsi, conn);
    return;
  }
  // conn.opcode, .first, .final, .remaining: the parser (conn itself) set them for this piece
  const cx = wsi.context;
  const reason = wsi.isServer ? R.LWS_CALLBACK_RECEIVE : R.LWS_CALLBACK_CLIENT_RECEIVE;
  if (cx.callWsi(wsi, reason, data, data.length)) {
    conn.pause();
    userClose(wsi, conn);
  }
}

function onControl(wsi: Wsi, conn: WsConn, op: number, payload: Uint8Array): void {
  const cx = wsi.context;
  if (wsi.dead) return;
  switch (op) {
    case OPCODE_PING:
      // lws answers pings itself
      if (!conn.closeSent) sendFrame(wsi, OPCODE_PONG, payload, true);
      return;
    case OPCODE_PONG:
      conn.pingSent = false;
      if (cx.callWsi(wsi, wsi.isServer ? R.LWS_CALLBACK_RECEIVE_PONG : R.LWS_CALLBACK_CLIENT_RECEIVE_PONG, payload, payload.length)) {
        conn.pause();
        userClose(wsi, conn);
      }
      return;
    case OPCODE_CLOSE: {
      conn.pause();
      if (conn.closeSent) {
        // the answer to our close: done
        cx.closeWsi(wsi, LWS_CLOSE_STATUS_NORMAL, "close acknowledged");
        return;
      }
      const parsed = parseClosePayload(payload);
      if ("error" in parsed) {
        sendClose(wsi, conn, parsed.error, "bad close frame");
        cx.closeWsi(wsi, parsed.error, "bad close frame");
        return;
      }
      conn.peerClose = payload.slice();
      const r = cx.callWsi(wsi, R.LWS_CALLBACK_WS_PEER_INITIATED_CLOSE, payload, payload.length);
      if (wsi.dead) return;
      // 0: echo the close (its payload, as lws does), then close; nonzero: just close
      if (!r) sendCloseRaw(wsi, conn, conn.peerClose);
      cx.closeWsi(wsi, parsed.code === 1005 ? LWS_CLOSE_STATUS_NORMAL : parsed.code, "peer close");
      return;
    }
  }
}

function onProtocolError(wsi: Wsi, conn: WsConn, code: number, reason: string): void {
  if (wsi.dead) return;
  wsi.context.log("info", `${wsi}: closing with ${code}: ${reason}`);
  sendClose(wsi, conn, code, reason);
  wsi.context.closeWsi(wsi, code, "protocol error");
}

/** the user's callback returned nonzero: close with the reason it set (closeReason), or 1000 */
function userClose(wsi: Wsi, conn: WsConn): void {
  if (wsi.dead) return;
  const cr = conn.closeReason;
  if (!conn.closeSent) {
    if (cr) sendCloseRaw(wsi, conn, cr.code === 1005 ? new Uint8Array(0) : buildClosePayloadBytes(cr.code, cr.reason));
    else sendCloseRaw(wsi, conn, buildClosePayload(LWS_CLOSE_STATUS_NORMAL));
  }
  wsi.context.closeWsi(wsi, cr?.code ?? LWS_CLOSE_STATUS_NORMAL, "user");
}

function buildClosePayloadBytes(code: number, reason: Uint8Array): Uint8Array {
  const p = new Uint8Array(2 + Math.min(reason.length, 123));
  p[0] = code >> 8;
  p[1] = code & 0xff;
  p.set(reason.subarray(0, 123), 2);
  return p;
}

function sendClose(wsi: Wsi, conn: WsConn, code: number, reason: string): void {
  if (!conn.closeSent) sendCloseRaw(wsi, conn, buildClosePayload(code, reason));
}

function sendCloseRaw(wsi: Wsi, conn: WsConn, payload: Uint8Array): void {
  if (conn.closeSent) return;
  conn.closeSent = true;
  sendFrame(wsi, OPCODE_CLOSE, payload, true);
}

// ------------------------------------------------------------------- output

/** one frame: header and payload in one platform write when it is small */
function sendFrame(wsi: Wsi, opcode: number, payload: Uint8Array, fin: boolean, rsv1 = false): number {
  const cx = wsi.context;
  // small frames are assembled in one buffer; a large payload follows its
  // header as a second write (platforms coalesce them) instead of a copy
  if (!wsi.isServer || payload.length <= 1024) return cx.writeRaw(wsi, frameBytes(wsi, opcode, payload, fin, rsv1)) < 0 ? -1 : payload.length;
  const head = new Uint8Array(frameHeaderSize(payload.length, false));
  writeFrameHeader(head, 0, opcode, fin, rsv1, payload.length, null);
  if (cx.writeRaw(wsi, head) < 0 || cx.writeRaw(wsi, payload) < 0) return -1;
  return payload.length;
}

/** a frame in one buffer, masked when we are the client */
function frameBytes(wsi: Wsi, opcode: number, payload: Uint8Array, fin: boolean, rsv1: boolean): Uint8Array {
  const cx = wsi.context;
  let mask: Uint8Array | null = null;
  if (!wsi.isServer) {
    mask = new Uint8Array(4);
    cx.platform.random(mask);
  }
  const hl = frameHeaderSize(payload.length, !!mask);
  const out = new Uint8Array(hl + payload.length);
  writeFrameHeader(out, 0, opcode, fin, rsv1, payload.length, mask);
  out.set(payload, hl);
  if (mask) (cx.platform.hooks?.xorMask ?? xorMaskFallback)(out.subarray(hl), mask, 0);
  return out;
}

/**
 * write() for WebSocket connections: LWS_WRITE_TEXT / BINARY / CONTINUATION
 * (with LWS_WRITE_NO_FIN for fragments), PING, PONG.
 */
export function writeWs(wsi: Wsi, data: Uint8Array, protocol: number): number {
  const conn = wsConn(wsi);
  if (!conn || conn.closeSent || wsi.state !== WsiState.ESTABLISHED) return -1;
  const wp = protocol & 0x1f;
  const fin = !(protocol & LWS_WRITE_NO_FIN);
  let opcode: number;
  switch (wp) {
    case LWS_WRITE_TEXT:
      opcode = conn.txFragmenting ? OPCODE_CONTINUATION : OPCODE_TEXT;
      break;
    case LWS_WRITE_BINARY:
      opcode = conn.txFragmenting ? OPCODE_CONTINUATION : OPCODE_BINARY;
      break;
    case LWS_WRITE_CONTINUATION:
      if (!conn.txFragmenting) {
        wsi.context.log("err", `${wsi}: LWS_WRITE_CONTINUATION without a message started with LWS_WRITE_NO_FIN`);
        return -1;
      }
      opcode = OPCODE_CONTINUATION;
      break;
    case LWS_WRITE_PING:
    case LWS_WRITE_PONG:
      if (data.length > 125) {
        wsi.context.log("err", `${wsi}: a ${wp === LWS_WRITE_PING ? "ping" : "pong"} carries at most 125 bytes, not ${data.length}`);
        return -1;
      }
      return sendFrame(wsi, wp === LWS_WRITE_PING ? OPCODE_PING : OPCODE_PONG, data, true);
    default:
      wsi.context.log("err", `${wsi}: write protocol ${wp} is not a WebSocket one`);
      return -1;
  }
  const starting = !conn.txFragmenting;
  conn.txFragmenting = !fin;
  const pmd = conn.pmd;
  if (!pmd) return sendFrame(wsi, opcode, data, fin);
  const zlib = wsi.context.platform.zlib!;
  if (starting) {
    // small whole messages go as they are (RSV1 is per message); so do
    // fragmented ones where the platform's deflate can only end a stream
    pmd.txCompressed = !pmd.txOff && (fin ? data.length >= PMD_MIN : !zlib.deflateEndsStream);
    if (!pmd.txCompressed) return sendFrame(wsi, opcode, data, fin);
    if (fin && zlib.deflateRawAsync && data.length >= ASYNC_DEFLATE_MIN && deflateInParallel(wsi)) return sendDeflatedLater(wsi, opcode, data);
  } else if (!pmd.txCompressed) return sendFrame(wsi, opcode, data, fin);
  const level = winfo(wsi).wsCompressionLevel ?? 1;
  const z = zlib.deflateRaw(data, pmd.serverBits, level);
  if (!z) {
    // the platform cannot compress now: a message not begun goes as it is
    pmd.txCompressed = false;
    if (starting) return sendFrame(wsi, opcode, data, fin);
    // one begun compressed cannot go on plain (RSV1 was on its first frame)
    wsi.context.log("err", `${wsi}: the platform could not deflate a fragment of a compressed message`);
    conn.txFragmenting = false;
    onProtocolError(wsi, conn, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION, "could not compress");
    return -1;
  }
  if (fin) pmd.txCompressed = false;
  return sendFrame(wsi, opcode, fin ? endOfMessage(z, !!zlib.deflateEndsStream) : z, fin, starting) < 0 ? -1 : data.length;
}

/** messages shorter than this are not worth compressing */
const PMD_MIN = 16;
/** whole messages from this size are deflated off the loop thread, where the platform can */
const ASYNC_DEFLATE_MIN = 8192;

/** what the context knows of its recent large deflates */
interface DeflateActivity {
  /** id of the connection of the last large message, and when (platform µs) */
  lastId: number;
  lastAt: number;
  /** deflates off the loop thread not finished */
  inFlight: number;
}

/**
 * Whether to deflate this large message off the loop thread. That pays when
 * several connections compress at once (they then use the other cores); for
 * one connection alone, a hop to the thread pool and back only adds latency
 * to each message, so it stays on the loop.
 */
function deflateInParallel(wsi: Wsi): boolean {
  const cx = wsi.context;
  const a = ((cx.roleData as { wsDeflate?: DeflateActivity }).wsDeflate ??= { lastId: -1, lastAt: 0, inFlight: 0 });
  const now = cx.platform.now();
  // bounded: each deflate off the loop holds its own compressor (~256 KB in
  // Node's zlib); past the bound, the loop compresses (ws limits its own too)
  const others = a.inFlight < ASYNC_DEFLATE_MAX && (a.inFlight > 0 || (a.lastId !== wsi.id && now - a.lastAt < PARALLEL_WINDOW_US));
  a.lastId = wsi.id;
  a.lastAt = now;
  return others;
}

/** another connection's large message within this time makes compression parallel */
const PARALLEL_WINDOW_US = 100_000;
/** deflates off the loop at once, at most (libuv's thread pool has 4 threads by default) */
const ASYNC_DEFLATE_MAX = 4;

/**
 * The end of a compressed message (RFC 7692 7.2.1): a sync flush loses its
 * 00 00 ff ff; a deflate stream ended by a final block (`endsStream`: the
 * platform's deflate cannot sync-flush) is followed by an empty stored block,
 * less those same four octets: one 0x00.
 */
function endOfMessage(z: Uint8Array, endsStream: boolean): Uint8Array {
  const n = z.length;
  if (!endsStream) return n >= 4 ? z.subarray(0, n - 4) : z;
  const out = new Uint8Array(n + 1); // its last octet, 0x00: BFINAL 0, BTYPE 00, padding
  out.set(z);
  return out;
}

/**
 * A whole message compressed off the loop thread: its frame takes its place
 * in the output now (writes after it wait behind it, and the wsi stays
 * choked until it is sent), and is filled in when the deflate is done. The
 * write counts as done, as lws_write() reports a buffered one.
 */
function sendDeflatedLater(wsi: Wsi, opcode: number, data: Uint8Array): number {
  const cx = wsi.context;
  const hole = cx.reserveOutput(wsi);
  if (!hole) return -1;
  const copy = data.slice();
  const pmd = wsConn(wsi)!.pmd!;
  pmd.txCompressed = false;
  const a = (cx.roleData as { wsDeflate?: DeflateActivity }).wsDeflate!;
  const zlib = cx.platform.zlib!;
  let done = false;
  const finish = (z: Uint8Array | null): void => {
    if (done) return;
    done = true;
    a.inFlight--;
    if (wsi.dead) return;
    cx.fillOutput(wsi, hole, z ? frameBytes(wsi, opcode, endOfMessage(z, !!zlib.deflateEndsStream), true, true) : frameBytes(wsi, opcode, copy, true, false));
  };
  a.inFlight++;
  try {
    zlib.deflateRawAsync!(copy, pmd.serverBits, winfo(wsi).wsCompressionLevel ?? 1, finish);
  } catch (e) {
    // a platform that refused at once: the message goes plain, now
    wsi.context.log("warn", `${wsi}: deflateRawAsync threw (${(e as Error)?.message ?? e}): sent uncompressed`);
    finish(null);
  }
  return data.length;
}

// ------------------------------------------------------ ping/pong validity

function armValidity(wsi: Wsi, i: { secsSinceValidPing?: number; secsSinceValidHangup?: number } = winfo(wsi)): void {
  const conn = wsConn(wsi)!;
  if (!i.secsSinceValidPing && !i.secsSinceValidHangup) return;
  const cx = wsi.context;
  const tick = (): void => {
    if (wsi.dead || !wsConn(wsi)) return;
    const idle = (cx.platform.now() - conn.lastRx) / 1e6;
    if (i.secsSinceValidHangup && idle >= i.secsSinceValidHangup) {
      wsi.closeCause = "no valid traffic";
      sendClose(wsi, conn, LWS_CLOSE_STATUS_GOINGAWAY, "no response to ping");
      cx.closeWsi(wsi, LWS_CLOSE_STATUS_GOINGAWAY, "ping timeout", false);
      return;
    }
    if (i.secsSinceValidPing && idle >= i.secsSinceValidPing && !conn.pingSent && !conn.closeSent) {
      conn.pingSent = true;
      sendFrame(wsi, OPCODE_PING, new Uint8Array(0), true);
    }
    const next = Math.min(i.secsSinceValidPing || Infinity, i.secsSinceValidHangup || Infinity);
    cx.schedule(conn.validity!, cx.platform.now() + Math.max(250_000, Math.min(next * 1e6, 1e6)));
  };
  conn.validity = new Sul(tick);
  cx.schedule(conn.validity, cx.platform.now() + 1e6 * Math.min(i.secsSinceValidPing || Infinity, i.secsSinceValidHangup || Infinity));
}

// --------------------------------------------------------------------- API

/** lws_is_first_fragment: the data in RECEIVE starts a message */
export function isFirstFragment(wsi: Wsi): boolean {
  return !!wsConn(wsi)?.first;
}

/** lws_is_final_fragment: the data in RECEIVE ends a message */
export function isFinalFragment(wsi: Wsi): boolean {
  return !!wsConn(wsi)?.final;
}

/** lws_frame_is_binary: the message being received is binary */
export function frameIsBinary(wsi: Wsi): boolean {
  return !!wsConn(wsi)?.binary;
}

/** lws_remaining_packet_payload: bytes of the current frame still to come */
export function remainingPacketPayload(wsi: Wsi): number {
  return wsConn(wsi)?.remaining ?? 0;
}

/**
 * lws_close_reason: the code and reason of the close frame sent when the
 * callback then returns nonzero. Invalid codes are refused (1011 is sent).
 */
export function closeReason(wsi: Wsi, code: number, reason: Uint8Array | string = ""): void {
  const conn = wsConn(wsi);
  if (!conn) return;
  const r = typeof reason === "string" ? wsi.context.utf8(reason) : reason;
  if (!isValidCloseCode(code) && code !== 1005) {
    wsi.context.log("err", `${wsi}: close code ${code} may not be sent; using 1011`);
    code = 1011;
  }
  conn.closeReason = { code, reason: r.subarray(0, 123) };
}

/** the peer's close payload (code and reason), once it has sent one */
export function peerCloseFrame(wsi: Wsi): Uint8Array | null {
  return wsConn(wsi)?.peerClose ?? null;
}

function handleWriteable(wsi: Wsi): ServiceResult {
  const conn = wsConn(wsi);
  if (!conn || conn.closeSent) return HANDLED;
  const reason = wsi.isServer ? R.LWS_CALLBACK_SERVER_WRITEABLE : R.LWS_CALLBACK_CLIENT_WRITEABLE;
  if (wsi.context.callWsi(wsi, reason, null, 0)) {
    userClose(wsi, conn);
    return wsi.dead ? DIED : HANDLED;
  }
  return HANDLED;
}

export const wsRole: RoleOps = {
  name: "ws",
  writeableCb: [R.LWS_CALLBACK_CLIENT_WRITEABLE, R.LWS_CALLBACK_SERVER_WRITEABLE],
  closeCb: [R.LWS_CALLBACK_CLIENT_CLOSED, R.LWS_CALLBACK_CLOSED],
  bindCb: [R.LWS_CALLBACK_WS_CLIENT_BIND_PROTOCOL, R.LWS_CALLBACK_WS_SERVER_BIND_PROTOCOL],
  unbindCb: [R.LWS_CALLBACK_WS_CLIENT_DROP_PROTOCOL, R.LWS_CALLBACK_WS_SERVER_DROP_PROTOCOL],
  handlePollin,
  handleWriteable,
  handleData,
  onClose(wsi: Wsi) {
    const conn = wsConn(wsi);
    if (conn?.validity) wsi.context.cancel(conn.validity);
  },
  validateVhost(info) {
    const i = info as WsVhostInfo;
    const l = i.wsCompressionLevel;
    if (l !== undefined && !(Number.isInteger(l) && l >= 1 && l <= 9)) throw new Error(`lwsx: wsCompressionLevel must be an integer 1..9, not ${l}`);
    const m = i.wsMaxMessageSize;
    if (m !== undefined && !(Number.isInteger(m) && m > 0)) throw new Error(`lwsx: wsMaxMessageSize must be a positive integer, not ${m}`);
  },
};

registerWriter(wsRole, writeWs);

/**
 * The client side of the upgrade: the 101 was checked (roles/http/client.ts),
 * the connection speaks WebSocket from here. `validity` is the connect
 * info's retry_and_idle_policy (ping/hangup seconds), else the vhost's.
 */
export function becomeWsClient(wsi: Wsi, pmd: PmdState | null, validity: { secsSinceValidPing?: number; secsSinceValidHangup?: number } | null): void {
  wsi.role = wsRole;
  wsi.rs = newWsConn(wsi, pmd);
  armValidity(wsi, validity ?? winfo(wsi));
}

/** a graceful close of our own: send a close frame, wait a little for the answer */
export function wsClose(wsi: Wsi, code = LWS_CLOSE_STATUS_NORMAL, reason = ""): void {
  const conn = wsConn(wsi);
  if (!conn || wsi.dead) return;
  sendClose(wsi, conn, code, reason);
  wsi.context.setWsiTimeout(wsi, PENDING_TIMEOUT_CLOSE_ACK, 5);
}
