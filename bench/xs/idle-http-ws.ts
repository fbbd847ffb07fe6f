// Runs inside the XS engine (bench/xs.mjs): heap per idle HTTP and WebSocket
// connection of the demo app on the sim platform, the transient heap of a
// WebSocket handshake, and the engine's computation per echoed 64-byte
// WebSocket message. Prints one JSON line.
//
// Each figure is what the demo adds beyond the sim network's own endpoints,
// which are measured first with a bare "accept and keep" server.

import { createSimPlatform, SimPeer } from "../../platform/sim/index.js";
import { startApp } from "../../examples/app/app.js";
import { encodeFrame, OPCODE_TEXT } from "../../src/roles/ws/frame.js";

const N = Number(__lwsxArgs[0] ?? 100);
const enc = new TextEncoder();
const UPGRADE = enc.encode("GET / HTTP/1.1\r\nHost: d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
const GET = enc.encode("GET /status HTTP/1.1\r\nHost: d\r\n\r\n");

function heap() {
  gc!();
  gc!();
  return __lwsxHeap();
}

type Sim = ReturnType<typeof createSimPlatform>;

/** heap growth per connection for N peers that each send `first` and get an answer */
function perConn(serve: (sim: Sim) => number, first: Uint8Array | null) {
  const sim = createSimPlatform({ seed: 1 });
  const port = serve(sim);
  const warm = new SimPeer(sim, "127.0.0.1", port);
  if (first) warm.write(first);
  sim.run({ untilUs: sim.now() + 100_000 });
  const before = heap();
  const peers: SimPeer[] = [];
  for (let i = 0; i < N; i++) {
    const p = new SimPeer(sim, "127.0.0.1", port);
    if (first) p.write(first);
    peers.push(p);
    if (i % 8 === 7) sim.run({ untilUs: sim.now() + 1000 });
  }
  sim.run({ untilUs: sim.now() + 200_000 });
  if (first && peers.some((p) => p.receivedLength === 0)) throw new Error("not every connection got its answer");
  const after = heap();
  return { slots: (after.slots - before.slots) / N, chunks: (after.chunks - before.chunks) / N, slotSize: after.slotSize, sim, peers, peak: after.peakChunks };
}

const bare = (first: Uint8Array | null) =>
  perConn((sim) => {
    const lfd = sim.net.listen({ host: "127.0.0.1", port: 9000 });
    const held: number[] = [];
    sim.watch(lfd, 1, () => {
      for (let fd; (fd = sim.net.accept(lfd)) >= 0; ) {
        held.push(fd);
        // answer once, as the demo does, so both peers hold the same received bytes
        if (first) sim.watch(fd, 1, (f) => {
          const b = sim.net.read(f, 65536);
          if (b && b.length) sim.net.write(f, b.subarray(0, 1));
        });
      }
    });
    return 9000;
  }, first);

const demo = (first: Uint8Array | null) => perConn((sim) => startApp(sim, { host: "127.0.0.1", port: 7681 }).port, first);

const device = (slots: number, chunks: number) => Math.round(slots * 16 + chunks);
const host = (slots: number, chunks: number, slotSize: number) => Math.round(slots * slotSize + chunks);

const httpBare = bare(GET), httpDemo = demo(GET);
const wsBare = bare(UPGRADE), wsDemo = demo(UPGRADE);
const httpSlots = httpDemo.slots - httpBare.slots, httpChunks = httpDemo.chunks - httpBare.chunks;
const wsSlots = wsDemo.slots - wsBare.slots, wsChunks = wsDemo.chunks - wsBare.chunks;

// What one WebSocket handshake allocates, garbage included: the heap growth
// (no collection in between) from a collected heap to the 101 at the peer,
// the connection's accept and adoption included, minus the same for the bare
// server (the sim network's own work: connect, accept, delivery). The peer
// and its buffers are made before the first figure. A collection during the
// run could only lower the figure: the largest of three runs is kept.
function handshake(sim: Sim, port: number) {
  const one = new SimPeer(sim, "127.0.0.1", port);
  one.write(UPGRADE);
  const opts = { until: () => one.receivedLength > 0 };
  gc!();
  gc!();
  const h0 = __lwsxHeap();
  sim.run(opts);
  const h1 = __lwsxHeap();
  if (one.receivedLength === 0) throw new Error("no answer to the upgrade");
  sim.run({ untilUs: sim.now() + 10_000 });
  return { slots: h1.slots - h0.slots, chunks: h1.chunks - h0.chunks };
}
function handshakeMax(sim: Sim, port: number) {
  let best = { slots: 0, chunks: 0 };
  for (let i = 0; i < 3; i++) {
    const r = handshake(sim, port);
    if (r.slots * 16 + r.chunks > best.slots * 16 + best.chunks) best = r;
  }
  return best;
}
const hsBare = handshakeMax(wsBare.sim, 9000), hsDemo = handshakeMax(wsDemo.sim, 7681);
const handshakeSlots = hsDemo.slots - hsBare.slots, handshakeChunks = hsDemo.chunks - hsBare.chunks;
const sim = wsDemo.sim;

// computation per echoed 64-byte text message on an idle WebSocket connection
const p = wsDemo.peers[0]!;
const msg = encodeFrame(OPCODE_TEXT, new Uint8Array(64).fill(65), { mask: new Uint8Array([1, 2, 3, 4]) });
const rounds = 200;
sim.run({ untilUs: sim.now() + 10_000 });
const m0 = __lwsxMeter();
for (let i = 0; i < rounds; i++) {
  const want = p.receivedLength + 66;
  p.write(msg);
  sim.run({ until: () => p.receivedLength >= want });
}
const m1 = __lwsxMeter();

print(
  JSON.stringify({
    connections: N,
    httpDeviceBytesPerConn: device(httpSlots, httpChunks),
    httpHostBytesPerConn: host(httpSlots, httpChunks, httpDemo.slotSize),
    wsDeviceBytesPerConn: device(wsSlots, wsChunks),
    wsHostBytesPerConn: host(wsSlots, wsChunks, wsDemo.slotSize),
    handshakeDeviceBytes: device(handshakeSlots, handshakeChunks),
    handshakeHostBytes: host(handshakeSlots, handshakeChunks, wsDemo.slotSize),
    bytecodesPerWsEcho64: ((m1 - m0) >>> 0) / rounds,
  }),
);
