// The sorted scheduler (lws calls it sul, "sorted usec list"): one min-heap of
// deadlines for every timer of a context — pending timeouts, setTimerUsecs(),
// deferred closes, retries. The platform is asked for one wake-up only, at the
// earliest deadline.

export class Sul {
  /** absolute deadline in platform microseconds; -1 when not scheduled */
  at = -1;
  /** position in the heap, -1 when not scheduled */
  index = -1;
  seq = 0;
  constructor(public cb: () => void) {}
  get scheduled(): boolean {
    return this.index >= 0;
  }
}

export class SulHeap {
  private heap: Sul[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** earliest deadline, or -1 when nothing is scheduled */
  next(): number {
    return this.heap.length ? this.heap[0]!.at : -1;
  }

  schedule(s: Sul, at: number): void {
    if (s.index >= 0) this.cancel(s);
    s.at = at;
    s.seq = ++this.seq;
    s.index = this.heap.length;
    this.heap.push(s);
    this.up(s.index);
  }

  cancel(s: Sul): void {
    const i = s.index;
    if (i < 0) return;
    const last = this.heap.pop()!;
    if (last !== s) {
      this.heap[i] = last;
      last.index = i;
      this.down(i);
      this.up(last.index);
    }
    s.index = -1;
    s.at = -1;
  }

  /** remove and return the earliest entry due at or before `now`, or null */
  popDue(now: number): Sul | null {
    const top = this.heap[0];
    if (!top || top.at > now) return null;
    this.cancel(top);
    return top;
  }

  private less(a: Sul, b: Sul): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private up(i: number): void {
    const h = this.heap;
    const s = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const ps = h[p]!;
      if (!this.less(s, ps)) break;
      h[i] = ps;
      ps.index = i;
      i = p;
    }
    h[i] = s;
    s.index = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const s = h[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(h[c + 1]!, h[c]!)) c++;
      const cs = h[c]!;
      if (!this.less(cs, s)) break;
      h[i] = cs;
      cs.index = i;
      i = c;
    }
    h[i] = s;
    s.index = i;
  }
}
