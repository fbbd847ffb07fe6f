// The WebSocket load client (a child process of its own), lean over node:net:
// it writes the opening handshake itself (and checks the 101 and its
// Sec-WebSocket-Accept), masks its frames, and parses the server's frames
// minimally (a header state machine; payload bytes are skipped, not copied).
//
// mode "load": N connections, each keeping exactly one message in flight
// while a window runs (send one message, wait until the whole echo is back,
// whatever fragments the server cut it into, send again), counting round
// trips. Each connection picks a random mask key once and sends the same
// masked frame every time (a server cannot tell a reused key; masking every
// message afresh would cost the client a pass over each payload). With
// permessage-deflate the client offers "client_no_context_takeover;
// server_no_context_takeover": it compresses its message once (each message
// is compressed on its own, so the same compressed bytes are right every
// time) and the echo needs no inflate stream. Once connected, every
// connection makes one round trip whose echo is checked whole: opcode and
// content (inflated with node:zlib under permessage-deflate); every echo
// after that is checked for opcode and size (when not compressed). Then the
// client waits for commands on stdin, one a line:
//   "run WARM MEASURE"  load for WARM ms, then MEASURE ms measured; then stop
//                       sending and report once every echo is in (so that
//                       the client is quiet between windows: the bench
//                       alternates windows of two clients on two servers)
//
// mode "idle": open N connections, `concurrency` handshakes at a time, then
// keep them open, idle.
//
// Both modes end when stdin closes.
//
// argv[2]: JSON {host, port, mode, conns, size, binary, pmd, concurrency, path}
// stdout, JSON lines: mode "load": {"phase":"ready","ms":T} once connected and
// checked, then per "run" {"phase":"measure"} as the measured part begins and
// {"result":{...}}; mode "idle": {"phase":"open","conns":N,"ms":T}; in
// either, {"error":"..."} ends the process.

import net from "node:net";
import zlib from "node:zlib";
import { createHash, randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { loadClientProcess, measureWindow } from "./client-proc.mjs";

const cfg = JSON.parse(process.argv[2] ?? "{}");
const {
  host = "127.0.0.1",
  port,
  mode = "load",
  conns = 1,
  size = 64,
  binary = false,
  pmd = false,
  concurrency = 50,
  path = "/",
} = cfg;

const { socks, out, finish, fail, isFinished } = loadClientProcess(port);

// the bench went away, or is done with us: so are we (the bench bounds
// every step it waits for; a client it stopped waiting for is stopped)
process.stdin.on("end", () => finish({ closed: true }, 0)).resume();

// ------------------------------------------------------------------ payload

/** a small deterministic PRNG (mulberry32), so that every run sends the same bytes */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * JSON-like text: records with repeating keys and varying values (ids,
 * names, numbers, tags, timestamps), cut to exactly `n` bytes of ASCII:
 * compressible, as real JSON traffic is, but not trivially.
 */
function jsonLikeText(n, seed = 7681) {
  const r = prng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu"];
  const tags = ["red", "green", "blue", "cyan", "magenta", "yellow", "black", "white"];
  let s = "[";
  for (let id = 1; s.length < n; id++) {
    const rec = {
      id: 100000 + Math.floor(r() * 900000),
      seq: id,
      user: `${pick(words)}_${pick(words)}${Math.floor(r() * 1000)}`,
      email: `${pick(words)}.${Math.floor(r() * 10000)}@${pick(words)}.example`,
      active: r() < 0.5,
      score: Math.round(r() * 1e6) / 100,
      tags: Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(tags)),
      ts: new Date(1.7e12 + Math.floor(r() * 3e10)).toISOString(),
      note: Array.from({ length: 2 + Math.floor(r() * 5) }, () => pick(words)).join(" "),
    };
    s += (id > 1 ? "," : "") + JSON.stringify(rec);
  }
  return Buffer.from(s.slice(0, n), "latin1");
}

function makeMessage() {
  if (pmd) return jsonLikeText(size);
  if (!binary) {
    // printable ASCII text
    const b = Buffer.alloc(size);
    for (let i = 0; i < size; i++) b[i] = 0x21 + ((i * 7) % 94);
    return b;
  }
  // binary: incompressible pseudo-random bytes
  const r = prng(1234);
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (r() * 256) | 0;
  return b;
}

const OP_CONT = 0, OP_TEXT = 1, OP_BINARY = 2, OP_CLOSE = 8, OP_PING = 9, OP_PONG = 10;
const msg = makeMessage();
const opcode = binary ? OP_BINARY : OP_TEXT;
/** what goes on the wire as the frame's payload: the message, or its deflated form */
let wirePayload = msg;
if (pmd) {
  // RFC 7692 7.2.1: compress, sync flush, drop the trailing 00 00 ff ff
  const z = zlib.deflateRawSync(msg, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  wirePayload = z.subarray(0, z.length - 4);
}
const INFLATE_TAIL = Buffer.from([0, 0, 0xff, 0xff]);

/** a whole client frame: FIN, RSV1 when compressed, masked with `key` */
function clientFrame(op, payload, key, rsv1 = false) {
  const len = payload.length;
  const hl = (len < 126 ? 2 : len < 65536 ? 4 : 10) + 4;
  const f = Buffer.allocUnsafe(hl + len);
  f[0] = 0x80 | (rsv1 ? 0x40 : 0) | op;
  let o = 2;
  if (len < 126) f[1] = 0x80 | len;
  else if (len < 65536) {
    f[1] = 0x80 | 126;
    f.writeUInt16BE(len, 2);
    o = 4;
  } else {
    f[1] = 0x80 | 127;
    f.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    f.writeUInt32BE(len >>> 0, 6);
    o = 10;
  }
  key.copy(f, o);
  o += 4;
  for (let i = 0; i < len; i++) f[o + i] = payload[i] ^ key[i & 3];
  return f;
}

// --------------------------------------------------------------- connections

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const EXT = "permessage-deflate; client_no_context_takeover; server_no_context_takeover";

/** round trips per connection, total */
const perConn = new Array(conns).fill(0);
let total = 0;
/** data frames received (a server may echo one message in several fragments) */
let dataFrames = 0;
/** echoes not compressed although permessage-deflate was negotiated */
let plainEchoes = 0;
let running = false;
let open = 0; // handshakes done
let started = 0; // connections started
const t0 = Date.now();

const ST_HS = 0, ST_HDR = 1, ST_PAYLOAD = 2;

function connect(i) {
  started++;
  const key = randomBytes(16).toString("base64");
  const accept = createHash("sha1").update(key + GUID).digest("base64");
  const maskKey = randomBytes(4);
  const frame = mode === "load" ? clientFrame(opcode, wirePayload, maskKey, pmd) : null;

  let st = ST_HS;
  let hs = "";
  // the frame being read
  const hdr = Buffer.alloc(14);
  let hdrGot = 0;
  let hdrNeed = 2;
  let fin = false;
  let op = 0;
  let left = 0; // payload bytes of the frame still due
  let frameLen = 0;
  let ctrl = null; // a control frame's payload, collected
  // the message being read
  let msgOp = -1;
  let msgRsv1 = false;
  let msgBytes = 0; // wire payload bytes so far
  let waiting = false; // this connection's message is in flight
  let verify = mode === "load"; // collect and check the first echo whole
  let parts = verify ? [] : null;

  const send = () => {
    waiting = true;
    inFlight++;
    s.write(frame);
  };

  const checkEcho = () => {
    const got = Buffer.concat(parts);
    parts = null;
    verify = false;
    let body = got;
    if (msgRsv1) {
      try {
        body = zlib.inflateRawSync(Buffer.concat([got, INFLATE_TAIL]), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      } catch (e) {
        return `connection ${i}: the compressed echo does not inflate (${e.code ?? e.message})`;
      }
    }
    if (!body.equals(msg)) return `connection ${i}: the echo differs from the message sent (${body.length} bytes back for ${msg.length})`;
    return null;
  };

  /** a whole frame was read: false to stop (failed) */
  const frameEnd = () => {
    if (op >= 8) {
      const payload = ctrl ?? Buffer.alloc(0);
      ctrl = null;
      if (op === OP_PING) {
        s.write(clientFrame(OP_PONG, payload, randomBytes(4)));
        return true;
      }
      if (op === OP_PONG) return true;
      fail(`connection ${i}: the server closed the WebSocket (code ${payload.length >= 2 ? payload.readUInt16BE(0) : "none"}${payload.length > 2 ? `, ${payload.subarray(2).toString()}` : ""})`);
      return false;
    }
    msgBytes += frameLen;
    dataFrames++;
    if (!fin) return true;
    // a whole message
    if (!waiting) {
      fail(`connection ${i}: a message from the server that answers nothing`);
      return false;
    }
    if (msgOp !== opcode) {
      fail(`connection ${i}: a ${msgOp === OP_TEXT ? "text" : "binary"} echo of a ${binary ? "binary" : "text"} message`);
      return false;
    }
    if (msgRsv1 && !pmd) {
      fail(`connection ${i}: a compressed echo with no extension negotiated`);
      return false;
    }
    // under permessage-deflate a server may still send a message uncompressed (ws
    // does below its threshold): counted, so that the bench can tell
    if (pmd && !msgRsv1) plainEchoes++;
    if (!msgRsv1 && msgBytes !== size) {
      fail(`connection ${i}: ${msgBytes} bytes echoed for a ${size}-byte message`);
      return false;
    }
    if (verify) {
      const e = checkEcho();
      if (e) {
        fail(e);
        return false;
      }
    }
    msgOp = -1;
    waiting = false;
    perConn[i]++;
    total++;
    if (running) {
      waiting = true;
      s.write(frame);
    } else if (--inFlight === 0 && onQuiet) {
      const q = onQuiet;
      onQuiet = null;
      q();
    }
    return true;
  };

  /** frame bytes in buf[k..n) */
  const frames = (buf, k, n) => {
    while (k < n) {
      if (st === ST_PAYLOAD) {
        const take = left < n - k ? left : n - k;
        if (ctrl) buf.copy(ctrl, frameLen - left, k, k + take);
        else if (parts) parts.push(Buffer.from(buf.subarray(k, k + take)));
        k += take;
        left -= take;
        if (left === 0) {
          st = ST_HDR;
          if (!frameEnd()) return false;
        }
        continue;
      }
      hdr[hdrGot++] = buf[k++];
      if (hdrGot === 2) {
        if (hdr[1] & 0x80) {
          fail(`connection ${i}: a masked frame from the server`);
          return false;
        }
        const l7 = hdr[1] & 0x7f;
        hdrNeed = l7 === 126 ? 4 : l7 === 127 ? 10 : 2;
      }
      if (hdrGot < hdrNeed) continue;
      // the header is complete
      const b0 = hdr[0];
      const l7 = hdr[1] & 0x7f;
      fin = (b0 & 0x80) !== 0;
      op = b0 & 15;
      frameLen = l7 < 126 ? l7 : l7 === 126 ? hdr.readUInt16BE(2) : hdr.readUInt32BE(2) * 2 ** 32 + hdr.readUInt32BE(6);
      hdrGot = 0;
      hdrNeed = 2;
      if (op >= 8) {
        if (op > 10 || frameLen > 125 || !fin) {
          fail(`connection ${i}: a bad control frame (opcode ${op}, ${frameLen} bytes)`);
          return false;
        }
        ctrl = Buffer.alloc(frameLen);
      } else if (op === OP_CONT) {
        if (msgOp < 0) {
          fail(`connection ${i}: a continuation frame with no message begun`);
          return false;
        }
      } else if (op === OP_TEXT || op === OP_BINARY) {
        if (msgOp >= 0) {
          fail(`connection ${i}: a new message inside a fragmented one`);
          return false;
        }
        msgOp = op;
        msgRsv1 = (b0 & 0x40) !== 0;
        msgBytes = 0;
      } else {
        fail(`connection ${i}: reserved opcode ${op}`);
        return false;
      }
      left = frameLen;
      if (left === 0) {
        if (!frameEnd()) return false;
      } else st = ST_PAYLOAD;
    }
    return true;
  };

  const handshake = (buf, n) => {
    hs += buf.latin1Slice(0, n);
    const end = hs.indexOf("\r\n\r\n");
    if (end < 0) {
      if (hs.length > 8192) fail(`connection ${i}: no end to the handshake response`);
      return -1;
    }
    const head = hs.slice(0, end);
    const lines = head.split("\r\n");
    if (!/^HTTP\/1\.1 101\b/.test(lines[0])) {
      fail(`connection ${i}: handshake answered "${lines[0]}"`);
      return -1;
    }
    const h = {};
    for (const l of lines.slice(1)) {
      const c = l.indexOf(":");
      if (c > 0) h[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
    }
    if (h["sec-websocket-accept"] !== accept) {
      fail(`connection ${i}: wrong Sec-WebSocket-Accept`);
      return -1;
    }
    const ext = h["sec-websocket-extensions"] ?? "";
    if (pmd !== /permessage-deflate/.test(ext)) {
      fail(`connection ${i}: permessage-deflate ${pmd ? "was not negotiated" : "negotiated unasked"} (${ext || "no extensions"})`);
      return -1;
    }
    // bytes after the head (a server does not send first here, but could)
    const consumed = n - (hs.length - (end + 4));
    hs = "";
    st = ST_HDR;
    return consumed;
  };

  const s = net.connect({
    host,
    port,
    noDelay: true,
    onread: {
      buffer: Buffer.allocUnsafe(Math.max(65536 + 16, size + 16)),
      callback(n, buf) {
        if (isFinished()) return false;
        let k = 0;
        if (st === ST_HS) {
          k = handshake(buf, n);
          if (k < 0) return !isFinished();
          opened(s, send);
        }
        return frames(buf, k, n);
      },
    },
  });
  socks.push(s);
  s.on("connect", () => {
    let req = `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`;
    if (pmd) req += `Sec-WebSocket-Extensions: ${EXT}\r\n`;
    s.write(req + "\r\n");
  });
  s.on("error", (e) => fail(`connection ${i}: ${e.code ?? e.message}`));
  s.on("end", () => {
    if (!isFinished()) fail(`connection ${i}: server closed the connection`);
  });
}

const senders = [];
let inFlight = 0; // connections waiting for an echo
/** called when a connection's echo is complete and nothing was sent after it */
let onQuiet = null;
/** the checked round trips are done ("run" waits for that) */
let isReady = false;
let pendingRun = null;

function opened(_s, send) {
  open++;
  senders.push(send);
  if (mode === "idle") {
    if (started < conns) connect(started);
    else if (open === conns) out({ phase: "open", conns, ms: Date.now() - t0 });
    return;
  }
  if (open === conns) {
    // one checked round trip per connection, then wait for "run" commands
    for (const send of senders) send();
    quiet(() => {
      isReady = true;
      out({ phase: "ready", ms: Date.now() - t0 });
      if (pendingRun) pendingRun();
    });
  }
}

/** `then` once no connection has a message in flight */
function quiet(then) {
  if (!inFlight) then();
  else onQuiet = then;
}

/** one window: WARM ms of load, then MEASURE ms measured; stop sending; report once all echoes are in */
function runWindow(warm, measure) {
  if (!isReady) {
    pendingRun = () => runWindow(warm, measure);
    return;
  }
  pendingRun = null;
  if (running || onQuiet) return fail("a run command while a window is still open");
  running = true;
  for (const send of senders) send();
  measureWindow({
    warmupMs: warm,
    measureMs: measure,
    out,
    snapshot: () => ({ total, frames: dataFrames, per: perConn.slice() }),
    done(w, a, b) {
      running = false;
      const { count: rts, seconds } = w;
      const result = {
        conns,
        size,
        roundTrips: rts,
        seconds,
        rtPerS: rts / seconds,
        bytesPerS: (rts * size) / seconds,
        wireSize: wirePayload.length,
        framesPerMsg: rts ? (b.frames - a.frames) / rts : 0,
        plainEchoes,
        clientCpuPct: w.clientCpuPct,
        perConnMin: w.perConnMin,
        perConnMax: w.perConnMax,
        stalled: w.stalled,
      };
      const deadline = setTimeout(() => fail("echoes still missing 5 s after the window"), 5000);
      quiet(() => {
        clearTimeout(deadline);
        out({ result });
      });
    },
  });
}

if (mode === "load") {
  // commands, one a line: "run WARM_MS MEASURE_MS"
  createInterface({ input: process.stdin }).on("line", (line) => {
    const m = /^run (\d+) (\d+)$/.exec(line.trim());
    if (m) runWindow(Number(m[1]), Number(m[2]));
  });
}

if (mode === "idle") for (let i = 0; i < Math.min(concurrency, conns); i++) connect(i);
else for (let i = 0; i < conns; i++) connect(i);
