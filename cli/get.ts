// `lwsx get URL [-o FILE]`: an HTTP/1.1 GET on the lws client API
// (clientConnect, RECEIVE_CLIENT_HTTP -> httpClientRead -> RECEIVE_CLIENT_HTTP_READ).
//
// The body is streamed to stdout or FILE, never held whole: when the output
// stream's write() says it is full, the next httpClientRead() waits for its
// 'drain', and the client holds reception off meanwhile (TCP's flow control
// reaches the server). Redirects are followed by the client role. A status
// >= 400 fails like curl -f: nothing is written, exit 3. With -o the body
// goes to a temporary file beside FILE, renamed to FILE once complete, so a
// failed download leaves no FILE behind.

import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import {
  clientConnect,
  httpClientRead,
  httpClientHttpResponse,
  hdrCopy,
  statusReason,
  WSI_TOKEN_HTTP_CONTENT_LENGTH,
  LWS_CALLBACK_CLIENT_CONNECTION_ERROR,
  LWS_CALLBACK_CLIENT_HTTP_REDIRECT,
  LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP,
  LWS_CALLBACK_RECEIVE_CLIENT_HTTP,
  LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ,
  LWS_CALLBACK_COMPLETED_CLIENT_HTTP,
  LWS_CALLBACK_CLOSED_CLIENT_HTTP,
  type Context,
  type Protocol,
  type Wsi,
} from "../src/index.js";
import type { ParsedUrl } from "./url.js";
import { Progress } from "./progress.js";
import { badUsage, cli, clientContext, clientUrl, commandUrl, flushed, EXIT_CONNECTION, EXIT_INTERRUPTED, EXIT_OK, EXIT_OUTPUT, EXIT_REFUSED } from "./common.js";

export const GET_USAGE = `usage: lwsx get URL [-o FILE] [options]

  Fetch URL (http://) with a GET and write the body to stdout, or to FILE.

  -o, --output FILE      write the body to FILE (through a temporary file renamed at the end;
                         a failed download leaves no FILE); '-' is stdout
  --max-redirects N      follow at most N redirects (default 4)
  -q, --quiet            no progress bar (it is drawn on stderr when that is a terminal
                         and the body does not go to the same terminal)
  --progress             show the progress bar even when stderr is not a terminal
  -v, --verbose          say what happens (redirects, status, lwsx's log) on stderr
  -h, --help             this text

exit codes: 0 done; 1 connection failed or broke off (lws' error string is printed);
2 bad arguments or URL, or https:// (no TLS in this build yet); 3 HTTP status >= 400
(the body is not written); 4 the output could not be written; 130 interrupted`;

interface GetOptions {
  url: ParsedUrl;
  output: string | null;
  maxRedirects: number;
  progress: boolean;
  verbose: boolean;
}

/** `lwsx get` with these arguments; resolves to the exit code */
export async function main(argv: string[]): Promise<number> {
  const c = cli("get");
  let opts: GetOptions;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        output: { type: "string", short: "o" },
        "max-redirects": { type: "string" },
        quiet: { type: "boolean", short: "q" },
        progress: { type: "boolean" },
        verbose: { type: "boolean", short: "v" },
        help: { type: "boolean", short: "h" },
      },
    });
    const text = commandUrl(c, values.help, positionals, GET_USAGE);
    if (typeof text === "number") return text;
    let maxRedirects = 4;
    if (values["max-redirects"] !== undefined) {
      if (!/^\d+$/.test(values["max-redirects"])) throw new Error(`--max-redirects takes a number, not '${values["max-redirects"]}'`);
      maxRedirects = Number(values["max-redirects"]);
    }
    const url = clientUrl(c, text, ["http", "https"]);
    if (typeof url === "number") return url;
    const output = values.output === undefined || values.output === "-" ? null : values.output;
    if (values.output === "") throw new Error("-o needs a file name");
    c.verbose = !!values.verbose;
    // on a terminal, unless the body goes to that terminal too (it would be drawn over)
    const bar = !!values.progress || (!!process.stderr.isTTY && (output !== null || !process.stdout.isTTY));
    opts = { url, output, maxRedirects, progress: !values.quiet && bar, verbose: !!values.verbose };
  } catch (e) {
    return badUsage(c, e, GET_USAGE);
  }
  return get(opts, c);
}

async function get(o: GetOptions, c: ReturnType<typeof cli>): Promise<number> {
  // the output: stdout, or a temporary file next to FILE (same file system: the rename is atomic)
  let sink: NodeJS.WritableStream;
  let tmp: string | null = null;
  if (o.output) {
    const dir = path.dirname(path.resolve(o.output));
    tmp = path.join(dir, `.${path.basename(o.output)}.lwsx-${process.pid}-${Date.now().toString(36)}.part`);
    let fd: number;
    try {
      fd = fs.openSync(tmp, "wx", 0o666);
    } catch (e) {
      c.err(`cannot write ${o.output}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? `no folder ${dir}` : (e as Error).message}`);
      return EXIT_OUTPUT;
    }
    sink = fs.createWriteStream("", { fd, highWaterMark: 256 * 1024 });
  } else sink = process.stdout;

  const progress = o.progress ? new Progress(process.stderr) : null;
  let wsi: Wsi | null = null;
  let cx: Context | null = null;
  let done = false;
  let paused = false;
  let received = 0;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));

  /** the outcome is known: stop the client, settle the output, then exit with `code` */
  const finish = (code: number, message?: string): void => {
    if (done) return;
    done = true;
    if (progress && code !== EXIT_REFUSED) progress.finish();
    if (message) c.err(message);
    process.removeListener("SIGINT", onSigint);
    // the context goes once the callback that got here has returned
    setImmediate(() => cx?.destroy());
    void settle(code).then(resolveExit);
  };

  const settle = async (code: number): Promise<number> => {
    if (!tmp) {
      await flushed(sink);
      return code;
    }
    const file = tmp;
    if (code === EXIT_OK) {
      try {
        await new Promise<void>((res, rej) => {
          sink.once("error", rej);
          sink.end(() => res());
        });
        fs.renameSync(file, o.output!);
        return EXIT_OK;
      } catch (e) {
        c.err(`cannot write ${o.output}: ${(e as Error).message}`);
        code = EXIT_OUTPUT;
      }
    }
    (sink as fs.WriteStream).destroy();
    try {
      fs.unlinkSync(file);
    } catch {
      /* gone already */
    }
    return code;
  };

  const onSigint = () => finish(EXIT_INTERRUPTED, "interrupted");
  process.once("SIGINT", onSigint);

  sink.on("error", (e: NodeJS.ErrnoException) => {
    // a reader that went away (`lwsx get URL | head`) is not worth a message
    finish(EXIT_OUTPUT, e.code === "EPIPE" ? undefined : `cannot write ${o.output ?? "stdout"}: ${e.message}`);
  });

  /** the output has room again: read what the client held back */
  const resume = () => {
    paused = false;
    if (done || !wsi || wsi.dead) return;
    if (httpClientRead(wsi) < 0) finish(EXIT_CONNECTION, "the response body is malformed");
  };

  const protocol: Protocol = {
    name: "lwsx-get",
    rxBufferSize: 64 * 1024,
    callback(w, reason, _user, in_, len) {
      if (done) return reason === LWS_CALLBACK_RECEIVE_CLIENT_HTTP ? -1 : 0;
      switch (reason) {
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
          finish(EXIT_CONNECTION, `${o.url.href}: ${in_ ?? "connection failed"}`);
          break;
        case LWS_CALLBACK_CLIENT_HTTP_REDIRECT:
          c.info(`${len} redirect to ${in_}`);
          break;
        case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP: {
          const status = httpClientHttpResponse(w);
          c.info(`HTTP ${status} ${statusReason(status)}`);
          if (status >= 400) {
            // like curl -f: the error page is not the file asked for
            finish(EXIT_REFUSED, `${o.url.href}: HTTP ${status} ${statusReason(status)}`);
            return -1;
          }
          const cl = hdrCopy(w, WSI_TOKEN_HTTP_CONTENT_LENGTH);
          if (progress && cl && /^\d+$/.test(cl.trim())) progress.total = Number(cl.trim());
          break;
        }
        case LWS_CALLBACK_RECEIVE_CLIENT_HTTP:
          // bytes are there; read them unless the output is full (the client then holds them, and reception)
          if (paused) return 0;
          return httpClientRead(w) < 0 ? -1 : 0;
        case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ: {
          received += len;
          // a copy: the bytes are only lent for the callback
          if (!sink.write(Buffer.from(in_ as Uint8Array)) && !paused) {
            paused = true;
            sink.once("drain", () => setImmediate(resume));
          }
          progress?.update(received);
          break;
        }
        case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
          c.info(`${received} bytes`);
          finish(EXIT_OK);
          break;
        case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
          // closed without COMPLETED: cut short or a bad body
          finish(EXIT_CONNECTION, `${o.url.href}: the connection closed before the response was complete (${received} bytes of the body received)`);
          break;
      }
      return 0;
    },
  };

  try {
    cx = clientContext(c, protocol);
    const pwsi: { wsi: Wsi | null } = { wsi: null };
    clientConnect({
      context: cx,
      address: o.url.address,
      port: o.url.port,
      path: o.url.path,
      host: o.url.hostHeader,
      method: "GET",
      maxRedirects: o.maxRedirects,
      pwsi,
    });
    wsi = pwsi.wsi;
  } catch (e) {
    finish(EXIT_CONNECTION, (e as Error).message);
  }
  return exited;
}
