// permessage-deflate scenarios (test/scenario/ws-pmd.scenarios.ts) on the
// Node platform: node:zlib, large messages deflated on libuv's thread pool.
import { nodeEnv } from "../lib/node-env.js";
import { defineWsPmdScenarios } from "../scenario/ws-pmd.scenarios.js";

defineWsPmdScenarios("node (loopback)", () => nodeEnv());
