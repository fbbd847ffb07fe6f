import { simEnv } from "../lib/env.js";
import { defineExternalPollScenarios } from "./external-poll.scenarios.js";

defineExternalPollScenarios("sim", () => simEnv({ seed: 31 }));
defineExternalPollScenarios("sim, byte splits and partial writes", () => simEnv({ seed: 32, maxSegment: 9, randomSplit: true, partialWrites: true, sendBuffer: 1000 }));
