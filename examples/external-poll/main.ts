// examples/external-poll: a raw echo server driven by the integrator's own
// loop (see integrator.ts). Run: node dist/examples/external-poll/main.js
// (PORT from the environment, default 7682), then talk to it with nc.

import { createContext, write, LWS_CALLBACK_RAW_RX, LWS_SERVER_OPTION_ONLY_RAW, type Protocol } from "../../src/index.js";
import { createNodePlatform } from "../../platform/node/index.js";
import { Integrator } from "./integrator.js";

const platform = createNodePlatform();
const loop = new Integrator(platform);

const protocol: Protocol = {
  name: "extpoll-echo",
  callback(wsi, reason, _user, in_, len) {
    if (loop.handle(reason, in_, len)) return 0;
    if (reason === LWS_CALLBACK_RAW_RX) return write(wsi, in_, len) < 0 ? -1 : 0;
    return 0;
  },
};

const port = Number(process.env.PORT || 7682);
const cx = createContext({ platform, externalPoll: true, iface: process.env.HOST || "127.0.0.1", port, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [protocol] });
loop.context = cx;
console.log(`external-poll echo on ${process.env.HOST || "127.0.0.1"}:${cx.vhosts[0]!.port}; the integrator watches ${loop.pollfds.length} fd(s)`);
