// A context driven only by an integrator's own loop, from the external-poll
// callbacks (examples/external-poll), on every platform environment.
import * as A from "../lib/assert.js";
import { bytes, sameBytes, type ScenarioEnv } from "../lib/env.js";
import { Integrator } from "../../examples/external-poll/integrator.js";
import { createContext, write, LWS_CALLBACK_RAW_RX, LWS_SERVER_OPTION_ONLY_RAW, type Context, type Protocol } from "../../src/index.js";

export function defineExternalPollScenarios(label: string, makeEnv: () => ScenarioEnv): void {
  describe(`external poll integrator on ${label}`, () => {
    let env: ScenarioEnv;
    let cx: Context | null = null;
    beforeEach(() => (env = makeEnv()));
    afterEach(() => {
      cx?.destroy();
      cx = null;
      env.done();
    });

    it("serves echo connections with the integrator's pollfd table always equal to lwsx's", async () => {
      const loop = new Integrator(env.platform);
      const checks: string[] = [];
      const protocol: Protocol = {
        name: "echo",
        callback(wsi, reason, _u, in_, len) {
          if (loop.handle(reason, in_, len)) return 0;
          if (reason === LWS_CALLBACK_RAW_RX) {
            const mine = loop.pollfds.map((p) => `${p.fd}:${p.events}`).sort().join(" ");
            const theirs = cx!.pollfds().map((p) => `${p.fd}:${p.events}`).sort().join(" ");
            if (mine !== theirs) checks.push(`${mine} != ${theirs}`);
            return write(wsi, in_, len) < 0 ? -1 : 0;
          }
          return 0;
        },
      };
      cx = createContext({ platform: env.platform, externalPoll: true, iface: env.host, port: 0, options: LWS_SERVER_OPTION_ONLY_RAW, protocols: [protocol] });
      loop.context = cx;
      A.deepEqual(loop.trace, ["lock(1)", `add ${cx.vhosts[0]!.listenWsi!.fd} 1`, "unlock(1)"]);
      const data = [1, 2, 3].map((i) => bytes(Math.round(30000 * env.scale), i));
      const peers = data.map((d) => {
        const p = env.peer(cx!.vhosts[0]!.port);
        p.write(d);
        return p;
      });
      await env.waitFor(() => peers.every((p, i) => p.receivedLength === data[i]!.length), "echoes", 30000);
      peers.forEach((p, i) => A.ok(sameBytes(p.received, data[i]!)));
      peers.forEach((p) => p.end());
      await env.waitFor(() => loop.pollfds.length === 1, "connections removed from the integrator's table");
      A.deepEqual(checks, []);
      A.equal(loop.trace.filter((t) => t.startsWith("add")).length, 4);
      A.equal(loop.trace.filter((t) => t.startsWith("del")).length, 3);
      let depth = 0;
      for (const t of loop.trace) {
        depth += t.startsWith("lock") ? 1 : t.startsWith("unlock") ? -1 : 0;
        A.ok(depth === 0 || depth === 1, "lock/unlock balanced, never nested");
      }
      A.equal(depth, 0);
    });
  });
}
