// What manifest.json preloads (Moddable's linker runs those module bodies at
// build time and keeps what they made in flash): every module of src/, and
// these, the device adapter and its zlib glue (pure code). The device entry,
// platform/moddable/device.ts and globals.ts import the SDK's modules and set
// globals at run time, so they stay out. test/node/preload-safety.test.ts
// proves these files preload-safe; test/node/manifest.test.ts checks the
// manifest preloads exactly them.
export const PRELOADED_OUTSIDE_SRC = ["platform/moddable/index.ts", "platform/moddable/zlib.ts"];

/** the manifest's preload entries for them */
export const PRELOAD_ENTRIES = ["src/*", ...PRELOADED_OUTSIDE_SRC.map((f) => f.replace(/\.ts$/, ""))];
