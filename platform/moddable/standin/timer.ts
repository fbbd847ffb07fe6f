// Stand-ins for the Moddable SDK's `timer` and `time` modules over the sim's
// virtual clock, following modules/base/timer/timer.js, modTimer.c,
// mc/timer.c and modules/base/time/esp/modTime.c:
//
//  - Timer.set(callback, delay = 0, repeat = 0) / Timer.repeat(callback,
//    interval): delays are whole milliseconds (xsmcToInteger) on the SDK's ms
//    counter: a timer set at counter value c for d ms fires when the counter
//    reaches c + d; a repeating one then every `repeat` ms from its planned
//    time ("non-drifting"). The callback gets the timer, `this` is globalThis.
//  - timers that become due while timers are firing wait for the next pass
//    (modTimersExecute: "timers added during this call are ineligible").
//  - a one-shot timer is spent once it fired: Timer.clear() on it does
//    nothing, Timer.schedule() on it throws (its host data is gone).
//  - Timer.schedule(timer) unschedules; Timer.schedule(timer, delay, repeat?)
//    reschedules. Timer.delay() blocks the machine: not available here.
//  - Time.ticks: the ms counter as the SDK gives it, an int32 (it wraps);
//    `ticksStart` sets where it starts, to test the wrap.

import { Sul, SulHeap } from "../../../src/core/sul.js";
import type { SimNetwork } from "../../sim/index.js";

export interface StandinTimerHandle {
  readonly brand: "timer";
}

export interface StandinTimer {
  set(callback: (timer: StandinTimerHandle) => void, delay?: number, repeat?: number): StandinTimerHandle;
  repeat(callback: (timer: StandinTimerHandle) => void, interval: number): StandinTimerHandle;
  schedule(timer: StandinTimerHandle, delay?: number, repeat?: number): void;
  clear(timer: StandinTimerHandle | undefined | null): void;
  delay(ms: number): void;
}

export interface StandinTime {
  readonly ticks: number;
  delta(start: number, end?: number): number;
}

const noop = () => undefined;

/** a timer: its own entry in the stand-in's heap */
class Handle extends Sul implements StandinTimerHandle {
  readonly brand = "timer";
  /** ms between firings; 0 for a one-shot; -1 once unscheduled (modTimerUnschedule) */
  repeat = 0;
  /** planned counter value (ms) */
  trigger = 0;
  alive = true;
  constructor(readonly fn: (timer: StandinTimerHandle) => void) {
    super(noop);
  }
}

export function createStandinTimer(sim: SimNetwork, o: { ticksStart?: number } = {}): { Timer: StandinTimer; Time: StandinTime; ticks: () => number; pending: () => number } {
  const start = o.ticksStart ?? 0;
  /** the SDK's modMilliseconds(): a uint32 */
  const ms = () => (start + Math.floor(sim.now() / 1000)) >>> 0;
  const heap = new SulHeap();
  let armedAt = -1;

  const toInt = (v: unknown) => {
    const n = Math.trunc(Number(v));
    return Number.isFinite(n) ? n | 0 : 0;
  };

  /** µs of virtual time at which the counter reaches `trigger` */
  const usAt = (trigger: number) => {
    const ahead = (trigger - ms()) | 0; // modular, as modTimersExecute compares
    return (Math.floor(sim.now() / 1000) + Math.max(0, ahead)) * 1000;
  };

  const arm = () => {
    const next = heap.next();
    if (next < 0) return;
    if (armedAt >= 0 && armedAt <= next) return;
    armedAt = next;
    sim.at(next, () => wake(next));
  };

  const wake = (at: number) => {
    if (at === armedAt) armedAt = -1;
    // who fires this pass: what is due now; what becomes due meanwhile waits
    const due: Handle[] = [];
    const now = sim.now();
    for (let s = heap.popDue(now); s; s = heap.popDue(now)) due.push(s as Handle);
    for (const h of due) {
      if (!h.alive) continue;
      if (h.repeat > 0) {
        h.trigger = (h.trigger + h.repeat) >>> 0;
        heap.schedule(h, usAt(h.trigger));
      }
      h.fn.call(globalThis, h);
      // a one-shot is spent (rescheduling it from its own callback without a repeat does not save it)
      if (h.alive && h.repeat === 0) {
        heap.cancel(h);
        h.alive = false;
      }
    }
    arm();
  };

  const schedule = (h: Handle, delay: number, repeat: number) => {
    h.repeat = repeat;
    h.trigger = (ms() + delay) >>> 0;
    heap.schedule(h, usAt(h.trigger));
    arm();
  };

  const make = (cb: unknown, delay: number, repeat: number): Handle => {
    if (typeof cb !== "function") throw new TypeError("callback is not a function");
    const h = new Handle(cb as (t: StandinTimerHandle) => void);
    schedule(h, delay, repeat);
    return h;
  };

  const valid = (t: unknown): Handle => {
    if (!(t instanceof Handle) || !t.alive) throw new TypeError("invalid timer");
    return t;
  };

  const Timer: StandinTimer = {
    set: (callback, delay = 0, repeat = 0) => make(callback, toInt(delay), toInt(repeat)),
    repeat: (callback, interval) => make(callback, toInt(interval), toInt(interval)),
    schedule(timer, delay?: number, repeat?: number) {
      const h = valid(timer);
      if (delay === undefined) {
        heap.cancel(h); // modTimerUnschedule
        h.repeat = -1;
        return;
      }
      schedule(h, toInt(delay), toInt(repeat ?? 0));
    },
    clear(timer) {
      if (!(timer instanceof Handle) || !timer.alive) return;
      timer.alive = false;
      heap.cancel(timer);
    },
    delay() {
      throw new Error("Timer.delay() blocks the machine: the stand-in has no use for it");
    },
  };

  const Time: StandinTime = {
    get ticks() {
      return ms() | 0; // xsmcSetInteger(modMilliseconds()): an int32
    },
    delta(s: number, e?: number) {
      return ((e === undefined ? ms() : e >>> 0) - (s >>> 0)) | 0;
    },
  };

  return { Timer, Time, ticks: () => Time.ticks, pending: () => heap.size };
}
