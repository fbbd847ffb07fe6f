// Raw roles: adoption of sockets and files, and the raw client.

import type { Vhost } from "../../core/context.js";
import type { Wsi } from "../../core/wsi.js";
import { rawSktRole } from "./raw-skt.js";
import { rawFileRole, rawFileRead } from "./raw-file.js";

export { rawSktRole, rawFileRole, rawFileRead };

export interface AdoptInfo {
  /** protocol of the vhost to bind (default: its listenAcceptProtocol, or protocols[0]) */
  protocol?: string;
  parent?: Wsi | null;
  opaque?: unknown;
}

/**
 * lws_adopt_descriptor_vhost for a connected socket the platform already has
 * (LWS_ADOPT_SOCKET | LWS_ADOPT_RAW_SOCKET_...): it becomes a raw wsi.
 */
export function adoptSocketRaw(vh: Vhost, fd: number, info: AdoptInfo = {}): Wsi | null {
  return vh.context.adopt(vh, { role: rawSktRole, fd, protocol: info.protocol ?? null, parent: info.parent ?? null, opaque: info.opaque, isServer: true });
}

/**
 * Adopt a raw file (lws_adopt_descriptor_vhost with LWS_ADOPT_RAW_FILE_DESC):
 * a path the platform opens, or a descriptor it already has (stdin is 0 on
 * Node). RAW_ADOPT_FILE, then RAW_RX_FILE whenever it is readable.
 */
export function adoptFile(vh: Vhost, file: string | number, info: AdoptInfo & { flags?: string } = {}): Wsi | null {
  const files = vh.context.platform.files;
  if (!files) throw new Error(`lwsx: platform '${vh.context.platform.name}' has no raw files`);
  const fd = typeof file === "number" ? file : files.open(file, info.flags ?? "r");
  return vh.context.adopt(vh, { role: rawFileRole, fd, protocol: info.protocol ?? null, parent: info.parent ?? null, opaque: info.opaque, isServer: true });
}
