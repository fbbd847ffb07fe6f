// Per-connection state of an HTTP/1.1 server connection (wsi.rs).

import type { Wsi } from "../../core/wsi.js";
import type { RequestHead, RequestParser } from "./parser.js";
import type { HttpMount } from "./mounts.js";

export interface FileTransfer {
  handle: number;
  /** next byte of the file to send */
  pos: number;
  /** bytes still to send */
  remain: number;
  buf: Uint8Array;
  /** the protocol gets HTTP_FILE_COMPLETION when done */
  notify: boolean;
}

export class HttpConn {
  /** set by the role when it makes the connection (the connection is usually the parser's event sink) */
  parser!: RequestParser;
  /** the request being answered */
  head: RequestHead | null = null;
  /** decoded, normalised path */
  path = "";
  query = "";
  mount: HttpMount | null = null;
  /** bytes after a complete request, waiting for its answer to finish (pipelining) */
  pending: Uint8Array | null = null;
  /** inside the parser: a completed transaction is finished by the feed loop */
  inFeed = false;
  requests = 0;
  /** counts transactions: a callback can tell whether the one it started is still current */
  serial = 0;
  /** the request (head + body) is fully in */
  requestDone = false;
  /** httpTransactionCompleted() was called for the current request */
  txnDone = false;
  hasBody = false;
  /** body bytes of the current request received so far (a mount's maxHttpBodySize) */
  bodyBytes = 0;
  /** what a connection that may still fall back to raw has sent so far */
  preface: Uint8Array | null = null;
  /** the first bytes of the current request arrived (its header timeout runs) */
  headStarted = false;

  // the response
  headersSent = false;
  chunked = false;
  /** bytes of body still owed per Content-Length; -1 when no length was given */
  txRemain = -1;
  /** the response ends when the connection closes (no length, not chunked) */
  closeDelimited = false;
  keepAlive = true;
  isHead = false;
  status = 0;
  /** the response has a Date header of the callback's own */
  dateSet = false;
  file: FileTransfer | null = null;
  constructor(parser?: RequestParser) {
    if (parser) this.parser = parser;
  }

  resetResponse(): void {
    this.headersSent = false;
    this.chunked = false;
    this.txRemain = -1;
    this.closeDelimited = false;
    this.status = 0;
    this.dateSet = false;
    this.file = null;
  }
}

export function httpConn(wsi: Wsi): HttpConn | null {
  const c = wsi.rs;
  return c instanceof HttpConn ? c : null;
}
