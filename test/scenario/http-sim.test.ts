import { simEnv } from "../lib/env.js";
import { defineHttpScenarios } from "./http.scenarios.js";

defineHttpScenarios("sim", () => simEnv({ seed: 41 }));
defineHttpScenarios("sim, byte splits and partial writes", () => simEnv({ seed: 42, maxSegment: 7, randomSplit: true, partialWrites: true, sendBuffer: 3000 }));
