#!/usr/bin/env node
// lwsx command line. Subcommands grow with the roles (get and ws: the HTTP and
// WebSocket clients of cli/, built into dist/cli/).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const [cmd, ...args] = process.argv.slice(2);

const usage = `lwsx ${pkg.version}: the libwebsockets programming model in TypeScript

usage:
  lwsx serve [--host H] [--port P]   run the demo app (status page, WebSocket echo, raw echo) on this machine
  lwsx get URL [-o FILE]             fetch an http:// URL to stdout or FILE, on the lws client API (lwsx get --help)
  lwsx ws URL [--protocol P]         WebSocket client: stdin lines out as messages, messages in to stdout (lwsx ws --help)
  lwsx qemu [--timeout S] [...]      boot the esp32-qemu build in Espressif's QEMU, wait for its self-test (lwsx qemu --help)
  lwsx version                       print the version
  lwsx help                          this text

HOST and PORT may also come from the environment (default 127.0.0.1:7681).`;

function opt(name) {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith("--")) {
    console.error(`lwsx: --${name} needs a value`);
    process.exit(2);
  }
  return v;
}

switch (cmd) {
  case "serve": {
    const main = path.join(root, "dist", "examples", "app", "main-node.js");
    if (!existsSync(main)) {
      console.error("lwsx: not built yet; run `npm run build` in the lwsx folder");
      process.exit(1);
    }
    const host = opt("host"), port = opt("port");
    if (host) process.env.HOST = host;
    if (port) process.env.PORT = port;
    await import(pathToFileURL(main).href);
    break;
  }
  case "get":
  case "ws": {
    // the clients, built from cli/*.ts into dist/cli/
    const main = path.join(root, "dist", "cli", `${cmd}.js`);
    if (!existsSync(main)) {
      console.error("lwsx: not built yet; run `npm run build` in the lwsx folder");
      process.exit(1);
    }
    const code = await (await import(pathToFileURL(main).href)).main(args);
    // what was written goes out before the exit
    await Promise.all([process.stdout, process.stderr].map((s) => new Promise((r) => s.write("", r))));
    process.exit(code);
    break;
  }
  case "qemu":
    process.exit(await (await import("../scripts/device/qemu.mjs")).main(args));
    break;
  case "version":
  case "--version":
  case "-v":
    console.log(pkg.version);
    break;
  case undefined:
  case "help":
  case "--help":
  case "-h":
    console.log(usage);
    break;
  default:
    console.error(`lwsx: unknown command '${cmd}'\n\n${usage}`);
    process.exit(2);
}
