// The platform contract: everything lwsx needs from the machine it runs on.
//
// The core (src/) never touches a socket, a clock or a timer of its own; a
// platform object gives it small, byte-oriented primitives. Three platforms
// implement it: platform/node (real sockets), platform/sim (a deterministic
// in-memory network with virtual time) and platform/moddable (ECMA-419 IO on
// the ESP32). Descriptors are small integers the platform allocates, even where
// the stack has no real fds, so the core can keep an lws-style pollfd table.
//
// Readiness is level-triggered, as poll(2) is: while a watched descriptor is
// ready for an event in its interest mask, the platform keeps reporting it,
// always from its own loop turn (never synchronously from inside a call the
// core makes), so the core is never re-entered. End of stream is POLLIN with
// read() giving an empty array; POLLERR / POLLHUP mean the descriptor is dead
// (reset, refused, broken pipe): nothing more can be read or written.

/** A descriptor's readiness report: the bits of poll(2) (POLLIN, POLLOUT, POLLERR, POLLHUP). */
export type ReadyCallback = (fd: number, revents: number) => void;

export interface SocketAddress {
  address: string;
  port: number;
}

export interface ListenOptions {
  /** numeric address or name to bind; "0.0.0.0" or "" for all */
  host: string;
  /** 0 asks for any free port */
  port: number;
  backlog?: number;
}

export interface ConnectOptions {
  host: string;
  port: number;
}

/**
 * Network sockets. All calls return at once.
 * - read: a chunk of at most `max` bytes; `null` when nothing is there now
 *   (would block); an empty array at end of stream (the peer closed).
 * - write: how many bytes the stack took (0..length; 0 means "would block",
 *   wait for POLLOUT); -1 when the socket is dead. Bytes not taken stay the
 *   caller's: the platform copies what it takes, so the caller may reuse its buffer.
 * - connect: returns the descriptor at once; completion is POLLOUT, failure is
 *   POLLERR/POLLHUP with the reason in `error(fd)`.
 */
export interface PlatformNet {
  listen(options: ListenOptions): number;
  /** an accepted connection's descriptor, or -1 when none is pending */
  accept(listenFd: number): number;
  connect(options: ConnectOptions): number;
  read(fd: number, max: number): Uint8Array | null;
  write(fd: number, data: Uint8Array): number;
  /**
   * Graceful close: bytes already taken are still delivered, and for a while
   * what still arrives is read and dropped (a lingering close), so the peer
   * does not get a reset that destroys an answer it has not read yet.
   */
  close(fd: number): void;
  localAddress(fd: number): SocketAddress | null;
  peerAddress(fd: number): SocketAddress | null;
  /** why a socket failed (refused, reset, unreachable...), or null */
  error(fd: number): string | null;
  /**
   * Name resolution that never blocks the loop: `done` runs later, from the
   * platform's loop, with numeric addresses (most preferred first) or with
   * why it failed. `family` 4 asks for IPv4 only, 0 for IPv4 or IPv6.
   * Absent: connect() takes numeric addresses only.
   */
  resolve?(host: string, family: 0 | 4, done: (addresses: string[] | null, error: string | null) => void): void;
  /** the stack can connect to IPv6 addresses */
  readonly ipv6?: boolean;
}

/**
 * Raw files: descriptors for byte streams that are not network sockets
 * (pipes, fifos, stdin, device files). Same read/write/close semantics as
 * PlatformNet; readiness reported through the same watch() mechanism.
 */
export interface PlatformFiles {
  /** open a path for raw adoption; flags "r", "w" or "r+" */
  open(path: string, flags: string): number;
  read(fd: number, max: number): Uint8Array | null;
  write(fd: number, data: Uint8Array): number;
  close(fd: number): void;
  error(fd: number): string | null;
}

export interface FileStat {
  size: number;
  /** modification time, ms since the epoch (0 where unknown) */
  mtimeMs: number;
  isDirectory: boolean;
}

/**
 * Files to serve (lws' vfs "fops"): random-access reads of stored files,
 * synchronous as lws' are (page cache on a server, flash on the device), in
 * pieces the caller sizes to its memory. Paths are absolute platform paths.
 */
export interface PlatformVfs {
  stat(path: string): FileStat | null;
  /** a read handle; throws PlatformError (ENOENT, EACCES...) */
  open(path: string): number;
  /** up to into.length bytes from `position`; 0 at the end */
  read(handle: number, position: number, into: Uint8Array): number;
  close(handle: number): void;
}

/**
 * Raw deflate for permessage-deflate, in whole calls (no stream state kept
 * by the platform): what RFC 7692 needs when the server gives up its own
 * context takeover, and inflates with the window of earlier messages given
 * back as a dictionary.
 *
 * A platform whose zlib is narrower says so (the device's miniz: 15-bit
 * windows only, deflate flushes only at the end, no inflate dictionary), and
 * the WebSocket role negotiates only what it can honour.
 */
export interface PlatformZlib {
  /**
   * `data` as raw deflate blocks ending in a sync flush (00 00 ff ff), or,
   * where `deflateEndsStream`, ending the deflate stream (a final block);
   * `level` 1 (fast, lws' default) .. 9. Null when it cannot be done now (no
   * memory, a window it cannot use): the message is then sent uncompressed.
   */
  deflateRaw(data: Uint8Array, windowBits: number, level?: number): Uint8Array | null;
  /**
   * The same, off the loop thread: `done` is called later from the
   * platform's loop, never synchronously. `data` is the caller's to keep.
   * Where present, larger messages are compressed this way, in parallel
   * with the loop (their frames keep their place in the output).
   */
  deflateRawAsync?(data: Uint8Array, windowBits: number, level: number, done: (out: Uint8Array | null) => void): void;
  /**
   * Inflate raw deflate `data` (the caller appends 00 00 ff ff) with
   * `dictionary` as the window so far; "invalid" for corrupt data, "too big"
   * past `maxOut` bytes, "failed" when the platform could not (no memory).
   * Bytes after the end of a deflate stream are ignored.
   */
  inflateRaw(data: Uint8Array, windowBits: number, dictionary: Uint8Array | null, maxOut: number): Uint8Array | "invalid" | "too big" | "failed";
  /** deflateRaw's output ends the stream: a message sent in fragments (NO_FIN) cannot be compressed */
  readonly deflateEndsStream?: boolean;
  /** inflateRaw cannot take a dictionary: the peer is asked not to take its context over */
  readonly inflateNoDictionary?: boolean;
  /** the one LZ77 window deflateRaw can use (bits): a peer asking for a smaller one gets uncompressed messages */
  readonly deflateWindowBits?: number;
}

/** Hot byte loops a platform may do natively (XS runs JS byte loops ~80x slower than V8). */
export interface PlatformHooks {
  /** XOR `data` in place with the repeating 4-byte `mask`, starting at mask offset `phase`; returns the next phase */
  xorMask?(data: Uint8Array, mask: Uint8Array, phase: number): number;
  /** whether `data` is whole, valid UTF-8 (a fast path of WebSocket text checks; the portable validator decides the rest) */
  isUtf8?(data: Uint8Array): boolean;
  /** SHA-1 of `data` (the WebSocket handshake); a portable one is used where absent */
  sha1?(data: Uint8Array): Uint8Array;
  /** bytes [s, e) of `d` as a latin-1 string (HTTP heads); a portable decoder is used where absent */
  latin1?(d: Uint8Array, s: number, e: number): string;
  /**
   * The time of day: milliseconds since 1970-01-01 UTC, where the platform
   * has a clock set to it. HTTP responses then carry a Date header (RFC 9110
   * 6.6.1: an origin server with a clock must send one, one without must not).
   * Absent on the sim (virtual time); NaN while the clock is not set yet (the
   * device, until SNTP sets it): no Date header then.
   */
  wallClockMs?(): number;
}

export interface Platform {
  readonly name: string;
  /** monotonic time in microseconds */
  now(): number;
  /**
   * Arm the one wake-up the core needs: call `fire` once at or after `atUs`
   * (platform clock). A new call replaces the previous; `null` disarms.
   */
  setWakeup(atUs: number | null, fire: () => void): void;
  /** run `fn` soon, from the platform's loop (never synchronously) */
  post(fn: () => void): void;
  /** report readiness of `fd` for the bits of `events` to `cb`; a new call replaces the interest */
  watch(fd: number, events: number, cb: ReadyCallback): void;
  unwatch(fd: number): void;
  /** fill `into` with random bytes (masks, nonces) */
  random(into: Uint8Array): void;
  readonly net: PlatformNet;
  readonly files?: PlatformFiles;
  /** deflate for permessage-deflate; absent: the extension is not offered */
  readonly zlib?: PlatformZlib;
  /** stored files for HTTP serving; absent where the platform has none */
  readonly vfs?: PlatformVfs;
  readonly hooks?: PlatformHooks;
}

/** Thrown by platform calls that fail at once (bad address, port in use). */
export class PlatformError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "PlatformError";
    this.code = code;
  }
}
