// A scenario environment whose platform is platform/moddable over the
// stand-in SDK (platform/moddable/standin) over a SimNetwork: what the shared
// scenario suites run on to exercise the device adapter, in Node and in XS.

import type { ScenarioEnv, TestPeer } from "./env.js";
import { createSimPlatform, SimPeer, type SimNetwork, type SimOptions } from "../../platform/sim/index.js";
import { createModdablePlatform, type ModdablePlatform } from "../../platform/moddable/index.js";
import { createStandinSdk, type StandinOptions, type StandinSdk } from "../../platform/moddable/standin/index.js";

export interface ModdableEnvOptions extends SimOptions {
  standin?: StandinOptions;
  /** no vfs handed to the adapter: it builds its own over the stand-in's File (`standin.file`) */
  ownVfs?: boolean;
  /** the adapter's maxOpenFiles */
  maxOpenFiles?: number;
  /** where makeFiles puts files (a prefix; a number is added) */
  filesRoot?: string;
  /** makeFiles keeps no modification time (the SDK's File has none) */
  noMtime?: boolean;
}

export type ModdableEnv = ScenarioEnv & { sim: SimNetwork; sdk: StandinSdk; platform: ModdablePlatform; errors: unknown[] };

let fileRoots = 0;

/** a scenario environment whose platform is platform/moddable over the stand-in SDK over a SimNetwork */
export function moddableEnv(opts: ModdableEnvOptions = {}): ModdableEnv {
  const { standin, ownVfs, maxOpenFiles, filesRoot = "/moddable-files", noMtime, ...simOpts } = opts;
  const sim = createSimPlatform(simOpts);
  const sdk = createStandinSdk(sim, standin);
  const errors: unknown[] = [];
  // an exception escaping the core into an SDK callback is a bug: record it, fail the test in done()
  // the sim's in-memory files stand in for a device vfs, unless the adapter builds its own
  const platform = createModdablePlatform(sdk, { report: (e) => void errors.push(e), ...(ownVfs ? {} : { vfs: sim.vfs }), maxOpenFiles });
  const smallBuffers = (standin?.sendBuffer ?? 8192) < 8192 || (standin?.receiveWindow ?? 8192) < 8192;
  return {
    name: `moddable over stand-in over sim(seed ${sim.seed})`,
    sim,
    sdk,
    platform,
    errors,
    host: "127.0.0.1",
    deterministic: true,
    faulty: smallBuffers || !!(simOpts.partialWrites || simOpts.randomSplit || (simOpts.maxSegment ?? 65536) < 65536),
    scale: (simOpts.maxSegment ?? 65536) < 16 ? 0.1 : 1,
    async waitFor(pred, what, limitMs = 60000) {
      sim.run({ until: pred, untilUs: sim.now() + limitMs * 1000 });
      if (errors.length) throw errors[0];
      if (!pred()) throw new Error(`timed out waiting for ${what} (moddable on sim seed ${sim.seed}, t=${sim.now()}us)`);
    },
    async settle(ms = 1000) {
      sim.run({ untilUs: sim.now() + ms * 1000 });
      if (errors.length) throw errors[0];
    },
    peer(port): TestPeer {
      return new SimPeer(sim, "127.0.0.1", port);
    },
    async closedPort() {
      return 39999;
    },
    async makeFiles(files, mtimeMs = 1700000000000) {
      const root = `${filesRoot}${++fileRoots}`;
      for (const [name, data] of Object.entries(files)) sim.writeFile(`${root}/${name}`, data, noMtime ? 0 : mtimeMs);
      return root;
    },
    done() {
      if (errors.length) throw errors[0];
    },
  };
}

