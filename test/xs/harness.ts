// A mocha-compatible BDD harness for running the test suites inside the XS engine.
//
// Importing it installs the globals describe, it, before, after, beforeEach, afterEach (plus
// describe.skip/only, it.skip/only, xdescribe, xit, context, specify); scripts/xs-test.mjs then
// loads each test file through loadTestFile() and calls run().
//
// - Tests and hooks run one at a time, in declaration order, with mocha's semantics for hooks and
//   for `this` (one context per suite, inheriting from the parent suite's). A function may return
//   a promise, or take a `done` callback.
// - .only is treated like a normal test or suite; this.timeout()/slow()/retries() are accepted and
//   ignored; this.skip() marks the test pending.
// - XS has no timers, so a test cannot time out. Instead, a test whose promise is still pending
//   when nothing is left to run (the job queue drained and no setImmediate callback pending) can
//   never settle and fails as "did not settle"; so does one still pending after MAX_ROUNDS
//   setImmediate rounds.
// - An exception thrown by a setImmediate callback, or a promise rejection still unhandled when the
//   job queue drains (the host reports it to __lwsxOnUnhandledRejection), fails the running test,
//   or the one that ran last, as mocha does in Node, instead of ending the process.
// - Output: a FAIL line per failure (full title and message) followed by the stack, then
//   "N pending" when some were skipped, and last "N passed, N failed". Before each test it prints
//   a "##lwsx-test-start## <title>" line (the runner hides them, and names the last one when the
//   run times out); with "--verbose" in __lwsxArgs, a line per test with its outcome and time. When anything failed it
//   sets the exit status (__lwsxExit(1)) and throws from a setImmediate callback, so that any XS
//   host exits non-zero.

type Done = (error?: unknown) => void;
type TestFunction = (this: Context, done: Done) => unknown;

interface Context {
  timeout(ms?: number | string): Context;
  slow(ms?: number | string): Context;
  retries(n?: number): Context;
  skip(): never;
  [key: string]: unknown;
}

interface Hook {
  title: string;
  fn: TestFunction;
}

interface Suite {
  title: string;
  parent: Suite | undefined;
  children: Array<Suite | Test>;
  before: Hook[];
  after: Hook[];
  beforeEach: Hook[];
  afterEach: Hook[];
  skip: boolean;
  file: string | undefined;
  ctx: Context;
}

interface Test {
  title: string;
  fn: TestFunction | undefined;
  parent: Suite;
  skip: boolean;
  file: string | undefined;
}

type Outcome = { kind: "passed" } | { kind: "failed"; error: unknown } | { kind: "skipped" };

const MAX_ROUNDS = 200_000;
/** Printed before each test; the runner hides these lines and names the last one on a timeout. */
const START_MARK = "##lwsx-test-start## ";
const hostArgs = (globalThis as { __lwsxArgs?: unknown }).__lwsxArgs;
/** "--verbose" after "--" on the host command line: a line per test with its outcome and time. */
const verbose = Array.isArray(hostArgs) && hostArgs.includes("--verbose");

const write: (line: string) => void =
  typeof print === "function" ? (line) => print(line) : (line) => console.log(line);

class SkipSignal {
  readonly skipped = true;
}

function makeContext(parent?: Context): Context {
  if (parent) return Object.create(parent) as Context;
  const ctx: Context = {
    timeout() {
      return this;
    },
    slow() {
      return this;
    },
    retries() {
      return this;
    },
    skip(): never {
      throw new SkipSignal();
    },
  };
  return ctx;
}

const root: Suite = {
  title: "",
  parent: undefined,
  children: [],
  before: [],
  after: [],
  beforeEach: [],
  afterEach: [],
  skip: false,
  file: undefined,
  ctx: makeContext(),
};

let current: Suite = root;
let currentFile: string | undefined;
let passed = 0;
let failed = 0;
let pending = 0;
let running = false;

// ------------------------------------------------------------------ setImmediate bookkeeping

type Immediate = (callback: (...args: unknown[]) => void, ...args: unknown[]) => unknown;
const g = globalThis as unknown as Record<string, unknown>;
const hostSetImmediate = g.setImmediate as Immediate | undefined;
let otherImmediates = 0; // callbacks scheduled by the code under test, not yet run
let onUncaught: ((error: unknown) => void) | undefined;
const lateErrors: unknown[] = [];

if (typeof hostSetImmediate === "function") {
  g.setImmediate = function setImmediate(callback: (...args: unknown[]) => void, ...args: unknown[]) {
    if (typeof callback !== "function") throw new TypeError("setImmediate: callback is not a function");
    otherImmediates++;
    return hostSetImmediate(() => {
      otherImmediates--;
      try {
        callback(...args);
      } catch (error) {
        charge(error);
      }
    });
  };
}

// A promise rejection nobody handled by the time the job queue drained: the host hands it here.
// It fails the running test, or else the test that ran last (as mocha does in Node).
let lastTest: { title: string; file: string | undefined } | undefined;
g.__lwsxOnUnhandledRejection = (reason: unknown) => charge(new UnhandledRejection(reason));

/** An error outside the test's own code path: charged to the running test, or the last one. */
function charge(error: unknown): void {
  if (onUncaught) onUncaught(error);
  else if (running && lastTest) {
    failed++;
    report(`${lastTest.title} (after it finished)`, error, lastTest.file);
  } else lateErrors.push(error);
}

class UnhandledRejection extends Error {
  constructor(readonly reason: unknown) {
    const { message, stack } = describeError(reason);
    super(`unhandled promise rejection: ${message}`);
    this.name = "UnhandledRejection";
    // the stack that matters is the reason's (XS's Error.prototype.stack has no setter)
    Object.defineProperty(this, "stack", { value: [`${this.name}: ${this.message}`, ...stack].join("\n"), configurable: true, writable: true });
  }
}

// ------------------------------------------------------------------ registration

function fullTitle(node: Suite | Test): string {
  const parts: string[] = [];
  for (let n: Suite | Test | undefined = node; n; n = n.parent) if (n.title) parts.unshift(n.title);
  return parts.join(" ");
}

function registrationFailure(title: string, error: unknown): void {
  failed++;
  report(title, error, currentFile);
}

function addSuite(title: string, fn: ((this: Context) => void) | undefined, skip: boolean): Suite {
  const suite: Suite = {
    title: String(title),
    parent: current,
    children: [],
    before: [],
    after: [],
    beforeEach: [],
    afterEach: [],
    skip: skip || current.skip,
    file: currentFile,
    ctx: makeContext(current.ctx),
  };
  if (running) throw new Error(`describe("${suite.title}") called while the tests run`);
  current.children.push(suite);
  if (typeof fn === "function") {
    const saved = current;
    current = suite;
    try {
      const result: unknown = fn.call(suite.ctx);
      if (result && typeof (result as PromiseLike<unknown>).then === "function")
        registrationFailure(`${fullTitle(suite)}: describe() callback`, new Error("a describe() callback must not be async: register tests synchronously"));
    } catch (error) {
      registrationFailure(`${fullTitle(suite)}: describe() callback`, error);
    } finally {
      current = saved;
    }
  }
  return suite;
}

function addTest(title: string, fn: TestFunction | undefined, skip: boolean): Test {
  if (running) throw new Error(`it("${title}") called while the tests run`);
  const test: Test = { title: String(title), fn, parent: current, skip: skip || current.skip || typeof fn !== "function", file: currentFile };
  current.children.push(test);
  return test;
}

function addHook(list: "before" | "after" | "beforeEach" | "afterEach", a: unknown, b?: unknown): void {
  const fn = (typeof a === "function" ? a : b) as TestFunction;
  const title = typeof a === "string" ? a : "";
  if (typeof fn !== "function") throw new TypeError(`${list}() needs a function`);
  current[list].push({ title, fn });
}

const describe = Object.assign((title: string, fn?: (this: Context) => void) => addSuite(title, fn, false), {
  skip: (title: string, fn?: (this: Context) => void) => addSuite(title, fn, true),
  only: (title: string, fn?: (this: Context) => void) => addSuite(title, fn, false),
});
const it = Object.assign((title: string, fn?: TestFunction) => addTest(title, fn, false), {
  skip: (title: string, fn?: TestFunction) => addTest(title, fn, true),
  only: (title: string, fn?: TestFunction) => addTest(title, fn, false),
  retries: () => {},
});

g.describe = describe;
g.context = describe;
g.xdescribe = describe.skip;
g.xcontext = describe.skip;
g.it = it;
g.specify = it;
g.xit = it.skip;
g.xspecify = it.skip;
g.before = (a: unknown, b?: unknown) => addHook("before", a, b);
g.after = (a: unknown, b?: unknown) => addHook("after", a, b);
g.beforeEach = (a: unknown, b?: unknown) => addHook("beforeEach", a, b);
g.afterEach = (a: unknown, b?: unknown) => addHook("afterEach", a, b);

/**
 * Evaluates one test file (via `load`, which requires it), attributing its tests to `file`. A file
 * that throws while loading counts as one failure; the other files still run.
 */
export function loadTestFile(file: string, load: () => unknown): void {
  currentFile = file;
  current = root;
  try {
    load();
  } catch (error) {
    registrationFailure(`loading ${file}`, error);
  } finally {
    current = root;
    currentFile = undefined;
  }
}

// ------------------------------------------------------------------ running

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as PromiseLike<unknown>).then === "function";
}

/**
 * Calls fn with ctx and waits until it settles, or until it provably cannot settle. `what` names it
 * in "did not settle" messages ("the test", "the hook").
 */
function invoke(fn: TestFunction, ctx: Context, what: string): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      onUncaught = undefined;
      resolve(outcome);
    };
    const fail = (error: unknown) => finish(error instanceof SkipSignal ? { kind: "skipped" } : { kind: "failed", error });
    onUncaught = fail;
    try {
      if (fn.length > 0) {
        const done: Done = (error) => (error ? fail(error) : finish({ kind: "passed" }));
        const result = fn.call(ctx, done);
        if (isThenable(result)) result.then(undefined, fail);
      } else {
        const result = (fn as (this: Context) => unknown).call(ctx);
        if (isThenable(result)) result.then(() => finish({ kind: "passed" }), fail);
        else finish({ kind: "passed" });
      }
    } catch (error) {
      fail(error);
    }
    if (settled || typeof hostSetImmediate !== "function") return;
    // Nothing but the job queue and setImmediate callbacks can make progress in XS. This callback
    // runs once the job queue has drained; if no other callback is pending either, nothing can
    // ever settle the test.
    let rounds = 0;
    const watch = () => {
      if (settled) return;
      rounds++;
      if (otherImmediates === 0)
        fail(new Error(`${what} did not settle: nothing is left to run (XS has no timers) and its ${fn.length > 0 ? "done callback was not called" : "promise is still pending"}`));
      else if (rounds >= MAX_ROUNDS) fail(new Error(`${what} did not settle within ${MAX_ROUNDS} setImmediate rounds`));
      else hostSetImmediate(watch);
    };
    hostSetImmediate(watch);
  });
}

function describeError(error: unknown): { message: string; stack: string[] } {
  if (error instanceof Error || (typeof error === "object" && error !== null && "message" in error)) {
    const e = error as Error;
    let head: string;
    try {
      head = `${e.name ?? "Error"}: ${e.message}`;
    } catch {
      head = "Error";
    }
    let stack: string[] = [];
    try {
      if (typeof e.stack === "string") stack = e.stack.split("\n").filter((line, i) => !(i === 0 && line.trim() === head.trim()) && line.trim() !== "");
      // XS stacks start with "Name: message" (which may span lines): keep only the frames
      if (stack.length && !/^\s*at\b/.test(stack[0]!)) stack = stack.filter((line) => /^\s*at\b/.test(line));
    } catch {}
    return { message: head, stack };
  }
  let text: string;
  try {
    text = typeof error === "string" ? error : JSON.stringify(error) ?? String(error);
  } catch {
    text = String(error);
  }
  return { message: `thrown: ${text}`, stack: [] };
}

function report(title: string, error: unknown, file: string | undefined): void {
  const { message, stack } = describeError(error);
  write(`FAIL ${title}: ${message}`);
  for (const line of stack) write(`    ${line.trim()}`);
  if (file) write(`    (in ${file})`);
}

function countTests(suite: Suite): number {
  let n = 0;
  for (const child of suite.children) n += "children" in child ? countTests(child) : child.skip ? 0 : 1;
  return n;
}

function countAll(suite: Suite): number {
  let n = 0;
  for (const child of suite.children) n += "children" in child ? countAll(child) : 1;
  return n;
}

function hookTitle(kind: string, hook: Hook, testTitle?: string): string {
  return `"${kind}" hook${hook.title ? `: ${hook.title}` : ""}${testTitle !== undefined ? ` for "${testTitle}"` : ""}`;
}

/** Lets pending setImmediate callbacks and the host's unhandled-rejection check run. */
function tick(): Promise<void> {
  return new Promise((resolve) => (typeof hostSetImmediate === "function" ? hostSetImmediate(() => resolve()) : resolve()));
}

async function runTest(test: Test): Promise<void> {
  if (test.skip || !test.fn) {
    pending++;
    return;
  }
  await tick(); // between tests, as mocha does: late errors are charged to the test that caused them
  const chain: Suite[] = [];
  for (let s: Suite | undefined = test.parent; s; s = s.parent) chain.unshift(s);
  const title = fullTitle(test);
  const started = Date.now();
  write(START_MARK + title);
  let failure: { title: string; error: unknown } | undefined;
  let skipped = false;
  let entered = 0; // suites whose beforeEach hooks ran (their afterEach hooks run too)
  outer: for (const suite of chain) {
    entered++;
    for (const hook of suite.beforeEach) {
      const outcome = await invoke(hook.fn, test.parent.ctx, "the hook");
      if (outcome.kind === "failed") {
        failure = { title: `${fullTitle(suite) ? fullTitle(suite) + " " : ""}${hookTitle("before each", hook, test.title)}`, error: outcome.error };
        break outer;
      }
      if (outcome.kind === "skipped") {
        skipped = true;
        break outer;
      }
    }
  }
  if (!failure && !skipped) {
    const outcome = await invoke(test.fn, test.parent.ctx, "the test");
    if (outcome.kind === "failed") failure = { title, error: outcome.error };
    else if (outcome.kind === "skipped") skipped = true;
  }
  for (let i = entered - 1; i >= 0; i--) {
    const suite = chain[i]!;
    for (const hook of suite.afterEach) {
      const outcome = await invoke(hook.fn, test.parent.ctx, "the hook");
      if (outcome.kind === "failed" && !failure)
        failure = { title: `${fullTitle(suite) ? fullTitle(suite) + " " : ""}${hookTitle("after each", hook, test.title)}`, error: outcome.error };
    }
  }
  if (verbose) write(`  ${failure ? "FAILED" : skipped ? "pending" : "ok"} ${title} (${Date.now() - started} ms)`);
  if (failure) {
    failed++;
    report(failure.title, failure.error, test.file);
  } else if (skipped) pending++;
  else passed++;
  lastTest = { title, file: test.file };
}

async function runSuite(suite: Suite): Promise<void> {
  if (countTests(suite) === 0) {
    // nothing to run: mocha does not run the hooks either
    pending += countAll(suite);
    return;
  }
  const prefix = fullTitle(suite) ? fullTitle(suite) + " " : "";
  for (const hook of suite.before) {
    const outcome = await invoke(hook.fn, suite.ctx, "the hook");
    if (outcome.kind !== "passed") {
      if (outcome.kind === "failed") {
        failed++;
        report(`${prefix}${hookTitle("before all", hook)}`, outcome.error, suite.file);
      }
      pending += countAll(suite); // mocha skips the suite's tests without counting them as failed
      return;
    }
  }
  for (const child of suite.children) {
    if ("children" in child) await runSuite(child);
    else await runTest(child);
  }
  for (const hook of suite.after) {
    const outcome = await invoke(hook.fn, suite.ctx, "the hook");
    if (outcome.kind === "failed") {
      failed++;
      report(`${prefix}${hookTitle("after all", hook)}`, outcome.error, suite.file);
    }
  }
}

/** Runs every registered test, prints the totals, and makes the process fail when a test failed. */
export async function run(): Promise<{ passed: number; failed: number; pending: number }> {
  running = true;
  try {
    await runSuite(root);
  } catch (error) {
    failed++;
    report("the XS test harness itself", error, undefined);
  }
  await tick();
  running = false;
  for (const error of lateErrors.splice(0)) {
    failed++;
    report("uncaught exception outside any test", error, undefined);
  }
  if (pending) write(`${pending} pending`);
  write(`${passed} passed, ${failed} failed`);
  if (failed > 0) {
    if (typeof __lwsxExit === "function") __lwsxExit(1);
    const count = failed;
    if (typeof hostSetImmediate === "function")
      hostSetImmediate(() => {
        throw new Error(`${count} XS test(s) failed`);
      });
  }
  return { passed, failed, pending };
}
