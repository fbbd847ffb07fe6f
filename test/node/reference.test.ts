// Cross-check the reason table against the reference text itself, where the
// shared folder is present (it is beside the clone in CI and in sessions).
import * as fs from "node:fs";
import * as path from "node:path";
import * as A from "../lib/assert.js";
import { REFERENCE_REASONS } from "../lib/reference-reasons.js";

const candidates = [path.resolve("../shared/reference/lws-user-callback.txt"), path.resolve("../../shared/reference/lws-user-callback.txt")];

describe("reference cross-check", () => {
  it("the test table holds exactly the enum of lws-user-callback.txt", function () {
    const file = candidates.find((f) => fs.existsSync(f));
    if (!file) return this.skip();
    const text = fs.readFileSync(file, "utf8");
    const start = text.indexOf("lws_callback_reasons {");
    const seg = text.slice(start, text.indexOf("}", start));
    const found = [...seg.matchAll(/(LWS_CALLBACK_\w+) = (\d+)/g)].map((m) => [m[1]!, Number(m[2])] as const);
    A.deepEqual(found.map((x) => [...x]), REFERENCE_REASONS.map((x) => [...x]));
  });
});
