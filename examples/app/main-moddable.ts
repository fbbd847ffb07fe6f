// The demo app on the device (Moddable SDK, ESP32 or the desktop simulator):
// built by mcconfig from manifest.json, which names this module as the one to
// run (creation.main). The device joins its network in the SDK's set-up phase
// (Wi-Fi: mcconfig ... ssid=NAME password=SECRET; esp32-qemu: the OpenCores
// Ethernet of boards/esp32-qemu/openeth), then calls this default export.
//
// Once the server listens, the boot self-test (selftest.ts) asks it for
// /status over loopback and prints `lwsx-selftest: PASS` or
// `lwsx-selftest: FAIL <why>` on the console: `lwsx qemu` stops on that line.
//
// device.js comes first: it installs the TextEncoder / TextDecoder globals
// src/ needs before app.js (and src/) are evaluated.

import { deviceSdk, deviceLog } from "../../platform/moddable/device.js";
import { createModdablePlatform, type SdkFileClass } from "../../platform/moddable/index.js";
import { File } from "file";
import config from "mc/config";
import { startApp, DEFAULT_PORT } from "./app.js";
import { runSelfTest, SELFTEST_FAIL } from "./selftest.js";

/**
 * Connections served at once; beyond, HTTP gets a 503. Measured in XS
 * (scripts/device/xs-figures.mjs, README "The device"): about 5 KB of heap
 * per busy connection, so 8 stay within manifest.json's creation sizes with
 * two heap growths, and below lwIP's 16 pcbs (boards/<board>/sdkconfig.defaults).
 */
const MAX_CONNECTIONS = 8;

export default function main(): void {
  let app;
  try {
    // the status page from the file system (platform/moddable/README.md: how www/ gets there)
    const sdk = { ...deviceSdk, File: File as unknown as SdkFileClass };
    const platform = createModdablePlatform(sdk, { report: (e, where) => deviceLog(`lwsx moddable: ${where}: ${(e as Error)?.message ?? e}`) });
    app = startApp(platform, { host: "0.0.0.0", port: DEFAULT_PORT, maxConnections: MAX_CONNECTIONS, wwwRoot: `${config.file?.root ?? "/mod/"}www` });
  } catch (e) {
    deviceLog(`lwsx demo: ${(e as Error)?.message ?? e}`);
    deviceLog(`${SELFTEST_FAIL} the app did not start: ${(e as Error)?.message ?? e}`);
    return;
  }
  // the core logs to console or print by default; a Moddable build has trace()
  app.context.log = (level, message) => {
    if (level !== "info") deviceLog(`lwsx ${level}: ${message}`);
  };
  deviceLog(`lwsx demo listening on 0.0.0.0:${app.port} (try: nc <device address> ${app.port})`);
  try {
    runSelfTest(app.context, { port: app.port, log: deviceLog });
  } catch (e) {
    deviceLog(`${SELFTEST_FAIL} ${(e as Error)?.message ?? e}`);
  }
}
