import { simEnv } from "../lib/env.js";
import { defineWsScenarios } from "./ws.scenarios.js";

defineWsScenarios("sim", () => simEnv({ seed: 61 }));
defineWsScenarios("sim, byte splits and partial writes", () => simEnv({ seed: 62, maxSegment: 11, randomSplit: true, partialWrites: true, sendBuffer: 5000 }));
