import * as A from "../lib/assert.js";
import { Sul, SulHeap } from "../../src/core/sul.js";
import { Buflist } from "../../src/core/buflist.js";
import { Prng } from "../../platform/sim/index.js";

describe("sul (sorted timer heap)", () => {
  it("pops due entries in deadline order, ties in scheduling order", () => {
    const h = new SulHeap();
    const fired: string[] = [];
    const mk = (n: string) => new Sul(() => fired.push(n));
    const a = mk("a"), b = mk("b"), c = mk("c"), d = mk("d");
    h.schedule(a, 30);
    h.schedule(b, 10);
    h.schedule(c, 30);
    h.schedule(d, 20);
    A.equal(h.next(), 10);
    for (let s; (s = h.popDue(25)); ) s.cb();
    A.deepEqual(fired, ["b", "d"]);
    for (let s; (s = h.popDue(100)); ) s.cb();
    A.deepEqual(fired, ["b", "d", "a", "c"]);
    A.equal(h.next(), -1);
  });

  it("cancels and reschedules anywhere in the heap, against a model, for random operations", () => {
    const rnd = new Prng(42);
    const h = new SulHeap();
    const items = Array.from({ length: 64 }, (_, i) => new Sul(() => i));
    const model = new Map<Sul, number>();
    for (let step = 0; step < 5000; step++) {
      const s = items[rnd.int(0, items.length - 1)]!;
      const op = rnd.int(0, 2);
      if (op < 2) {
        const at = rnd.int(0, 1000);
        h.schedule(s, at);
        model.set(s, at);
      } else {
        h.cancel(s);
        model.delete(s);
      }
      A.equal(h.size, model.size);
      const min = model.size ? Math.min(...model.values()) : -1;
      A.equal(h.next(), min);
    }
    let last = -1;
    for (let s; (s = h.popDue(Infinity)); ) {
      A.ok(s.at === -1 && s.index === -1, "popped entries are unscheduled");
      A.ok(model.get(s)! >= last);
      last = model.get(s)!;
    }
  });
});

describe("buflist", () => {
  it("keeps bytes in order across partial uses and copies what it is given", () => {
    const bl = new Buflist();
    const src = new Uint8Array([1, 2, 3, 4]);
    bl.append(src);
    src[0] = 99;
    bl.append(new Uint8Array([5, 6]));
    A.equal(bl.length, 6);
    A.deepEqual(Array.from(bl.peek()!), [1, 2, 3, 4], "a copy was kept");
    bl.use(3);
    A.deepEqual(Array.from(bl.peek()!), [4]);
    bl.use(1);
    A.deepEqual(Array.from(bl.peek()!), [5, 6]);
    bl.use(2);
    A.ok(bl.empty);
    A.equal(bl.peek(), null);
  });

  it("keeps a reserved hole's turn: nothing after it leaves before it is filled, and an open hole counts as not empty", () => {
    const bl = new Buflist();
    bl.append(new Uint8Array([1, 2]));
    const h1 = bl.reserve();
    bl.append(new Uint8Array([3]));
    const h2 = bl.reserve();
    const h3 = bl.reserve();
    bl.append(new Uint8Array([4, 5]));
    A.equal(bl.length, 2 + 1 + 2 + 3, "bytes plus one per open hole");
    A.deepEqual(Array.from(bl.peek()!), [1, 2]);
    bl.use(2);
    A.equal(bl.peek(), null, "the hole comes first");
    A.ok(bl.blocked && !bl.empty);
    // filled out of order: the later holes wait behind the first
    A.ok(bl.fill(h2, new Uint8Array([20, 21])));
    A.ok(bl.fill(h3, new Uint8Array(0)), "a hole may be filled with nothing");
    A.equal(bl.peek(), null);
    A.ok(bl.fill(h1, new Uint8Array([10])));
    A.ok(!bl.fill(h1, new Uint8Array([11])), "a hole is filled once");
    const out: number[] = [];
    for (let c; (c = bl.peek()); ) {
      out.push(...c);
      bl.use(c.length);
    }
    A.deepEqual(out, [10, 3, 20, 21, 4, 5]);
    A.ok(bl.empty && !bl.blocked);
    A.equal(bl.length, 0);
  });

  it("cancels its open holes when cleared: a late fill is refused", () => {
    const bl = new Buflist();
    const h = bl.reserve();
    bl.append(new Uint8Array([1]));
    bl.clear();
    A.ok(h.cancelled);
    A.ok(!bl.fill(h, new Uint8Array([9])));
    A.ok(bl.empty);
    A.equal(bl.length, 0);
  });

  it("drains a thousand one-byte-at-a-time uses intact", () => {
    const bl = new Buflist();
    const out: number[] = [];
    for (let i = 0; i < 1000; i++) bl.append(new Uint8Array([i & 0xff, (i >> 8) & 0xff]));
    for (let c; (c = bl.peek()); ) {
      out.push(c[0]!);
      bl.use(1);
    }
    A.equal(out.length, 2000);
    for (let i = 0; i < 1000; i++) A.ok(out[2 * i] === (i & 0xff) && out[2 * i + 1] === ((i >> 8) & 0xff));
  });
});
