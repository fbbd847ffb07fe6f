// The output buffer list of a wsi (lws_buflist): bytes a write could not hand
// to the platform at once, kept in order until POLLOUT lets them drain. What
// is stored is a copy: the caller's buffer is free again when write() returns.
//
// A place can also be reserved for bytes that are still being made (a message
// compressed on another thread): a hole keeps its turn in the order, nothing
// after it leaves before it is filled, and while it is open the list counts as
// not empty (no WRITEABLE, no close before the flush).

const EMPTY = new Uint8Array(0);

/** a reserved place in a Buflist, filled later (Buflist.fill) */
export class BufHole {
  /** the bytes, once filled */
  data: Uint8Array | null = null;
  /** the list was cleared (the connection went away) before the fill */
  cancelled = false;
}

export class Buflist {
  private segs: (Uint8Array | BufHole)[] = [];
  private head = 0;
  /** offset into segs[head] already sent */
  private off = 0;
  private total = 0;
  /** holes not filled yet */
  private open = 0;

  /** bytes waiting, plus one for each open hole */
  get length(): number {
    return this.total + this.open;
  }

  get empty(): boolean {
    return this.total === 0 && this.open === 0;
  }

  /** the next thing to send is a hole not filled yet */
  get blocked(): boolean {
    const s = this.segs[this.head];
    return !!s && !(s instanceof Uint8Array) && s.data === null;
  }

  /** keep a place for bytes made later */
  reserve(): BufHole {
    const h = new BufHole();
    this.segs.push(h);
    this.open++;
    return h;
  }

  /** fill a hole of this list (taken as is, not copied); false if the list was cleared since */
  fill(h: BufHole, data: Uint8Array): boolean {
    if (h.cancelled || h.data) return false;
    h.data = data.length ? data : EMPTY;
    this.open--;
    this.total += data.length;
    if (!data.length) this.skipSpent();
    return true;
  }

  append(data: Uint8Array): void {
    if (!data.length) return;
    this.segs.push(data.slice());
    this.total += data.length;
  }

  /** the next bytes to send (a view: valid until use() or append()); null when none, or when a hole comes first */
  peek(): Uint8Array | null {
    const e = this.segs[this.head];
    if (!e) return null;
    const s = e instanceof Uint8Array ? e : e.data;
    if (!s) return null;
    return this.off ? s.subarray(this.off) : s;
  }

  /** mark `n` bytes of peek() as sent */
  use(n: number): void {
    this.total -= n;
    this.off += n;
    const e = this.segs[this.head]!;
    const s = e instanceof Uint8Array ? e : e.data!;
    if (this.off >= s.length) {
      this.next();
      this.skipSpent();
    }
  }

  private next(): void {
    this.segs[this.head] = undefined as unknown as Uint8Array;
    this.head++;
    this.off = 0;
    if (this.head === this.segs.length) {
      this.segs.length = 0;
      this.head = 0;
    } else if (this.head > 32 && this.head * 2 > this.segs.length) {
      this.segs = this.segs.slice(this.head);
      this.head = 0;
    }
  }

  /** holes filled with nothing leave no segment to send */
  private skipSpent(): void {
    for (;;) {
      const e = this.segs[this.head];
      if (!e || e instanceof Uint8Array || e.data === null || e.data.length) return;
      this.next();
    }
  }

  clear(): void {
    for (let i = this.head; i < this.segs.length; i++) {
      const e = this.segs[i];
      if (e && !(e instanceof Uint8Array)) e.cancelled = true;
    }
    this.open = 0;
    this.segs.length = 0;
    this.head = 0;
    this.off = 0;
    this.total = 0;
  }
}
