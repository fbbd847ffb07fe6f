// Runs in both lanes (mocha in Node, test/xs/harness.ts in XS): checks that the BDD features the
// suites rely on behave the same in both.
import { deepEqual, equal, ok, rejects, throws } from "../lib/assert.js";

describe("test harness", () => {
  const order: string[] = [];

  before(() => {
    order.push("before");
  });
  beforeEach(() => {
    order.push("beforeEach");
  });
  afterEach(() => {
    order.push("afterEach");
  });

  it("runs a synchronous test", () => {
    equal(1 + 1, 2);
    throws(() => JSON.parse("{"), /JSON|Unexpected|expected|missing/i);
  });

  it("runs an asynchronous test to completion", async () => {
    const value = await new Promise<number>((resolve) => Promise.resolve().then(() => resolve(42)));
    equal(value, 42);
    await rejects(Promise.reject(new Error("nope")), /nope/);
  });

  it("waits for a setImmediate callback", async () => {
    const value = await new Promise<string>((resolve) => setImmediate(() => resolve("later")));
    equal(value, "later");
  });

  it("supports the done callback", (done) => {
    Promise.resolve().then(() => done());
  });

  it("handles typed arrays and DataView", () => {
    const bytes = new Uint8Array([0x81, 0x7e, 0x01, 0x00]);
    const view = new DataView(bytes.buffer);
    equal(view.getUint16(2), 0x0100);
    equal(view.getUint16(2, true), 0x0001);
    const masked = bytes.map((b, i) => b ^ [0x12, 0x34, 0x56, 0x78][i]!);
    deepEqual(Array.from(masked), [0x93, 0x4a, 0x57, 0x78]);
    deepEqual(new Uint8Array(bytes.subarray(1, 3)), new Uint8Array([0x7e, 0x01]));
    equal(new TextDecoder().decode(new TextEncoder().encode("héllo ✓")), "héllo ✓");
  });

  it("compares nested values with deepEqual", () => {
    deepEqual({ a: [1, 2, { b: "c" }], m: new Map([["k", 1]]) }, { a: [1, 2, { b: "c" }], m: new Map([["k", 1]]) });
    let threw = false;
    try {
      deepEqual({ a: 1 }, { a: 2 });
    } catch {
      threw = true;
    }
    ok(threw, "deepEqual must throw on a difference");
  });

  it("runs the hooks in order", () => {
    deepEqual(order.slice(0, 3), ["before", "beforeEach", "afterEach"]);
    equal(order.filter((step) => step === "before").length, 1);
  });

  describe("nested suite", function () {
    this.timeout(1000); // accepted (and ignored in XS)
    beforeEach(function () {
      this.value = 7;
    });

    it("shares the context with its hooks", function () {
      equal(this.value, 7);
    });
  });

  it.skip("is skipped", () => {
    throw new Error("a skipped test ran");
  });
});
