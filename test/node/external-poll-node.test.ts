import { nodeEnv } from "../lib/node-env.js";
import { defineExternalPollScenarios } from "../scenario/external-poll.scenarios.js";

defineExternalPollScenarios("node (loopback)", () => nodeEnv());
