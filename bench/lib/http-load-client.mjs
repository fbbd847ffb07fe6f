// The lean HTTP load client (a child process of its own), used when wrk is
// not installed: N keep-alive connections over node:net, each with exactly
// one request in flight (pipelining depth 1): send `GET PATH HTTP/1.1`, read
// the whole response (status line, headers to the blank line, Content-Length
// bytes of body), send again; count responses. Lean on purpose: one shared
// immutable request buffer, reads straight into a per-connection buffer
// (net's `onread`: no 'data' events, no chunk allocation), responses parsed
// byte by byte with no allocation (a 200 status and a Content-Length are
// required; anything else fails the run).
//
// argv[2]: JSON {host, port, conns, path, warmupMs, measureMs}
// stdout, JSON lines: {"phase":"measure"} when warm-up ends, then
// {"result":{...}} or {"error":"..."}; the process exits after either.

import net from "node:net";
import { loadClientProcess, measureWindow } from "./client-proc.mjs";

const cfg = JSON.parse(process.argv[2] ?? "{}");
const { host = "127.0.0.1", port, conns = 1, path = "/", warmupMs = 1000, measureMs = 3000 } = cfg;

const { socks, out, finish, fail, track } = loadClientProcess(port);

setTimeout(() => fail("load client deadline passed"), warmupMs + measureMs + 15000).unref();
process.stdin.on("end", () => fail("stdin closed")).resume();

const REQUEST = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`, "latin1");
const CL = Buffer.from("content-length:", "latin1"); // matched case-insensitively
const CL_LEN = CL.length;

const perConn = new Array(conns).fill(0);
let total = 0;
let running = false;
let connected = 0;

function open(i) {
  // response parser state (survives reads split anywhere)
  let inBody = false;
  let bodyLeft = 0;
  let lineNo = 0;
  let lineLen = 0; // bytes of the current header line, CR excluded
  let clMatch = 0; // bytes of "content-length:" matched at the line start; -1: not this line
  let inCl = false; // reading the Content-Length digits
  let clVal = -1;
  let statusOk = false;
  const st = [0x32, 0x30, 0x30]; // "200" at bytes 9..11 of the status line

  const done = () => {
    perConn[i]++;
    total++;
    inBody = false;
    lineNo = 0;
    lineLen = 0;
    clMatch = 0;
    inCl = false;
    clVal = -1;
    statusOk = false;
  };

  const buffer = Buffer.allocUnsafe(16384);
  const s = net.connect({
    host,
    port,
    noDelay: true,
    onread: {
      buffer,
      callback(n) {
        let k = 0;
        while (k < n) {
          if (inBody) {
            const take = Math.min(bodyLeft, n - k);
            bodyLeft -= take;
            k += take;
            if (bodyLeft === 0) {
              done();
              if (k < n) {
                fail(`connection ${i}: ${n - k} bytes after a complete response (nothing was pipelined)`);
                return false;
              }
              if (running) s.write(REQUEST);
            }
            continue;
          }
          const c = buffer[k++];
          if (c === 13) continue;
          if (c === 10) {
            if (lineLen === 0) {
              // the blank line: the head is complete
              if (!statusOk) {
                fail(`connection ${i}: a response that is not "200"`);
                return false;
              }
              if (clVal < 0) {
                fail(`connection ${i}: a response without Content-Length`);
                return false;
              }
              inBody = true;
              bodyLeft = clVal;
              if (bodyLeft === 0) {
                inBody = false;
                done();
                if (running) s.write(REQUEST);
              }
            } else {
              lineNo++;
              lineLen = 0;
              clMatch = 0;
              inCl = false;
            }
            continue;
          }
          if (lineNo === 0) {
            if (lineLen >= 9 && lineLen <= 11) {
              if (c !== st[lineLen - 9]) statusOk = false;
              else if (lineLen === 9) statusOk = true;
            }
          } else if (inCl) {
            if (c >= 0x30 && c <= 0x39) clVal = (clVal < 0 ? 0 : clVal * 10) + (c - 0x30);
            else if (c !== 0x20 && c !== 0x09) inCl = false;
          } else if (clMatch >= 0) {
            if (clMatch === lineLen && (c | 0x20) === CL[clMatch]) {
              if (++clMatch === CL_LEN) inCl = true;
            } else clMatch = -1;
          }
          lineLen++;
        }
        return true;
      },
    },
  });
  track(s, i, () => {
    if (++connected === conns) start();
  });
}

function start() {
  running = true;
  for (const s of socks) s.write(REQUEST);
  measureWindow({
    warmupMs,
    measureMs,
    out,
    snapshot: () => ({ total, per: perConn.slice() }),
    done(w) {
      running = false;
      const { count: reqs, seconds } = w;
      finish({ result: { conns, requests: reqs, seconds, reqPerS: reqs / seconds, clientCpuPct: w.clientCpuPct, perConnMin: w.perConnMin, perConnMax: w.perConnMax, stalled: w.stalled } }, 0);
    },
  });
}

for (let i = 0; i < conns; i++) open(i);
