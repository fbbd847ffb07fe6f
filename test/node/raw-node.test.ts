// The raw scenarios on real loopback sockets (platform/node).
import { defineRawScenarios } from "../scenario/raw.scenarios.js";
import { nodeEnv } from "../lib/node-env.js";

defineRawScenarios("node (loopback)", () => nodeEnv());
