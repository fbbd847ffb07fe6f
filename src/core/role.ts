// A role is what a connection speaks (raw socket, raw file, HTTP, WebSocket):
// one object with the same small set of hooks, dispatched to by the core, as
// lws' struct lws_role_ops. Callback reasons come in [client, server] pairs.

import type { Wsi } from "./wsi.js";

export type ReasonPair = readonly [client: number, server: number];

/** what a role's service hook tells the core */
export const HANDLED = 0;
/** close the connection (the role already said why) */
export const CLOSE = 1;
/** the role closed or freed the wsi itself */
export const DIED = 2;
export type ServiceResult = typeof HANDLED | typeof CLOSE | typeof DIED;

export interface RoleOps {
  readonly name: string;
  /** reason sent to the bound protocol once the connection is adopted; none: SERVER_NEW_CLIENT_INSTANTIATED */
  readonly adoptionCb?: ReasonPair;
  readonly writeableCb: ReasonPair;
  readonly closeCb: ReasonPair;
  readonly bindCb: ReasonPair;
  readonly unbindCb: ReasonPair;
  /** descriptors of this role are platform files, not sockets */
  readonly isFile?: boolean;
  /** POLLIN on the descriptor */
  handlePollin(wsi: Wsi): ServiceResult;
  /** bytes read by the role this connection had before (HTTP, then WebSocket after an upgrade) */
  handleData?(wsi: Wsi, data: Uint8Array): ServiceResult;
  /** POLLOUT with nothing buffered and the user asked for WRITEABLE; POLLOUT is already cleared */
  handleWriteable?(wsi: Wsi): ServiceResult;
  /** the peer ended the stream (read gave end of stream); default: close */
  handleEof?(wsi: Wsi): ServiceResult;
  /** what to send a connection accepted over the vhost's limit before closing it (HTTP: a 503) */
  readonly overLimitAnswer?: Uint8Array;
  /** the wsi is adopted and in the pollfd table, before its adoption callback: set up role state */
  onAdopt?(wsi: Wsi): void;
  /** the wsi is closing (after its protocol was dropped, before the close callback): free role state */
  onClose?(wsi: Wsi): void;
  /** check role-specific vhost settings at creation; throw a clear Error */
  validateVhost?(info: import("./types.js").VhostCreationInfo): void;
}
