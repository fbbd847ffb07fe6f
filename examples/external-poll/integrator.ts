// An integrator's own event loop, driving an lwsx context only through the
// external-poll callbacks, the way an application with its own poll() loop
// embeds libwebsockets:
//
//  - protocols[0] hears LOCK_POLL / ADD_POLL_FD / CHANGE_MODE_POLL_FD /
//    DEL_POLL_FD / UNLOCK_POLL and keeps the integrator's own pollfd array;
//  - the loop waits for readiness of exactly those descriptors (here through
//    the platform's readiness source, standing in for poll(2)) and hands each
//    ready entry to serviceFd().
//
// The context is created with `externalPoll: true`, so lwsx itself asks the
// platform to watch nothing.

import {
  serviceFd,
  LWS_CALLBACK_ADD_POLL_FD,
  LWS_CALLBACK_CHANGE_MODE_POLL_FD,
  LWS_CALLBACK_DEL_POLL_FD,
  LWS_CALLBACK_LOCK_POLL,
  LWS_CALLBACK_UNLOCK_POLL,
  type Context,
  type Platform,
  type PollArgs,
  type PollFd,
} from "../../src/index.js";

export class Integrator {
  /** the integrator's pollfd array, in the order descriptors were added (lws keeps it compact the same way) */
  readonly pollfds: PollFd[] = [];
  private readonly index = new Map<number, number>();
  private locked = 0;
  private turnPending = false;
  context: Context | null = null;
  /** every poll callback seen, for inspection */
  readonly trace: string[] = [];

  constructor(private readonly platform: Platform) {}

  /**
   * Call from protocols[0]'s callback; returns true when the reason was a
   * poll reason (and so handled).
   */
  handle(reason: number, inp: unknown, len: number): boolean {
    switch (reason) {
      case LWS_CALLBACK_LOCK_POLL:
        this.locked++;
        this.trace.push(`lock(${len})`);
        return true;
      case LWS_CALLBACK_UNLOCK_POLL:
        this.locked--;
        this.trace.push(`unlock(${len})`);
        return true;
      case LWS_CALLBACK_ADD_POLL_FD: {
        const pa = inp as PollArgs;
        if (this.locked <= 0) throw new Error("ADD_POLL_FD outside LOCK_POLL");
        this.index.set(pa.fd, this.pollfds.length);
        this.pollfds.push({ fd: pa.fd, events: pa.events, revents: 0 });
        this.platform.watch(pa.fd, pa.events, this.ready);
        this.trace.push(`add ${pa.fd} ${pa.events}`);
        return true;
      }
      case LWS_CALLBACK_CHANGE_MODE_POLL_FD: {
        const pa = inp as PollArgs;
        const i = this.index.get(pa.fd);
        if (i === undefined) throw new Error(`CHANGE_MODE_POLL_FD for unknown fd ${pa.fd}`);
        const pfd = this.pollfds[i]!;
        if (pfd.events !== pa.prev_events) throw new Error(`fd ${pa.fd}: prev_events ${pa.prev_events} but the table has ${pfd.events}`);
        pfd.events = pa.events;
        this.platform.watch(pa.fd, pa.events, this.ready);
        this.trace.push(`change ${pa.fd} ${pa.prev_events}->${pa.events}`);
        return true;
      }
      case LWS_CALLBACK_DEL_POLL_FD: {
        const pa = inp as PollArgs;
        const i = this.index.get(pa.fd);
        if (i === undefined) throw new Error(`DEL_POLL_FD for unknown fd ${pa.fd}`);
        // compact as lws does: the last entry takes the freed slot
        const last = this.pollfds.pop()!;
        if (i < this.pollfds.length) {
          this.pollfds[i] = last;
          this.index.set(last.fd, i);
        }
        this.index.delete(pa.fd);
        this.platform.unwatch(pa.fd);
        this.trace.push(`del ${pa.fd}`);
        return true;
      }
    }
    return false;
  }

  private readonly ready = (fd: number, revents: number): void => {
    const i = this.index.get(fd);
    if (i === undefined) return;
    this.pollfds[i]!.revents |= revents;
    if (!this.turnPending) {
      this.turnPending = true;
      this.platform.post(() => this.turn());
    }
  };

  /** one turn of the loop: service every descriptor poll() found ready */
  turn(): void {
    this.turnPending = false;
    const cx = this.context;
    if (!cx) return;
    for (const pfd of [...this.pollfds]) {
      if (!pfd.revents) continue;
      const p: PollFd = { fd: pfd.fd, events: pfd.events, revents: pfd.revents & (pfd.events | 0x18) };
      pfd.revents = 0;
      if (p.revents) serviceFd(cx, p);
    }
  }
}
