// A small assertion library that runs unchanged in Node and in the XS engine
// (node:assert is not available inside XS). Messages name expected and actual.

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

function show(v: unknown): string {
  try {
    if (v instanceof Uint8Array) return `Uint8Array(${v.length})[${Array.from(v.subarray(0, 32)).join(",")}${v.length > 32 ? ",…" : ""}]`;
    if (typeof v === "string") return JSON.stringify(v.length > 200 ? v.slice(0, 200) + "…" : v);
    if (typeof v === "bigint") return `${v}n`;
    const s = JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? `<Uint8Array(${x.length})>` : typeof x === "bigint" ? `${x}n` : x));
    return s === undefined ? String(v) : s.length > 400 ? s.slice(0, 400) + "…" : s;
  } catch {
    return String(v);
  }
}

export function ok(value: unknown, message?: string): asserts value {
  if (!value) throw new AssertionError(message ?? `expected a truthy value, got ${show(value)}`);
}

export function fail(message: string): never {
  throw new AssertionError(message);
}

export function equal<T>(actual: T, expected: T, message?: string): void {
  if (!Object.is(actual, expected)) throw new AssertionError(`${message ? message + ": " : ""}expected ${show(expected)}, got ${show(actual)}`);
}

export function notEqual<T>(actual: T, expected: T, message?: string): void {
  if (Object.is(actual, expected)) throw new AssertionError(`${message ? message + ": " : ""}expected something other than ${show(expected)}`);
}

function deepEq(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return false;
    const x = a as unknown as ArrayLike<number>, y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEq(v, b.get(k))) return false;
    return true;
  }
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEq((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

export function deepEqual<T>(actual: T, expected: T, message?: string): void {
  if (!deepEq(actual, expected)) throw new AssertionError(`${message ? message + ": " : ""}expected ${show(expected)}, got ${show(actual)}`);
}

export function throws(fn: () => unknown, match?: RegExp, message?: string): void {
  try {
    fn();
  } catch (e) {
    if (match && !match.test(String((e as Error)?.message ?? e))) throw new AssertionError(`${message ? message + ": " : ""}error ${show(String((e as Error)?.message ?? e))} does not match ${match}`);
    return;
  }
  throw new AssertionError(message ?? "expected the function to throw");
}

export async function rejects(p: Promise<unknown> | (() => Promise<unknown>), match?: RegExp, message?: string): Promise<void> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    if (match && !match.test(String((e as Error)?.message ?? e))) throw new AssertionError(`${message ? message + ": " : ""}rejection ${show(String((e as Error)?.message ?? e))} does not match ${match}`);
    return;
  }
  throw new AssertionError(message ?? "expected the promise to reject");
}

export const assert = { ok, fail, equal, notEqual, deepEqual, throws, rejects };
export default assert;

export function match(actual: string, re: RegExp, message?: string): void {
  if (!re.test(actual)) fail(message ?? `${JSON.stringify(actual)} does not match ${re}`);
}
