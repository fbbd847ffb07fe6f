// `lwsx ws URL`: a WebSocket client on the lws client API. Lines from stdin
// become text messages (one per CLIENT_WRITEABLE); each message received
// goes to stdout as a line. At stdin's end, once the last line is sent, the
// replies still coming are printed until none has come for --linger ms
// (LWS_CALLBACK_TIMER): like lws and browsers, lwsx drops data frames that
// arrive after it has sent its close. Then it closes with 1000 and waits for
// the server's close (at most 5 s). Back-pressure both ways: stdin is paused
// while lines wait to be sent, and reception is held (rxFlowControl) while
// stdout is full.

import { parseArgs } from "node:util";
import {
  clientConnect,
  write,
  callbackOnWritable,
  rxFlowControl,
  wsClose,
  isFirstFragment,
  isFinalFragment,
  frameIsBinary,
  LWS_CALLBACK_CLIENT_CONNECTION_ERROR,
  LWS_CALLBACK_CLIENT_ESTABLISHED,
  LWS_CALLBACK_CLIENT_RECEIVE,
  LWS_CALLBACK_CLIENT_WRITEABLE,
  LWS_CALLBACK_CLIENT_CLOSED,
  LWS_CALLBACK_WS_PEER_INITIATED_CLOSE,
  LWS_CALLBACK_TIMER,
  setTimerUsecs,
  LWS_WRITE_TEXT,
  type Context,
  type Protocol,
  type Wsi,
} from "../src/index.js";
import type { ParsedUrl } from "./url.js";
import { badUsage, cli, clientContext, clientUrl, commandUrl, flushed, EXIT_CONNECTION, EXIT_INTERRUPTED, EXIT_OK, EXIT_OUTPUT, EXIT_REFUSED } from "./common.js";

export const WS_USAGE = `usage: lwsx ws URL [options]

  Connect to URL (ws://); each line of stdin is sent as a text message, each
  message received is written to stdout as a line. A binary message is written
  as '[binary N bytes] ' and its bytes in base64. At the end of stdin, once
  every line is sent, messages are still printed until none has come for the
  --linger time; then the connection closes with 1000.

  --protocol P           ask for these subprotocols (a comma list)
  --origin O             send this Origin
  --no-compress          do not offer permessage-deflate
  --linger MS            at the end of stdin, wait for replies until none has come for MS ms
                         (default 1000; at most 5 times MS in all), then close; 0: at once
  -v, --verbose          say what happens (connected, closes, lwsx's log) on stderr
  -h, --help             this text

exit codes: 0 closed with 1000 or 1001 (or an empty close frame), or by us at the end of
stdin; 1 connection failed or lost (lws' error string is printed); 2 bad arguments or
URL, or wss:// (no TLS in this build yet); 3 the server closed with another code;
4 stdout could not be written; 130 interrupted (the first ^C still closes with 1000)`;

interface WsOptions {
  url: ParsedUrl;
  protocol: string | undefined;
  origin: string | undefined;
  compress: boolean;
  lingerMs: number;
}

/** lines waiting to be sent before stdin is paused */
const QUEUE_HIGH = 256;
/** the largest message received (a line on stdout) */
const MAX_MESSAGE = 16 * 1024 * 1024;

/** `lwsx ws` with these arguments; resolves to the exit code */
export async function main(argv: string[]): Promise<number> {
  const c = cli("ws");
  let opts: WsOptions;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        protocol: { type: "string" },
        origin: { type: "string" },
        "no-compress": { type: "boolean" },
        linger: { type: "string" },
        verbose: { type: "boolean", short: "v" },
        help: { type: "boolean", short: "h" },
      },
    });
    const text = commandUrl(c, values.help, positionals, WS_USAGE);
    if (typeof text === "number") return text;
    const url = clientUrl(c, text, ["ws", "wss"]);
    if (typeof url === "number") return url;
    for (const [k, v] of [["--protocol", values.protocol], ["--origin", values.origin]] as const) {
      if (v !== undefined && (!v.trim() || /[\x00-\x1f\x7f]/.test(v))) throw new Error(`${k} needs a value without control characters`);
    }
    if (values.protocol !== undefined && !/^\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+(\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*\s*$/.test(values.protocol)) {
      throw new Error(`--protocol takes a comma list of names (tokens), not '${values.protocol}'`);
    }
    if (values.linger !== undefined && !/^\d{1,7}$/.test(values.linger)) throw new Error(`--linger takes milliseconds, not '${values.linger}'`);
    c.verbose = !!values.verbose;
    opts = { url, protocol: values.protocol, origin: values.origin, compress: !values["no-compress"], lingerMs: values.linger === undefined ? 1000 : Number(values.linger) };
  } catch (e) {
    return badUsage(c, e, WS_USAGE);
  }
  return ws(opts, c);
}

function closeText(code: number, reason: string): string {
  return reason ? `${code} (${reason})` : `${code}`;
}

async function ws(o: WsOptions, c: ReturnType<typeof cli>): Promise<number> {
  const out = process.stdout;
  const stdin = process.stdin;
  const enc = new TextEncoder();
  const lineDecoder = new TextDecoder();
  const textDecoder = new TextDecoder();
  let cx: Context | null = null;
  let wsi: Wsi | null = null;
  let done = false;
  let established = false;
  /** we sent our close (end of stdin, ^C) */
  let closing = false;
  /** ^C: the exit code is 130 however the close goes */
  let interrupted = false;
  let stdinEnded = false;
  /** stdin ended and all is sent: waiting for the last replies (since this time) */
  let lingerSince = 0;
  let stdinReading = false;
  let rxHeld = false;
  const queue: Uint8Array[] = [];
  let partial: Buffer[] = [];
  let binary: Buffer[] = [];
  let binaryLen = 0;
  let peerClose: { code: number; reason: string } | null = null;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));

  const finish = (code: number, message?: string): void => {
    if (done) return;
    done = true;
    if (message) c.err(message);
    process.removeListener("SIGINT", onSigint);
    stdin.removeListener("data", onData);
    stdin.removeListener("end", onEnd);
    stdin.pause();
    setImmediate(() => cx?.destroy());
    void flushed(out).then(() => resolveExit(code));
  };

  /** stdout is full: hold reception until it drains */
  const emit = (s: string | Uint8Array): void => {
    if (out.write(s)) return;
    if (rxHeld || !wsi) return;
    rxHeld = true;
    rxFlowControl(wsi, 0);
    out.once("drain", () => {
      rxHeld = false;
      if (!done && wsi && !wsi.dead) rxFlowControl(wsi, 1);
    });
  };

  const wantWrite = () => {
    if (established && !closing && wsi && !wsi.dead) callbackOnWritable(wsi);
  };

  const pushLine = (bytes: Buffer) => {
    let b = bytes;
    if (b.length && b[b.length - 1] === 13) b = b.subarray(0, b.length - 1);
    // the text of the line, as UTF-8 (bytes that are not become U+FFFD: a text message must be UTF-8)
    queue.push(enc.encode(lineDecoder.decode(b)));
  };

  const onData = (chunk: Buffer) => {
    let start = 0;
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, i);
      pushLine(partial.length ? Buffer.concat([...partial, piece]) : piece);
      partial = [];
      start = i + 1;
    }
    if (start < chunk.length) partial.push(Buffer.from(chunk.subarray(start)));
    if (queue.length >= QUEUE_HIGH && stdinReading) {
      stdin.pause();
      stdinReading = false;
    }
    wantWrite();
  };

  const onEnd = () => {
    if (partial.length) pushLine(Buffer.concat(partial));
    partial = [];
    stdinEnded = true;
    wantWrite();
  };

  const startStdin = () => {
    if (stdinReading || stdinEnded || done) return;
    stdinReading = true;
    stdin.resume();
  };

  /** send our close (1000) and wait (5 s at most) for the server's */
  const close = (w: Wsi) => {
    if (closing) return;
    closing = true;
    c.info("end of input: closing (1000)");
    wsClose(w, 1000, "");
  };

  const onSigint = () => {
    if (!established || closing || !wsi || wsi.dead) return finish(EXIT_INTERRUPTED, "interrupted");
    // first ^C: close now, the second one does not wait
    interrupted = true;
    queue.length = 0;
    stdinEnded = true;
    stdin.pause();
    close(wsi);
  };
  process.on("SIGINT", onSigint);

  out.on("error", (e: NodeJS.ErrnoException) => finish(EXIT_OUTPUT, e.code === "EPIPE" ? undefined : `cannot write stdout: ${e.message}`));

  const protocol: Protocol = {
    name: "lwsx-ws",
    rxBufferSize: 64 * 1024,
    callback(w, reason, _user, in_, len) {
      if (done) return 0;
      switch (reason) {
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
          finish(EXIT_CONNECTION, `${o.url.href}: ${in_ ?? "connection failed"}`);
          break;
        case LWS_CALLBACK_CLIENT_ESTABLISHED:
          established = true;
          wsi = w;
          c.info(`connected to ${o.url.href}`);
          stdin.on("data", onData);
          stdin.on("end", onEnd);
          startStdin();
          wantWrite();
          break;
        case LWS_CALLBACK_CLIENT_WRITEABLE: {
          if (closing) break;
          const msg = queue.shift();
          if (msg) {
            if (write(w, msg, msg.length, LWS_WRITE_TEXT) < 0) return -1;
            if (queue.length < QUEUE_HIGH / 2) startStdin();
            if (queue.length || stdinEnded) callbackOnWritable(w);
          } else if (stdinEnded && !lingerSince) {
            // all sent: the replies to the last lines may still be on their way
            lingerSince = Date.now();
            if (o.lingerMs) setTimerUsecs(w, o.lingerMs * 1000);
            else close(w);
          }
          break;
        }
        case LWS_CALLBACK_TIMER:
          if (lingerSince && !closing) close(w);
          break;
        case LWS_CALLBACK_CLIENT_RECEIVE: {
          const data = in_ as Uint8Array;
          // still replies coming: wait on (within five lingers in all)
          if (lingerSince && !closing && Date.now() - lingerSince + o.lingerMs < 5 * o.lingerMs) setTimerUsecs(w, o.lingerMs * 1000);
          if (isFirstFragment(w)) {
            binary = [];
            binaryLen = 0;
          }
          if (frameIsBinary(w)) {
            binaryLen += len;
            if (binaryLen > MAX_MESSAGE) {
              finish(EXIT_CONNECTION, `a binary message of more than ${MAX_MESSAGE} bytes`);
              return -1;
            }
            binary.push(Buffer.from(data));
            if (isFinalFragment(w)) {
              const all = Buffer.concat(binary);
              binary = [];
              emit(`[binary ${all.length} bytes]${all.length ? " " + all.toString("base64") : ""}\n`);
            }
          } else {
            // text goes out as it comes (a long message is not held), the line ends with the message
            const text = textDecoder.decode(data, { stream: !isFinalFragment(w) });
            emit(isFinalFragment(w) ? text + "\n" : text);
          }
          break;
        }
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE: {
          const p = in_ as Uint8Array;
          const code = len >= 2 ? (p[0]! << 8) | p[1]! : 1005;
          peerClose = { code, reason: len > 2 ? new TextDecoder().decode(p.subarray(2, len)) : "" };
          break;
        }
        case LWS_CALLBACK_CLIENT_CLOSED:
          if (interrupted) finish(EXIT_INTERRUPTED, "interrupted");
          else if (peerClose) {
            const ok = peerClose.code === 1000 || peerClose.code === 1001 || peerClose.code === 1005;
            const t = peerClose.code === 1005 ? "no close code" : closeText(peerClose.code, peerClose.reason);
            if (ok) {
              c.err(`the server closed the connection: ${t}`);
              finish(EXIT_OK);
            } else finish(EXIT_REFUSED, `the server closed the connection: ${t}`);
          } else if (closing) {
            c.info("closed");
            finish(EXIT_OK);
          } else finish(EXIT_CONNECTION, `${o.url.href}: the connection was lost (closed without a close frame)`);
          break;
      }
      return 0;
    },
  };

  stdin.pause();
  try {
    cx = clientContext(c, protocol, { wsMaxMessageSize: MAX_MESSAGE, wsNoCompression: !o.compress });
    clientConnect({
      context: cx,
      address: o.url.address,
      port: o.url.port,
      path: o.url.path,
      host: o.url.hostHeader,
      ...(o.origin !== undefined ? { origin: o.origin } : {}),
      ...(o.protocol !== undefined ? { protocol: o.protocol } : {}),
    });
  } catch (e) {
    finish(EXIT_CONNECTION, (e as Error).message);
  }
  return exited;
}
