import { nodeEnv } from "../lib/node-env.js";
import { defineClientScenarios } from "../scenario/client.scenarios.js";

defineClientScenarios("node (loopback)", () => nodeEnv());
