// lwsx: a set-up module (the SDK runs every "setup/..." module before the
// app's main: documentation/base/setup.md) that brings up the OpenCores
// Ethernet of Espressif's QEMU and waits for its DHCP lease (QEMU's user-mode
// network leases 10.0.2.15), so the app starts with the network up and the
// host port forwarded by `-nic user,model=open_eth,hostfwd=...` reaches it.
// The app's self-test talks to 127.0.0.1 and needs no lease; after 15 s
// without one the app starts anyway. UNVERIFIED: never built (see README.md).
import { start, address } from "openeth";
import Timer from "timer";

const POLL_MS = 100;
const LEASE_WAIT_MS = 15000;

export default function (done) {
	try {
		start();
	}
	catch (e) {
		trace(`openeth: ${e.message}\n`);
		return done();
	}
	trace("openeth: started, waiting for DHCP\n");
	let waited = 0;
	Timer.repeat(id => {
		const leased = address();
		waited += POLL_MS;
		if (!leased && (waited < LEASE_WAIT_MS))
			return;
		Timer.clear(id);
		trace(leased ? `openeth: IP address ${leased}\n` : `openeth: no DHCP lease in ${LEASE_WAIT_MS / 1000} s, starting anyway\n`);
		done();
	}, POLL_MS);
}
