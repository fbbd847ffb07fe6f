// The WebSocket client's side of the opening handshake (RFC 6455 4.1/4.2.2,
// RFC 7692 7.1): the request headers it adds, and the checks of the server's
// answer in lws v4.3's order, each failure named with lws' diagnostic string.

import * as R from "../../core/reasons.js";
import { base64Encode } from "../../core/base64.js";
import { sha1 } from "../../core/sha1.js";
import type { Protocol, ExtDefaults } from "../../core/types.js";
import type { PlatformZlib } from "../../core/platform.js";
import type { Wsi } from "../../core/wsi.js";
import type { HttpHeader } from "../http/parser.js";
import { acceptKey, joinedHeader, parseExtensions, parseProtocolList, PMD_NAME, validatePmdOffer, validatePmdResponse, type PmdParams } from "./handshake.js";
import type { PmdState } from "./server.js";

/** what the client offered, to check the answer against */
export interface WsOffer {
  /** Sec-WebSocket-Accept we expect */
  accept: string;
  /** the subprotocols asked, in order (empty: none) */
  protocols: string[];
  /** permessage-deflate was offered (with this offer) */
  pmd: PmdParams | null;
}

/**
 * The client's permessage-deflate offer: lws' (client_max_window_bits), or,
 * for a platform zlib that cannot take a dictionary, deflates only to the end
 * of a stream or with one window size, what it needs of the server instead.
 */
function pmdOffer(z: PlatformZlib): { text: string; params: PmdParams } {
  const params: PmdParams = {
    serverNoContextTakeover: !!z.inflateNoDictionary,
    clientNoContextTakeover: !!z.deflateEndsStream,
    serverMaxWindowBits: undefined,
    clientMaxWindowBits: z.deflateWindowBits === undefined ? true : undefined,
  };
  let text = PMD_NAME;
  if (params.serverNoContextTakeover) text += "; server_no_context_takeover";
  if (params.clientNoContextTakeover) text += "; client_no_context_takeover";
  if (params.clientMaxWindowBits) text += "; client_max_window_bits";
  return { text, params };
}

/** an extensions answer longer than this fails with "HS: EXT: list too big" */
export const WS_EXT_LIST_MAX = 1024;

/**
 * The WebSocket lines of the request (after Host/Origin): Upgrade,
 * Connection, a fresh random key, the subprotocols, the extensions the
 * platform can do and protocols[0] does not refuse (CLIENT_CONFIRM_EXTENSION_SUPPORTED),
 * the version.
 */
export function wsRequestLines(wsi: Wsi, protocols: string | null): { lines: string; offer: WsOffer } {
  const cx = wsi.context;
  const nonce = new Uint8Array(16);
  cx.platform.random(nonce);
  const key = base64Encode(nonce);
  let lines = `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n`;
  const list = protocols ? parseProtocolList(protocols) ?? [] : [];
  if (list.length) lines += `Sec-WebSocket-Protocol: ${list.join(", ")}\r\n`;
  let pmd: PmdParams | null = null;
  const info = wsi.vhost.info as { wsNoCompression?: boolean };
  if (cx.platform.zlib && !info.wsNoCompression) {
    const p0 = wsi.vhost.protocols[0]!;
    if (!cx.call(wsi, p0, R.LWS_CALLBACK_CLIENT_CONFIRM_EXTENSION_SUPPORTED, null, PMD_NAME, PMD_NAME.length)) {
      const o = pmdOffer(cx.platform.zlib);
      lines += `Sec-WebSocket-Extensions: ${o.text}\r\n`;
      pmd = o.params;
    }
  }
  lines += "Sec-WebSocket-Version: 13\r\n";
  return { lines, offer: { accept: acceptKey(key, cx.platform.hooks?.sha1 ?? sha1), protocols: list, pmd } };
}


export type WsUpgradeCheck = { ok: true; protocol: Protocol; pmd: PmdState | null } | { ok: false; cce: string };

/**
 * Check the server's answer to the upgrade (lws_client_ws_upgrade). On
 * success, the protocol to speak (the one bound, or the vhost's protocol of
 * the subprotocol the server chose) and the negotiated permessage-deflate.
 */
export function checkWsUpgrade(wsi: Wsi, status: number, headers: HttpHeader[], offer: WsOffer): WsUpgradeCheck {
  const cx = wsi.context;
  if (status === 401) return { ok: false, cce: "HS: ws upgrade unauthorized" };
  if (status !== 101) return { ok: false, cce: "HS: ws upgrade response not 101" };
  const accept = joinedHeader(headers, "sec-websocket-accept");
  if (!accept) return { ok: false, cce: "HS: ACCEPT missing" };
  const upgrade = joinedHeader(headers, "upgrade");
  if (upgrade === null) return { ok: false, cce: "HS: UPGRADE missing" };
  if (upgrade.trim().toLowerCase() !== "websocket") return { ok: false, cce: "HS: Upgrade to something other than websocket" };
  const connection = joinedHeader(headers, "connection");
  if (connection === null) return { ok: false, cce: "HS: CONNECTION missing" };
  if (!connection.split(",").some((t) => t.trim().toLowerCase() === "upgrade")) return { ok: false, cce: "HS: UPGRADE malformed" };

  // the subprotocol: one we asked for. The vhost's protocol of that name
  // speaks it; without one, a bound protocol with a name of its own (not one
  // of the subprotocols asked) is kept, as lws keeps a client's pre-bound
  // protocol, but one bound for another subprotocol cannot speak this one.
  let p = wsi.protocol!;
  const chosen = joinedHeader(headers, "sec-websocket-protocol");
  if (chosen !== null) {
    const name = chosen.trim();
    if (!offer.protocols.includes(name)) return { ok: false, cce: "HS: PROTOCOL malformed" };
    if (name !== p.name) {
      const q = wsi.vhost.protocolByName(name);
      if (q) p = q;
      else if (offer.protocols.includes(p.name)) return { ok: false, cce: "HS: Cannot match protocol" };
    }
  }

  let pmd: PmdState | null = null;
  const exts = joinedHeader(headers, "sec-websocket-extensions");
  if (exts !== null && exts.trim() !== "") {
    if (exts.length > WS_EXT_LIST_MAX) return { ok: false, cce: "HS: EXT: list too big" };
    const list = parseExtensions(exts);
    if (!list) return { ok: false, cce: "HS: EXT: failed parsing options" };
    for (const e of list) {
      if (e.name !== PMD_NAME || !offer.pmd || pmd) return { ok: false, cce: "HS: EXT: unknown ext" };
      // the user may set this connection's defaults for the extension
      const defaults: ExtDefaults = { value: "" };
      if (cx.call(wsi, p, R.LWS_CALLBACK_WS_EXT_DEFAULTS, PMD_NAME, defaults, 128)) return { ok: false, cce: "HS: EXT: failed setting defaults" };
      let own: PmdParams | null = null;
      if (defaults.value) {
        const d = parseExtensions(`${PMD_NAME}; ${defaults.value}`);
        const v = d && d.length === 1 ? validatePmdOffer(d[0]!.params) : null;
        if (!v || !v.ok) return { ok: false, cce: "HS: EXT: failed parsing defaults" };
        own = v.params;
      }
      const syntax = validatePmdResponse(e.params);
      if (!syntax.ok) return { ok: false, cce: "HS: EXT: failed parsing options" };
      const r = validatePmdResponse(e.params, offer.pmd);
      if (!r.ok) return { ok: false, cce: "HS: EXT: Rejects server options" };
      const a = r.params;
      // zlib cannot compress with a 256-byte window
      if (a.clientMaxWindowBits === 8) return { ok: false, cce: "HS: EXT: Rejects server options" };
      // our defaults may only narrow what the server allows us
      const ourBits = Math.min(typeof a.clientMaxWindowBits === "number" ? a.clientMaxWindowBits : 15, typeof own?.clientMaxWindowBits === "number" ? own.clientMaxWindowBits : 15);
      const z = cx.platform.zlib!;
      pmd = {
        // the peer (the server) keeps its context unless it said it would not
        clientContext: !a.serverNoContextTakeover,
        window: null,
        clientBits: a.serverMaxWindowBits ?? 15,
        serverBits: ourBits,
        txCompressed: false,
        // send uncompressed with a deflate that cannot keep to the window the
        // server allows us, or that ends a stream per message while the server
        // did not take up our client_no_context_takeover (it may keep one
        // inflate stream, which our first final block would end)
        txOff: (z.deflateWindowBits !== undefined && ourBits < z.deflateWindowBits) || (!!z.deflateEndsStream && !a.clientNoContextTakeover),
      };
    }
  }

  if (accept.trim() !== offer.accept) return { ok: false, cce: "HS: Accept hash wrong" };
  return { ok: true, protocol: p, pmd };
}
