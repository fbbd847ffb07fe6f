import { simEnv } from "../lib/env.js";
import { defineClientScenarios } from "./client.scenarios.js";

defineClientScenarios("sim (permessage-deflate over the portable codec)", () => simEnv({ seed: 71, zlib: true }));
defineClientScenarios("sim, small random splits and partial writes", () => simEnv({ seed: 72, maxSegment: 7, randomSplit: true, partialWrites: true, sendBuffer: 3000 }));
defineClientScenarios("sim, byte at a time", () => simEnv({ seed: 73, maxSegment: 1, sendBuffer: 3000 }));
