// scripts/device/xs-figures.mjs: the heap once the modules manifest.json
// preloads are loaded (every module of src/, the adapter and its zlib glue:
// test/lib/preload.ts). On the device Moddable's linker runs these module
// bodies at build time and keeps what they made in flash; against the
// `modules` probe, the rest is what the device still makes in RAM at boot.
import * as src from "../../../src/index.js";
import * as client from "../../../src/client.js";
import { createModdablePlatform } from "../../../platform/moddable/index.js";
import { createModdableZlib } from "../../../platform/moddable/zlib.js";

const keep = [src, client, createModdablePlatform, createModdableZlib];
gc!();
gc!();
print(JSON.stringify({ probe: "preloaded", heap: __lwsxHeap(), kept: keep.length }));
