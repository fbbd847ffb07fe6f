// src/ is preload-safe: no module keeps state that changes after module init.
//
// Moddable's linker can preload modules: it runs their bodies at build time and puts what they
// made in flash. At run time such Maps, Sets, WeakMaps, typed arrays and ArrayBuffers are
// read-only (a write throws), and objects, arrays and `let` bindings are mutable only through
// RAM copies (aliases) that preloading was meant to save (Moddable SDK, documentation/xs/
// "XS linker warnings.md", and "preload.md"). A module that does not change its own state after
// its body ran can be preloaded as it is. This test proves that of every file of src/, from the
// source (all of it, not only the paths a scenario happens to run): the TypeScript compiler
// parses each file, and every use of a module-level binding inside a function (or a class field
// initializer: both run after module init) is checked. It fails on:
//
//  - a module-level `let` / `var` assigned (=, op=, ++, --) from a function;
//  - a module-level object changed from a function through its binding: `X[i] = v`, `X.p = v`,
//    `X.p.q += v`, `delete X[k]`, `X.set(...)`, `X.push(...)` and the other mutating methods of
//    Map, Set, WeakMap, arrays and typed arrays, `Object.assign(X, ...)`;
//  - a host object made at module level (`new TextEncoder()` / `new TextDecoder()` outside any
//    function): module bodies run where no such global exists yet (the linker; a Moddable app
//    installs its TextEncoder at run time).
//
// Read-only tables (character classes, known header names) are fine: they are filled by the
// module body itself and only read afterwards. What the source cannot show (a module-level
// typed array passed to a function that writes into it) would throw at run time in XS for a
// preloaded module; no src/ function writes into a buffer it is given except the WebSocket
// masking, which is only given frame payloads.
//
// Allowed, by name: registration hooks, module-level state set only by the body of another
// module (a role registering itself), which preloading runs at build time like any module body.
// The test checks that each such function is called only at the top level of a module.

import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import * as A from "../lib/assert.js";
import { PRELOADED_OUTSIDE_SRC } from "../lib/preload.js";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const SRC = path.join(ROOT, "src");

/** registration functions: they change their module's state and may be called only from module bodies */
const REGISTRATIONS: Record<string, { file: string; binding: string }> = {
  registerWriter: { file: "src/core/api.ts", binding: "writers" },
  setTransactionCompletedHook: { file: "src/roles/http/response.ts", binding: "completionHook" },
  registerHttpClient: { file: "src/client.ts", binding: "httpClientFactory" },
};

const MUTATORS = new Set(["set", "add", "delete", "clear", "push", "pop", "shift", "unshift", "splice", "fill", "sort", "reverse", "copyWithin"]);
const HOST_CLASSES = new Set(["TextEncoder", "TextDecoder"]);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out.sort();
}

interface Finding {
  file: string;
  line: number;
  binding: string;
  what: string;
}

function bindingNames(name: ts.BindingName, into: Set<string>): void {
  if (ts.isIdentifier(name)) into.add(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindingNames(el.name, into);
}

/** the identifier an access path starts from: X in X, X.a, X[i].b, (X as T).c, X! */
function rootIdentifier(e: ts.Expression): ts.Identifier | null {
  for (;;) {
    if (ts.isIdentifier(e)) return e;
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) e = e.expression;
    else if (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e) || ts.isTypeAssertionExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
    else return null;
  }
}

const ASSIGNMENTS = new Set([
  ts.SyntaxKind.EqualsToken, ts.SyntaxKind.PlusEqualsToken, ts.SyntaxKind.MinusEqualsToken, ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken, ts.SyntaxKind.PercentEqualsToken, ts.SyntaxKind.AmpersandEqualsToken, ts.SyntaxKind.BarEqualsToken,
  ts.SyntaxKind.CaretEqualsToken, ts.SyntaxKind.LessThanLessThanEqualsToken, ts.SyntaxKind.GreaterThanGreaterThanEqualsToken,
  ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken, ts.SyntaxKind.AsteriskAsteriskEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken, ts.SyntaxKind.AmpersandAmpersandEqualsToken, ts.SyntaxKind.QuestionQuestionEqualsToken,
]);

/** names a function (or class field initializer) declares itself: its parameters and its own variables */
function localNames(fn: ts.Node): Set<string> {
  const names = new Set<string>();
  if (ts.isFunctionLike(fn)) for (const p of fn.parameters) bindingNames(p.name, names);
  const walk = (n: ts.Node): void => {
    if (n !== fn && (ts.isFunctionLike(n) || ts.isClassLike(n))) {
      if ((ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) && n.name) names.add(n.name.text);
      return;
    }
    if (ts.isVariableDeclaration(n)) bindingNames(n.name, names);
    if (ts.isCatchClause(n) && n.variableDeclaration) bindingNames(n.variableDeclaration.name, names);
    ts.forEachChild(n, walk);
  };
  ts.forEachChild(fn, walk);
  return names;
}

function check(file: string): { findings: Finding[]; topLevelCalls: Map<string, number>; innerCalls: Finding[] } {
  const rel = path.relative(ROOT, file).split(path.sep).join("/");
  const sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const kinds = new Map<string, "let" | "var" | "const" | "decl">();
  const findings: Finding[] = [];
  const topLevelCalls = new Map<string, number>();
  const innerCalls: Finding[] = [];
  const line = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) {
      const flags = st.declarationList.flags;
      const kind = flags & ts.NodeFlags.Let ? "let" : flags & ts.NodeFlags.Const ? "const" : "var";
      for (const d of st.declarationList.declarations) {
        const names = new Set<string>();
        bindingNames(d.name, names);
        for (const n of names) kinds.set(n, kind);
      }
    } else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) && st.name) {
      kinds.set(st.name.text, "decl");
    }
  }

  // scopes: the local names of each enclosing function; empty while in module code
  const scopes: Set<string>[] = [];
  const isModuleBinding = (id: ts.Identifier): boolean => kinds.has(id.text) && !scopes.some((s) => s.has(id.text));
  const note = (n: ts.Node, id: ts.Identifier, what: string) => findings.push({ file: rel, line: line(n), binding: id.text, what });

  const visit = (n: ts.Node): void => {
    const inFunction = scopes.length > 0;
    // a module-level host object (runs at module init)
    if (!inFunction && ts.isNewExpression(n) && ts.isIdentifier(n.expression) && HOST_CLASSES.has(n.expression.text))
      findings.push({ file: rel, line: line(n), binding: n.expression.text, what: `new ${n.expression.text}() at module init (a preloading linker has no such global)` });
    if (inFunction) {
      if (ts.isBinaryExpression(n) && ASSIGNMENTS.has(n.operatorToken.kind)) {
        const id = rootIdentifier(n.left);
        if (id && isModuleBinding(id)) {
          if (n.left === id || (ts.isParenthesizedExpression(n.left) && n.left.expression === id)) {
            if (kinds.get(id.text) !== "const") note(n, id, `module-level ${kinds.get(id.text)} assigned after init`);
          } else note(n, id, "module-level object changed after init");
        }
      } else if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) {
        const id = rootIdentifier(n.operand);
        if (id && isModuleBinding(id)) note(n, id, n.operand === id ? "module-level binding incremented after init" : "module-level object changed after init");
      } else if (ts.isDeleteExpression(n)) {
        const id = rootIdentifier(n.expression);
        if (id && isModuleBinding(id)) note(n, id, "module-level object changed after init (delete)");
      } else if (ts.isCallExpression(n)) {
        const callee = n.expression;
        if (ts.isPropertyAccessExpression(callee) && MUTATORS.has(callee.name.text)) {
          const id = rootIdentifier(callee.expression);
          if (id && isModuleBinding(id)) note(n, id, `module-level object changed after init (.${callee.name.text}())`);
        }
        if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === "Object" && /^(assign|defineProperty|defineProperties|setPrototypeOf)$/.test(callee.name.text) && n.arguments[0]) {
          const id = rootIdentifier(n.arguments[0]);
          if (id && isModuleBinding(id)) note(n, id, `module-level object changed after init (Object.${callee.name.text})`);
        }
      }
    }
    // calls of registration functions: where from
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && REGISTRATIONS[n.expression.text]) {
      const name = n.expression.text;
      if (inFunction) innerCalls.push({ file: rel, line: line(n), binding: name, what: "registration called from a function (only module bodies may register)" });
      else topLevelCalls.set(name, (topLevelCalls.get(name) ?? 0) + 1);
    }
    // entering code that runs after module init: functions, and class field initializers
    const runsLater = ts.isFunctionLike(n) || (ts.isPropertyDeclaration(n) && !n.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword));
    if (runsLater) scopes.push(localNames(n));
    ts.forEachChild(n, visit);
    if (runsLater) scopes.pop();
  };
  ts.forEachChild(sf, visit);
  return { findings, topLevelCalls, innerCalls };
}

describe("src/ and the adapter are preload-safe (no module-level state changed after module init)", () => {
  const files = [...sourceFiles(SRC), ...PRELOADED_OUTSIDE_SRC.map((f) => path.join(ROOT, f))];
  const results = files.map(check);

  it("reads every source file of src/, and the adapter's", () => {
    A.ok(files.length > 30, `${files.length} files`);
  });

  it("changes no module-level binding or object after module init, and makes no host object at module init", () => {
    const allowed = (f: Finding) => Object.values(REGISTRATIONS).some((r) => r.file === f.file && r.binding === f.binding);
    const bad = results.flatMap((r) => r.findings).filter((f) => !allowed(f));
    A.deepEqual(
      bad.map((f) => `${f.file}:${f.line} ${f.binding}: ${f.what}`),
      [],
      "module-level state changed after init (move it to the Context, the Vhost or the connection, or make it per call)",
    );
  });

  it("calls registration hooks only from module bodies", () => {
    A.deepEqual(results.flatMap((r) => r.innerCalls).map((f) => `${f.file}:${f.line} ${f.binding}`), []);
  });

  it("finds what it looks for (a file with each kind of change is refused)", () => {
    const tmp = path.join(ROOT, "build", "preload-safety-probe.ts");
    fs.mkdirSync(path.dirname(tmp), { recursive: true });
    fs.writeFileSync(
      tmp,
      [
        "let a = 0;",
        "const t = new Int32Array(4);",
        "const m = new Map<string, number>();",
        "const o = { n: 0, list: [] as number[] };",
        "const table = new Uint8Array(8);",
        "for (let i = 0; i < 8; i++) table[i] = i;", // module init: fine
        "const enc = new TextEncoder();",
        "export function f(x: number): number {",
        "  a = x; t[0] = x; m.set('k', x); o.n++; o.list.push(x); delete (o as any).n;",
        "  const local = new Map<string, number>(); local.set('k', 1);", // local: fine
        "  return table[x & 7]! + enc.encode('').length;", // reads: fine
        "}",
        "export class C { v = m.clear(); }",
      ].join("\n"),
    );
    try {
      const r = check(tmp);
      A.deepEqual(
        r.findings.map((f) => `${f.line} ${f.binding}`),
        ["7 TextEncoder", "9 a", "9 t", "9 m", "9 o", "9 o", "9 o", "13 m"],
      );
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  });
});
