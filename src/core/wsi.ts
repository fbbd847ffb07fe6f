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

export class Wsi {
  readonly context: Context;
  vhost: Vhost;
  role: RoleOps | null = null;
  protocol: Protocol | null = null;
  /** per-session user data of the bound protocol (lws user_space) */
  user: any = null;
  /** lws opaque_user_data */
  opaque: unknown = null;
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
  parent: Wsi | null = null;
  children: Wsi[] | null = null;
  private _buflist: Buflist | null = null;
  /** pending timeout (lws_set_timeout) and user timer (lws_set_timer_usecs) */
  timeoutSul: Sul | null = null;
  timeoutReason = 0;
  timerSul: Sul | null = null;
  /** role-private state */
  rs: any = null;
  /** lwsx's own connection (no WSI_CREATE / WSI_DESTROY for the user) */
  internal = false;
  /** close code / reason for logs */
  closeCause: string | null = null;
  readonly id: number;

  constructor(context: Context, vhost: Vhost, isServer: boolean, id: number) {
    this.context = context;
    this.vhost = vhost;
    this.isServer = isServer;
    this.id = id;
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
