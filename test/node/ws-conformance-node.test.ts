import { nodeEnv } from "../lib/node-env.js";
import { defineWsConformance } from "../scenario/ws-conformance.scenarios.js";

defineWsConformance("node (loopback)", () => nodeEnv());
