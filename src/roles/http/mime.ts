// Content types by file extension (what lws' built-in table knows, and what
// an embedded web UI needs).

const TYPES: Record<string, string> = {
  html: "text/html", htm: "text/html", css: "text/css", js: "text/javascript", mjs: "text/javascript",
  json: "application/json", map: "application/json", txt: "text/plain", md: "text/markdown", xml: "application/xml",
  csv: "text/csv", png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", svg: "image/svg+xml",
  ico: "image/x-icon", webp: "image/webp", woff: "font/woff", woff2: "font/woff2", ttf: "font/ttf", otf: "font/otf",
  wasm: "application/wasm", pdf: "application/pdf", zip: "application/zip", gz: "application/gzip",
  bin: "application/octet-stream", mp3: "audio/mpeg", mp4: "video/mp4", webm: "video/webm", ogg: "audio/ogg",
  wav: "audio/wav", webmanifest: "application/manifest+json",
};

/** text types get "; charset=utf-8" */
const TEXTUAL = /^(text\/|application\/(json|javascript|xml|manifest\+json))/;

/**
 * The content type of `path`, looking first in a mount's extra types (keyed
 * by extension, as ".ext" or "ext"; "*" matches anything). Null when unknown:
 * lws refuses to serve a file it has no type for.
 */
export function mimeType(path: string, extra?: Record<string, string> | null): string | null {
  const slash = path.lastIndexOf("/");
  const dot = path.lastIndexOf(".");
  const ext = dot > slash ? path.slice(dot + 1).toLowerCase() : "";
  let t: string | undefined;
  if (extra) t = extra["." + ext] ?? extra[ext] ?? undefined;
  t ??= TYPES[ext];
  if (!t && extra) t = extra["*"];
  if (!t) return null;
  return TEXTUAL.test(t) && t.indexOf("charset") < 0 ? `${t}; charset=utf-8` : t;
}
