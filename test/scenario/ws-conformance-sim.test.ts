import { simEnv } from "../lib/env.js";
import { defineWsConformance } from "./ws-conformance.scenarios.js";

defineWsConformance("sim", () => simEnv({ seed: 71 }));
defineWsConformance("sim, random splits and partial writes", () => simEnv({ seed: 72, maxSegment: 16384, randomSplit: true, partialWrites: true, sendBuffer: 65536 }));
