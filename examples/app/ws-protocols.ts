// The demo's WebSocket protocols: "echo" (the default), and lws' classic
// test protocols "dumb-increment-protocol" and "lws-mirror-protocol" (so that
// libwebsockets' own test client can talk to the demo), plus "lws-status",
// which pushes the status page's figures.

import {
  callbackOnWritable,
  callbackOnWritableAllProtocol,
  closeReason,
  frameIsBinary,
  isFinalFragment,
  isFirstFragment,
  rxFlowControl,
  sendPipeChoked,
  setTimerUsecs,
  write,
  LWS_CALLBACK_CLOSED,
  LWS_CALLBACK_ESTABLISHED,
  LWS_CALLBACK_RECEIVE,
  LWS_CALLBACK_SERVER_WRITEABLE,
  LWS_CALLBACK_TIMER,
  LWS_CLOSE_STATUS_GOINGAWAY,
  LWS_WRITE_BINARY,
  LWS_WRITE_CONTINUATION,
  LWS_WRITE_NO_FIN,
  LWS_WRITE_TEXT,
  type Protocol,
} from "../../src/index.js";

/**
 * "echo": every message goes back whole, text as text and binary as binary.
 * It is echoed as it arrives, piece by piece (a fragmented message of the
 * same content), so a 16 MiB message never sits in memory; reception pauses
 * while the network is slower than the sender.
 */
export function makeEchoProtocol(): Protocol<null> {
  return {
    name: "echo",
    rxBufferSize: 65536,
    callback(wsi, reason, _user, in_, len) {
      switch (reason) {
        case LWS_CALLBACK_RECEIVE: {
          let flags = isFirstFragment(wsi) ? (frameIsBinary(wsi) ? LWS_WRITE_BINARY : LWS_WRITE_TEXT) : LWS_WRITE_CONTINUATION;
          if (!isFinalFragment(wsi)) flags |= LWS_WRITE_NO_FIN;
          if (write(wsi, in_, len, flags) < 0) return -1;
          if (sendPipeChoked(wsi)) {
            rxFlowControl(wsi, 0);
            callbackOnWritable(wsi);
          }
          break;
        }
        case LWS_CALLBACK_SERVER_WRITEABLE:
          rxFlowControl(wsi, 1);
          break;
      }
      return 0;
    },
  };
}

interface IncrementSession {
  number: number;
}

/**
 * lws' "dumb-increment-protocol": a number, counting up, sent every 50 ms;
 * "reset\n" sets it back to 0, "closeme\n" closes with a reason.
 */
export function makeDumbIncrementProtocol(): Protocol<IncrementSession> {
  return {
    name: "dumb-increment-protocol",
    perSessionData: () => ({ number: 0 }),
    callback(wsi, reason, user, in_, len) {
      switch (reason) {
        case LWS_CALLBACK_ESTABLISHED:
          setTimerUsecs(wsi, 50_000);
          break;
        case LWS_CALLBACK_TIMER:
          callbackOnWritable(wsi);
          setTimerUsecs(wsi, 50_000);
          break;
        case LWS_CALLBACK_SERVER_WRITEABLE: {
          const text = String(user.number++);
          if (write(wsi, text, text.length, LWS_WRITE_TEXT) < 0) return -1;
          break;
        }
        case LWS_CALLBACK_RECEIVE: {
          if (len < 6) break;
          const t = new TextDecoder().decode(in_);
          if (t === "reset\n") user.number = 0;
          if (t === "closeme\n") {
            closeReason(wsi, LWS_CLOSE_STATUS_GOINGAWAY, "seeya");
            return -1;
          }
          break;
        }
      }
      return 0;
    },
  };
}

interface MirrorSession {
  /** index of the next ring message this client has not had */
  tail: number;
}

/** the messages lws-mirror-protocol keeps for its clients */
const MIRROR_RING = 64;
/** the longest message mirrored */
const MIRROR_MAX = 4096;

/**
 * lws' "lws-mirror-protocol": every message a client sends goes to every
 * client of the protocol (lws' test client draws with it), through a ring of
 * the last 64 messages; a client too slow to keep up skips what fell out.
 */
export function makeMirrorProtocol(): Protocol<MirrorSession> {
  const ring: (Uint8Array | null)[] = new Array(MIRROR_RING).fill(null);
  let head = 0;
  return {
    name: "lws-mirror-protocol",
    perSessionData: () => ({ tail: head }),
    rxBufferSize: MIRROR_MAX,
    callback(wsi, reason, user, in_, len) {
      switch (reason) {
        case LWS_CALLBACK_ESTABLISHED:
          user.tail = head;
          break;
        case LWS_CALLBACK_RECEIVE:
          if (len > MIRROR_MAX) return 0;
          ring[head % MIRROR_RING] = in_.slice();
          head++;
          // wsi.protocol, not this object: the app may wrap protocols it registers
          callbackOnWritableAllProtocol(wsi.context, wsi.protocol!);
          break;
        case LWS_CALLBACK_SERVER_WRITEABLE: {
          if (head - user.tail > MIRROR_RING) user.tail = head - MIRROR_RING;
          if (user.tail === head) break;
          const m = ring[user.tail % MIRROR_RING]!;
          user.tail++;
          if (write(wsi, m, m.length, LWS_WRITE_TEXT) < 0) return -1;
          if (user.tail !== head) callbackOnWritable(wsi);
          break;
        }
      }
      return 0;
    },
  };
}

/**
 * "lws-status": the status page's figures as JSON, pushed when a client
 * connects and then every second.
 */
export function makeStatusProtocol(snapshot: () => unknown): Protocol<null> {
  return {
    name: "lws-status",
    callback(wsi, reason, _user, _in, _len) {
      switch (reason) {
        case LWS_CALLBACK_ESTABLISHED:
          callbackOnWritable(wsi);
          setTimerUsecs(wsi, 1_000_000);
          break;
        case LWS_CALLBACK_TIMER:
          callbackOnWritable(wsi);
          setTimerUsecs(wsi, 1_000_000);
          break;
        case LWS_CALLBACK_SERVER_WRITEABLE: {
          const text = JSON.stringify(snapshot());
          if (write(wsi, text, undefined, LWS_WRITE_TEXT) < 0) return -1;
          break;
        }
        case LWS_CALLBACK_CLOSED:
          break;
      }
      return 0;
    },
  };
}
