// lws_http_mount: parts of the URL space served from a directory, by a
// protocol's callback, or redirected elsewhere.

/** enum lws_mount_protocols */
export const LWSMPRO_HTTP = 0;
export const LWSMPRO_HTTPS = 1;
export const LWSMPRO_FILE = 2;
export const LWSMPRO_CGI = 3;
export const LWSMPRO_REDIR_HTTP = 4;
export const LWSMPRO_REDIR_HTTPS = 5;
export const LWSMPRO_CALLBACK = 6;
export const LWSMPRO_NO_MOUNT = 7;

export interface HttpMount {
  /** "/" or "/path": the URL prefix this mount serves */
  mountpoint: string;
  /** directory (LWSMPRO_FILE), protocol name (LWSMPRO_CALLBACK), or "host/path" (redirects) */
  origin: string;
  /** one of LWSMPRO_*; as lws, a "callback://name" origin means LWSMPRO_CALLBACK */
  originProtocol: number;
  /** default file for a directory (lws def); "index.html" when absent */
  def?: string;
  /** protocol to bind for the transaction (also for file mounts, to get ADD_HEADERS and the like) */
  protocol?: string;
  /** more content types, by extension (".ext" or "ext"); "*" for anything else */
  extraMimetypes?: Record<string, string>;
  /** Cache-Control max-age, seconds (lws cache_max_age) */
  cacheMaxAge?: number;
  cacheReusable?: boolean;
  cacheRevalidate?: boolean;
  cacheIntermediaries?: boolean;
  cacheNo?: boolean;
  /** the mountpoint must match the whole path */
  exactMatch?: boolean;
  /** redirects: append the rest of the path to the target */
  appendPath?: boolean;
  /** bits given to CHECK_ACCESS_RIGHTS (callback mounts) */
  authMask?: number;
  /** a vfs file of "user:password" lines: HTTP basic auth for this mount */
  basicAuthLoginFile?: string;
  /** realm for basic auth; "lwsx" when absent */
  basicAuthRealm?: string;
  /** per-mount options passed to the protocol with HTTP_PMO before HTTP (lws cgienv) */
  pmo?: Record<string, string>;
  /** extra response headers for this mount, overriding the vhost's */
  headers?: Record<string, string>;
  /** most request body bytes this mount takes (413 beyond) */
  maxHttpBodySize?: number;
}

/**
 * The mount for `path` (lws_find_mount): the longest mountpoint that is the
 * whole path or a prefix of it ending at a "/" boundary.
 */
export function findMount(mounts: readonly HttpMount[] | undefined, path: string): HttpMount | null {
  if (!mounts) return null;
  let best: HttpMount | null = null;
  for (const m of mounts) {
    const mp = m.mountpoint;
    if (best && mp.length <= best.mountpoint.length) continue;
    if (path === mp) {
      best = m;
      continue;
    }
    if (m.exactMatch) continue;
    if (mp === "/" || (path.startsWith(mp) && (mp.endsWith("/") || path.charCodeAt(mp.length) === 47))) best = m;
  }
  return best;
}

/** check a mount list at vhost creation: clear errors for what cannot work */
export function validateMounts(mounts: readonly HttpMount[] | undefined): void {
  if (!mounts) return;
  for (const m of mounts) {
    if (!m || typeof m.mountpoint !== "string" || m.mountpoint[0] !== "/") throw new Error(`lwsx: mount ${JSON.stringify(m?.mountpoint)}: a mountpoint starts with "/"`);
    if (typeof m.origin !== "string") throw new Error(`lwsx: mount '${m.mountpoint}': origin is required`);
    if (m.originProtocol === LWSMPRO_CGI || m.originProtocol === LWSMPRO_HTTP || m.originProtocol === LWSMPRO_HTTPS)
      throw new Error(`lwsx: mount '${m.mountpoint}': CGI and proxy mounts are not in this build`);
  }
}
