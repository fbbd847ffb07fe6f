import { nodeEnv } from "../lib/node-env.js";
import { defineWsScenarios } from "../scenario/ws.scenarios.js";

defineWsScenarios("node (loopback)", () => nodeEnv());
