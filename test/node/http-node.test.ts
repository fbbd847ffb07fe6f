import { nodeEnv } from "../lib/node-env.js";
import { defineHttpScenarios } from "../scenario/http.scenarios.js";

defineHttpScenarios("node (loopback)", () => nodeEnv());
