// scripts/device/xs-figures.mjs: the heap once the modules the device runs
// are loaded (src/, platform/moddable, the demo app and its self-test: what
// examples/app/main-moddable.ts imports, less the SDK's), before anything
// starts. Bundled without tree shaking, as the device loads whole modules;
// all of src/ is loaded, as the device's preload takes it whole. Against the
// empty probe, that is what evaluating them makes: functions, classes,
// module-level tables (and, in this host, their byte code, which on the
// device stays in flash).
import * as src from "../../../src/index.js";
import * as client from "../../../src/client.js";
import { createModdablePlatform } from "../../../platform/moddable/index.js";
import { createModdableZlib } from "../../../platform/moddable/zlib.js";
import { startApp } from "../../../examples/app/app.js";
import { runSelfTest } from "../../../examples/app/selftest.js";

const keep = [src, client, createModdablePlatform, createModdableZlib, startApp, runSelfTest];
gc!();
gc!();
print(JSON.stringify({ probe: "modules", heap: __lwsxHeap(), kept: keep.length }));
