// The demo app on the device (Moddable SDK, ESP32 or the desktop simulator):
// built by mcconfig from manifest.json, which names this module as the one to
// run (creation.main). The device joins Wi-Fi in the SDK's set-up phase
// (mcconfig ... ssid=NAME password=SECRET), then calls this default export.
//
// device.js comes first: it installs the TextEncoder / TextDecoder globals
// src/ needs before app.js (and src/) are evaluated.

import { deviceSdk, deviceLog } from "../../platform/moddable/device.js";
import { createModdablePlatform } from "../../platform/moddable/index.js";
import { startApp, DEFAULT_PORT } from "./app.js";

export default function main(): void {
  let app;
  try {
    const platform = createModdablePlatform(deviceSdk, { report: (e, where) => deviceLog(`lwsx moddable: ${where}: ${(e as Error)?.message ?? e}`) });
    app = startApp(platform, { host: "0.0.0.0", port: DEFAULT_PORT });
  } catch (e) {
    deviceLog(`lwsx demo: ${(e as Error)?.message ?? e}`);
    return;
  }
  // the core logs to console or print by default; a Moddable build has trace()
  app.context.log = (level, message) => {
    if (level !== "info") deviceLog(`lwsx ${level}: ${message}`);
  };
  deviceLog(`lwsx demo listening on 0.0.0.0:${app.port} (try: nc <device address> ${app.port})`);
}
