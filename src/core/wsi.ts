// struct lws: one connection, listening socket or adopted file. Plain data;
// the context's service code acts on it. Fields are few on purpose: on the
// ESP32 every idle connection costs its slots of the XS heap.

import type { Context, Vhost } from "./context.js";
import type { Protocol } from "./types.js";
import type { RoleOps } from "./role.js";
import { Buflist } from "./buflist.js";
import type { Sul } from "./sul.js";

/** connection states (lwsi_state, reduced to what the core needs) */
export const WsiState = {
  /** created, no descriptor in the pollfd table yet */
  UNCONNECTED: 0,
  /** client waiting for its connect to complete */
  WAITING_CONNECT: 1,
  ESTABLISHED: 2,
  /** close asked, draining the buflist first */
  FLUSHING_BEFORE_CLOSE: 3,
  DEAD: 4,
} as const;
export type WsiState = (typeof WsiState)[keyof typeof WsiState];

/**
 * What the core asks of a client connection's state (src/client.ts keeps it
 * in wsi.rs while the connection is a client role's).
 */
export interface ClientHooks {
  readonly isClient: true;
  /** the protocol-level handshake is done (raw: connected; HTTP: response head taken; ws: upgraded) */
  established: boolean;
  /** a failure before establishing: true when it is concealed (lws_retry_bo_t conceal_count) and a retry is on its way */
  retry(wsi: Wsi, why: string): boolean;
  /** what CLIENT_CONNECTION_ERROR says when a timeout fires before establishing */
  timeoutCause(wsi: Wsi): string;
  /** the socket connected: send the request (HTTP, ws); false when that failed and the wsi is gone */
  connected?(wsi: Wsi): boolean;
}

export function clientHooks(wsi: Wsi): ClientHooks | null {
  const r = wsi.rs as ClientHooks | null;
  return !wsi.isServer && r && r.isClient === true ? r : null;
}

export class Wsi {
  readonly context: Context;
  vhost: Vhost;
  role: RoleOps | null = null;
  protocol: Protocol | null = null;
  /** per-session user data of the bound protocol (lws user_space) */
  user: any = null;
  fd = -1;
  state: WsiState = WsiState.UNCONNECTED;
  /** events in the pollfd table; -1 when not in it */
  events = -1;
  readonly isServer: boolean;
  isListen = false;
  /** user asked for a WRITEABLE callback */
  wantWritable = false;
  /** lws rxflow_bitmap: nonzero holds reception off */
  rxflowBits = 0;
  /** protocol bind callback given, drop owed */
  bound = false;
  private _buflist: Buflist | null = null;
  /** pending timeout (lws_set_timeout) */
  timeoutSul: Sul | null = null;
  timeoutReason = 0;
  /** role-private state */
  rs: any = null;
  /** what most connections never set (opaque data, parent and children, a user timer, a close cause): one field while unused */
  private x: WsiExtra | null = null;
  readonly id: number;

  constructor(context: Context, vhost: Vhost, isServer: boolean, id: number) {
    this.context = context;
    this.vhost = vhost;
    this.isServer = isServer;
    this.id = id;
  }

  private get extra(): WsiExtra {
    return (this.x ??= new WsiExtra());
  }

  /** lws opaque_user_data */
  get opaque(): unknown {
    return this.x ? this.x.opaque : null;
  }
  set opaque(v: unknown) {
    if (v !== null || this.x) this.extra.opaque = v;
  }

  get parent(): Wsi | null {
    return this.x ? this.x.parent : null;
  }
  set parent(v: Wsi | null) {
    if (v !== null || this.x) this.extra.parent = v;
  }

  get children(): Wsi[] | null {
    return this.x ? this.x.children : null;
  }
  set children(v: Wsi[] | null) {
    if (v !== null || this.x) this.extra.children = v;
  }

  /** the user timer (lws_set_timer_usecs) */
  get timerSul(): Sul | null {
    return this.x ? this.x.timerSul : null;
  }
  set timerSul(v: Sul | null) {
    if (v !== null || this.x) this.extra.timerSul = v;
  }

  /** lwsx's own connection (no WSI_CREATE / WSI_DESTROY for the user) */
  get internal(): boolean {
    return this.x ? this.x.internal : false;
  }
  set internal(v: boolean) {
    if (v || this.x) this.extra.internal = v;
  }

  /** close code / reason for logs */
  get closeCause(): string | null {
    return this.x ? this.x.closeCause : null;
  }
  set closeCause(v: string | null) {
    if (v !== null || this.x) this.extra.closeCause = v;
  }

  get buflist(): Buflist {
    return (this._buflist ??= new Buflist());
  }

  /** bytes waiting in the buflist (lws_has_buffered_out) */
  get buffered(): number {
    return this._buflist ? this._buflist.length : 0;
  }

  get dead(): boolean {
    return this.state === WsiState.DEAD;
  }

  toString(): string {
    return `wsi#${this.id}(${this.role?.name ?? "none"}${this.fd >= 0 ? " fd " + this.fd : ""})`;
  }
}

/** the rarely used part of a wsi, made the first time one of its fields is set */
class WsiExtra {
  opaque: unknown = null;
  parent: Wsi | null = null;
  children: Wsi[] | null = null;
  timerSul: Sul | null = null;
  internal = false;
  closeCause: string | null = null;
}
