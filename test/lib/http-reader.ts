// A small HTTP/1.1 response reader for tests (independent of lwsx's parser):
// splits a byte stream into responses by Content-Length, chunking, or close.

export interface TestResponse {
  status: number;
  reason: string;
  headers: Record<string, string>;
  body: Uint8Array;
  text: string;
}

const dec = new TextDecoder();

function indexOfCrlfCrlf(b: Uint8Array, from: number): number {
  for (let i = from; i + 3 < b.length; i++) if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  return -1;
}

/**
 * Parse every complete response in `bytes`. `closed`: the stream ended, so a
 * last response without length runs to the end. `headRequests` lists which
 * responses (by index) answer HEAD (no body).
 */
export function readResponses(bytes: Uint8Array, closed = false, headRequests: number[] = []): TestResponse[] {
  const out: TestResponse[] = [];
  let off = 0;
  while (off < bytes.length) {
    const he = indexOfCrlfCrlf(bytes, off);
    if (he < 0) break;
    const lines = dec.decode(bytes.subarray(off, he)).split("\r\n");
    const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0]!);
    if (!m) throw new Error(`not a status line: ${JSON.stringify(lines[0])}`);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const c = l.indexOf(":");
      const k = l.slice(0, c).trim().toLowerCase();
      headers[k] = headers[k] !== undefined ? `${headers[k]}, ${l.slice(c + 1).trim()}` : l.slice(c + 1).trim();
    }
    const status = Number(m[1]);
    let p = he + 4;
    let body: Uint8Array;
    const noBody = headRequests.includes(out.length) || status === 204 || status === 304 || (status >= 100 && status < 200);
    if (noBody) body = new Uint8Array(0);
    else if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
      const parts: Uint8Array[] = [];
      for (;;) {
        let le = p;
        while (le + 1 < bytes.length && !(bytes[le] === 13 && bytes[le + 1] === 10)) le++;
        if (le + 1 >= bytes.length) return out;
        const size = parseInt(dec.decode(bytes.subarray(p, le)).split(";")[0]!, 16);
        p = le + 2;
        if (size === 0) {
          const te = indexOfCrlfCrlf(bytes, p - 2);
          if (te < 0) return out;
          p = te + 4;
          break;
        }
        if (p + size + 2 > bytes.length) return out;
        parts.push(bytes.subarray(p, p + size));
        p += size + 2;
      }
      const total = parts.reduce((n, x) => n + x.length, 0);
      body = new Uint8Array(total);
      let o = 0;
      for (const x of parts) body.set(x, o), (o += x.length);
    } else if (headers["content-length"] !== undefined) {
      const n = Number(headers["content-length"]);
      if (p + n > bytes.length) break;
      body = bytes.subarray(p, p + n);
      p += n;
    } else {
      if (!closed) break;
      body = bytes.subarray(p);
      p = bytes.length;
    }
    out.push({ status, reason: m[2]!, headers, body, text: dec.decode(body) });
    off = p;
  }
  return out;
}
