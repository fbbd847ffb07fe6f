// scripts/device/xs-figures.mjs: the demo app as the device runs it
// (examples/app/main-moddable.ts: platform/moddable, here over the stand-in
// SDK on the sim network), measured inside XS:
//  - at rest: after start and the boot self-test, garbage collected;
//  - busy: with H idle keep-alive HTTP and W open WebSocket connections
//    (each after one exchange), garbage collected;
//  - the live peak while a WebSocket handshake and a /status request go on
//    (collected at every sim step, so garbage is not counted).
// Run with a small JS stack (-s slots) to find the stack the device needs: a
// stack overflow aborts the host. With "load" as its argument it only loads
// (the stack its bundle needs before the app runs: the baseline).
import { createSimPlatform, SimPeer } from "../../../platform/sim/index.js";
import { createModdablePlatform } from "../../../platform/moddable/index.js";
import { createStandinSdk } from "../../../platform/moddable/standin/index.js";
import { startApp, DEFAULT_PORT } from "../../../examples/app/app.js";
import { runSelfTest, SELFTEST_PASS } from "../../../examples/app/selftest.js";

const loadOnly = __lwsxArgs[0] === "load";
const H = Number(__lwsxArgs[0] ?? 8);
const W = Number(__lwsxArgs[1] ?? 8);
const enc = new TextEncoder();
const GET = enc.encode("GET /status HTTP/1.1\r\nHost: d\r\n\r\n");
const UPGRADE = enc.encode("GET / HTTP/1.1\r\nHost: d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");

function live() {
  gc!();
  gc!();
  const h = __lwsxHeap();
  return { slots: h.slots, chunks: h.chunks };
}

function main() {
const sim = createSimPlatform({ seed: 1 });
// the ESP32 SDK's 8 KB lwip buffers; pcbs for every connection measured
const sdk = createStandinSdk(sim, { maxActive: H + W + 4 });
const platform = createModdablePlatform(sdk, { report: (e) => { throw e; } });
const before = live();

const lines: string[] = [];
const app = startApp(platform, { host: "0.0.0.0", port: DEFAULT_PORT });
runSelfTest(app.context, { port: app.port, log: (l) => void lines.push(l) });
sim.run({ until: () => lines.includes(SELFTEST_PASS) || lines.some((l) => l.startsWith("lwsx-selftest: FAIL")), untilUs: sim.now() + 30_000_000 });
if (!lines.includes(SELFTEST_PASS)) throw new Error(`self-test: ${lines.join(" | ")}`);
sim.run({ untilUs: sim.now() + 100_000 });
const atRest = live();

// the live peak of a handshake and a request, collected at each step
let peak = { slots: 0, chunks: 0 };
const step = () => {
  const h = live();
  if (h.slots * 16 + h.chunks > peak.slots * 16 + peak.chunks) peak = h;
};
const p1 = new SimPeer(sim, "127.0.0.1", app.port);
p1.write(UPGRADE);
const p2 = new SimPeer(sim, "127.0.0.1", app.port);
p2.write(GET);
for (let i = 0; i < 20000 && (p1.receivedLength === 0 || p2.receivedLength === 0); i++) {
  let n = 0;
  if (sim.run({ until: () => n++ > 0 }) === 0) sim.run({ untilUs: sim.now() + 1000 });
  step();
}
if (p1.receivedLength === 0 || p2.receivedLength === 0) throw new Error("no answer to the handshake or the request");
p1.end();
p2.end();
sim.run({ untilUs: sim.now() + 200_000 });

const peers: SimPeer[] = [];
for (let i = 0; i < H; i++) {
  const p = new SimPeer(sim, "127.0.0.1", app.port);
  p.write(GET);
  peers.push(p);
}
for (let i = 0; i < W; i++) {
  const p = new SimPeer(sim, "127.0.0.1", app.port);
  p.write(UPGRADE);
  peers.push(p);
}
sim.run({ untilUs: sim.now() + 500_000 });
if (peers.some((p) => p.receivedLength === 0)) throw new Error("not every connection got its answer");
const busy = live();

print(JSON.stringify({ probe: "app", http: H, ws: W, before, atRest, peak, busy, wsConnections: app.stats.wsConnections }));
}

if (loadOnly) print(JSON.stringify({ probe: "app-load" }));
else main();
