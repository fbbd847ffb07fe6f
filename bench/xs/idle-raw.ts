// Runs inside the XS engine (scripts/xs-bench.mjs): heap taken per idle raw
// connection, and the engine's computation per echo round trip, on the sim
// platform with the demo app. Prints one JSON line of figures.
//
// The sim network's own endpoints cost heap too, so the same number of
// connections is first held by a bare sim "accept and keep" server; what the
// demo adds on top of that is lwsx's share.

import { createSimPlatform, SimPeer } from "../../platform/sim/index.js";
import { makeRawEchoProtocol, type AppStats } from "../../examples/app/app.js";
import { createContext, LWS_SERVER_OPTION_ONLY_RAW } from "../../src/index.js";

const N = Number(__lwsxArgs[0] ?? 200);

function heap() {
  gc!();
  gc!();
  return __lwsxHeap();
}

/** slots and chunk bytes for N connections held by `serve`, the peers' own cost included */
function measure(serve: (sim: ReturnType<typeof createSimPlatform>) => { ready(): boolean; port: number; stop(): void }) {
  const sim = createSimPlatform({ seed: 1 });
  const srv = serve(sim);
  // warm the code paths (first connection compiles and caches)
  const warm = new SimPeer(sim, "127.0.0.1", srv.port);
  sim.run();
  warm.close();
  sim.run();
  const before = heap();
  const peers: SimPeer[] = [];
  // connect in small batches, as a listen backlog would see them arrive
  for (let i = 0; i < N; i++) {
    peers.push(new SimPeer(sim, "127.0.0.1", srv.port));
    if (i % 8 === 7) sim.run();
  }
  sim.run({ until: srv.ready });
  if (!srv.ready()) throw new Error("connections did not all come up");
  const after = heap();
  const r = { slots: (after.slots - before.slots) / N, chunks: (after.chunks - before.chunks) / N, slotSize: after.slotSize, sim, peers, srv };
  return r;
}

const bare = measure((sim) => {
  const lfd = sim.net.listen({ host: "127.0.0.1", port: 9000 });
  const held: number[] = [];
  sim.watch(lfd, 1, () => {
    for (let fd; (fd = sim.net.accept(lfd)) >= 0; ) held.push(fd);
  });
  return { port: 9000, ready: () => held.length >= N + 1, stop: () => sim.net.close(lfd) };
});

// the demo's raw echo protocol on a raw-only vhost: the connections stay raw while idle
const withApp = measure((sim) => {
  const stats: AppStats = { started: 0, connections: 0, rawConnections: 0, wsConnections: 0, totalConnections: 0, httpRequests: 0, bytesEchoed: 0 };
  const cx = createContext({ platform: sim, iface: "127.0.0.1", port: 7681, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [makeRawEchoProtocol(stats)] });
  return { port: 7681, ready: () => stats.rawConnections >= N, stop: () => cx.destroy() };
});

// computation per 64-byte echo round trip on one of the idle connections
const sim = withApp.sim;
const peer = withApp.peers[0]!;
const msg = new Uint8Array(64).fill(65);
const rounds = 200;
sim.run();
const m0 = __lwsxMeter();
for (let i = 0; i < rounds; i++) {
  const want = peer.receivedLength + 64;
  peer.write(msg);
  sim.run({ until: () => peer.receivedLength >= want });
}
const m1 = __lwsxMeter();

const lwsxSlots = withApp.slots - bare.slots;
const lwsxChunks = withApp.chunks - bare.chunks;
print(
  JSON.stringify({
    connections: N,
    slotSizeHost: withApp.slotSize,
    lwsxSlotsPerConn: lwsxSlots,
    lwsxChunkBytesPerConn: lwsxChunks,
    lwsxHostBytesPerConn: lwsxSlots * withApp.slotSize + lwsxChunks,
    lwsxDeviceBytesPerConn: lwsxSlots * 16 + lwsxChunks,
    totalSlotsPerConn: withApp.slots,
    totalChunkBytesPerConn: withApp.chunks,
    bytecodesPerRoundTrip: ((m1 - m0) >>> 0) / rounds,
  }),
);
