// The output buffer list of a wsi (lws_buflist): bytes a write could not hand
// to the platform at once, kept in order until POLLOUT lets them drain. What
// is stored is a copy: the caller's buffer is free again when write() returns.

export class Buflist {
  private segs: Uint8Array[] = [];
  private head = 0;
  /** offset into segs[head] already sent */
  private off = 0;
  private total = 0;

  get length(): number {
    return this.total;
  }

  get empty(): boolean {
    return this.total === 0;
  }

  append(data: Uint8Array): void {
    if (!data.length) return;
    this.segs.push(data.slice());
    this.total += data.length;
  }

  /** the next bytes to send (a view: valid until use() or append()) */
  peek(): Uint8Array | null {
    const s = this.segs[this.head];
    if (!s) return null;
    return this.off ? s.subarray(this.off) : s;
  }

  /** mark `n` bytes of peek() as sent */
  use(n: number): void {
    this.total -= n;
    this.off += n;
    const s = this.segs[this.head]!;
    if (this.off >= s.length) {
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
  }

  clear(): void {
    this.segs.length = 0;
    this.head = 0;
    this.off = 0;
    this.total = 0;
  }
}
